/*
 * toolstack.c: create, destroy, rename and name lookup of PV domains in
 * xenstore mode.  A create is two phases (shared/DESIGN.md): prepare does
 * everything that does not depend on the kernel image, execute loads the
 * image, writes the XenStore nodes and unpauses.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bootloader.h"
#include "elfnote.h"
#include "noxs.h"
#include "registry.h"
#include "toolstack.h"
#include "xsdom.h"

int
ts_fail(struct ts *ts, const char *step, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ts->err, sizeof(ts->err), "%s: ", step);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(ts->err))
		vsnprintf(ts->err + n, sizeof(ts->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
ts_cause(struct ts *ts, int e)
{
	const char *m = ts->hv ? hv_last_error(ts->hv) : "";

	return *m ? m : strerror(e);
}

int
ts_open_hv(struct ts *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->xdd.fd = -1;
	if (hv_open(&ts->hv) < 0)
		return ts_fail(ts, "hypervisor",
			       "cannot open it (%s); is this dom0, as root?",
			       strerror(errno));
	return 0;
}

int
ts_xs(struct ts *ts)
{
	/*
	 * Without xenstored only noxs guests can be made (ts->xs NULL).
	 * libxenstore may go through the xenbus device, which opens even when
	 * the daemon is dead, and every request then hangs: so first ask the
	 * daemon's socket whether anyone answers.  (xenstore mode thus needs
	 * xenstored in dom0; a xenstore stub domain is not supported yet.)
	 */
	if (!ts->xs_tried && xsdom_daemon_answers())
		ts->xs = xs_open(0);
	ts->xs_tried = 1;
	return ts->xs != NULL;
}

int
ts_open(struct ts *ts)
{
	if (ts_open_hv(ts) < 0)
		return -1;
	ts_xs(ts);
	return 0;
}

void
ts_close(struct ts *ts)
{
	if (ts->xs != NULL)
		xs_close(ts->xs);
	ipc_close(&ts->xdd);
	hv_close(ts->hv);
	ts->xs = NULL;
	ts->hv = NULL;
}

int
ts_resolve(struct ts *ts, const char *arg, uint32_t *domid)
{
	struct hv_dominfo di[256];
	const char *p;
	char *name;
	uint32_t first = 0;
	int n, i;

	for (p = arg; isdigit((unsigned char)*p); p++)
		;
	if (*arg != '\0' && *p == '\0' && p - arg < 10) {
		*domid = (uint32_t)strtoul(arg, NULL, 10);
		if (hv_domain_info(ts->hv, *domid, &di[0]) < 0)
			return ts_fail(ts, arg, "no such domain");
		return 0;
	}
	/* chaos's own domains: one file lookup */
	if (reg_lookup(arg, domid) == 0 &&
	    hv_domain_info(ts->hv, *domid, &di[0]) == 0)
		return 0;
	/* domains made by xl: scan their XenStore names */
	if (ts->xs == NULL)
		return ts_fail(ts, arg, "no such domain");
	do {
		n = hv_domain_list(ts->hv, first, di, 256);
		if (n < 0)
			return errno == ESRCH ? (errno = EIO, -1) : -1;
		for (i = 0; i < n; i++) {
			name = xsdom_name(ts->xs, di[i].domid);
			if (name != NULL && strcmp(name, arg) == 0) {
				free(name);
				*domid = di[i].domid;
				return 0;
			}
			free(name);
		}
		if (n > 0)
			first = di[n - 1].domid + 1;
	} while (n == 256);
	return ts_fail(ts, arg, "no such domain");
}

void
ts_domname(struct ts *ts, uint32_t domid, char *buf, size_t len)
{
	struct reg_record r;
	char *name;

	buf[0] = '\0';
	if (domid == 0) {
		snprintf(buf, len, "Domain-0");
		return;
	}
	if (reg_record_read(domid, &r) == 0) {
		snprintf(buf, len, "%s", r.name);
		reg_record_free(&r);
		return;
	}
	name = ts->xs ? xsdom_name(ts->xs, domid) : NULL;
	if (name != NULL)
		snprintf(buf, len, "%s", name);
	free(name);
}

/* vCPU v's set of sets (one for all, or one per vCPU), or NULL */
static const uint64_t *
vcpu_set(const struct dc_cpuset *sets, size_t n, int per_vcpu, unsigned v)
{
	size_t i = per_vcpu ? v : 0;

	return i < n ? sets[i].bits : NULL;
}

/* the vCPUs' hard and soft affinity as the config's cpus= and cpus_soft=
 * say */
static int
affinity(struct ts *ts, const struct domcfg *dc, uint32_t domid)
{
	const uint64_t *hard, *soft;
	unsigned v;

	for (v = 0; v < dc->maxvcpus; v++) {
		hard = vcpu_set(dc->cpusets, dc->ncpusets, dc->cpus_per_vcpu,
				v);
		soft = vcpu_set(dc->softsets, dc->nsoftsets, dc->soft_per_vcpu,
				v);
		if (hard == NULL && soft == NULL)
			continue;
		if (hv_vcpu_setaffinity(ts->hv, domid, v, hard, soft,
					DC_MAX_CPUS) < 0)
			return ts_fail(ts, soft ? "cpus_soft" : "cpus",
				       "vCPU %u: %s", v, ts_cause(ts, errno));
	}
	return 0;
}

/* seconds the guest's wallclock is ahead of UTC (libxl's rtc offset) */
static int32_t
time_offset(const struct domcfg *dc)
{
	struct tm tm;
	time_t now = time(NULL);
	int64_t off = dc->rtc_timeoffset;

	if (dc->localtime && localtime_r(&now, &tm) != NULL)
		off += tm.tm_gmtoff;
	return (int32_t)off;
}

/* cpu_weight and cap, when the config sets them: a shell of the pool
 * has the scheduler's defaults, so they are applied to a taken shell as
 * to a new domain */
