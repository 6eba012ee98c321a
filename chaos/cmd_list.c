/* cmd_list.c: `chaos list` and `chaos info`, in xl's formats, and `chaos
 * shells`. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cfg.h"
#include "cli.h"
#include "domcfg_json.h"
#include "registry.h"
#include "shp.h"
#include "toolstack.h"
#include "xsdom.h"

#define LIST_MAX 4096

void
cli_state(const struct hv_dominfo *di, char s[7])
{
	int crashed = (di->flags & HV_SHUTDOWN) &&
		      di->shutdown_reason == HV_SHUTDOWN_CRASH;

	s[0] = di->flags & HV_RUNNING ? 'r' : '-';
	s[1] = di->flags & HV_BLOCKED ? 'b' : '-';
	s[2] = di->flags & HV_PAUSED ? 'p' : '-';
	s[3] = (di->flags & HV_SHUTDOWN) && !crashed ? 's' : '-';
	s[4] = crashed ? 'c' : '-';
	s[5] = di->flags & HV_DYING ? 'd' : '-';
	s[6] = '\0';
}

/* The config chaos made the domain from, as JSON; null otherwise. */
static void
jconfig(yajl_gen g, uint32_t domid)
{
	struct reg_record r;
	struct diag d = {0};
	struct cfg cfg = {0};
	struct domcfg dc;

	yajl_gen_string(g, (const unsigned char *)"config", 6);
	if (reg_record_read(domid, &r) < 0) {
		yajl_gen_null(g);
		return;
	}
	if (cfg_parse(&cfg, r.config, r.config_len, &d) == 0 &&
	    domcfg_from_cfg(&dc, &cfg, &d) == 0) {
		free(dc.name);
		dc.name = strdup(r.name);
		domcfg_json_gen(g, &dc);
		domcfg_free(&dc);
	} else {
		yajl_gen_null(g);
	}
	cfg_free(&cfg);
	reg_record_free(&r);
}

static int
wanted(struct ts *ts, const struct hv_dominfo *di, int argc, char **argv)
{
	uint32_t id;
	int i;

	if (argc == 0)
		return 1;
	for (i = 0; i < argc; i++)
		if (ts_resolve(ts, argv[i], &id) == 0 && id == di->domid)
			return 1;
	return 0;
}

int
cli_is_shell(const struct reg_shell_id *ids, size_t n, uint32_t domid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i].domid == domid)
			return 1;
	return 0;
}

int
cmd_list(const struct cli_opts *opts, int argc, char **argv)
{
	struct reg_shell_id *shells = NULL;
	size_t nshells = 0, bad;
	struct hv_dominfo *di;
	struct ts ts;
	yajl_gen g = NULL;
	char name[128], st[7], uuid[37];
	int lng, n, i, rc = EXIT_OK;
	uint32_t id;

	(void)opts;
	if (cli_only_long("list", argc, argv, &lng))
		return EXIT_USAGE;
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos list: %s\n", ts.err);
		return EXIT_FAILED;
	}
	for (i = optind; i < argc; i++) {
		if (ts_resolve(&ts, argv[i], &id) < 0) {
			fprintf(stderr, "chaos list: %s\n", ts.err);
			ts_close(&ts);
			return EXIT_FAILED;
		}
	}
	if (reg_shell_list(&shells, &nshells, &bad) < 0)
		nshells = 0;
	di = calloc(LIST_MAX, sizeof(*di));
	n = di ? hv_domain_list(ts.hv, 0, di, LIST_MAX) : -1;
	if (n < 0) {
		fprintf(stderr, "chaos list: cannot list domains\n");
		free(di);
		free(shells);
		ts_close(&ts);
		return EXIT_FAILED;
	}
	if (lng) {
		g = cli_jarray_begin();
		if (g == NULL)
			rc = EXIT_FAILED;
	} else {
		printf("Name                                        ID   Mem "
		       "VCPUs\tState\tTime(s)\n");
	}
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		/* the shell daemon's shells are no guests (chaos shells) */
		if (!wanted(&ts, &di[i], argc - optind, argv + optind) ||
		    cli_is_shell(shells, nshells, di[i].domid))
			continue;
		ts_domname(&ts, di[i].domid, name, sizeof(name));
		cli_state(&di[i], st);
		if (!lng) {
			printf("%-40s %5u %5llu %5u     %s  %8.1f\n", name,
			       di[i].domid,
			       (unsigned long long)(di[i].mem_kib / 1024),
			       di[i].online_vcpus, st,
			       (double)di[i].cpu_time_ns / 1e9);
			continue;
		}
		uuid_format(di[i].uuid, uuid);
		yajl_gen_map_open(g);
		cli_jnum(g, "domid", di[i].domid);
		cli_jstr(g, "name", name);
		cli_jstr(g, "uuid", uuid);
		cli_jstr(g, "state", st);
		cli_jnum(g, "memory", (long long)(di[i].mem_kib / 1024));
		cli_jnum(g, "maxmem", (long long)(di[i].max_kib / 1024));
		cli_jnum(g, "vcpus", di[i].online_vcpus);
		cli_jnum(g, "cpu_time_ms",
			 (long long)(di[i].cpu_time_ns / 1000000));
		jconfig(g, di[i].domid);
		yajl_gen_map_close(g);
	}
	if (g != NULL && cli_jarray_end(g) < 0)
		rc = EXIT_FAILED;
	free(di);
	free(shells);
	ts_close(&ts);
	return rc;
}

