/*
 * cmd_domain.c: commands on one running domain: destroy, pause, unpause,
 * shutdown, reboot, rename, domid, domname, console, and the monitor.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#include "monitor.h"
#include "registry.h"
#include "toolstack.h"
#include "xsdom.h"
#include "xswatch.h"

/* Parse the command's own options (only -h unless given) and open. */
static int
open_ts(struct ts *ts, const char *cmd)
{
	if (ts_open(ts) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts->err);
		return -1;
	}
	return 0;
}

/* The one DOMAIN argument of cmd, resolved; EXIT_* or -1 to go on. */
static int
one_domain(struct ts *ts, const char *cmd, int argc, char **argv,
	   uint32_t *domid)
{
	const struct cmd_spec *self = cmd_find(cmd, &(int){0});

	if (argc - optind != 1)
		return cmd_usage_error(self, "one domain expected");
	if (open_ts(ts, cmd) < 0)
		return EXIT_FAILED;
	if (ts_resolve(ts, argv[optind], domid) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts->err);
		ts_close(ts);
		return EXIT_FAILED;
	}
	return -1;
}

static int
no_options(const char *cmd, int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "h")) != -1)
		return cmd_usage_error(cmd_find(cmd, &(int){0}), "bad option");
	return 0;
}

static int
simple(const char *cmd, int argc, char **argv, int (*op)(struct hv *, uint32_t))
{
	struct ts ts;
	uint32_t domid;
	int rc;

	if (no_options(cmd, argc, argv))
		return EXIT_USAGE;
	rc = one_domain(&ts, cmd, argc, argv, &domid);
	if (rc >= 0)
		return rc;
	rc = EXIT_OK;
	if (domid == 0) {
		fprintf(stderr, "chaos %s: not on dom0\n", cmd);
		rc = EXIT_FAILED;
	} else if (op(ts.hv, domid) < 0) {
		fprintf(stderr, "chaos %s: %s: %s\n", cmd, argv[optind],
			*hv_last_error(ts.hv) ? hv_last_error(ts.hv)
					      : strerror(errno));
		rc = EXIT_FAILED;
	}
	ts_close(&ts);
	return rc;
}

int
cmd_pause(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return simple("pause", argc, argv, hv_domain_pause);
}

int
cmd_unpause(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return simple("unpause", argc, argv, hv_domain_unpause);
}

int
cmd_destroy(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	int rc;

	(void)opts;
	if (no_options("destroy", argc, argv))
		return EXIT_USAGE;
	rc = one_domain(&ts, "destroy", argc, argv, &domid);
	if (rc >= 0)
		return rc;
	rc = EXIT_OK;
	if (ts_destroy(&ts, domid) < 0) {
		fprintf(stderr, "chaos destroy: %s\n", ts.err);
		rc = EXIT_FAILED;
	}
	ts_close(&ts);
	return rc;
}

/* 1 once domid is gone or dying */
static int
gone(struct ts *ts, uint32_t domid)
{
	struct hv_dominfo di;

	return hv_domain_info(ts->hv, domid, &di) < 0 || (di.flags & HV_DYING);
}

/*
 * Wait until every domain in ids is gone: on @releaseDomain, which
 * xenstored fires for the domains it was introduced to; noxs guests are
 * not introduced, so for them the state is looked at every 20 ms.
 */
static int
wait_gone(struct ts *ts, const uint32_t *ids, size_t n)
{
	struct timespec nap = {0, 20 * 1000 * 1000};
	static struct xsw w = {.fd = -1};
	size_t i;
	int poll_only = ts->xs == NULL, rc = -1;

	for (i = 0; i < n; i++)
		poll_only |= ts_is_noxs(ids[i]);
	if (!poll_only && xsw_open(&w, "@releaseDomain", "chaos-wait") < 0)
		return -1;
	for (;;) {
		for (i = 0; i < n && gone(ts, ids[i]); i++)
			;
		if (i == n) {
			rc = 0;
			break;
		}
		if (poll_only)
			nanosleep(&nap, NULL);
		else if (xsw_wait(&w, -1) < 0)
			break;
	}
	xsw_close(&w);
	return rc;
}