static int
sched_params(struct ts *ts, const struct domcfg *dc, uint32_t domid)
{
	if (dc->cpu_weight == 0 && dc->cap < 0)
		return 0;
	return ts_sched_set(ts, domid, dc->cpu_weight, dc->cap);
}

int
ts_prepare(struct ts *ts, const struct domcfg *dc, struct shell *sh)
{
	struct hv_shape shape = {
		.max_vcpus = dc->maxvcpus,
		.maxmem_kib = dc->maxmem * 1024,
		.tsc_mode = (unsigned)dc->tsc_mode, /* Xen's numbers */
		.pvh = dc->type == DC_TYPE_PVH,
		.paging_kib = dc->shadow_memory * 1024,
		.itsc = dc->nomigrate,
		.msr_relaxed = dc->msr_relaxed,
		.time_offset = time_offset(dc),
	};
	struct hv_limits limits = {
		.max_grant_frames = (int)dc->max_grant_frames,
		.max_maptrack_frames = (int)dc->max_maptrack_frames,
		.max_evtchn_port = dc->max_event_channels,
	};
	int e;

	shape.limits = &limits;

	memcpy(shape.uuid, sh->uuid, 16);
	if (sh->domid != REG_NO_DOMID)
		shape.domid = sh->domid; /* restore -D: the saved id */
	if (hv_domain_create(ts->hv, &shape, &sh->domid) < 0)
		return ts_fail(ts, "create domain", "%s", ts_cause(ts, errno));
	if (affinity(ts, dc, sh->domid) < 0 ||
	    sched_params(ts, dc, sh->domid) < 0) {
		hv_domain_destroy(ts->hv, sh->domid);
		return -1;
	}
	if (hv_evtchn_alloc(ts->hv, sh->domid, 0, &sh->store_port) < 0 ||
	    hv_evtchn_alloc(ts->hv, sh->domid, 0, &sh->console_port) < 0 ||
	    (sh->noxs &&
	     (hv_evtchn_alloc(ts->hv, sh->domid, 0, &sh->sysctl_port) < 0 ||
	      hv_evtchn_alloc(ts->hv, sh->domid, 0, &sh->notice_port) < 0))) {
		e = errno;
		hv_domain_destroy(ts->hv, sh->domid);
		return ts_fail(ts, "event channels", "%s", ts_cause(ts, e));
	}
	return 0;
}

/* ip='s first address, "A.B.C.D" or "A.B.C.D/N", in network order and
 * its prefix (24 when it gives none); none: 0 and 0 */
static int
vif_ipv4(struct ts *ts, const struct dc_vif *v, uint32_t *addr,
	 uint32_t *prefix)
{
	char first[64], *slash, *end;
	struct in_addr a;
	unsigned long n = 24;
	size_t len;

	*addr = 0;
	*prefix = 0;
	if (v->ip == NULL)
		return 0;
	len = strcspn(v->ip, " ");
	if (len == 0 || len >= sizeof(first))
		goto bad;
	memcpy(first, v->ip, len);
	first[len] = '\0';
	slash = strchr(first, '/');
	if (slash != NULL) {
		*slash++ = '\0';
		errno = 0;
		n = strtoul(slash, &end, 10);
		if (!isdigit((unsigned char)*slash) || *end != '\0' || n > 32)
			goto bad;
	}
	if (inet_pton(AF_INET, first, &a) != 1)
		goto bad;
	*addr = a.s_addr;
	*prefix = (uint32_t)n;
	return 0;
bad:
	return ts_fail(ts, "vif",
		       "%u: ip '%s' is not an IPv4 address A.B.C.D[/N], which "
		       "a noxs vif needs",
		       v->devid, v->ip);
}

int
ts_noxs_vif_fill(struct ts *ts, const struct dc_vif *v, const uint8_t mac[6],
		 struct reg_vif *rv, uint32_t *ip, uint32_t *prefix)
{
	memset(rv, 0, sizeof(*rv));
	rv->devid = v->devid;
	rv->mtu = v->mtu ? v->mtu : 1500;
	memcpy(rv->mac, mac, 6);
	snprintf(rv->bridge, sizeof(rv->bridge), "%s",
		 v->bridge ? v->bridge : "xenbr0");
	if (v->vifname != NULL && strlen(v->vifname) >= sizeof(rv->vifname))
		return ts_fail(ts, "vif",
			       "%u: vifname '%s' is longer than %zu characters",
			       v->devid, v->vifname, sizeof(rv->vifname) - 1);
	snprintf(rv->vifname, sizeof(rv->vifname), "%s",
		 v->vifname ? v->vifname : "");
	if (rv->mtu < 68 || rv->mtu > 1500 || v->devid > 0xffff)
		return ts_fail(ts, "vif",
			       "%u: a noxs vif's mtu is 68..1500 (not %u)",
			       v->devid, rv->mtu);
	return vif_ipv4(ts, v, ip, prefix);
}

/*
 * noxs vifs: for each, a channel of the guest for dom0, a control block
 * in the device page with the backend's half written (docs/noxs.md
 * section 8) and its entry.  sh->vifs records where each is, for
 * xendevd now and for the registry.
 */
