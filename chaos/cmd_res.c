/*
 * cmd_res.c: a running domain's vCPUs and memory, as xl has them:
 * vcpu-list, vcpu-pin, vcpu-set, mem-max and mem-set.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "domcfg_json.h"
#include "toolstack.h"
#include "xsdom.h"

#define NBITS DC_MAX_CPUS

/* a CPU set as xl prints it: "all", "none", or ranges "0-3,6" */
static void
cpus_text(const struct dc_cpuset *set, unsigned ncpus, char *buf, size_t len)
{
	unsigned i = 0;

	while (i < ncpus && dc_cpuset_has(set, i))
		i++;
	if (ncpus > 0 && i == ncpus) {
		snprintf(buf, len, "all");
		return;
	}
	dc_cpuset_format(set, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

/* What vcpu-list walks: the host's CPUs, where rows go (-l: g). */
struct vwalk {
	unsigned ncpus;
	yajl_gen g;
};

static void
vcpu_json(yajl_gen g, const char *name, uint32_t domid, unsigned i,
	  const struct hv_vcpu *v, const char *hard, const char *soft)
{
	yajl_gen_map_open(g);
	cli_jstr(g, "name", name);
	cli_jnum(g, "domid", domid);
	cli_jnum(g, "vcpu", i);
	yajl_gen_string(g, (const unsigned char *)"cpu", 3);
	if (v->online)
		yajl_gen_integer(g, v->cpu);
	else
		yajl_gen_null(g);
	yajl_gen_string(g, (const unsigned char *)"online", 6);
	yajl_gen_bool(g, v->online);
	yajl_gen_string(g, (const unsigned char *)"running", 7);
	yajl_gen_bool(g, v->running);
	yajl_gen_string(g, (const unsigned char *)"blocked", 7);
	yajl_gen_bool(g, v->blocked);
	cli_jnum(g, "cpu_time_ms", (long long)(v->time_ns / 1000000));
	cli_jstr(g, "hard_affinity", hard);
	cli_jstr(g, "soft_affinity", soft);
	yajl_gen_map_close(g);
}

static void
vcpus_of(struct ts *ts, const struct hv_dominfo *di, void *arg)
{
	const struct vwalk *w = arg;
	struct dc_cpuset hard, soft;
	char name[128], h[256], s[256];
	struct hv_vcpu v;
	unsigned i;

	ts_domname(ts, di->domid, name, sizeof(name));
	for (i = 0; i <= di->max_vcpu_id; i++) {
		if (hv_vcpu_info(ts->hv, di->domid, i, &v) < 0)
			continue; /* no such vCPU */
		h[0] = s[0] = '\0';
		if (hv_vcpu_getaffinity(ts->hv, di->domid, i, hard.bits,
					soft.bits, NBITS) == 0) {
			cpus_text(&hard, w->ncpus, h, sizeof(h));
			cpus_text(&soft, w->ncpus, s, sizeof(s));
		}
		if (w->g != NULL) {
			vcpu_json(w->g, name, di->domid, i, &v, h[0] ? h : NULL,
				  s[0] ? s : NULL);
			continue;
		}
		printf("%-32s %5u %5u", name, di->domid, i);
		if (!v.online)
			printf("%5c %3c%cp ", '-', '-', '-');
		else
			printf("%5u %3c%c- ", v.cpu, v.running ? 'r' : '-',
			       v.blocked ? 'b' : '-');
		printf("%9.1f  ", (double)v.time_ns / 1e9);
		if (h[0] != '\0')
			printf("%s / %s", h, s);
		putchar('\n');
	}
}

int
cmd_vcpu_list(const struct cli_opts *opts, int argc, char **argv)
{
	struct hv_dominfo di;
	struct hv_physinfo pi;
	struct vwalk w = {0};
	struct ts ts;
	uint32_t domid;
	int i, lng, rc = EXIT_OK;

	(void)opts;
	if (cli_only_long("vcpu-list", argc, argv, &lng))
		return EXIT_USAGE;
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos vcpu-list: %s\n", ts.err);
		return EXIT_FAILED;
	}
	if (hv_physinfo(ts.hv, &pi) < 0) {
		fprintf(stderr, "chaos vcpu-list: %s\n", ts_cause(&ts, errno));
		ts_close(&ts);
		return EXIT_FAILED;
	}
	if (lng && (w.g = cli_jarray_begin()) == NULL) {
		ts_close(&ts);
		return EXIT_FAILED;
	}
	w.ncpus = pi.max_cpu_id + 1;
	if (!lng)
		printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU",
		       "CPU", "State", "Time(s)", "Affinity (Hard / Soft)");
	if (optind == argc && cli_each_domain(&ts, vcpus_of, &w) < 0) {
		fprintf(stderr, "chaos vcpu-list: cannot list domains\n");
		rc = EXIT_FAILED;
	}
	for (i = optind; i < argc; i++) {
		if (ts_resolve(&ts, argv[i], &domid) < 0) {
			fprintf(stderr, "chaos vcpu-list: %s\n", ts.err);
			rc = EXIT_FAILED;
		} else if (hv_domain_info(ts.hv, domid, &di) < 0) {
			fprintf(stderr, "chaos vcpu-list: %s: %s\n", argv[i],
				strerror(errno));
			rc = EXIT_FAILED;
		} else {
			vcpus_of(&ts, &di, &w);
		}
	}
	if (w.g != NULL && cli_jarray_end(w.g) < 0)
		rc = EXIT_FAILED;
	ts_close(&ts);
	return rc;
}