/* shutdown and reboot: ask PV guests through control/shutdown. */
static int
power(const char *cmd, const char *req, int argc, char **argv)
{
	const struct cmd_spec *self = cmd_find(cmd, &(int){0});
	struct hv_dominfo all[1024];
	uint32_t ids[1024];
	size_t n = 0;
	struct ts ts;
	int c, wait = 0, every = 0, rc = EXIT_OK, i, k;

	while ((c = getopt(argc, argv, "awFh")) != -1) {
		switch (c) {
		case 'a': every = 1; break;
		case 'w': wait = 1; break;
		case 'F': break; /* PV guests have no ACPI to fall back to */
		default: return cmd_usage_error(self, "bad option");
		}
	}
	if (every ? optind != argc : argc - optind != 1)
		return cmd_usage_error(self, every ? "-a takes no domain"
						   : "one domain expected");
	if (open_ts(&ts, cmd) < 0)
		return EXIT_FAILED;
	if (every) {
		k = hv_domain_list(ts.hv, 1, all, 1024);
		for (i = 0; i < k; i++)
			if (!(all[i].flags & (HV_DYING | HV_SHUTDOWN)))
				ids[n++] = all[i].domid;
	} else if (ts_resolve(&ts, argv[optind], &ids[0]) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts.err);
		ts_close(&ts);
		return EXIT_FAILED;
	} else {
		n = 1;
		if (ids[0] == 0) {
			fprintf(stderr, "chaos %s: not on dom0\n", cmd);
			ts_close(&ts);
			return EXIT_FAILED;
		}
	}
	for (i = 0; i < (int)n; i++) {
		if (ts_power(&ts, ids[i], req) < 0) {
			fprintf(stderr, "chaos %s: %s\n", cmd, ts.err);
			rc = EXIT_FAILED;
		}
	}
	if (rc == EXIT_OK && wait && wait_gone(&ts, ids, n) < 0) {
		fprintf(stderr, "chaos %s: waiting: %s\n", cmd,
			strerror(errno));
		rc = EXIT_FAILED;
	}
	ts_close(&ts);
	return rc;
}

int
cmd_shutdown(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return power("shutdown", "poweroff", argc, argv);
}

int
cmd_reboot(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return power("reboot", "reboot", argc, argv);
}

int
cmd_rename(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	int rc;

	(void)opts;
	if (no_options("rename", argc, argv))
		return EXIT_USAGE;
	if (argc - optind != 2)
		return cmd_usage_error(cmd_find("rename", &(int){0}),
				       "a domain and a new name expected");
	if (open_ts(&ts, "rename") < 0)
		return EXIT_FAILED;
	rc = EXIT_OK;
	if (ts_resolve(&ts, argv[optind], &domid) < 0 ||
	    ts_rename(&ts, domid, argv[optind + 1]) < 0) {
		fprintf(stderr, "chaos rename: %s\n", ts.err);
		rc = EXIT_FAILED;
	}
	ts_close(&ts);
	return rc;
}

int
cmd_domid(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	int rc;

	(void)opts;
	if (no_options("domid", argc, argv))
		return EXIT_USAGE;
	rc = one_domain(&ts, "domid", argc, argv, &domid);
	if (rc >= 0)
		return rc;
	printf("%u\n", domid);
	ts_close(&ts);
	return EXIT_OK;
}

int
cmd_domname(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	char name[128];
	int rc;

	(void)opts;
	if (no_options("domname", argc, argv))
		return EXIT_USAGE;
	rc = one_domain(&ts, "domname", argc, argv, &domid);
	if (rc >= 0)
		return rc;
	ts_domname(&ts, domid, name, sizeof(name));
	printf("%s\n", name);
	ts_close(&ts);
	return EXIT_OK;
}

int
cmd_console(const struct cli_opts *opts, int argc, char **argv)
{
	struct reg_record r;
	struct ts ts;
	uint32_t domid;
	char id[16];
	int rc;

	(void)opts;
	if (no_options("console", argc, argv))
		return EXIT_USAGE;
	rc = one_domain(&ts, "console", argc, argv, &domid);
	if (rc >= 0)
		return rc;
	if (reg_record_read(domid, &r) == 0 && r.noxs) {
		/* xenconsoled does not know noxs guests: serve it ourselves */
		rc = console_attach(&ts, domid, r.console_port, 0) < 0
			     ? EXIT_FAILED
			     : EXIT_OK;
		if (rc != EXIT_OK)
			fprintf(stderr, "chaos console: %s\n", ts.err);
		reg_record_free(&r);
		ts_close(&ts);
		return rc;
	}
	reg_record_free(&r);
	ts_close(&ts);
	snprintf(id, sizeof(id), "%u", domid);
	execl(CHAOS_XENCONSOLE, "xenconsole", "--type", "pv", id, (char *)NULL);
	fprintf(stderr, "chaos console: %s: %s\n", CHAOS_XENCONSOLE,
		strerror(errno));
	return EXIT_FAILED;
}

int
cmd_monitor(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	if (no_options("monitor", argc, argv))
		return EXIT_USAGE;
	if (argc != optind)
		return cmd_usage_error(cmd_find("monitor", &(int){0}),
				       "no arguments expected");
	return monitor_run();
}