static int
noxs_vifs(struct ts *ts, const struct domcfg *dc, struct shell *sh, void *page)
{
	struct noxs_dev_entry e = {.type = NOXS_DEV_VIF,
				   .flags = NOXS_F_IN_DEVPAGE};
	uint8_t(*macs)[6] = NULL;
	struct reg_vif *rv;
	uint32_t ip, prefix;
	size_t i;
	int off, rc = -1;

	if (dc->nvifs > REG_VIFS_MAX)
		return ts_fail(ts, "vif", "a noxs guest has at most %d vifs",
			       REG_VIFS_MAX);
	macs = ts_vif_macs(dc);
	if (macs == NULL && dc->nvifs > 0)
		return ts_fail(ts, "vif", "%s", strerror(errno));
	for (i = 0; i < dc->nvifs; i++) {
		const struct dc_vif *v = &dc->vifs[i];

		rv = &sh->vifs[i];
		if (ts_noxs_vif_fill(ts, v, macs[i], rv, &ip, &prefix) < 0)
			goto out;
		if (hv_evtchn_alloc(ts->hv, sh->domid, 0, &rv->port) < 0) {
			ts_fail(ts, "vif", "%u: event channel: %s", v->devid,
				ts_cause(ts, errno));
			goto out;
		}
		e.devid = (uint16_t)v->devid;
		e.evtchn = rv->port;
		off = noxs_page_alloc_block(page, &e,
					    sizeof(struct noxs_vif_ctrl));
		if (off < 0) {
			ts_fail(ts, "vif", "%u: no room in the device page",
				v->devid);
			goto out;
		}
		e.ctrl_offset = (uint32_t)off;
		rv->offset = (uint32_t)off;
		noxs_vif_be_init((uint8_t *)page + off, rv->mac,
				 (uint16_t)rv->mtu, ip, prefix);
		if (noxs_page_add(page, &e) < 0) {
			ts_fail(ts, "vif",
				"%u: the device page is full (or "
				"has this devid twice)",
				v->devid);
			goto out;
		}
		sh->nvifs = (unsigned)i + 1;
	}
	rc = 0;
out:
	free(macs);
	return rc;
}

/*
 * noxs: the device page where the XenStore ring would be.  It names the
 * console (the start_info ring, granted as ref 0) and the sysctl device,
 * whose control block sits in the page itself: chaos is its backend and
 * needs no process to stay behind (docs/noxs.md).  The block also names
 * the notice channel, which the guest signals as it shuts down and the
 * monitor keeps bound.  Then the vifs, served by xendevd.
 */
static int
noxs_setup(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	   uint64_t store_mfn)
{
	struct noxs_dev_entry cons = {
		.type = NOXS_DEV_CONSOLE,
		.flags = NOXS_F_GUEST_GRANT,
		.ctrl_gref = 0, /* GNTTAB_RESERVED_CONSOLE */
		.evtchn = sh->console_port,
	};
	struct noxs_dev_entry sys = {
		.type = NOXS_DEV_SYSCTL,
		.flags = NOXS_F_IN_DEVPAGE,
		.evtchn = sh->sysctl_port,
	};
	volatile struct noxs_sysctl *block;
	void *page;
	int off, rc = -1;

	page = hv_map_frame(ts->hv, sh->domid, store_mfn);
	if (page == NULL)
		return ts_fail(ts, "noxs", "cannot map the device page: %s",
			       ts_cause(ts, errno));
	noxs_page_init(page, sh->domid);
	off = noxs_page_alloc_block(page, &sys, sizeof(*block));
	if (off < 0 || noxs_page_add(page, &cons) < 0) {
		ts_fail(ts, "noxs", "device page: error %d", -off);
		goto out;
	}
	sys.ctrl_offset = (uint32_t)off;
	block = (volatile struct noxs_sysctl *)((uint8_t *)page + off);
	block->notice_evtchn = sh->notice_port;
	block->be_state = NOXS_STATE_CONNECTED;
	if (noxs_page_add(page, &sys) < 0) {
		ts_fail(ts, "noxs", "device page: no room for sysctl");
		goto out;
	}
	sh->devpage_mfn = store_mfn;
	sh->sysctl_offset = (uint32_t)off;
	rc = noxs_vifs(ts, dc, sh, page);
out:
	hv_unmap(ts->hv, page, 0);
	return rc;
}

static void
vif_request(uint32_t domid, uint64_t devpage, const struct reg_vif *v,
	    struct xdd_vif *r)
{
	memset(r, 0, sizeof(*r));
	r->backend = XDD_BE_NOXS;
	r->domid = domid;
	r->devid = v->devid;
	r->mtu = v->mtu;
	snprintf(r->bridge, sizeof(r->bridge), "%s", v->bridge);
	snprintf(r->vifname, sizeof(r->vifname), "%s", v->vifname);
	r->frame = devpage;
	r->ctrl_offset = v->offset;
	r->port = v->port;
	memcpy(r->mac, v->mac, 6);
}

int
ts_noxs_vif_serve(struct ts *ts, uint32_t domid, uint64_t devpage,
		  const struct reg_vif *v)
{
	struct ipc_status st;
	struct xdd_vif r;

	vif_request(domid, devpage, v, &r);
	if (ipc_call(&ts->xdd, XDD_VIF_ATTACH, &r, sizeof(r), 10000, &st, NULL,
		     0, NULL) < 0)
		return ts_fail(ts, "vif", "%u: xendevd: %s", r.devid,
			       strerror(errno));
	if (st.err != 0)
		return ts_fail(ts, "vif", "%s", st.msg);
	return 0;
}

int
ts_noxs_vif_unserve(struct ts *ts, uint32_t domid, unsigned devid,
		    uint32_t timeout_ms)
{
	struct xdd_vif q = {.backend = XDD_BE_NOXS,
			    .domid = domid,
			    .devid = devid,
			    .timeout_ms = timeout_ms};
	struct ipc_status st;

	if (ts_xendevd(ts) < 0) {
		ts->err[0] = '\0'; /* nobody serves it: nothing to undo */
		return 0;
	}
	if (ipc_call(&ts->xdd, XDD_VIF_DETACH, &q, sizeof(q),
		     (int)timeout_ms + 2000, &st, NULL, 0, NULL) < 0)
		return ts_fail(ts, "vif", "%u: xendevd: %s", devid,
			       strerror(errno));
	if (st.err == ETIMEDOUT) {
		ts_fail(ts, "vif", "%s", st.msg);
		return 1;
	}
	if (st.err != 0 && st.err != ENOENT)
		return ts_fail(ts, "vif", "%s", st.msg);
	return 0;
}

/* Let xendevd forget the noxs vifs of domid (chaos destroy, a create
 * that failed); it also does by itself once the domain is gone. */
