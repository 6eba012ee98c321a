/* hv_xen.c: hv.h over libxenctrl and libxenguest (Xen 4.17). */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenguest.h>
#include <xentoollog.h>

#include "acpi.h"
#include "clock.h"
#include "hv.h"

/* Keeps the last error the Xen libraries reported, instead of stderr. */
struct lastlog {
	xentoollog_logger vtable;
	char last[512];
	int first; /* keep the first error, not the last (a save's first
		    * says why; the ones after it only that it failed) */
	int trace; /* CHAOS_HV_TRACE set: every message to stderr, stamped
		    * (where a save or restore spends its time) */
};

struct hv {
	xc_interface *xch;
	xenforeignmemory_handle *fmem; /* opened on first use */
	xengnttab_handle *gnt;	       /* opened on first use */
	xenevtchn_handle *evt;	       /* opened on first use */
	struct lastlog log;
};

static void
log_vmessage(xentoollog_logger *l, xentoollog_level level, int errnoval,
	     const char *context, const char *fmt, va_list ap)
{
	struct lastlog *ll = (struct lastlog *)l;
	int n;

	(void)context;
	if (ll->trace) {
		va_list copy;

		va_copy(copy, ap);
		fprintf(stderr, "[%.3f ms] ", (double)clk_now_us() / 1000.0);
		vfprintf(stderr, fmt, copy);
		fputc('\n', stderr);
		va_end(copy);
	}
	if (level < XTL_ERROR || (ll->first && ll->last[0]))
		return;
	n = vsnprintf(ll->last, sizeof(ll->last), fmt, ap);
	if (errnoval >= 0 && n >= 0 && (size_t)n < sizeof(ll->last))
		snprintf(ll->last + n, sizeof(ll->last) - (size_t)n, " (%s)",
			 strerror(errnoval));
}

static void
log_destroy(xentoollog_logger *l)
{
	(void)l;
}

int
hv_open(struct hv **hvp)
{
	struct hv *hv = calloc(1, sizeof(*hv));

	if (hv == NULL)
		return -1;
	hv->log.vtable.vmessage = log_vmessage;
	hv->log.vtable.destroy = log_destroy;
	hv->log.trace = getenv("CHAOS_HV_TRACE") != NULL;
	hv->xch = xc_interface_open(&hv->log.vtable, &hv->log.vtable, 0);
	if (hv->xch == NULL) {
		int e = errno ? errno : ENODEV;

		free(hv);
		errno = e;
		return -1;
	}
	*hvp = hv;
	return 0;
}

void
hv_close(struct hv *hv)
{
	if (hv == NULL)
		return;
	if (hv->fmem != NULL)
		xenforeignmemory_close(hv->fmem);
	if (hv->gnt != NULL)
		xengnttab_close(hv->gnt);
	if (hv->evt != NULL)
		xenevtchn_close(hv->evt);
	xc_interface_close(hv->xch);
	free(hv);
}

const char *
hv_last_error(const struct hv *hv)
{
	return hv->log.last;
}

int
hv_physinfo(struct hv *hv, struct hv_physinfo *pi)
{
	xc_physinfo_t p = {0};
	xen_extraversion_t extra;
	xen_capabilities_info_t caps;
	long v;

	memset(pi, 0, sizeof(*pi));
	if (xc_physinfo(hv->xch, &p) < 0)
		return -1;
	pi->nr_cpus = p.nr_cpus;
	pi->max_cpu_id = p.max_cpu_id;
	pi->threads_per_core = p.threads_per_core;
	pi->cores_per_socket = p.cores_per_socket;
	pi->nr_nodes = p.nr_nodes;
	pi->cpu_khz = p.cpu_khz;
	pi->total_kib = p.total_pages * 4;
	pi->free_kib = p.free_pages * 4;
	v = xc_version(hv->xch, XENVER_version, NULL);
	if (v < 0)
		return -1;
	pi->xen_major = (unsigned)(v >> 16);
	pi->xen_minor = (unsigned)(v & 0xffff);
	if (xc_version(hv->xch, XENVER_extraversion, &extra) == 0)
		snprintf(pi->xen_extra, sizeof(pi->xen_extra), "%s", extra);
	if (xc_version(hv->xch, XENVER_capabilities, &caps) == 0)
		snprintf(pi->xen_caps, sizeof(pi->xen_caps), "%s", caps);
	{
		xen_commandline_t cmd;

		if (xc_version(hv->xch, XENVER_commandline, &cmd) == 0)
			snprintf(pi->xen_commandline,
				 sizeof(pi->xen_commandline), "%s", cmd);
	}
	return 0;
}