/* HARD or SOFT of vcpu-pin: a CPU list, "all", or "-" (leave it) */
static int
cpus_arg(const char *s, uint64_t *bits, int *given)
{
	struct dc_cpuset set;
	const char *why;

	*given = strcmp(s, "-") != 0;
	if (!*given)
		return 0;
	if (dc_parse_cpuset(s, &set, &why) < 0) {
		fprintf(stderr, "chaos vcpu-pin: '%s': %s\n", s, why);
		return -1;
	}
	memcpy(bits, set.bits, sizeof(set.bits));
	return 0;
}

int
cmd_vcpu_pin(const struct cli_opts *opts, int argc, char **argv)
{
	/* -f: xl's, for a hard affinity it would otherwise keep; chaos
	 * changes it anyway */
	static const struct option force = {"force", no_argument, NULL, 'f'};
	const struct cmd_spec *self = cmd_find("vcpu-pin", &(int){0});
	uint64_t hard[NBITS / 64], soft[NBITS / 64];
	struct hv_dominfo di;
	struct ts ts;
	uint32_t domid;
	unsigned v, from, to;
	int rc, forced, has_hard, has_soft = 0;
	char *end;

	(void)opts;
	rc = cli_flag_opt(self, argc, argv, &force, &forced);
	if (rc >= 0)
		return rc;
	if (argc - optind < 3 || argc - optind > 4)
		return cmd_usage_error(self, "DOMAIN VCPU HARD [SOFT]");
	if (cpus_arg(argv[optind + 2], hard, &has_hard) < 0 ||
	    (argc - optind == 4 &&
	     cpus_arg(argv[optind + 3], soft, &has_soft) < 0))
		return EXIT_USAGE;
	rc = cli_domain_arg(&ts, "vcpu-pin", argv, &domid);
	if (rc >= 0)
		return rc;
	rc = EXIT_OK;
	if (hv_domain_info(ts.hv, domid, &di) < 0) {
		fprintf(stderr, "chaos vcpu-pin: %s: %s\n", argv[optind],
			strerror(errno));
		rc = EXIT_FAILED;
		goto out;
	}
	if (strcmp(argv[optind + 1], "all") == 0) {
		from = 0;
		to = di.max_vcpu_id;
	} else {
		v = (unsigned)strtoul(argv[optind + 1], &end, 10);
		if (!isdigit((unsigned char)argv[optind + 1][0]) || *end ||
		    v > di.max_vcpu_id) {
			fprintf(stderr,
				"chaos vcpu-pin: %s has no vCPU '%s' (0 to "
				"%u, or all)\n",
				argv[optind], argv[optind + 1], di.max_vcpu_id);
			rc = EXIT_FAILED;
			goto out;
		}
		from = to = v;
	}
	for (v = from; v <= to && (has_hard || has_soft); v++) {
		if (hv_vcpu_setaffinity(ts.hv, domid, v, has_hard ? hard : NULL,
					has_soft ? soft : NULL, NBITS) < 0) {
			fprintf(stderr, "chaos vcpu-pin: %s vCPU %u: %s\n",
				argv[optind], v,
				*hv_last_error(ts.hv) ? hv_last_error(ts.hv)
						      : strerror(errno));
			rc = EXIT_FAILED;
			break;
		}
	}
out:
	ts_close(&ts);
	return rc;
}

