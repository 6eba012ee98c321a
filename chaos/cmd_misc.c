/*
 * cmd_misc.c: more of xl's everyday verbs: dmesg, sysrq, dump-core and
 * uptime.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "domcfg_json.h"
#include "registry.h"
#include "toolstack.h"
#include "xsdom.h"

int
cmd_dmesg(const struct cli_opts *opts, int argc, char **argv)
{
	const struct cmd_spec *self = cmd_find("dmesg", &(int){0});
	static char buf[16384];
	struct ts ts;
	uint32_t index = 0;
	unsigned n;
	int c, clear = 0, rc = EXIT_OK;

	(void)opts;
	while ((c = getopt(argc, argv, "ch")) != -1) {
		if (c == 'c')
			clear = 1;
		else if (c == 'h')
			return printf("usage: chaos dmesg %s\n", self->usage),
			       EXIT_OK;
		else
			return cmd_usage_error(self, "bad option");
	}
	if (optind != argc)
		return cmd_usage_error(self, "no arguments expected");
	if (ts_open_hv(&ts) < 0) {
		fprintf(stderr, "chaos dmesg: %s\n", ts.err);
		return EXIT_FAILED;
	}
	/* the ring a piece at a time, as xl reads it */
	for (;;) {
		n = sizeof(buf);
		if (hv_console_read(ts.hv, buf, &n, clear, 1, &index) < 0) {
			fprintf(stderr, "chaos dmesg: %s\n",
				*hv_last_error(ts.hv) ? hv_last_error(ts.hv)
						      : strerror(errno));
			rc = EXIT_FAILED;
			break;
		}
		if (n == 0)
			break;
		fwrite(buf, 1, n, stdout);
	}
	ts_close(&ts);
	return rc;
}

int
cmd_sysrq(const struct cli_opts *opts, int argc, char **argv)
{
	char path[64], key[2];
	struct ts ts;
	uint32_t domid;
	int rc;

	(void)opts;
	if (cli_only_help("sysrq", argc, argv))
		return EXIT_USAGE;
	if (argc - optind != 2 || strlen(argv[optind + 1]) != 1)
		return cmd_usage_error(cmd_find("sysrq", &(int){0}),
				       "DOMAIN and one letter expected");
	rc = cli_domain_arg(&ts, "sysrq", argv, &domid);
	if (rc >= 0)
		return rc;
	rc = EXIT_FAILED;
	if (ts_is_noxs(domid)) {
		fprintf(stderr,
			"chaos sysrq: %s is a noxs guest: sysrq "
			"reaches guests through XenStore\n",
			argv[optind]);
	} else if (ts.xs == NULL) {
		fprintf(stderr, "chaos sysrq: xenstored is not running\n");
	} else {
		/* Linux watches control/sysrq and clears it */
		snprintf(path, sizeof(path), "/local/domain/%u/control/sysrq",
			 domid);
		key[0] = argv[optind + 1][0];
		key[1] = '\0';
		if (xs_write(ts.xs, XBT_NULL, path, key, 1))
			rc = EXIT_OK;
		else
			fprintf(stderr, "chaos sysrq: %s: xenstore: %s\n",
				argv[optind], strerror(errno));
	}
	ts_close(&ts);
	return rc;
}

int
cmd_dump_core(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	int rc;

	(void)opts;
	if (cli_only_help("dump-core", argc, argv))
		return EXIT_USAGE;
	if (argc - optind != 2)
		return cmd_usage_error(cmd_find("dump-core", &(int){0}),
				       "DOMAIN and FILE expected");
	rc = cli_domain_arg(&ts, "dump-core", argv, &domid);
	if (rc >= 0)
		return rc;
	rc = EXIT_OK;
	if (hv_dump_core(ts.hv, domid, argv[optind + 1]) < 0) {
		fprintf(stderr, "chaos dump-core: %s: %s: %s\n", argv[optind],
			argv[optind + 1],
			*hv_last_error(ts.hv) ? hv_last_error(ts.hv)
					      : strerror(errno));
		rc = EXIT_FAILED;
	}
	ts_close(&ts);
	return rc;
}

/* "2 days,  3:04:05" as xl prints an uptime (short: no seconds) */
static void
print_span(unsigned long s, int brief)
{
	unsigned long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;

	if (d > 0)
		printf("%lu day%s, ", d, d > 1 ? "s" : "");
	if (brief)
		printf("%2lu:%02lu", h, m);
	else
		printf("%2lu:%02lu:%02lu", h, m, s % 60);
}

