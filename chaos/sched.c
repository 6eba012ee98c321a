/*
 * sched.c: a domain's share of the CPUs under the credit and credit2
 * schedulers: xl.cfg's cpu_weight and cap at create, and chaos
 * sched-credit / sched-credit2.  A domain runs under the scheduler of
 * its CPU pool; Debian's Xen 4.17 boots with credit2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "toolstack.h"

const char *
ts_sched_name(unsigned sched)
{
	switch (sched) {
	case HV_SCHED_CREDIT: return "credit";
	case HV_SCHED_CREDIT2: return "credit2";
	case HV_SCHED_ARINC653: return "arinc653";
	case HV_SCHED_RTDS: return "rtds";
	case HV_SCHED_NULL: return "null";
	}
	return "unknown";
}

/* domid's info and the scheduler of its pool */
static int
dom_sched(struct ts *ts, uint32_t domid, struct hv_dominfo *di, unsigned *sched)
{
	uint32_t id;

	if (hv_domain_info(ts->hv, domid, di) < 0)
		return ts_fail(ts, "scheduler", "domain %u: %s", domid,
			       ts_cause(ts, errno));
	if (hv_pool_next(ts->hv, di->cpupool, &id, sched) < 0)
		return ts_fail(ts, "scheduler", "cpupool %u: %s", di->cpupool,
			       ts_cause(ts, errno));
	if (id != di->cpupool)
		return ts_fail(ts, "scheduler", "cpupool %u is gone",
			       di->cpupool);
	return 0;
}

int
ts_sched_of(struct ts *ts, uint32_t domid, unsigned *sched)
{
	struct hv_dominfo di;

	return dom_sched(ts, domid, &di, sched);
}

int
ts_sched_set(struct ts *ts, uint32_t domid, unsigned weight, int cap)
{
	struct hv_dominfo di;
	unsigned sched, w, c;

	if (dom_sched(ts, domid, &di, &sched) < 0)
		return -1;
	if (sched != HV_SCHED_CREDIT && sched != HV_SCHED_CREDIT2)
		return ts_fail(ts, "scheduler",
			       "domain %u runs under %s, which has no weight "
			       "or cap (credit and credit2 have)",
			       domid, ts_sched_name(sched));
	/* libxl's ranges: Xen takes weight 0 for "unchanged" */
	if (weight > 65535)
		return ts_fail(ts, "weight", "%u is out of range (1 to 65535)",
			       weight);
	if (cap > (int)(di.max_vcpu_id + 1) * 100)
		return ts_fail(ts, "cap",
			       "%d is out of range (0 to %u: 100 a vCPU)", cap,
			       (di.max_vcpu_id + 1) * 100);
	/* as libxl: what is not changed is written back as it was */
	if (hv_sched_get(ts->hv, domid, sched, &w, &c) < 0)
		return ts_fail(ts, "scheduler", "%s of domain %u: %s",
			       ts_sched_name(sched), domid,
			       ts_cause(ts, errno));
	if (hv_sched_set(ts->hv, domid, sched, weight > 0 ? weight : w,
			 cap >= 0 ? (unsigned)cap : c) < 0)
		return ts_fail(ts, "scheduler", "%s of domain %u: %s",
			       ts_sched_name(sched), domid,
			       ts_cause(ts, errno));
	return 0;
}