static void
to_dominfo(const xc_domaininfo_t *x, struct hv_dominfo *di)
{
	memset(di, 0, sizeof(*di));
	di->domid = x->domain;
	memcpy(di->uuid, x->handle, sizeof(di->uuid));
	if (x->flags & XEN_DOMINF_dying)
		di->flags |= HV_DYING;
	if (x->flags & XEN_DOMINF_shutdown)
		di->flags |= HV_SHUTDOWN;
	if (x->flags & XEN_DOMINF_paused)
		di->flags |= HV_PAUSED;
	if (x->flags & XEN_DOMINF_blocked)
		di->flags |= HV_BLOCKED;
	if (x->flags & XEN_DOMINF_running)
		di->flags |= HV_RUNNING;
	if (x->flags & XEN_DOMINF_hvm_guest)
		di->flags |= HV_HVM;
	di->shutdown_reason = (x->flags >> XEN_DOMINF_shutdownshift) &
			      XEN_DOMINF_shutdownmask;
	di->mem_kib = x->tot_pages * 4;
	di->max_kib = x->max_pages * 4;
	di->online_vcpus = x->nr_online_vcpus;
	di->max_vcpu_id = x->max_vcpu_id;
	di->cpu_time_ns = x->cpu_time;
	di->cpupool = x->cpupool;
}

int
hv_domain_info(struct hv *hv, uint32_t domid, struct hv_dominfo *di)
{
	xc_domaininfo_t x;
	int n;

	/* the list starts at the first domain >= domid: none, or another
	 * one, is a definite "no such domain"; a failed call tells nothing,
	 * and keeps its errno (never ESRCH) */
	n = xc_domain_getinfolist(hv->xch, domid, 1, &x);
	if (n < 0)
		return errno = errno && errno != ESRCH ? errno : EIO, -1;
	if (n != 1 || x.domain != domid)
		return errno = ESRCH, -1;
	to_dominfo(&x, di);
	return 0;
}

int
hv_domain_list(struct hv *hv, uint32_t first, struct hv_dominfo *di, size_t max)
{
	xc_domaininfo_t *x;
	int n, i;

	if (max == 0)
		return 0;
	x = calloc(max, sizeof(*x));
	if (x == NULL)
		return -1;
	n = xc_domain_getinfolist(hv->xch, first, (unsigned)max, x);
	for (i = 0; i < n; i++)
		to_dominfo(&x[i], &di[i]);
	free(x);
	return n;
}

/*
 * libxl's arch create step for PVH: the timer mode it defaults to, no
 * altp2m, and the paging pool HAP needs (1 MiB a vCPU, 4 KiB a MiB of
 * memory for the p2m).
 */
static int
pvh_params(struct hv *hv, uint32_t d, const struct hv_shape *s)
{
	uint64_t pool_kib = s->paging_kib;

	if (pool_kib == 0)
		pool_kib = 4 * (256 * (uint64_t)s->max_vcpus +
				s->maxmem_kib / 1024);
	if (xc_hvm_param_set(hv->xch, d, HVM_PARAM_TIMER_MODE,
			     HVMPTM_no_delay_for_missed_ticks) < 0 ||
	    xc_hvm_param_set(hv->xch, d, HVM_PARAM_ALTP2M, 0) < 0 ||
	    xc_set_paging_mempool_size(hv->xch, d, pool_kib << 10) < 0)
		return -1;
	return 0;
}

int
hv_domain_create(struct hv *hv, const struct hv_shape *s, uint32_t *domid)
{
	static const struct hv_limits libxl = {-1, -1, 1023};
	const struct hv_limits *l = s->limits ? s->limits : &libxl;
	struct xen_domctl_createdomain cfg = {
		.max_vcpus = s->max_vcpus,
		.max_evtchn_port = l->max_evtchn_port,
		.max_grant_frames = l->max_grant_frames,
		.max_maptrack_frames = l->max_maptrack_frames,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
	};
	uint32_t d = s->domid; /* 0: let Xen pick */
	int e;

	memcpy(cfg.handle, s->uuid, sizeof(cfg.handle));
	if (s->msr_relaxed)
		cfg.arch.misc_flags = XEN_X86_MSR_RELAXED;
	if (s->pvh) {
		/* libxl's PVH: hardware paging, an emulated local APIC and
		 * nothing else emulated (no device model) */
		cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
		cfg.arch.emulation_flags = XEN_X86_EMU_LAPIC;
	}
	if (xc_domain_create(hv->xch, &d, &cfg) < 0)
		return -1;
	/* libxl's build_pre: maxmem carries 1 MiB of slack */
	if (xc_domain_max_vcpus(hv->xch, d, s->max_vcpus) < 0 ||
	    xc_domain_setmaxmem(hv->xch, d, s->maxmem_kib + 1024) < 0 ||
	    (!s->pvh &&
	     xc_domain_set_memmap_limit(hv->xch, d, s->maxmem_kib) < 0) ||
	    (s->pvh && pvh_params(hv, d, s) < 0) ||
	    xc_domain_set_tsc_info(hv->xch, d, s->tsc_mode, 0, 0, 0) < 0 ||
	    (s->time_offset != 0 &&
	     xc_domain_set_time_offset(hv->xch, d, s->time_offset) < 0) ||
	    /* libxl's invariant TSC: a guest that stays on this host, or
	     * whose TSC is emulated everywhere */
	    xc_cpuid_apply_policy(hv->xch, d, false, NULL, 0, true,
				  s->itsc || s->tsc_mode == 1, false, NULL,
				  NULL) < 0) {
		e = errno;
		xc_domain_destroy(hv->xch, d);
		errno = e;
		return -1;
	}
	*domid = d;
	return 0;
}