/* one row of chaos info: "key : value" as xl prints it, or a member of
 * the JSON object (num: the value is a number) */
static void __attribute__((format(printf, 4, 5)))
info_row(yajl_gen g, const char *k, int num, const char *fmt, ...)
{
	char v[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (g == NULL) {
		printf("%-23s: %s\n", k, v);
	} else if (num) {
		yajl_gen_string(g, (const unsigned char *)k, strlen(k));
		yajl_gen_number(g, v, strlen(v));
	} else {
		cli_jstr(g, k, v);
	}
}

int
cmd_info(const struct cli_opts *opts, int argc, char **argv)
{
	struct hv_physinfo pi;
	struct utsname u;
	struct ts ts;
	yajl_gen g = NULL;
	uint32_t pool0;
	unsigned sched = 0;
	int lng, rc = EXIT_OK;

	(void)opts;
	if (cli_only_long("info", argc, argv, &lng))
		return EXIT_USAGE;
	if (optind != argc)
		return cmd_usage_error(cmd_find("info", &(int){0}),
				       "no arguments expected");
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos info: %s\n", ts.err);
		return EXIT_FAILED;
	}
	if (hv_physinfo(ts.hv, &pi) < 0) {
		fprintf(stderr, "chaos info: %s\n", hv_last_error(ts.hv));
		ts_close(&ts);
		return EXIT_FAILED;
	}
	/* xl's xen_scheduler: the one Xen booted with, pool 0's */
	if (hv_pool_next(ts.hv, 0, &pool0, &sched) < 0)
		sched = 0;
	uname(&u);
	if (lng) {
		g = json_gen_new();
		if (g == NULL) {
			ts_close(&ts);
			return EXIT_FAILED;
		}
		yajl_gen_map_open(g);
	}
	info_row(g, "host", 0, "%s", u.nodename);
	info_row(g, "release", 0, "%s", u.release);
	info_row(g, "version", 0, "%s", u.version);
	info_row(g, "machine", 0, "%s", u.machine);
	info_row(g, "nr_cpus", 1, "%u", pi.nr_cpus);
	info_row(g, "nr_nodes", 1, "%u", pi.nr_nodes);
	info_row(g, "cores_per_socket", 1, "%u", pi.cores_per_socket);
	info_row(g, "threads_per_core", 1, "%u", pi.threads_per_core);
	info_row(g, "cpu_mhz", 1, "%u.%03u", pi.cpu_khz / 1000,
		 pi.cpu_khz % 1000);
	info_row(g, "total_memory", 1, "%llu",
		 (unsigned long long)(pi.total_kib / 1024));
	info_row(g, "free_memory", 1, "%llu",
		 (unsigned long long)(pi.free_kib / 1024));
	info_row(g, "xen_major", 1, "%u", pi.xen_major);
	info_row(g, "xen_minor", 1, "%u", pi.xen_minor);
	info_row(g, "xen_extra", 0, "%s", pi.xen_extra);
	info_row(g, "xen_version", 0, "%u.%u%s", pi.xen_major, pi.xen_minor,
		 pi.xen_extra);
	info_row(g, "xen_caps", 0, "%s", pi.xen_caps);
	info_row(g, "xen_scheduler", 0, "%s", ts_sched_name(sched));
	info_row(g, "xen_commandline", 0, "%s", pi.xen_commandline);
	info_row(g, "chaos_version", 0, "%s", CHAOS_VERSION);
	info_row(g, "chaos_run_dir", 0, "%s", reg_dir());
	if (g != NULL) {
		yajl_gen_map_close(g);
		if (cli_json_print(g) < 0)
			rc = EXIT_FAILED;
	}
	ts_close(&ts);
	return rc;
}

