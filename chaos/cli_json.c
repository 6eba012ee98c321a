/*
 * cli_json.c: the JSON forms (-l) of chaos's listings, through yajl, and
 * the one loop over the domains that listings share.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "domcfg_json.h"
#include "escape.h"
#include "registry.h"
#include "toolstack.h"

#define KEY(g, k) yajl_gen_string((g), (const unsigned char *)(k), strlen(k))

void
cli_jstr(yajl_gen g, const char *k, const char *v)
{
	KEY(g, k);
	if (v != NULL)
		yajl_gen_string(g, (const unsigned char *)v, strlen(v));
	else
		yajl_gen_null(g);
}

void
cli_jnum(yajl_gen g, const char *k, long long v)
{
	KEY(g, k);
	yajl_gen_integer(g, v);
}

void
cli_jbytes(yajl_gen g, const char *k, const char *v, size_t len)
{
	char *e;

	KEY(g, k);
	if (v == NULL) {
		yajl_gen_null(g);
	} else if (cfg_utf8_valid((const unsigned char *)v, len)) {
		/* yajl escapes quotes, backslashes and control characters */
		yajl_gen_string(g, (const unsigned char *)v, len);
	} else if ((e = esc_dup(v, len)) != NULL) {
		yajl_gen_string(g, (const unsigned char *)e, strlen(e));
		free(e);
	} else {
		yajl_gen_null(g);
	}
}

void
cli_jxsnum(yajl_gen g, const char *k, const char *v, size_t len)
{
	unsigned long long n = 0;
	size_t i;

	KEY(g, k);
	for (i = 0; v != NULL && i < len && i < 19; i++) {
		if (v[i] < '0' || v[i] > '9')
			break;
		n = n * 10 + (unsigned)(v[i] - '0');
	}
	if (v == NULL || len == 0 || i != len)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, (long long)n);
}

const struct option cli_long_only[] = {
	{"long", no_argument, NULL, 'l'},
	{NULL, 0, NULL, 0},
};

int
cli_only_long(const char *cmd, int argc, char **argv, int *lng)
{
	int c;

	*lng = 0;
	while ((c = getopt_long(argc, argv, "lh", cli_long_only, NULL)) != -1) {
		if (c != 'l')
			return cmd_usage_error(cmd_find(cmd, &(int){0}),
					       "bad option");
		*lng = 1;
	}
	return 0;
}

yajl_gen
cli_jarray_begin(void)
{
	yajl_gen g = json_gen_new();

	if (g != NULL)
		yajl_gen_array_open(g);
	return g;
}

int
cli_jarray_end(yajl_gen g)
{
	yajl_gen_array_close(g);
	return cli_json_print(g);
}

int
cli_json_print(yajl_gen g)
{
	char *out = json_gen_finish(g);

	if (out == NULL)
		return -1;
	fputs(out, stdout);
	free(out);
	return 0;
}

int
cli_each_domain(struct ts *ts,
		void (*fn)(struct ts *ts, const struct hv_dominfo *di,
			   void *arg),
		void *arg)
{
	struct reg_shell_id *shells = NULL;
	struct hv_dominfo di[256];
	size_t nshells = 0, bad;
	uint32_t first = 0;
	int i, n;

	if (reg_shell_list(&shells, &nshells, &bad) < 0)
		nshells = 0;
	do {
		n = hv_domain_list(ts->hv, first, di, 256);
		for (i = 0; i < n; i++)
			if (!cli_is_shell(shells, nshells, di[i].domid))
				fn(ts, &di[i], arg);
		if (n > 0)
			first = di[n - 1].domid + 1;
	} while (n == 256);
	free(shells);
	return n < 0 ? -1 : 0;
}