/* What uptime walks: now, and where rows go (brief: -s; g: -l). */
struct uwalk {
	time_t now;
	int brief;
	yajl_gen g;
};

static void
uptime_row(const struct uwalk *w, const char *name, uint32_t domid,
	   unsigned long up)
{
	char clock[16];

	if (w->g != NULL) {
		yajl_gen_map_open(w->g);
		cli_jstr(w->g, "name", name);
		cli_jnum(w->g, "domid", domid);
		cli_jnum(w->g, "uptime_s", (long long)up);
		yajl_gen_map_close(w->g);
	} else if (w->brief) {
		strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&w->now));
		printf(" %s up ", clock);
		print_span(up, 1);
		printf(", %s (%u)\n", name, domid);
	} else {
		printf("%-33s %4u ", name, domid);
		print_span(up, 0);
		putchar('\n');
	}
}

/* seconds since the domain started: dom0's own uptime, else the start
 * time libxl and chaos write under /vm/UUID (a noxs guest has none) */
static int
started_ago(struct ts *ts, uint32_t domid, time_t now, unsigned long *up)
{
	struct hv_dominfo di;
	char path[96], uu[37], *v;
	unsigned len;
	double t;
	FILE *f;

	if (domid == 0) {
		f = fopen("/proc/uptime", "r");
		if (f == NULL)
			return -1;
		if (fscanf(f, "%lf", &t) != 1)
			t = -1;
		fclose(f);
		*up = (unsigned long)t;
		return t < 0 ? -1 : 0;
	}
	if (ts->xs == NULL || hv_domain_info(ts->hv, domid, &di) < 0)
		return -1;
	uuid_format(di.uuid, uu);
	snprintf(path, sizeof(path), "/vm/%s/start_time", uu);
	v = xs_read(ts->xs, XBT_NULL, path, &len);
	if (v == NULL)
		return -1;
	t = strtod(v, NULL);
	free(v);
	if (t <= 0 || t > (double)now)
		return -1;
	*up = (unsigned long)((double)now - t);
	return 0;
}

/* a domain of the listing of all: as xl, none without a start time */
static void
uptime_of(struct ts *ts, const struct hv_dominfo *di, void *arg)
{
	const struct uwalk *w = arg;
	unsigned long up;
	char name[128];

	if (started_ago(ts, di->domid, w->now, &up) < 0)
		return;
	ts_domname(ts, di->domid, name, sizeof(name));
	uptime_row(w, name, di->domid, up);
}

int
cmd_uptime(const struct cli_opts *opts, int argc, char **argv)
{
	const struct cmd_spec *self = cmd_find("uptime", &(int){0});
	struct uwalk w = {.now = time(NULL)};
	unsigned long up;
	char name[128];
	uint32_t domid;
	struct ts ts;
	int c, i, lng = 0, rc = EXIT_OK;

	(void)opts;
	while ((c = getopt_long(argc, argv, "slh", cli_long_only, NULL)) !=
	       -1) {
		if (c == 's')
			w.brief = 1;
		else if (c == 'l')
			lng = 1;
		else if (c == 'h')
			return printf("usage: chaos uptime %s\n", self->usage),
			       EXIT_OK;
		else
			return cmd_usage_error(self, "bad option");
	}
	if (lng && w.brief)
		return cmd_usage_error(self, "-s and -l do not go together");
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos uptime: %s\n", ts.err);
		return EXIT_FAILED;
	}
	if (lng && (w.g = cli_jarray_begin()) == NULL) {
		ts_close(&ts);
		return EXIT_FAILED;
	}
	if (!lng && !w.brief)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	if (optind == argc && cli_each_domain(&ts, uptime_of, &w) < 0) {
		fprintf(stderr, "chaos uptime: cannot list domains\n");
		rc = EXIT_FAILED;
	}
	for (i = optind; i < argc; i++) {
		if (ts_resolve(&ts, argv[i], &domid) < 0) {
			fprintf(stderr, "chaos uptime: %s\n", ts.err);
			rc = EXIT_FAILED;
			continue;
		}
		if (started_ago(&ts, domid, w.now, &up) < 0) {
			fprintf(stderr,
				"chaos uptime: %s: no start time (a noxs guest "
				"has none)\n",
				argv[i]);
			rc = EXIT_FAILED;
			continue;
		}
		ts_domname(&ts, domid, name, sizeof(name));
		uptime_row(&w, name, domid, up);
	}
	if (w.g != NULL && cli_jarray_end(w.g) < 0)
		rc = EXIT_FAILED;
	ts_close(&ts);
	return rc;
}