/* `chaos shells`: the shell daemon's classes, as it counts them */
static void
shells_text(const struct shp_list *l)
{
	const struct shp_class *k;
	uint32_t i;

	printf("Class                    Memory VCPUs Wanted Ready Making "
	       "   Taken Failed  Held(MiB)\n");
	for (i = 0; i < l->nclasses; i++) {
		k = &l->cls[i];
		printf("%-24.*s %6llu %5u %6u %5u %6u %8llu %6llu %10llu\n",
		       SHP_NAME_MAX - 1, k->name,
		       (unsigned long long)k->memory_mib, k->vcpus, k->wanted,
		       k->ready, k->making, (unsigned long long)k->taken,
		       (unsigned long long)k->failed,
		       (unsigned long long)(k->held_kib / 1024));
	}
	printf("host: %llu MiB free, reserve %llu MiB%s\n",
	       (unsigned long long)(l->free_kib / 1024),
	       (unsigned long long)(l->reserve_kib / 1024),
	       l->holding_back ? ", holding back" : "");
}

static int
shells_json(const struct shp_list *l)
{
	const struct shp_class *k;
	char name[SHP_NAME_MAX];
	yajl_gen g = json_gen_new();
	uint32_t i;

	if (g == NULL)
		return -1;
	yajl_gen_map_open(g);
	cli_jnum(g, "free_mib", (long long)(l->free_kib / 1024));
	cli_jnum(g, "reserve_mib", (long long)(l->reserve_kib / 1024));
	yajl_gen_string(g, (const unsigned char *)"holding_back", 12);
	yajl_gen_bool(g, l->holding_back != 0);
	yajl_gen_string(g, (const unsigned char *)"classes", 7);
	yajl_gen_array_open(g);
	for (i = 0; i < l->nclasses; i++) {
		k = &l->cls[i];
		snprintf(name, sizeof(name), "%.*s", SHP_NAME_MAX - 1, k->name);
		yajl_gen_map_open(g);
		cli_jstr(g, "class", name);
		cli_jnum(g, "memory", (long long)k->memory_mib);
		cli_jnum(g, "vcpus", k->vcpus);
		cli_jnum(g, "wanted", k->wanted);
		cli_jnum(g, "ready", k->ready);
		cli_jnum(g, "making", k->making);
		cli_jnum(g, "taken", (long long)k->taken);
		cli_jnum(g, "failed", (long long)k->failed);
		cli_jnum(g, "held_mib", (long long)(k->held_kib / 1024));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_print(g);
}

/* chaos-shelld's socket: $CHAOS_SHELLD_SOCKET, else SHP_SOCKET */
static const char *
shelld_path(void)
{
	const char *p = getenv("CHAOS_SHELLD_SOCKET");

	return p && *p ? p : SHP_SOCKET;
}

int
cmd_shells(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"reload", no_argument, NULL, 'r'},
		{"long", no_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	static uint8_t buf[IPC_REPLY_BODY_MAX];
	const struct shp_list *l = (const struct shp_list *)buf;
	struct ipc_conn conn;
	struct ipc_status st;
	uint32_t zero = 0, len;
	int c, lng = 0, reload = 0;

	(void)opts;
	while ((c = getopt_long(argc, argv, "lh", longopts, NULL)) != -1) {
		if (c == 'l')
			lng = 1;
		else if (c == 'r')
			reload = 1;
		else
			return cmd_usage_error(cmd_find("shells", &(int){0}),
					       "bad option");
	}
	if (optind != argc)
		return cmd_usage_error(cmd_find("shells", &(int){0}),
				       "no arguments");
	if (ipc_open(&conn, &shp_proto, shelld_path()) < 0) {
		fprintf(stderr,
			"chaos shells: %s: %s (is chaos-shelld "
			"running?)\n",
			shelld_path(), strerror(errno));
		return EXIT_FAILED;
	}
	if (ipc_call(&conn, reload ? SHP_RELOAD : SHP_LIST, &zero, sizeof(zero),
		     10000, &st, buf, sizeof(buf), &len) < 0) {
		fprintf(stderr, "chaos shells: %s\n", strerror(errno));
		ipc_close(&conn);
		return EXIT_FAILED;
	}
	ipc_close(&conn);
	if (st.err != 0) {
		fprintf(stderr, "chaos shells: %s\n", st.msg);
		return EXIT_FAILED;
	}
	if (reload)
		return EXIT_OK;
	if (len < sizeof(*l) || l->nclasses > SHP_CLASSES_MAX ||
	    len != sizeof(*l) + l->nclasses * sizeof(l->cls[0])) {
		fprintf(stderr, "chaos shells: a malformed reply\n");
		return EXIT_FAILED;
	}
	if (lng)
		return shells_json(l) < 0 ? EXIT_FAILED : EXIT_OK;
	shells_text(l);
	return EXIT_OK;
}