/* the checks of vcpu-set before anything is written: 0 (*max: the
 * domain's vCPUs), or -1 said */
static int
vcpus_allowed(struct ts *ts, const char *dom, uint32_t domid, unsigned long n,
	      int check_host, unsigned *max)
{
	struct hv_physinfo pi;
	struct hv_dominfo di;

	if (hv_domain_info(ts->hv, domid, &di) < 0) {
		fprintf(stderr, "chaos vcpu-set: %s: %s\n", dom,
			strerror(errno));
		return -1;
	}
	if (n == 0 || n > di.max_vcpu_id + 1) {
		fprintf(stderr,
			"chaos vcpu-set: %s has 1 to %u vCPUs (its maxvcpus), "
			"not %lu\n",
			dom, di.max_vcpu_id + 1, n);
		return -1;
	}
	/* xl's guard: more vCPUs online than the host has CPUs */
	if (check_host && n > di.online_vcpus &&
	    hv_physinfo(ts->hv, &pi) == 0 && n > pi.max_cpu_id + 1) {
		fprintf(stderr,
			"chaos vcpu-set: %s: %lu vCPUs overcommit the host's "
			"%u CPUs (-i to do it anyway)\n",
			dom, n, pi.max_cpu_id + 1);
		return -1;
	}
	if (di.flags & HV_HVM) {
		fprintf(stderr,
			"chaos vcpu-set: %s is an HVM guest, whose vCPUs are "
			"plugged through its device model\n",
			dom);
		return -1;
	}
	if (ts_is_noxs(domid)) {
		fprintf(stderr,
			"chaos vcpu-set: %s is a noxs guest: vCPUs are taken "
			"online and offline through XenStore, which it does "
			"not read\n",
			dom);
		return -1;
	}
	if (ts->xs == NULL) {
		fprintf(stderr, "chaos vcpu-set: xenstored is not running\n");
		return -1;
	}
	*max = di.max_vcpu_id + 1;
	return 0;
}

int
cmd_vcpu_set(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option ignore = {"ignore-host", no_argument, NULL,
					     'i'};
	const struct cmd_spec *self = cmd_find("vcpu-set", &(int){0});
	struct ts ts;
	uint32_t domid;
	unsigned long n;
	unsigned max;
	int rc, ignore_host;
	char *end;

	(void)opts;
	rc = cli_flag_opt(self, argc, argv, &ignore, &ignore_host);
	if (rc >= 0)
		return rc;
	if (argc - optind != 2)
		return cmd_usage_error(self, "DOMAIN and a number expected");
	errno = 0;
	n = strtoul(argv[optind + 1], &end, 10);
	if (!isdigit((unsigned char)argv[optind + 1][0]) || *end || errno ||
	    n > INT_MAX) {
		fprintf(stderr, "chaos vcpu-set: '%s' is no number of vCPUs\n",
			argv[optind + 1]);
		return EXIT_USAGE;
	}
	rc = cli_domain_any(&ts, "vcpu-set", argv, &domid);
	if (rc >= 0)
		return rc;
	rc = EXIT_FAILED;
	if (vcpus_allowed(&ts, argv[optind], domid, n, !ignore_host, &max) < 0)
		goto out;
	/* as libxl: every vCPU the domain has, in one transaction */
	if (xsdom_vcpus(ts.xs, domid, max, (unsigned)n) < 0) {
		fprintf(stderr, "chaos vcpu-set: %s: xenstore: %s\n",
			argv[optind], strerror(errno));
		goto out;
	}
	rc = EXIT_OK;
out:
	ts_close(&ts);
	return rc;
}

/* MEM as xl reads it: a number and an optional unit b, k, m (the
 * default), g or t; KiB, or -1 */
static int64_t
mem_kib(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0 || strlen(end) > 1)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 't': v <<= 10; /* fall through */
	case 'g': v <<= 10; /* fall through */
	case '\0':
	case 'm': v <<= 10; /* fall through */
	case 'k': break;
	case 'b': v >>= 10; break;
	default: return -1;
	}
	return v;
}