void
ts_noxs_vifs_detach(struct ts *ts, uint32_t domid, const struct reg_vif *vifs,
		    unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (ts_noxs_vif_unserve(ts, domid, vifs[i].devid, 0) < 0)
			break;
	ts->err[0] = '\0'; /* errors are ignored */
}

/*
 * noxs: xendevd serves the vifs (its user-space netback): it maps the
 * device page, binds each vif's channel and wires a TAP into the bridge
 * before the guest runs.  Without it the create fails (ts_begin asked).
 */
static int
noxs_vifs_attach(struct ts *ts, const struct shell *sh)
{
	unsigned i;

	if (sh->nvifs == 0)
		return 0;
	if (ts_xendevd(ts) < 0)
		return -1;
	for (i = 0; i < sh->nvifs; i++) {
		if (ts_noxs_vif_serve(ts, sh->domid, sh->devpage_mfn,
				      &sh->vifs[i]) < 0)
			break;
	}
	if (i == sh->nvifs)
		return 0;
	/* those that were taken: at once, not when xendevd sees the
	 * domain gone */
	{
		char why[sizeof(ts->err)];

		memcpy(why, ts->err, sizeof(why));
		ts_noxs_vifs_detach(ts, sh->domid, sh->vifs, i);
		memcpy(ts->err, why, sizeof(why));
	}
	return -1;
}

/*
 * noxs: hand the console to xendevd when it runs, before the guest does,
 * so that it logs all of it (as xenconsoled logs the others) and serves
 * `chaos console`.  Without xendevd the create goes on as before and
 * chaos console maps the ring itself; a refusal is a note, not a failure.
 */
static void
noxs_console(struct ts *ts, const struct domcfg *dc, const struct shell *sh)
{
	struct xdd_cons r = {
		.domid = sh->domid,
		.port = sh->console_port,
		.map = XDD_CONS_GRANT,
		.gref = 0, /* GNTTAB_RESERVED_CONSOLE */
	};
	struct ipc_status st;

	if (ts_xendevd(ts) < 0) { /* not running: nothing to say */
		ts->err[0] = '\0';
		return;
	}
	snprintf(r.name, sizeof(r.name), "%s", dc->name);
	if (xdc_cons_attach(&ts->xdd, &r, 5000, &st) < 0)
		snprintf(ts->note, sizeof(ts->note),
			 "console: xendevd did not answer: %s",
			 strerror(errno));
	else if (st.err != 0)
		snprintf(ts->note, sizeof(ts->note),
			 "console: xendevd does not log it: %s", st.msg);
	phases_mark(ts->ph, "console");
}

int
ts_execute(struct ts *ts, const struct domcfg *dc, struct shell *sh)
{
	struct hv_pv_image img = {
		.pvh = dc->type == DC_TYPE_PVH,
		.kernel = dc->kernel,
		.ramdisk = dc->ramdisk,
		.cmdline = dc->cmdline,
		.memory_mib = dc->memory,
		.maxmem_mib = dc->maxmem,
		.max_vcpus = dc->maxvcpus,
		.vcpus = dc->vcpus,
		.console_port = sh->console_port,
		.store_port = sh->store_port,
		.p2m = sh->p2m,
		.np2m = sh->np2m,
	};
	struct hv_pv_result res;

	if (hv_build_pv(ts->hv, sh->domid, &img, &res) < 0)
		return ts_fail(ts, "build", "kernel %s: %s", dc->kernel,
			       ts_cause(ts, errno));
	phases_add(ts->ph, "kernel parse", res.step_us[HV_BUILD_PARSE]);
	phases_add(ts->ph, sh->p2m ? "shell p2m" : "memory",
		   res.step_us[HV_BUILD_MEMORY]);
	phases_add(ts->ph, "image load", res.step_us[HV_BUILD_IMAGE]);
	phases_add(ts->ph, "vcpu, grants", res.step_us[HV_BUILD_BOOT]);
	phases_mark(ts->ph, "builder other");
	return ts_devices(ts, dc, sh, res.store_mfn, res.console_mfn);
}

int
ts_devices(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	   uint64_t store_mfn, uint64_t console_mfn)
{
	uint8_t(*macs)[6] = NULL;
	struct xsdom_vbd *vbds = NULL;
	struct xsdom x = {
		.domid = sh->domid,
		.dc = dc,
		.uuid = sh->uuid,
		.store_port = sh->store_port,
		.console_port = sh->console_port,
		.store_mfn = store_mfn,
		.console_mfn = console_mfn,
	};

	if (sh->noxs) {
		if (noxs_setup(ts, dc, sh, store_mfn) < 0)
			return -1;
		phases_mark(ts->ph, "device page");
		noxs_console(ts, dc, sh);
		if (sh->nvifs > 0) {
			if (noxs_vifs_attach(ts, sh) < 0)
				return -1;
			phases_mark(ts->ph, "vifs");
		}
		return 0;
	} else if (ts->xs == NULL) {
		return ts_fail(ts, "xenstore", "xenstored is not running");
	} else {
		macs = ts_vif_macs(dc);
		if (macs == NULL && dc->nvifs > 0)
			return ts_fail(ts, "vif", "%s", strerror(errno));
		x.macs = (const uint8_t(*)[6])macs;
		if (ts_disks_resolve(ts, dc, &vbds) < 0) {
			free(macs);
			return -1;
		}
		x.vbds = vbds;
		if (xsdom_write(ts->xs, &x) < 0) {
			free(macs);
			ts_disks_free(dc, vbds);
			return ts_fail(ts, "xenstore", "%s", strerror(errno));
		}
		free(macs);
		phases_mark(ts->ph, "xenstore");
		/* blkback waits for physical-device, which xendevd writes */
		if (dc->ndisks > 0) {
			if (ts_disks_attach(ts, sh->domid, vbds, dc->ndisks) <
			    0) {
				ts_disks_free(dc, vbds);
				return -1;
			}
			phases_mark(ts->ph, "disks");
		}
		ts_disks_free(dc, vbds);
		/* netback makes the interfaces now; xendevd wires them */
		if (dc->nvifs > 0) {
			if (ts_vifs_send(ts, sh->domid, dc) < 0)
				return -1;
			phases_mark(ts->ph, "vifs asked");
		}
		return 0;
	}
}

