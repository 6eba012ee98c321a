/*
 * jsoncheck: is standard input one JSON value?  The xenbox's dom0 has
 * busybox and no JSON tool, so the scenarios check chaos's -l outputs
 * with this (tests/e2e/verbs2.sh).
 *
 *   jsoncheck < FILE
 *
 * Exit 0 when it parses (yajl), printing every scalar as one line "PATH
 * VALUE": PATH names array indexes and object keys from the top, as in
 * /0/name; VALUE is a number's text, true, false, null, or a string,
 * control bytes shown as '?'.  Exit 1 with yajl's message when it does
 * not parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

static void
flat(yajl_val v, char *path, size_t at, size_t cap)
{
	const char *s;
	size_t i, n;

	if (YAJL_IS_OBJECT(v) || YAJL_IS_ARRAY(v)) {
		n = YAJL_IS_OBJECT(v) ? v->u.object.len : v->u.array.len;
		for (i = 0; i < n; i++) {
			if (YAJL_IS_OBJECT(v))
				snprintf(path + at, cap - at, "/%s",
					 v->u.object.keys[i]);
			else
				snprintf(path + at, cap - at, "/%zu", i);
			flat(YAJL_IS_OBJECT(v) ? v->u.object.values[i]
					       : v->u.array.values[i],
			     path, strlen(path), cap);
		}
		path[at] = '\0';
		return;
	}
	printf("%s ", at ? path : "/");
	if (YAJL_IS_STRING(v))
		for (s = YAJL_GET_STRING(v); *s; s++)
			putchar((unsigned char)*s < 0x20 ? '?' : *s);
	else if (YAJL_IS_NUMBER(v))
		fputs(YAJL_GET_NUMBER(v), stdout);
	else
		fputs(YAJL_IS_TRUE(v)	 ? "true"
		      : YAJL_IS_FALSE(v) ? "false"
					 : "null",
		      stdout);
	putchar('\n');
}

int
main(void)
{
	static char buf[1 << 20], path[4096];
	char err[256];
	size_t n;
	yajl_val v;

	n = fread(buf, 1, sizeof(buf) - 1, stdin);
	buf[n] = '\0';
	if (n == sizeof(buf) - 1 || strlen(buf) != n) {
		fprintf(stderr, "jsoncheck: too long, or a NUL byte\n");
		return 1;
	}
	v = yajl_tree_parse(buf, err, sizeof(err));
	if (v == NULL) {
		for (n = 0; err[n]; n++) /* one line */
			err[n] = err[n] == '\n' ? ' ' : err[n];
		fprintf(stderr, "jsoncheck: %s\n", err);
		return 1;
	}
	flat(v, path, 0, sizeof(path));
	yajl_tree_free(v);
	return 0;
}
