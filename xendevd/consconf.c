/*
 * consconf.c: xenconsoled's logging setting, read from its command line or
 * from the defaults file it is started from (consconf.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consconf.h"

#define WORDS_MAX 64

void
xdd_cons_conf_init(struct xdd_cons_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", XDD_LOG_DIR);
	snprintf(c->from, sizeof(c->from), "default");
}

int
xdd_cons_conf_value(struct xdd_cons_conf *c, int which, const char *v)
{
	int on;

	if (strcmp(v, "none") == 0 || strcmp(v, "hv") == 0)
		on = 0;
	else if (strcmp(v, "guest") == 0 || strcmp(v, "all") == 0)
		on = 1;
	else
		return errno = EINVAL, -1;
	if (which == 'l')
		c->log = on;
	else
		c->stamp = on;
	return 0;
}

static void
set_dir(struct xdd_cons_conf *c, const char *d)
{
	if (*d != '\0' && strlen(d) < sizeof(c->dir))
		snprintf(c->dir, sizeof(c->dir), "%s", d);
}

/* "--name=value" or "--name" "value": the value, *i moved past it */
static const char *
long_value(const char *name, int argc, char *const *argv, int *i)
{
	size_t n = strlen(name);
	const char *w = argv[*i];

	if (strncmp(w, name, n) != 0)
		return NULL;
	if (w[n] == '=')
		return w + n + 1;
	if (w[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

void
xdd_cons_conf_args(struct xdd_cons_conf *c, int argc, char *const *argv)
{
	const char *v;
	int i;

	for (i = 0; i < argc; i++) {
		if ((v = long_value("--log-dir", argc, argv, &i)) != NULL)
			set_dir(c, v);
		else if ((v = long_value("--log", argc, argv, &i)) != NULL)
			xdd_cons_conf_value(c, 'l', v);
		else if ((v = long_value("--timestamp", argc, argv, &i)) !=
			 NULL)
			xdd_cons_conf_value(c, 't', v);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			xdd_cons_conf_value(c, 't', argv[++i]);
		else if (strncmp(argv[i], "-t", 2) == 0 && argv[i][2] != '\0')
			xdd_cons_conf_value(c, 't', argv[i] + 2);
	}
}

/* a shell word's value: quotes removed (no escapes, no expansion) */
static void
unquote(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, i;
	char q = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (q == 0 && (s[i] == '"' || s[i] == '\'')) {
			q = s[i];
			continue;
		}
		if (q != 0 && s[i] == q) {
			q = 0;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
}

/* XENCONSOLED_ARGS's value, split at blanks */
static void
args_value(struct xdd_cons_conf *c, char *v)
{
	char *words[WORDS_MAX], *save = NULL, *w;
	int n = 0;

	for (w = strtok_r(v, " \t", &save); w != NULL && n < WORDS_MAX;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	xdd_cons_conf_args(c, n, words);
}

int
xdd_cons_conf_defaults(struct xdd_cons_conf *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *eol, *eq;
	char v[512];
	int found = 0;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq == NULL || eq - p > 32)
			continue;
		/* the value ends at a comment outside quotes: rare; the
		 * defaults files put comments on lines of their own */
		unquote(eq + 1, (size_t)(eol - eq - 1), v, sizeof(v));
		if (eq - p == 17 && strncmp(p, "XENCONSOLED_TRACE", 17) == 0) {
			xdd_cons_conf_value(c, 'l', v);
			found++;
		} else if (eq - p == 19 &&
			   strncmp(p, "XENCONSOLED_LOG_DIR", 19) == 0) {
			set_dir(c, v);
			found++;
		} else if (eq - p == 16 &&
			   strncmp(p, "XENCONSOLED_ARGS", 16) == 0) {
			args_value(c, v);
			found++;
		}
	}
	return found;
}

/* a file of at most cap - 1 bytes into buf; its length, or -1 */
static ssize_t
slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	while ((size_t)got + 1 < cap &&
	       (n = read(fd, buf + got, cap - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* the running xenconsoled's arguments: 1 when one runs */
static int
from_process(struct xdd_cons_conf *c)
{
	char path[64], comm[32], line[4096], *words[WORDS_MAX];
	struct dirent *e;
	ssize_t n, i;
	int argc, found = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", e->d_name);
		if (slurp(path, comm, sizeof(comm)) < 0 ||
		    strcmp(comm, "xenconsoled\n") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/cmdline", e->d_name);
		n = slurp(path, line, sizeof(line));
		if (n <= 0)
			continue;
		argc = 0;
		for (i = 0; i < n && argc < WORDS_MAX;
		     i += strlen(line + i) + 1)
			words[argc++] = line + i;
		xdd_cons_conf_args(c, argc, words);
		snprintf(c->from, sizeof(c->from), "xenconsoled (pid %.20s)",
			 e->d_name);
		found = 1;
	}
	closedir(d);
	return found;
}

void
xdd_cons_conf_load(struct xdd_cons_conf *c)
{
	static const char *const files[] = {"/etc/default/xencommons",
					    "/etc/default/xen"};
	char text[16384];
	ssize_t n;
	size_t i;

	xdd_cons_conf_init(c);
	if (from_process(c))
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		n = slurp(files[i], text, sizeof(text));
		if (n >= 0 && xdd_cons_conf_defaults(c, text, (size_t)n) > 0) {
			snprintf(c->from, sizeof(c->from), "%s", files[i]);
			return;
		}
	}
}