int
ts_launch(struct ts *ts, const struct domcfg *dc, const struct shell *sh,
	  int paused)
{
	if (!paused && hv_domain_unpause(ts->hv, sh->domid) < 0)
		return ts_fail(ts, "unpause", "%s", ts_cause(ts, errno));
	phases_mark(ts->ph, "unpause");
	/* the guest boots while its vifs are wired (netback keeps them from
	 * connecting until then); create returns once they are, or fails
	 * and destroys the guest */
	if (!sh->noxs && dc->nvifs > 0) {
		if (ts_vifs_collect(ts, dc) < 0)
			return -1;
		phases_mark(ts->ph, "vifs wired");
	}
	return 0;
}

volatile sig_atomic_t ts_interrupted;

static int
alive(uint32_t domid, void *arg)
{
	struct ts *ts = arg;
	struct hv_dominfo di;

	if (hv_domain_info(ts->hv, domid, &di) == 0)
		return !(di.flags & HV_DYING);
	return errno != ESRCH; /* cannot tell: it may live */
}

int
ts_find_uuid(struct ts *ts, const uint8_t uuid[16], uint32_t *domid)
{
	struct hv_dominfo di[256];
	uint32_t first = 1;
	int n, i;

	do {
		n = hv_domain_list(ts->hv, first, di, 256);
		if (n < 0)
			return errno == ESRCH ? (errno = EIO, -1) : -1;
		for (i = 0; i < n; i++) {
			if (di[i].domid != 0 &&
			    memcmp(di[i].uuid, uuid, 16) == 0) {
				*domid = di[i].domid;
				return 0;
			}
		}
		if (n > 0)
			first = di[n - 1].domid + 1;
	} while (n == 256);
	return errno = ESRCH, -1;
}

/*
 * With the registry lock held: destroy what a create that did not finish
 * left for the domain of uuid, the domain, its XenStore nodes, its record,
 * its name reservation and its intent.  A domain whose record's name is
 * bound to it was finished (its creator died after the bind) and stays.
 */
static int
reap_locked(struct ts *ts, const uint8_t uuid[16])
{
	struct reg_intent in;
	struct reg_record r;
	uint32_t domid, bound;
	int have_in, have_rec, found, noxs, rc = 0;

	have_in = reg_intent_read(uuid, &in) == 0;
	found = ts_find_uuid(ts, uuid, &domid) == 0;
	if (!found && errno != ESRCH)
		return ts_fail(ts, "reap", "cannot list domains: %s",
			       ts_cause(ts, errno));
	if (found) {
		have_rec = reg_record_read(domid, &r) == 0 &&
			   memcmp(r.uuid, uuid, 16) == 0;
		if (have_rec && reg_lookup(r.name, &bound) == 0 &&
		    bound == domid) {
			reg_record_free(&r);
			return reg_intent_remove(uuid);
		}
		noxs = have_rec ? r.noxs : have_in && in.noxs;
		if (!noxs)
			ts_xs(ts);
		if (hv_domain_destroy(ts->hv, domid) < 0) {
			rc = ts_fail(ts, "reap", "domain %u: %s", domid,
				     ts_cause(ts, errno));
		} else {
			if (!noxs)
				ts_remove_unfinished(ts, domid, uuid);
			if (have_rec)
				reg_record_remove(domid);
		}
		if (have_rec)
			reg_record_free(&r);
		if (rc < 0)
			return rc;
	}
	if (have_in)
		reg_drop_pending(in.name, uuid);
	return reg_intent_remove(uuid);
}

static int
reap_hook(const uint8_t uuid[16], void *arg)
{
	return reap_locked(arg, uuid);
}

int
ts_reap(struct ts *ts, unsigned *reaped, unsigned *bad)
{
	uint8_t(*uuids)[16];
	struct reg_intent in;
	size_t n, nbad, i;
	int waiting = 0;

	*reaped = 0;
	reg_sweep(); /* temporary files of writers killed mid-write */
	if (reg_intent_list(&uuids, &n, &nbad) < 0)
		return ts_fail(ts, "registry", "%s/creating: %s", reg_dir(),
			       strerror(errno));
	*bad = (unsigned)nbad;
	for (i = 0; i < n; i++) {
		if (reg_intent_read(uuids[i], &in) < 0) {
			(*bad) += errno == EUCLEAN;
			continue;
		}
		if (reg_creator_alive(in.pid, in.start)) {
			waiting++;
			continue;
		}
		if (reg_lock() < 0)
			break;
		/* read again under the lock: a claimer may have reaped it */
		if (reg_intent_read(uuids[i], &in) == 0 &&
		    !reg_creator_alive(in.pid, in.start) &&
		    reap_locked(ts, uuids[i]) == 0)
			(*reaped)++;
		reg_unlock();
	}
	free(uuids);
	return waiting;
}

int
ts_shell_intact(struct ts *ts, const struct reg_shell *r)
{
	struct hv_dominfo di;

	if (hv_domain_info(ts->hv, r->domid, &di) < 0)
		return errno == ESRCH ? 0 : -1;
	return memcmp(di.uuid, r->uuid, 16) == 0 && (di.flags & HV_PAUSED) &&
	       !(di.flags & (HV_DYING | HV_SHUTDOWN)) &&
	       di.mem_kib == r->memory_mib * 1024;
}

