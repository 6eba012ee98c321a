/*
 * jsonflat: print a JSON document as one "PATH=VALUE" line per scalar, so
 * that a shell with only busybox awk can compare two documents
 * (tests/e2e/xl-differential.sh compares `xl -N create` with `chaos -n
 * create`).
 *
 *   jsonflat [FILE]        (standard input without FILE)
 *
 * PATH joins map keys and array indices with '.', as in nics.0.mac; an
 * array also gives PATH.#=LENGTH, so an empty one is seen too.  VALUE is
 * null, true, false, a number as written, or a string in double quotes
 * with '\' and '"' escaped and control bytes as \n, \t, \r or \xHH.  The
 * same escapes apply to keys, and '=' in a key is \x3d, so that a line
 * splits at its first '='.  Exit 0, 1 when the input is not JSON, 2 on
 * bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#define MAX_DEPTH 64
#define MAX_PATH  4096

struct frame {
	int array;     /* 1: an array, 0: a map */
	long index;    /* next element of an array */
	size_t base;   /* path length where this container's path ends */
	size_t keyend; /* path length after the current map key */
};

struct flat {
	char path[MAX_PATH];
	size_t len;
	struct frame st[MAX_DEPTH];
	int depth;
	int overflow;
};

/* The escaped form of byte c in tmp; in a key, '=' too. */
static const char *
escape_byte(unsigned char c, int key, char tmp[8])
{
	if (c == '\\' || c == '"')
		snprintf(tmp, 8, "\\%c", c);
	else if (c == '\n')
		snprintf(tmp, 8, "\\n");
	else if (c == '\t')
		snprintf(tmp, 8, "\\t");
	else if (c == '\r')
		snprintf(tmp, 8, "\\r");
	else if (c < 0x20 || c == 0x7f || (key && c == '='))
		snprintf(tmp, 8, "\\x%02x", c);
	else
		snprintf(tmp, 8, "%c", c);
	return tmp;
}

/* Append key s (n bytes) to buf at *len, escaped; 0 when it did not fit. */
static int
append_key(char *buf, size_t *len, size_t cap, const unsigned char *s, size_t n)
{
	char tmp[8];
	const char *e;
	size_t i, k;

	for (i = 0; i < n; i++) {
		e = escape_byte(s[i], 1, tmp);
		k = strlen(e);
		if (*len + k >= cap)
			return 0;
		memcpy(buf + *len, e, k);
		*len += k;
	}
	buf[*len] = '\0';
	return 1;
}

/* The path of the value about to come: an array gets its next index. */
static int
enter_value(struct flat *f)
{
	struct frame *t;
	int n;

	if (f->depth == 0)
		return 1;
	t = &f->st[f->depth - 1];
	if (!t->array)
		return 1;
	f->len = t->base;
	n = snprintf(f->path + f->len, sizeof(f->path) - f->len, "%s%ld",
		     f->len > 0 ? "." : "", t->index++);
	if (n < 0 || (size_t)n >= sizeof(f->path) - f->len) {
		f->overflow = 1;
		return 0;
	}
	f->len += (size_t)n;
	return 1;
}

/* Print s escaped as a string's body (the value side of a line). */
static void
put_escaped(const unsigned char *s, size_t n)
{
	char tmp[8];
	size_t i;

	for (i = 0; i < n; i++)
		fputs(escape_byte(s[i], 0, tmp), stdout);
}

static int
emit(struct flat *f, const char *val, size_t vlen, int quoted)
{
	if (!enter_value(f))
		return 0;
	printf("%s=", f->path);
	if (quoted) {
		putchar('"');
		put_escaped((const unsigned char *)val, vlen);
		putchar('"');
	} else {
		fwrite(val, 1, vlen, stdout);
	}
	putchar('\n');
	return 1;
}

static int
on_null(void *ctx)
{
	return emit(ctx, "null", 4, 0);
}

static int
on_bool(void *ctx, int b)
{
	return emit(ctx, b ? "true" : "false", b ? 4 : 5, 0);
}

static int
on_number(void *ctx, const char *s, size_t len)
{
	return emit(ctx, s, len, 0);
}

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	return emit(ctx, (const char *)s, len, 1);
}

static int
open_container(struct flat *f, int array)
{
	struct frame *t;

	if (!enter_value(f))
		return 0;
	if (f->depth == MAX_DEPTH) {
		f->overflow = 1;
		return 0;
	}
	t = &f->st[f->depth++];
	t->array = array;
	t->index = 0;
	t->base = f->len;
	t->keyend = f->len;
	return 1;
}

static int
on_start_map(void *ctx)
{
	return open_container(ctx, 0);
}

static int
on_start_array(void *ctx)
{
	return open_container(ctx, 1);
}

static int
on_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct flat *f = ctx;
	struct frame *t = &f->st[f->depth - 1];

	f->len = t->base;
	if (f->len > 0 && f->len + 1 < sizeof(f->path))
		f->path[f->len++] = '.';
	if (!append_key(f->path, &f->len, sizeof(f->path), key, len)) {
		f->overflow = 1;
		return 0;
	}
	t->keyend = f->len;
	return 1;
}

static int
on_end_map(void *ctx)
{
	struct flat *f = ctx;

	f->len = f->st[--f->depth].base;
	f->path[f->len] = '\0';
	return 1;
}

static int
on_end_array(void *ctx)
{
	struct flat *f = ctx;
	struct frame *t = &f->st[--f->depth];

	f->len = t->base;
	f->path[f->len] = '\0';
	printf("%s%s#=%ld\n", f->path, f->len > 0 ? "." : "", t->index);
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_map_key,
	.yajl_end_map = on_end_map,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end_array,
};

int
main(int argc, char **argv)
{
	static struct flat f;
	unsigned char buf[65536];
	unsigned char *err;
	yajl_status st = yajl_status_ok;
	yajl_handle h;
	FILE *in = stdin;
	size_t n;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: jsonflat [FILE]\n");
		return 2;
	}
	if (argc == 2 && (in = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	h = yajl_alloc(&callbacks, NULL, &f);
	if (h == NULL)
		return 1;
	while (st == yajl_status_ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		st = yajl_parse(h, buf, n);
	if (st == yajl_status_ok && ferror(in))
		st = yajl_status_error;
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		if (f.overflow)
			fprintf(stderr,
				"jsonflat: nested too deep or too long\n");
		err = yajl_get_error(h, 0, NULL, 0);
		fprintf(stderr, "jsonflat: %s\n", err ? (char *)err : "error");
		yajl_free_error(h, err);
		yajl_free(h);
		return 1;
	}
	yajl_free(h);
	return fflush(stdout) == 0 ? 0 : 1;
}
