/*
 * cmd_sched.c: sched-credit and sched-credit2, as xl has them: the weight
 * and cap of domains under the credit and credit2 schedulers, and the
 * parameters of a CPU pool that runs one.  Like xl, a listing shows only
 * the pools that run the command's scheduler, so on Debian's Xen (credit2)
 * sched-credit lists nothing.
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

/* libxl's bounds (xen/sysctl.h) */
#define TSLICE_MIN    1
#define TSLICE_MAX    1000
#define RATELIMIT_MIN 100
#define RATELIMIT_MAX 500000
#define MIGR_MAX      100000

struct sopts {
	const struct cmd_spec *self;
	unsigned sched; /* HV_SCHED_CREDIT or HV_SCHED_CREDIT2 */
	const char *dom, *pool;
	long weight, cap, tslice, ratelimit, migr; /* -1: not given */
	int params, json;
};

/* the pool's name as libxl keeps it, "Pool-0" for pool 0; else its id */
static void
pool_name(struct ts *ts, uint32_t poolid, char *buf, size_t len)
{
	char path[64], *v = NULL;
	unsigned n;

	snprintf(path, sizeof(path), "/local/pool/%u/name", poolid);
	if (ts->xs != NULL)
		v = xs_read(ts->xs, XBT_NULL, path, &n);
	if (v != NULL)
		snprintf(buf, len, "%s", v);
	else if (poolid == 0)
		snprintf(buf, len, "Pool-0");
	else
		snprintf(buf, len, "%u", poolid);
	free(v);
}

/* -p POOL: its id or its name; 0, or -1 said */
static int
pool_find(struct ts *ts, const struct sopts *o, uint32_t *poolid,
	  unsigned *sched)
{
	char name[128], num[16];
	uint32_t id = 0;

	while (hv_pool_next(ts->hv, id, poolid, sched) == 0) {
		pool_name(ts, *poolid, name, sizeof(name));
		snprintf(num, sizeof(num), "%u", *poolid);
		if (strcmp(o->pool, name) == 0 || strcmp(o->pool, num) == 0)
			return 0;
		id = *poolid + 1;
	}
	fprintf(stderr, "chaos %s: no cpupool '%s'\n", o->self->name, o->pool);
	return -1;
}

/* "Cpupool Pool-0: ratelimit=1000us", as xl heads a pool's listing */
static void
pool_line(struct ts *ts, const struct sopts *o, uint32_t poolid)
{
	struct hv_sched_pool p;
	char name[128];

	pool_name(ts, poolid, name, sizeof(name));
	printf("Cpupool %s: ", name);
	if (hv_sched_pool_get(ts->hv, poolid, o->sched, &p) < 0)
		printf("[sched params unavailable]\n");
	else if (o->sched == HV_SCHED_CREDIT)
		printf("tslice=%ums ratelimit=%uus migration-delay=%uus\n",
		       p.tslice_ms, p.ratelimit_us, p.migr_delay_us);
	else
		printf("ratelimit=%uus\n", p.ratelimit_us);
}

/* key k: v, or null when the pool's parameters could not be read */
static void
jparam(yajl_gen g, const char *k, int ok, unsigned v)
{
	if (ok) {
		cli_jnum(g, k, v);
		return;
	}
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	yajl_gen_null(g);
}

static void
pool_json(struct ts *ts, const struct sopts *o, uint32_t poolid)
{
	yajl_gen g = json_gen_new();
	struct hv_sched_pool p;
	char name[128];
	int ok;

	if (g == NULL)
		return;
	ok = hv_sched_pool_get(ts->hv, poolid, o->sched, &p) == 0;
	pool_name(ts, poolid, name, sizeof(name));
	yajl_gen_map_open(g);
	cli_jstr(g, "pool", name);
	cli_jnum(g, "poolid", poolid);
	cli_jstr(g, "scheduler", ts_sched_name(o->sched));
	if (o->sched == HV_SCHED_CREDIT)
		jparam(g, "tslice_ms", ok, p.tslice_ms);
	jparam(g, "ratelimit_us", ok, p.ratelimit_us);
	if (o->sched == HV_SCHED_CREDIT)
		jparam(g, "migration_delay_us", ok, p.migr_delay_us);
	yajl_gen_map_close(g);
	cli_json_print(g);
}