int
hv_domain_sethandle(struct hv *hv, uint32_t domid, const uint8_t uuid[16])
{
	xen_domain_handle_t h;

	memcpy(h, uuid, sizeof(h));
	return xc_domain_sethandle(hv->xch, domid, h);
}

/* the runs of a builder's p2m (malloc'd) */
static int
p2m_runs(const xen_pfn_t *p2m, uint64_t n, struct hv_p2m_run **runs,
	 size_t *nruns)
{
	struct hv_p2m_run *r = NULL, *nr;
	size_t k = 0, cap = 0;
	uint64_t pfn;

	for (pfn = 0; pfn < n; pfn++) {
		if (p2m[pfn] == INVALID_MFN) {
			free(r);
			return errno = EIO, -1;
		}
		if (k > 0 && r[k - 1].pfn + r[k - 1].count == pfn &&
		    r[k - 1].mfn + r[k - 1].count == p2m[pfn]) {
			r[k - 1].count++;
			continue;
		}
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			nr = realloc(r, cap * sizeof(*r));
			if (nr == NULL) {
				free(r);
				return -1;
			}
			r = nr;
		}
		r[k++] = (struct hv_p2m_run){pfn, p2m[pfn], 1};
	}
	*runs = r;
	*nruns = k;
	return 0;
}

int
hv_populate_pv(struct hv *hv, uint32_t domid, uint64_t memory_mib,
	       struct hv_p2m_run **runs, size_t *nruns)
{
	struct xc_dom_image *dom;
	int rc = -1, e;

	hv->log.last[0] = '\0';
	dom = xc_dom_allocate(hv->xch, NULL, NULL);
	if (dom == NULL)
		return -1;
	/* no kernel: the guest type alone picks the x86_64 hooks, whose
	 * meminit sets the address size and populates */
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->guest_type = "xen-3.0-x86_64";
	if (xc_dom_boot_xen_init(dom, hv->xch, domid) == 0 &&
	    xc_dom_mem_init(dom, (unsigned)memory_mib) == 0 &&
	    xc_dom_boot_mem_init(dom) == 0)
		rc = p2m_runs(dom->pv_p2m, dom->p2m_size, runs, nruns);
	e = errno;
	xc_dom_release(dom); /* the builder's copy only: the memory stays */
	if (rc < 0 && e == 0)
		e = EINVAL;
	errno = e;
	return rc;
}