/*
 * A shell of dc's shape from chaos-shelld's pool, as the domain of
 * sh->uuid: 1 when taken (sh filled: domid, ports, p2m), 0 when the create
 * goes cold (ts->path says why).  The take is the registry's (one rename,
 * no round trip to the daemon, which learns of it from the directory);
 * the domain is this create's once its handle is the guest's uuid, which
 * the create's intent names (docs/shells.md).
 */
static int
take_shell(struct ts *ts, const struct domcfg *dc, struct shell *sh)
{
	struct hv_dominfo di;
	struct reg_shell r;
	struct reg_taken t;
	int tries;

	/* shells are PV domains */
	if (dc->type == DC_TYPE_PVH) {
		snprintf(ts->path, sizeof(ts->path), "cold: a PVH guest");
		return 0;
	}
	/* a shell has exactly its memory: a guest that may balloon up needs
	 * the room a cold create gives it */
	if (dc->maxmem != dc->memory) {
		snprintf(ts->path, sizeof(ts->path),
			 "cold: maxmem is above memory");
		return 0;
	}
	/* shells are made with the default TSC mode */
	if (dc->tsc_mode != DC_TSC_DEFAULT) {
		snprintf(ts->path, sizeof(ts->path), "cold: tsc_mode is %s",
			 dc_tsc_name(dc->tsc_mode));
		return 0;
	}
	/* ... and libxl's limits, CPUID and MSR policy and wallclock */
	if (dc->max_grant_frames >= 0 || dc->max_maptrack_frames >= 0 ||
	    dc->max_event_channels != 1023 || dc->nomigrate ||
	    dc->msr_relaxed || dc->localtime || dc->rtc_timeoffset != 0) {
		snprintf(ts->path, sizeof(ts->path),
			 "cold: a domain limit, nomigrate, msr_relaxed or the "
			 "wallclock is not the default");
		return 0;
	}
	for (tries = 0; tries < 8; tries++) {
		if (reg_shell_take(dc->memory, dc->maxvcpus, sh->noxs, &r, &t) <
		    0) {
			snprintf(ts->path, sizeof(ts->path),
				 errno == ENOENT
					 ? "cold: no shell class of %llu "
					   "MiB and %u vCPUs"
				 : errno == EAGAIN
					 ? "cold: no shell of %llu MiB and %u "
					   "vCPUs ready"
					 : "cold: shells of %llu MiB and %u "
					   "vCPUs: "
					   "%s",
				 (unsigned long long)dc->memory, dc->maxvcpus,
				 strerror(errno));
			return 0;
		}
		if (ts_shell_intact(ts, &r) == 1 &&
		    hv_domain_sethandle(ts->hv, r.domid, sh->uuid) == 0)
			break;
		/* not a shell any more (someone ran or destroyed it behind
		 * the pool's back): it is ours to destroy; the daemon forgets
		 * it when the take ends */
		if (hv_domain_info(ts->hv, r.domid, &di) == 0 &&
		    memcmp(di.uuid, r.uuid, 16) == 0)
			hv_domain_destroy(ts->hv, r.domid);
		reg_taken_end(&t);
		reg_shell_free(&r);
	}
	if (tries == 8) {
		snprintf(ts->path, sizeof(ts->path),
			 "cold: no usable shell of %llu MiB and %u vCPUs",
			 (unsigned long long)dc->memory, dc->maxvcpus);
		return 0;
	}
	/* the handle is the guest's uuid: the intent covers the domain */
	reg_taken_end(&t);
	sh->domid = r.domid;
	sh->store_port = r.store_port;
	sh->console_port = r.console_port;
	sh->sysctl_port = r.sysctl_port;
	sh->notice_port = r.notice_port;
	sh->p2m = r.runs; /* ours now */
	sh->np2m = r.nruns;
	snprintf(ts->path, sizeof(ts->path), "pool: shell %u of class %s",
		 r.domid, r.cls);
	return 1;
}