/* What a listing walks: the pool listed, where its rows go. */
struct walk {
	const struct sopts *o;
	uint32_t poolid;
	yajl_gen g; /* NULL: text */
	int rc;
};

static void
row(struct ts *ts, const struct hv_dominfo *di, void *arg)
{
	struct walk *w = arg;
	char name[128], pool[128];
	unsigned weight, cap;

	if (di->cpupool != w->poolid)
		return;
	if (hv_sched_get(ts->hv, di->domid, w->o->sched, &weight, &cap) < 0) {
		if (errno == ESRCH)
			return; /* gone meanwhile */
		fprintf(stderr, "chaos %s: domain %u: %s\n", w->o->self->name,
			di->domid, ts_cause(ts, errno));
		w->rc = EXIT_FAILED;
		return;
	}
	ts_domname(ts, di->domid, name, sizeof(name));
	if (w->g == NULL) {
		printf("%-33s %4u %6u %4u\n", name, di->domid, weight, cap);
		return;
	}
	pool_name(ts, di->cpupool, pool, sizeof(pool));
	yajl_gen_map_open(w->g);
	cli_jnum(w->g, "domid", di->domid);
	cli_jstr(w->g, "name", name);
	cli_jstr(w->g, "pool", pool);
	cli_jnum(w->g, "weight", weight);
	cli_jnum(w->g, "cap", cap);
	yajl_gen_map_close(w->g);
}

static void
header(void)
{
	printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
}

/* a listing's start (-l: an array) and end: 0, or -1 out of memory */
static int
walk_begin(struct walk *w)
{
	if (!w->o->json)
		return 0;
	w->g = cli_jarray_begin();
	return w->g ? 0 : -1;
}

static int
walk_end(struct walk *w)
{
	if (w->g != NULL && cli_jarray_end(w->g) < 0)
		w->rc = EXIT_FAILED;
	return w->rc;
}

/* every pool that runs the scheduler (or -p's), each with its domains */
static int
list_pools(struct ts *ts, const struct sopts *o)
{
	struct walk w = {.o = o};
	uint32_t id = 0, want = 0;
	unsigned sched;

	if ((o->pool != NULL && pool_find(ts, o, &want, &sched) < 0) ||
	    walk_begin(&w) < 0)
		return EXIT_FAILED;
	while (hv_pool_next(ts->hv, id, &w.poolid, &sched) == 0) {
		id = w.poolid + 1;
		if (sched != o->sched || (o->pool && w.poolid != want))
			continue;
		if (w.g == NULL) {
			pool_line(ts, o, w.poolid);
			header();
		}
		if (cli_each_domain(ts, row, &w) < 0) {
			fprintf(stderr, "chaos %s: cannot list domains: %s\n",
				o->self->name, ts_cause(ts, errno));
			w.rc = EXIT_FAILED;
		}
	}
	return walk_end(&w);
}

/* -d DOMAIN, and -w/-c to set its weight and cap */
static int
one_domain(struct ts *ts, const struct sopts *o, uint32_t domid)
{
	struct hv_dominfo di;
	struct walk w = {.o = o};
	unsigned sched;

	if (ts_sched_of(ts, domid, &sched) < 0) {
		fprintf(stderr, "chaos %s: %s: %s\n", o->self->name, o->dom,
			ts->err);
		return EXIT_FAILED;
	}
	if (sched != o->sched) {
		fprintf(stderr,
			"chaos %s: %s runs under the %s scheduler, not "
			"%s\n",
			o->self->name, o->dom, ts_sched_name(sched),
			ts_sched_name(o->sched));
		return EXIT_FAILED;
	}
	if (o->weight == 0) { /* ts_sched_set checks the top */
		fprintf(stderr,
			"chaos %s: %s: weight: 0 is out of range (1 to "
			"65535)\n",
			o->self->name, o->dom);
		return EXIT_FAILED;
	}
	if (o->weight > 0 || o->cap >= 0) {
		if (ts_sched_set(ts, domid,
				 o->weight > 0 ? (unsigned)o->weight : 0,
				 (int)o->cap) < 0) {
			fprintf(stderr, "chaos %s: %s: %s\n", o->self->name,
				o->dom, ts->err);
			return EXIT_FAILED;
		}
		return EXIT_OK;
	}
	if (hv_domain_info(ts->hv, domid, &di) < 0) {
		fprintf(stderr, "chaos %s: %s: %s\n", o->self->name, o->dom,
			strerror(errno));
		return EXIT_FAILED;
	}
	w.poolid = di.cpupool;
	if (walk_begin(&w) < 0)
		return EXIT_FAILED;
	if (!o->json)
		header();
	row(ts, &di, &w);
	return walk_end(&w);
}