int
hv_domain_destroy(struct hv *hv, uint32_t domid)
{
	int i;

	/* as libxl: pause first, and retry while Xen is still busy */
	xc_domain_pause(hv->xch, domid);
	for (i = 0; i < 100; i++) {
		if (xc_domain_destroy(hv->xch, domid) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return -1;
}

int
hv_domain_pause(struct hv *hv, uint32_t domid)
{
	return xc_domain_pause(hv->xch, domid);
}

int
hv_domain_unpause(struct hv *hv, uint32_t domid)
{
	return xc_domain_unpause(hv->xch, domid);
}

/* bits (nbits) into a libxenctrl cpumap, or back */
static void
to_map(xc_cpumap_t map, int n, const uint64_t *bits, unsigned nbits)
{
	int i;

	for (i = 0; i < n && (unsigned)i < nbits; i++)
		if ((bits[i / 64] >> (i % 64)) & 1)
			map[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void
from_map(const uint8_t *map, int n, uint64_t *bits, unsigned nbits)
{
	int i;

	memset(bits, 0, (nbits + 63) / 64 * 8);
	for (i = 0; i < n && (unsigned)i < nbits; i++)
		if ((map[i / 8] >> (i % 8)) & 1)
			bits[i / 64] |= 1ull << (i % 64);
}

int
hv_vcpu_setaffinity(struct hv *hv, uint32_t domid, unsigned vcpu,
		    const uint64_t *hard, const uint64_t *soft, unsigned nbits)
{
	xc_cpumap_t h, s;
	int n, rc = -1;

	h = xc_cpumap_alloc(hv->xch);
	s = xc_cpumap_alloc(hv->xch);
	n = xc_get_max_cpus(hv->xch);
	if (h != NULL && s != NULL && n > 0) {
		if (hard)
			to_map(h, n, hard, nbits);
		if (soft)
			to_map(s, n, soft, nbits);
		rc = xc_vcpu_setaffinity(
			hv->xch, domid, (int)vcpu, h, s,
			(hard ? XEN_VCPUAFFINITY_HARD : 0) |
				(soft ? XEN_VCPUAFFINITY_SOFT : 0));
	}
	free(h);
	free(s);
	return rc;
}

int
hv_vcpu_getaffinity(struct hv *hv, uint32_t domid, unsigned vcpu,
		    uint64_t *hard, uint64_t *soft, unsigned nbits)
{
	xc_cpumap_t h, s;
	int n, rc = -1;

	h = xc_cpumap_alloc(hv->xch);
	s = xc_cpumap_alloc(hv->xch);
	n = xc_get_max_cpus(hv->xch);
	if (h != NULL && s != NULL && n > 0 &&
	    xc_vcpu_getaffinity(hv->xch, domid, (int)vcpu, h, s,
				XEN_VCPUAFFINITY_HARD |
					XEN_VCPUAFFINITY_SOFT) == 0) {
		from_map(h, n, hard, nbits);
		from_map(s, n, soft, nbits);
		rc = 0;
	}
	free(h);
	free(s);
	return rc;
}

int
hv_vcpu_info(struct hv *hv, uint32_t domid, unsigned vcpu, struct hv_vcpu *v)
{
	xc_vcpuinfo_t i;

	if (xc_vcpu_getinfo(hv->xch, domid, vcpu, &i) < 0)
		return -1;
	v->online = i.online;
	v->running = i.running;
	v->blocked = i.blocked;
	v->cpu = i.cpu;
	v->time_ns = i.cpu_time;
	return 0;
}

int
hv_pool_next(struct hv *hv, uint32_t poolid, uint32_t *id, unsigned *sched)
{
	xc_cpupoolinfo_t *p = xc_cpupool_getinfo(hv->xch, poolid);

	if (p == NULL)
		return -1; /* ENOENT: no pool from poolid on */
	*id = p->cpupool_id;
	*sched = p->sched_id;
	xc_cpupool_infofree(hv->xch, p);
	return 0;
}

int
hv_sched_get(struct hv *hv, uint32_t domid, unsigned sched, unsigned *weight,
	     unsigned *cap)
{
	struct xen_domctl_sched_credit c;
	struct xen_domctl_sched_credit2 c2;

	if (sched == HV_SCHED_CREDIT) {
		if (xc_sched_credit_domain_get(hv->xch, domid, &c) < 0)
			return -1;
		*weight = c.weight;
		*cap = c.cap;
	} else if (sched == HV_SCHED_CREDIT2) {
		if (xc_sched_credit2_domain_get(hv->xch, domid, &c2) < 0)
			return -1;
		*weight = c2.weight;
		*cap = c2.cap;
	} else {
		return errno = EINVAL, -1;
	}
	return 0;
}

int
hv_sched_set(struct hv *hv, uint32_t domid, unsigned sched, unsigned weight,
	     unsigned cap)
{
	struct xen_domctl_sched_credit c = {(uint16_t)weight, (uint16_t)cap};
	struct xen_domctl_sched_credit2 c2 = {(uint16_t)weight, (uint16_t)cap};

	if (weight > UINT16_MAX || cap > UINT16_MAX)
		return errno = ERANGE, -1;
	if (sched == HV_SCHED_CREDIT)
		return xc_sched_credit_domain_set(hv->xch, domid, &c);
	if (sched == HV_SCHED_CREDIT2)
		return xc_sched_credit2_domain_set(hv->xch, domid, &c2);
	return errno = EINVAL, -1;
}

int
hv_sched_pool_get(struct hv *hv, uint32_t poolid, unsigned sched,
		  struct hv_sched_pool *p)
{
	struct xen_sysctl_credit_schedule c;
	struct xen_sysctl_credit2_schedule c2;

	memset(p, 0, sizeof(*p));
	if (sched == HV_SCHED_CREDIT) {
		if (xc_sched_credit_params_get(hv->xch, poolid, &c) < 0)
			return -1;
		p->tslice_ms = c.tslice_ms;
		p->ratelimit_us = c.ratelimit_us;
		p->migr_delay_us = c.vcpu_migr_delay_us;
	} else if (sched == HV_SCHED_CREDIT2) {
		if (xc_sched_credit2_params_get(hv->xch, poolid, &c2) < 0)
			return -1;
		p->ratelimit_us = c2.ratelimit_us;
	} else {
		return errno = EINVAL, -1;
	}
	return 0;
}

int
hv_sched_pool_set(struct hv *hv, uint32_t poolid, unsigned sched,
		  const struct hv_sched_pool *p)
{
	struct xen_sysctl_credit_schedule c = {
		.tslice_ms = p->tslice_ms,
		.ratelimit_us = p->ratelimit_us,
		.vcpu_migr_delay_us = p->migr_delay_us,
	};
	struct xen_sysctl_credit2_schedule c2 = {p->ratelimit_us};

	if (sched == HV_SCHED_CREDIT)
		return xc_sched_credit_params_set(hv->xch, poolid, &c);
	if (sched == HV_SCHED_CREDIT2)
		return xc_sched_credit2_params_set(hv->xch, poolid, &c2);
	return errno = EINVAL, -1;
}

int
hv_domain_setmaxmem(struct hv *hv, uint32_t domid, uint64_t kib)
{
	return xc_domain_setmaxmem(hv->xch, domid, kib);
}

int
hv_evtchn_alloc(struct hv *hv, uint32_t domid, uint32_t remote, uint32_t *port)
{
	xc_evtchn_port_or_error_t p;

	p = xc_evtchn_alloc_unbound(hv->xch, domid, remote);
	if (p < 0)
		return -1;
	*port = (uint32_t)p;
	return 0;
}

/* the builder's step s ended now; 0, to chain in a condition */
static int
step(struct hv_pv_result *res, enum hv_build_step s, int64_t *t)
{
	int64_t now = clk_now_us();

	res->step_us[s] = now - *t;
	*t = now;
	return 0;
}

/* The image whose memory is a shell's, while it is built: the meminit
 * hook has only the xc_dom_image to go by. */
static const struct hv_pv_image *shell_img;

/*
 * meminit for memory that is there already: fill the builder's p2m from
 * the shell's record.  Every pfn must be named exactly once.
 */
static int
shell_meminit(struct xc_dom_image *dom)
{
	const struct hv_pv_image *img = shell_img;
	uint64_t pfn, k, covered = 0;
	size_t i;

	if (img == NULL)
		return errno = EINVAL, -1;
	dom->p2m_size = dom->total_pages;
	dom->pv_p2m = xc_dom_malloc(dom, sizeof(xen_pfn_t) * dom->p2m_size);
	if (dom->pv_p2m == NULL)
		return errno = ENOMEM, -1;
	for (pfn = 0; pfn < dom->p2m_size; pfn++)
		dom->pv_p2m[pfn] = INVALID_MFN;
	for (i = 0; i < img->np2m; i++) {
		const struct hv_p2m_run *r = &img->p2m[i];

		if (r->pfn >= dom->p2m_size ||
		    r->count > dom->p2m_size - r->pfn ||
		    r->mfn + r->count < r->mfn)
			return errno = EINVAL, -1;
		for (k = 0; k < r->count; k++) {
			if (dom->pv_p2m[r->pfn + k] != INVALID_MFN)
				return errno = EINVAL, -1;
			dom->pv_p2m[r->pfn + k] = r->mfn + k;
		}
		covered += r->count;
	}
	return covered == dom->p2m_size ? 0 : (errno = EINVAL, -1);
}

/* the builder's memory step: populate, or take the shell's */
static int
mem_init(struct xc_dom_image *dom, const struct hv_pv_image *img)
{
	struct xc_dom_arch hooks, *lib;
	int rc;

	if (img->p2m == NULL)
		return xc_dom_boot_mem_init(dom);
	/* the shell was populated as an x86_64 PV domain */
	if (dom->arch_hooks == NULL ||
	    strcmp(dom->guest_type, "xen-3.0-x86_64") != 0)
		return errno = ENOEXEC, -1;
	/* a copy: the library's table is shared by every image */
	lib = dom->arch_hooks;
	hooks = *lib;
	hooks.meminit = shell_meminit;
	dom->arch_hooks = &hooks;
	shell_img = img;
	rc = xc_dom_boot_mem_init(dom);
	shell_img = NULL;
	/* later steps use the other hooks: give the library's back */
	dom->arch_hooks = lib;
	return rc;
}

/* the top of RAM below 4 GiB: libxl's hole for a guest without a device
 * model holds the local APIC, the ACPI tables and the special pages */
#define PVH_MMIO_START ACPI_TABLES_ADDR
#define GIB4	       (1ULL << 32)
#define PVH_SPECIAL    0xFEFF8000ULL /* 8 special pages: store, console.. */

/* An HVM container's fields, as libxl__build_hvm sets them for PVH. */
static int
pvh_layout(struct xc_dom_image *dom, const struct hv_pv_image *img)
{
	uint64_t size = img->maxmem_mib << 20;

	if (img->p2m != NULL || img->maxmem_mib < img->memory_mib ||
	    img->vcpus == 0 || img->vcpus > img->max_vcpus)
		return errno = EINVAL, -1;
	dom->container_type = XC_DOM_HVM_CONTAINER;
	dom->target_pages = img->memory_mib << 8;
	dom->mmio_start = PVH_MMIO_START;
	dom->mmio_size = GIB4 - PVH_MMIO_START;
	dom->lowmem_end = size < PVH_MMIO_START ? size : PVH_MMIO_START;
	dom->highmem_end =
		size > PVH_MMIO_START ? GIB4 + (size - PVH_MMIO_START) : 0;
	dom->vga_hole_size = 0;
	dom->device_model = false;
	return 0;
}

/*
 * After memory, before the image: the ACPI tables as the builder's
 * first module (so start_info's rsdp_paddr names them) and the memory
 * map, told to Xen and to the builder, which copies it into start_info.
 * *acpi is the tables' buffer, freed by the caller after the build.
 */
static int
pvh_memmap(struct hv *hv, uint32_t domid, struct xc_dom_image *dom,
	   const struct hv_pv_image *img, uint8_t **acpi)
{
	struct e820entry *map;
	size_t len = acpi_size(img->max_vcpus), n = 0;

	*acpi = malloc(len);
	map = xc_dom_malloc(dom, 4 * sizeof(*map));
	if (*acpi == NULL || map == NULL)
		return errno = ENOMEM, -1;
	if (acpi_build(*acpi, len, ACPI_TABLES_ADDR, img->max_vcpus,
		       img->vcpus) != len)
		return errno = EINVAL, -1;
	dom->acpi_modules[0].data = *acpi;
	dom->acpi_modules[0].length = (uint32_t)len;
	dom->acpi_modules[0].guest_addr_out = ACPI_TABLES_ADDR;
	map[n++] = (struct e820entry){0, dom->lowmem_end, E820_RAM};
	map[n++] = (struct e820entry){ACPI_TABLES_ADDR, (len + 4095) & ~4095ULL,
				      E820_ACPI};
	map[n++] = (struct e820entry){PVH_SPECIAL, 8 * 4096, E820_RESERVED};
	if (dom->highmem_end > GIB4)
		map[n++] = (struct e820entry){GIB4, dom->highmem_end - GIB4,
					      E820_RAM};
	if (xc_domain_set_memory_map(hv->xch, domid, map, (uint32_t)n) < 0)
		return -1;
	dom->e820 = map;
	dom->e820_entries = (unsigned)n;
	return 0;
}

int
hv_build_pv(struct hv *hv, uint32_t domid, const struct hv_pv_image *img,
	    struct hv_pv_result *res)
{
	struct xc_dom_image *dom;
	uint8_t *acpi = NULL;
	int64_t t;
	int rc = -1, e;

	hv->log.last[0] = '\0';
	dom = xc_dom_allocate(hv->xch, img->cmdline, NULL);
	if (dom == NULL)
		return -1;
	dom->container_type = XC_DOM_PV_CONTAINER;
	if (img->pvh && pvh_layout(dom, img) < 0)
		goto out;
	dom->flags = 0;
	dom->console_evtchn = img->console_port;
	dom->console_domid = img->console_domid;
	dom->xenstore_evtchn = img->store_port;
	dom->xenstore_domid = img->store_domid;
	dom->max_vcpus = img->max_vcpus;
	memset(res->step_us, 0, sizeof(res->step_us));
	t = clk_now_us();
	if (xc_dom_kernel_file(dom, img->kernel) != 0)
		goto out;
	if (img->ramdisk != NULL &&
	    xc_dom_module_file(dom, img->ramdisk, NULL) != 0)
		goto out;
	if (xc_dom_boot_xen_init(dom, hv->xch, domid) != 0 ||
	    xc_dom_parse_image(dom) != 0 || step(res, HV_BUILD_PARSE, &t) ||
	    xc_dom_mem_init(dom, (unsigned)(img->pvh ? img->maxmem_mib
						     : img->memory_mib)) != 0 ||
	    mem_init(dom, img) != 0 ||
	    (img->pvh && pvh_memmap(hv, domid, dom, img, &acpi) < 0) ||
	    step(res, HV_BUILD_MEMORY, &t) || xc_dom_build_image(dom) != 0 ||
	    step(res, HV_BUILD_IMAGE, &t) || xc_dom_boot_image(dom) != 0 ||
	    xc_dom_gnttab_init(dom) != 0 || step(res, HV_BUILD_BOOT, &t))
		goto out;
	res->console_mfn = xc_dom_p2m(dom, dom->console_pfn);
	res->store_mfn = xc_dom_p2m(dom, dom->xenstore_pfn);
	rc = 0;
out:
	e = errno;
	xc_dom_release(dom);
	free(acpi);
	if (rc < 0 && e == 0)
		e = EINVAL;
	errno = e;
	return rc;
}

void *
hv_map_frame(struct hv *hv, uint32_t domid, uint64_t mfn)
{
	xen_pfn_t frame = (xen_pfn_t)mfn;
	int err = 0;
	void *p;

	if (hv->fmem == NULL)
		hv->fmem = xenforeignmemory_open(&hv->log.vtable, 0);
	if (hv->fmem == NULL)
		return NULL;
	p = xenforeignmemory_map(hv->fmem, domid, PROT_READ | PROT_WRITE, 1,
				 &frame, &err);
	if (p != NULL && err != 0) {
		xenforeignmemory_unmap(hv->fmem, p, 1);
		errno = -err;
		return NULL;
	}
	return p;
}

void *
hv_map_grant(struct hv *hv, uint32_t domid, uint32_t ref)
{
	if (hv->gnt == NULL)
		hv->gnt = xengnttab_open(&hv->log.vtable, 0);
	if (hv->gnt == NULL)
		return NULL;
	return xengnttab_map_grant_ref(hv->gnt, domid, ref,
				       PROT_READ | PROT_WRITE);
}

/* segments per ioctl: a batch of the netback's, on the stack */
#define GCOPY_BATCH 64

int
hv_grant_copy(struct hv *hv, uint32_t domid, struct hv_gcopy *segs, size_t n)
{
	xengnttab_grant_copy_segment_t x[GCOPY_BATCH];
	size_t i, k, done = 0;

	if (hv->gnt == NULL)
		hv->gnt = xengnttab_open(&hv->log.vtable, 0);
	if (hv->gnt == NULL)
		return -1;
	while (done < n) {
		k = n - done > GCOPY_BATCH ? GCOPY_BATCH : n - done;
		memset(x, 0, k * sizeof(x[0]));
		for (i = 0; i < k; i++) {
			struct hv_gcopy *g = &segs[done + i];

			x[i].len = g->len;
			if (g->to_guest) {
				x[i].source.virt = g->local;
				x[i].dest.foreign.ref = g->ref;
				x[i].dest.foreign.offset = g->offset;
				x[i].dest.foreign.domid = (uint16_t)domid;
				x[i].flags = GNTCOPY_dest_gref;
			} else {
				x[i].source.foreign.ref = g->ref;
				x[i].source.foreign.offset = g->offset;
				x[i].source.foreign.domid = (uint16_t)domid;
				x[i].dest.virt = g->local;
				x[i].flags = GNTCOPY_source_gref;
			}
		}
		if (xengnttab_grant_copy(hv->gnt, (uint32_t)k, x) < 0)
			return -1;
		for (i = 0; i < k; i++)
			segs[done + i].status = x[i].status;
		done += k;
	}
	return 0;
}

void
hv_unmap(struct hv *hv, void *page, int grant)
{
	if (page == NULL)
		return;
	if (grant)
		xengnttab_unmap(hv->gnt, page, 1);
	else
		xenforeignmemory_unmap(hv->fmem, page, 1);
}

static int
evt_open(struct hv *hv)
{
	int fd;

	if (hv->evt != NULL)
		return 0;
	hv->evt = xenevtchn_open(&hv->log.vtable, 0);
	if (hv->evt == NULL)
		return -1;
	/* hv_evtchn_pending must say EAGAIN, not block, when none fired */
	fd = xenevtchn_fd(hv->evt);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int
hv_evtchn_bind(struct hv *hv, uint32_t domid, uint32_t port, uint32_t *local)
{
	xenevtchn_port_or_error_t p;

	if (evt_open(hv) < 0)
		return -1;
	p = xenevtchn_bind_interdomain(hv->evt, domid, port);
	if (p < 0)
		return -1;
	*local = (uint32_t)p;
	return 0;
}

int
hv_evtchn_fd(struct hv *hv)
{
	return evt_open(hv) < 0 ? -1 : xenevtchn_fd(hv->evt);
}

int
hv_evtchn_pending(struct hv *hv, uint32_t *local)
{
	xenevtchn_port_or_error_t p;

	if (evt_open(hv) < 0)
		return -1;
	p = xenevtchn_pending(hv->evt);
	if (p < 0)
		return -1;
	xenevtchn_unmask(hv->evt, (evtchn_port_t)p);
	*local = (uint32_t)p;
	return 0;
}

int
hv_evtchn_notify(struct hv *hv, uint32_t local)
{
	return evt_open(hv) < 0
		       ? -1
		       : xenevtchn_notify(hv->evt, (evtchn_port_t)local);
}

void
hv_evtchn_unbind(struct hv *hv, uint32_t local)
{
	if (hv->evt != NULL)
		xenevtchn_unbind(hv->evt, (evtchn_port_t)local);
}

int
hv_notify_remote(struct hv *hv, uint32_t domid, uint32_t port)
{
	xenevtchn_port_or_error_t local;
	int rc, e;

	if (evt_open(hv) < 0)
		return -1;
	local = xenevtchn_bind_interdomain(hv->evt, domid, port);
	if (local < 0)
		return -1;
	rc = xenevtchn_notify(hv->evt, (evtchn_port_t)local);
	e = errno;
	xenevtchn_unbind(hv->evt, (evtchn_port_t)local);
	errno = e;
	return rc;
}

int
hv_bind_dom_exc(struct hv *hv, uint32_t *local)
{
	xenevtchn_port_or_error_t p;

	if (evt_open(hv) < 0)
		return -1;
	p = xenevtchn_bind_virq(hv->evt, VIRQ_DOM_EXC);
	if (p < 0)
		return -1;
	*local = (uint32_t)p;
	return 0;
}

/* libxenguest's suspend callback: non-zero on success */
struct save_call {
	int (*suspend)(void *);
	void *arg;
};

static int
save_suspend(void *data)
{
	struct save_call *c = data;

	return c->suspend(c->arg) == 0;
}

int
hv_save(struct hv *hv, uint32_t domid, int fd, int (*suspend)(void *),
	void *arg)
{
	struct save_call c = {suspend, arg};
	struct save_callbacks cb = {.suspend = save_suspend, .data = &c};
	int rc;

	hv->log.last[0] = '\0';
	hv->log.first = 1;
	/* non-live: Debian's Xen has no shadow paging, so no log-dirty PV */
	rc = xc_domain_save(hv->xch, fd, domid, 0, &cb, XC_STREAM_PLAIN, -1);
	hv->log.first = 0;
	return rc;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/*
 * libxenguest reads each PAGE_DATA record (up to 1024 pages: 4 MiB) into
 * a buffer it mallocs.  In a PV dom0 every first touch of a page of such a
 * fresh buffer is a page fault bounced through Xen: about 25 ms for 4 MiB
 * under the xenbox's emulation, a third of a tiny guest's restore.  So
 * the heap is grown once, its pages populated in one madvise, and kept
 * (no trimming, no mmap for big blocks): the record's buffer is then
 * memory that is already there.
 */
static void
heap_ready(void)
{
	static int done;
	const size_t n = (4u << 20) + (64u << 10);
	uintptr_t a, b;
	void *p;

	if (done)
		return;
	done = 1;
	if (mallopt(M_MMAP_THRESHOLD, 16 << 20) != 1 ||
	    mallopt(M_TRIM_THRESHOLD, 32 << 20) != 1)
		return;
	p = malloc(n);
	if (p == NULL)
		return;
	a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	b = ((uintptr_t)p + n) & ~(uintptr_t)4095;
	madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* a hint */
	free(p);
}

int
hv_restore(struct hv *hv, uint32_t domid, int fd, struct hv_restore *r)
{
	struct restore_callbacks cb = {0};
	unsigned long store = 0, console = 0;
	int rc;

	heap_ready();
	hv->log.last[0] = '\0';
	hv->log.first = 1;
	rc = xc_domain_restore(hv->xch, fd, domid, r->store_port, &store, 0,
			       r->console_port, &console, 0, XC_STREAM_PLAIN,
			       &cb, -1);
	hv->log.first = 0;
	if (rc != 0)
		return errno ? -1 : (errno = EIO, -1);
	r->store_mfn = store;
	r->console_mfn = console;
	return 0;
}

int
hv_domain_resume(struct hv *hv, uint32_t domid)
{
	hv->log.last[0] = '\0';
	return xc_domain_resume(hv->xch, domid, 1);
}

int
hv_subscribe_suspend(struct hv *hv, uint32_t domid, uint32_t port)
{
	return xc_domain_subscribe_for_suspend(hv->xch, domid, port);
}

int
hv_console_read(struct hv *hv, char *buf, unsigned *n, int clear,
		int incremental, uint32_t *index)
{
	return xc_readconsolering(hv->xch, buf, n, clear, incremental, index);
}

int
hv_dump_core(struct hv *hv, uint32_t domid, const char *path)
{
	hv->log.last[0] = '\0';
	return xc_domain_dumpcore(hv->xch, domid, path);
}