static int
check_file(struct ts *ts, const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return ts_fail(ts, what, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ts_fail(ts, what, "%s: not a regular file", path);
	if (access(path, R_OK) < 0)
		return ts_fail(ts, what, "%s: %s", path, strerror(errno));
	return 0;
}

/* a signal asked the create to stop: fail this step */
static int
interrupted(struct ts *ts)
{
	return ts_interrupted ? ts_fail(ts, "create", "interrupted") : 0;
}

int
ts_begin(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	 const uint8_t *uuid, int *claimed)
{
	const struct reg_hooks hooks = {alive, reap_hook, ts};
	struct hv_physinfo pi;
	struct reg_intent in = {0};
	uint32_t other;

	*claimed = 0;
	if (!sh->noxs && !ts_xs(ts))
		return ts_fail(ts, "xenstore",
			       "xenstored is not running (only noxs guests "
			       "can be made)");
	/* before anything is made: without xendevd no vif can be wired and
	 * no disk backed */
	if (dc->nvifs > 0 && ts_vif_bridges(ts, dc->vifs, dc->nvifs) < 0)
		return -1;
	if ((dc->nvifs > 0 || dc->ndisks > 0) && ts_xendevd(ts) < 0)
		return -1;
	if (hv_physinfo(ts->hv, &pi) < 0)
		return ts_fail(ts, "memory", "%s", ts_cause(ts, errno));
	if (dc->memory * 1024 > pi.free_kib)
		return ts_fail(ts, "memory",
			       "%llu MiB asked, the host has %llu MiB free",
			       (unsigned long long)dc->memory,
			       (unsigned long long)(pi.free_kib / 1024));
	phases_mark(ts->ph, "checks");
	if (uuid != NULL) {
		memcpy(sh->uuid, uuid, 16);
	} else if (getrandom(sh->uuid, 16, 0) != 16) {
		return ts_fail(ts, "uuid", "%s", strerror(errno));
	} else {
		sh->uuid[6] = (sh->uuid[6] & 0x0f) | 0x40; /* version 4 */
		sh->uuid[8] = (sh->uuid[8] & 0x3f) | 0x80;
	}
	/*
	 * From here a trace on disk names everything made, so that a create
	 * killed at any point is undone by the monitor or the next claimer
	 * of the name: the intent before the domain exists, its record
	 * before it runs, the name bound last.
	 */
	memcpy(in.uuid, sh->uuid, 16);
	snprintf(in.name, sizeof(in.name), "%s", dc->name);
	in.noxs = sh->noxs;
	if (reg_intent_begin(&in) < 0)
		return ts_fail(ts, "registry", "%s/creating: %s", reg_dir(),
			       errno == EEXIST ? "this uuid is being created"
					       : strerror(errno));
	if (reg_claim(dc->name, sh->uuid, &hooks) < 0) {
		ts_fail(ts, "name", "'%s' %s", dc->name,
			errno == EEXIST	   ? "is already in use"
			: errno == EUCLEAN ? "has a corrupt registry entry"
					     " (look at its file in names/)"
					   : strerror(errno));
		reg_intent_remove(sh->uuid);
		return -1;
	}
	*claimed = 1;
	phases_mark(ts->ph, "name");
	if (interrupted(ts) < 0)
		return -1;
	if (uuid != NULL && ts_find_uuid(ts, sh->uuid, &other) == 0)
		return ts_fail(ts, "uuid", "a domain with this uuid exists");
	return 0;
}

int
ts_finish(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	  const char *config, size_t len, int paused)
{
	struct reg_record rec = {0};

	rec.domid = sh->domid;
	snprintf(rec.name, sizeof(rec.name), "%s", dc->name);
	memcpy(rec.uuid, sh->uuid, 16);
	rec.config = (char *)config;
	rec.config_len = len;
	rec.noxs = sh->noxs;
	rec.devpage_mfn = sh->devpage_mfn;
	rec.sysctl_offset = sh->sysctl_offset;
	rec.sysctl_port = sh->sysctl_port;
	rec.console_port = sh->console_port;
	rec.notice_port = sh->notice_port;
	rec.nvifs = sh->nvifs;
	memcpy(rec.vifs, sh->vifs, sh->nvifs * sizeof(sh->vifs[0]));
	if (reg_record_write(&rec) < 0)
		return ts_fail(ts, "registry", "%s: %s", reg_dir(),
			       strerror(errno));
	phases_mark(ts->ph, "record");
	if (interrupted(ts) < 0 || ts_launch(ts, dc, sh, paused) < 0 ||
	    interrupted(ts) < 0)
		return -1;
	if (reg_bind(dc->name, sh->domid) < 0)
		return ts_fail(ts, "registry", "%s: %s", reg_dir(),
			       strerror(errno));
	reg_intent_remove(sh->uuid);
	phases_mark(ts->ph, "name bound");
	return 0;
}

void
ts_undo(struct ts *ts, const struct domcfg *dc, struct shell *sh, int claimed)
{
	free(sh->p2m);
	sh->p2m = NULL;
	if (sh->domid != REG_NO_DOMID) {
		hv_domain_destroy(ts->hv, sh->domid);
		if (!sh->noxs)
			ts_remove_unfinished(ts, sh->domid, sh->uuid);
		reg_record_remove(sh->domid);
	}
	if (claimed)
		reg_unclaim(dc->name);
	reg_intent_remove(sh->uuid);
}

int
ts_create(struct ts *ts, const struct domcfg *dc, const char *config,
	  size_t len, int paused, uint32_t *domid)
{
	struct shell sh = {.domid = REG_NO_DOMID};
	int v, claimed = 0, pooled;

	ts->path[0] = '\0';
	/* the kernel is on the disk: a bootloader finds it first */
	if (dc->bootloader != NULL)
		return ts_boot_create(ts, dc, config, len, paused, domid);
	if (ts_disks_check(ts, dc) < 0)
		return -1;
	if (check_file(ts, "kernel", dc->kernel) < 0 ||
	    (dc->ramdisk && check_file(ts, "ramdisk", dc->ramdisk) < 0))
		return -1;
	/* an ELF kernel without a PVH entry point would fail in the builder
	 * with a message about 32-bit ELF; a bzImage the builder judges */
	if (dc->type == DC_TYPE_PVH && elf_pvh_entry(dc->kernel) == 0)
		return ts_fail(ts, "type",
			       "pvh: kernel %s has no PVH entry point (Xen's "
			       "PHYS32_ENTRY ELF note); boot it as type = "
			       "\"pv\"",
			       dc->kernel);
	v = elf_noxs_version(dc->kernel);
	if (dc->method == DC_METHOD_NOXS && v < 1)
		return ts_fail(ts, "device_method",
			       "noxs: kernel %s does not declare noxs support",
			       dc->kernel);
	if (dc->method == DC_METHOD_NOXS && dc->ndisks > 0)
		return ts_fail(ts, "disk",
			       "noxs block devices are not served yet; use "
			       "device_method='xenstore'");
	/* auto: noxs when the kernel speaks it and needs no device that
	 * only xenstore mode serves yet (disks); xendevd serves the vifs */
	sh.noxs = dc->method == DC_METHOD_NOXS ||
		  (dc->method == DC_METHOD_AUTO && v >= 1 &&
		   v <= NOXS_VERSION && dc->ndisks == 0);
	if (ts_begin(ts, dc, &sh, dc->has_uuid ? dc->uuid : NULL, &claimed) < 0)
		goto fail;
	pooled = take_shell(ts, dc, &sh);
	if (pooled < 0)
		goto fail;
	if (pooled) {
		phases_mark(ts->ph, "shell taken");
		if (affinity(ts, dc, sh.domid) < 0 ||
		    sched_params(ts, dc, sh.domid) < 0)
			goto fail;
	} else if (ts_prepare(ts, dc, &sh) < 0) {
		sh.domid = REG_NO_DOMID; /* prepare cleans up after itself */
		goto fail;
	} else {
		phases_mark(ts->ph, "domain");
	}
	if (interrupted(ts) < 0 || ts_execute(ts, dc, &sh) < 0 ||
	    ts_finish(ts, dc, &sh, config, len, paused) < 0)
		goto fail;
	*domid = sh.domid;
	free(sh.p2m);
	return 0;
fail:
	ts_undo(ts, dc, &sh, claimed);
	return -1;
}

/* Forget a dead domain whose record (if have) is r. */
static void
forget(struct ts *ts, uint32_t domid, const struct reg_record *r,
       const uint8_t *uuid)
{
	/* its noxs vifs' TAPs go at once (xendevd would notice in 200 ms) */
	if (r != NULL && r->noxs)
		ts_noxs_vifs_detach(ts, domid, r->vifs, r->nvifs);
	/* a noxs guest never had XenStore nodes: do not touch XenStore */
	if (ts->xs != NULL && !(r != NULL && r->noxs)) {
		ts_disks_release(ts, domid); /* xendevd lets their loops go */
		xsdom_remove(ts->xs, domid, r != NULL ? r->uuid : uuid);
	}
	if (r != NULL)
		reg_release(r->name, domid);
	reg_record_remove(domid);
}

void
ts_forget(struct ts *ts, uint32_t domid)
{
	struct reg_record r;
	int have = reg_record_read(domid, &r) == 0;

	forget(ts, domid, have ? &r : NULL, NULL);
	if (have)
		reg_record_free(&r);
}

int
ts_destroy(struct ts *ts, uint32_t domid)
{
	static const uint8_t zero[16];
	struct hv_dominfo di;
	struct reg_record r;
	int have;

	memset(&di, 0, sizeof(di));
	if (domid == 0)
		return ts_fail(ts, "destroy", "dom0 cannot be destroyed");
	if (hv_domain_info(ts->hv, domid, &di) == 0) {
		if (hv_domain_destroy(ts->hv, domid) < 0)
			return ts_fail(ts, "destroy", "domain %u: %s", domid,
				       ts_cause(ts, errno));
	} else if (errno != ESRCH) { /* it may live: forget nothing */
		return ts_fail(ts, "destroy", "domain %u: %s", domid,
			       ts_cause(ts, errno));
	}
	have = reg_record_read(domid, &r) == 0;
	/* a domain chaos did not make: its /vm/UUID goes too */
	forget(ts, domid, have ? &r : NULL,
	       memcmp(di.uuid, zero, 16) != 0 ? di.uuid : NULL);
	if (have)
		reg_record_free(&r);
	return 0;
}

int
ts_rename(struct ts *ts, uint32_t domid, const char *name)
{
	const struct reg_hooks hooks = {alive, reap_hook, ts};
	struct reg_record r;
	char old[sizeof(r.name)];
	uint32_t other;
	const char *why;
	int have, noxs = 0;

	if (dc_check_name(name, &why) < 0)
		return ts_fail(ts, "rename", "name '%s' %s", name, why);
	if (ts_resolve(ts, name, &other) == 0)
		return ts_fail(ts, "rename", "'%s' is already in use", name);
	have = reg_record_read(domid, &r) == 0;
	if (have) {
		if (reg_claim(name, NULL, &hooks) < 0) {
			reg_record_free(&r);
			return ts_fail(ts, "rename", "'%s' is already in use",
				       name);
		}
		snprintf(old, sizeof(old), "%s", r.name);
		snprintf(r.name, sizeof(r.name), "%s", name);
		if (reg_record_write(&r) < 0 || reg_bind(name, domid) < 0) {
			reg_unclaim(name);
			reg_record_free(&r);
			return ts_fail(ts, "rename", "registry: %s",
				       strerror(errno));
		}
		reg_release(old, domid);
		noxs = r.noxs;
		reg_record_free(&r);
	}
	if (ts->xs != NULL && !noxs && xsdom_rename(ts->xs, domid, name) < 0)
		return ts_fail(ts, "rename", "xenstore: %s", strerror(errno));
	return 0;
}

int
ts_is_noxs(uint32_t domid)
{
	struct reg_record r;
	int noxs;

	if (reg_record_read(domid, &r) < 0)
		return 0;
	noxs = r.noxs;
	reg_record_free(&r);
	return noxs;
}

/* noxs: post the request in the sysctl block and signal the guest.  The
 * block's place and channel come from our record, never from the page. */
static int
noxs_power(struct ts *ts, const struct reg_record *r, uint32_t req)
{
	uint8_t *page;
	int seq;

	page = hv_map_frame(ts->hv, r->domid, r->devpage_mfn);
	if (page == NULL)
		return ts_fail(ts, "sysctl", "cannot map the device page: %s",
			       ts_cause(ts, errno));
	seq = noxs_sysctl_post(page + r->sysctl_offset, req);
	hv_unmap(ts->hv, page, 0);
	if (seq == -NOXS_EAGAIN)
		return ts_fail(ts, "sysctl",
			       "%s does not listen for this request yet",
			       r->name);
	if (seq < 0)
		return ts_fail(ts, "sysctl", "%s broke the protocol", r->name);
	if (hv_notify_remote(ts->hv, r->domid, r->sysctl_port) < 0)
		return ts_fail(ts, "sysctl", "notify: %s", ts_cause(ts, errno));
	return 0;
}

int
ts_power(struct ts *ts, uint32_t domid, const char *req)
{
	struct reg_record r;
	int rc;

	if (reg_record_read(domid, &r) == 0 && r.noxs) {
		rc = noxs_power(ts, &r,
				strcmp(req, "reboot") == 0
					? NOXS_SYSCTL_REBOOT
					: NOXS_SYSCTL_POWEROFF);
		reg_record_free(&r);
		return rc;
	}
	if (r.config != NULL)
		reg_record_free(&r);
	if (ts->xs == NULL)
		return ts_fail(ts, req, "xenstored is not running");
	if (xsdom_control(ts->xs, domid, req) < 0)
		return ts_fail(ts, req, "domain %u: %s", domid,
			       strerror(errno));
	return 0;
}