/* one of libxl's checks of a pool's parameters: 0, or -1 said */
static int
in_range(const struct sopts *o, const char *what, unsigned v, unsigned lo,
	 unsigned hi)
{
	if (v >= lo && v <= hi)
		return 0;
	fprintf(stderr, "chaos %s: %s %u is out of range (%u to %u)\n",
		o->self->name, what, v, lo, hi);
	return -1;
}

/* -s: show the pool's parameters, or set those given */
static int
pool_params(struct ts *ts, const struct sopts *o)
{
	struct hv_sched_pool p;
	uint32_t poolid = 0;
	unsigned sched;
	char name[128];

	if (o->pool != NULL ? pool_find(ts, o, &poolid, &sched) < 0
			    : hv_pool_next(ts->hv, 0, &poolid, &sched) < 0) {
		if (o->pool == NULL)
			fprintf(stderr, "chaos %s: cpupool 0: %s\n",
				o->self->name, ts_cause(ts, errno));
		return EXIT_FAILED;
	}
	/* xl shows "[sched params unavailable]" for another scheduler's */
	if (o->tslice < 0 && o->ratelimit < 0 && o->migr < 0) {
		if (o->json)
			pool_json(ts, o, poolid);
		else
			pool_line(ts, o, poolid);
		return EXIT_OK;
	}
	pool_name(ts, poolid, name, sizeof(name));
	if (sched != o->sched) {
		fprintf(stderr, "chaos %s: cpupool %s runs %s, not %s\n",
			o->self->name, name, ts_sched_name(sched),
			ts_sched_name(o->sched));
		return EXIT_FAILED;
	}
	if (hv_sched_pool_get(ts->hv, poolid, o->sched, &p) < 0) {
		fprintf(stderr, "chaos %s: cpupool %s: %s\n", o->self->name,
			name, ts_cause(ts, errno));
		return EXIT_FAILED;
	}
	if (o->tslice >= 0)
		p.tslice_ms = (unsigned)o->tslice;
	if (o->ratelimit >= 0)
		p.ratelimit_us = (unsigned)o->ratelimit;
	if (o->migr >= 0)
		p.migr_delay_us = (unsigned)o->migr;
	if ((o->sched == HV_SCHED_CREDIT &&
	     in_range(o, "tslice", p.tslice_ms, TSLICE_MIN, TSLICE_MAX) < 0) ||
	    (p.ratelimit_us != 0 &&
	     in_range(o, "ratelimit", p.ratelimit_us, RATELIMIT_MIN,
		      RATELIMIT_MAX) < 0) ||
	    in_range(o, "migration delay", p.migr_delay_us, 0, MIGR_MAX) < 0)
		return EXIT_FAILED;
	if (o->sched == HV_SCHED_CREDIT &&
	    p.ratelimit_us > p.tslice_ms * 1000) {
		fprintf(stderr,
			"chaos %s: ratelimit %uus is longer than the time "
			"slice (%ums)\n",
			o->self->name, p.ratelimit_us, p.tslice_ms);
		return EXIT_FAILED;
	}
	if (hv_sched_pool_set(ts->hv, poolid, o->sched, &p) < 0) {
		fprintf(stderr, "chaos %s: cpupool %s: %s\n", o->self->name,
			name, ts_cause(ts, errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* a number option's value: 0 to INT_MAX, or -1 said */
static int
num_arg(const struct sopts *o, int opt, const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (isdigit((unsigned char)*s) && *end == '\0' && errno == 0 &&
	    *v <= INT_MAX)
		return 0;
	fprintf(stderr, "chaos %s: -%c '%s' is not a number\n", o->self->name,
		opt, s);
	return -1;
}

/* the options, and xl's rules on which go together; 0 or EXIT_USAGE */
static int
parse(struct sopts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'd'},
		{"weight", required_argument, NULL, 'w'},
		{"cap", required_argument, NULL, 'c'},
		{"schedparam", no_argument, NULL, 's'},
		{"tslice_ms", required_argument, NULL, 't'},
		{"ratelimit_us", required_argument, NULL, 'r'},
		{"migration_delay_us", required_argument, NULL, 'm'},
		{"cpupool", required_argument, NULL, 'p'},
		{"long", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *optstr = o->sched == HV_SCHED_CREDIT ? "+d:w:c:st:r:m:p:lh"
							 : "+d:w:c:sr:p:lh";
	long *num;
	int c;

	o->weight = o->cap = o->tslice = o->ratelimit = o->migr = -1;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if ((c == 't' || c == 'm') && o->sched != HV_SCHED_CREDIT)
			c = '?'; /* credit's own, as long options too */
		num = c == 'w'	 ? &o->weight
		      : c == 'c' ? &o->cap
		      : c == 't' ? &o->tslice
		      : c == 'r' ? &o->ratelimit
		      : c == 'm' ? &o->migr
				 : NULL;
		if (num != NULL) {
			if (num_arg(o, c, optarg, num) < 0)
				return EXIT_USAGE;
		} else if (c == 'd') {
			o->dom = optarg;
		} else if (c == 'p') {
			o->pool = optarg;
		} else if (c == 's') {
			o->params = 1;
		} else if (c == 'l') {
			o->json = 1;
		} else if (c == 'h') {
			printf("usage: chaos %s %s\n", o->self->name,
			       o->self->usage);
			return -1;
		} else {
			return cmd_usage_error(o->self, "bad option");
		}
	}
	if (optind != argc)
		return cmd_usage_error(o->self, "no arguments expected");
	if ((o->pool || o->params) && (o->dom || o->weight >= 0 || o->cap >= 0))
		return cmd_usage_error(o->self,
				       "-p and -s do not go with -d, -w or -c");
	if (!o->dom && (o->weight >= 0 || o->cap >= 0))
		return cmd_usage_error(o->self, "-w and -c need -d DOMAIN");
	if (!o->params && (o->tslice >= 0 || o->ratelimit >= 0 || o->migr >= 0))
		return cmd_usage_error(o->self,
				       "the pool's parameters need -s");
	if (o->json && (o->weight >= 0 || o->cap >= 0 || o->tslice >= 0 ||
			o->ratelimit >= 0 || o->migr >= 0))
		return cmd_usage_error(o->self,
				       "-l lists: it does not go with values "
				       "to set");
	return 0;
}

static int
sched_cmd(const char *cmd, unsigned sched, int argc, char **argv)
{
	struct sopts o = {.self = cmd_find(cmd, &(int){0}), .sched = sched};
	struct ts ts;
	uint32_t domid;
	int rc;

	rc = parse(&o, argc, argv);
	if (rc != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts.err);
		return EXIT_FAILED;
	}
	if (o.dom == NULL) {
		rc = o.params ? pool_params(&ts, &o) : list_pools(&ts, &o);
	} else if (ts_resolve(&ts, o.dom, &domid) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts.err);
		rc = EXIT_FAILED;
	} else {
		rc = one_domain(&ts, &o, domid);
	}
	ts_close(&ts);
	return rc;
}

int
cmd_sched_credit(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return sched_cmd("sched-credit", HV_SCHED_CREDIT, argc, argv);
}

int
cmd_sched_credit2(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return sched_cmd("sched-credit2", HV_SCHED_CREDIT2, argc, argv);
}