/* mem-max and mem-set: DOMAIN MEM, resolved */
static int
mem_args(const char *cmd, int argc, char **argv, struct ts *ts, uint32_t *domid,
	 int64_t *kib)
{
	int rc;

	if (cli_only_help(cmd, argc, argv))
		return EXIT_USAGE;
	if (argc - optind != 2)
		return cmd_usage_error(cmd_find(cmd, &(int){0}),
				       "DOMAIN MEM expected");
	*kib = mem_kib(argv[optind + 1]);
	if (*kib <= 0) {
		fprintf(stderr,
			"chaos %s: '%s' is no amount of memory (a number and "
			"b, k, m, g or t; m by default)\n",
			cmd, argv[optind + 1]);
		return EXIT_USAGE;
	}
	rc = cli_domain_arg(ts, cmd, argv, domid);
	return rc;
}

int
cmd_mem_max(const struct cli_opts *opts, int argc, char **argv)
{
	struct hv_dominfo di;
	struct ts ts;
	uint32_t domid;
	int64_t kib;
	char path[64], num[32];
	int rc;

	(void)opts;
	rc = mem_args("mem-max", argc, argv, &ts, &domid, &kib);
	if (rc >= 0)
		return rc;
	rc = EXIT_FAILED;
	if (hv_domain_info(ts.hv, domid, &di) < 0) {
		fprintf(stderr, "chaos mem-max: %s: %s\n", argv[optind],
			strerror(errno));
	} else if ((uint64_t)kib < di.mem_kib) {
		fprintf(stderr,
			"chaos mem-max: %s has %llu KiB now: its maximum "
			"cannot be below that (mem-set first)\n",
			argv[optind], (unsigned long long)di.mem_kib);
	} else if (hv_domain_setmaxmem(ts.hv, domid, (uint64_t)kib + 1024) <
		   0) {
		/* 1 MiB of slack, as libxl and chaos create give */
		fprintf(stderr, "chaos mem-max: %s: %s\n", argv[optind],
			hv_last_error(ts.hv));
	} else {
		rc = EXIT_OK;
		/* a noxs guest has no XenStore nodes to tell */
		snprintf(path, sizeof(path),
			 "/local/domain/%u/memory/static-max", domid);
		snprintf(num, sizeof(num), "%lld", (long long)kib);
		if (!ts_is_noxs(domid) && ts.xs != NULL &&
		    !xs_write(ts.xs, XBT_NULL, path, num, strlen(num))) {
			fprintf(stderr, "chaos mem-max: %s: xenstore: %s\n",
				argv[optind], strerror(errno));
			rc = EXIT_FAILED;
		}
	}
	ts_close(&ts);
	return rc;
}

int
cmd_mem_set(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	int64_t kib;
	char path[64], num[32], *max;
	unsigned len;
	int rc;

	(void)opts;
	rc = mem_args("mem-set", argc, argv, &ts, &domid, &kib);
	if (rc >= 0)
		return rc;
	rc = EXIT_FAILED;
	if (ts_is_noxs(domid)) {
		/* its memory is the device page's builder's: nothing in the
		 * guest gives pages back */
		fprintf(stderr,
			"chaos mem-set: %s is a noxs guest, which has no "
			"balloon driver: its memory stays what it booted "
			"with\n",
			argv[optind]);
		goto out;
	}
	if (ts.xs == NULL) {
		fprintf(stderr, "chaos mem-set: xenstored is not running\n");
		goto out;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
		 domid);
	max = xs_read(ts.xs, XBT_NULL, path, &len);
	if (max != NULL && kib > strtoll(max, NULL, 10)) {
		fprintf(stderr,
			"chaos mem-set: %s: %lld KiB is above its maximum, %s "
			"KiB (mem-max first)\n",
			argv[optind], (long long)kib, max);
		free(max);
		goto out;
	}
	free(max);
	/* the guest's balloon driver watches memory/target */
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	snprintf(num, sizeof(num), "%lld", (long long)kib);
	if (!xs_write(ts.xs, XBT_NULL, path, num, strlen(num))) {
		fprintf(stderr, "chaos mem-set: %s: xenstore: %s\n",
			argv[optind], strerror(errno));
		goto out;
	}
	rc = EXIT_OK;
out:
	ts_close(&ts);
	return rc;
}
