/*
 * saverestore.c: save a domain to a file and restore it (docs/savefile.md).
 *
 * Non-live, as Debian's Xen (no shadow paging) allows for PV: the guest
 * is asked to suspend, libxenguest streams its memory and vCPUs, and the
 * domain is destroyed or resumed.  A restore makes a new domain as a
 * create does (ts_begin / ts_finish), fills it from the stream instead of
 * a kernel, and gives it its devices again: a device page rebuilt in noxs
 * mode, fresh XenStore nodes and vifs in xenstore mode.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "clock.h"
#include "noxs.h"
#include "savefile.h"
#include "toolstack.h"
#include "xsdom.h"
#include "xswatch.h"

/* What the suspend callback needs. */
struct susp {
	struct ts *ts;
	uint32_t domid;
	const struct reg_record *r; /* NULL: not chaos's (xenstore mode) */
	int noxs;
	unsigned timeout_s;
	const char *name;
	int asked; /* the request went out (cancel it on a timeout) */
	struct xsw watch;
};

/* 1 suspended, 0 not yet, -1 gone or shut down otherwise (ts->err) */
static int
suspended(struct susp *s)
{
	static const char *const why[] = {"powered off", "rebooted",
					  "suspended",	 "crashed",
					  "watchdog",	 "soft reset"};
	struct hv_dominfo di;

	if (hv_domain_info(s->ts->hv, s->domid, &di) < 0)
		return ts_fail(s->ts, "suspend", "%s: %s", s->name,
			       errno == ESRCH ? "the domain is gone"
					      : ts_cause(s->ts, errno));
	if (di.flags & HV_DYING)
		return ts_fail(s->ts, "suspend", "%s is dying", s->name);
	if (!(di.flags & HV_SHUTDOWN))
		return 0;
	if (di.shutdown_reason == HV_SHUTDOWN_SUSPEND)
		return 1;
	return ts_fail(s->ts, "suspend", "%s %s instead of suspending", s->name,
		       di.shutdown_reason < 6 ? why[di.shutdown_reason]
					      : "shut down");
}

/* wait on fd until the domain has suspended or the time is up; next()
 * drains what woke us */
static int
wait_suspended(struct susp *s, int fd, void (*next)(struct susp *))
{
	int64_t end = clk_now_ms() + (int64_t)s->timeout_s * 1000, left;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;

	for (;;) {
		r = suspended(s);
		if (r != 0)
			return r > 0 ? 0 : -1;
		if (ts_interrupted)
			return ts_fail(s->ts, "suspend", "interrupted");
		left = end - clk_now_ms();
		if (left <= 0)
			return ts_fail(s->ts, "suspend",
				       "%s did not suspend within %u s (does "
				       "its kernel handle suspend requests?)",
				       s->name, s->timeout_s);
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return ts_fail(s->ts, "suspend", "poll: %s",
				       strerror(errno));
		if (r > 0)
			next(s);
	}
}

static void
next_evtchn(struct susp *s)
{
	uint32_t local;

	while (hv_evtchn_pending(s->ts->hv, &local) == 0)
		;
}

/*
 * noxs: post the suspend request in the sysctl block, with Xen told to
 * signal the sysctl channel (which we hold bound meanwhile) once the
 * domain has suspended.
 */
static int
suspend_noxs(struct susp *s)
{
	const struct reg_record *r = s->r;
	uint32_t local;
	uint8_t *page;
	int seq, rc;

	if (hv_evtchn_bind(s->ts->hv, r->domid, r->sysctl_port, &local) < 0)
		return ts_fail(s->ts, "suspend", "bind its sysctl channel: %s",
			       ts_cause(s->ts, errno));
	if (hv_subscribe_suspend(s->ts->hv, r->domid, r->sysctl_port) < 0) {
		rc = ts_fail(s->ts, "suspend", "subscribe: %s",
			     ts_cause(s->ts, errno));
		goto out;
	}
	page = hv_map_frame(s->ts->hv, r->domid, r->devpage_mfn);
	if (page == NULL) {
		rc = ts_fail(s->ts, "suspend", "cannot map the device page: %s",
			     ts_cause(s->ts, errno));
		goto out;
	}
	seq = noxs_sysctl_post(page + r->sysctl_offset, NOXS_SYSCTL_SUSPEND);
	hv_unmap(s->ts->hv, page, 0);
	if (seq == -NOXS_EAGAIN) {
		rc = ts_fail(s->ts, "suspend",
			     "%s does not take suspend requests (its kernel "
			     "does not announce them)",
			     s->name);
		goto out;
	}
	if (seq < 0) {
		rc = ts_fail(s->ts, "suspend", "%s broke the protocol",
			     s->name);
		goto out;
	}
	s->asked = 1;
	if (hv_evtchn_notify(s->ts->hv, local) < 0) {
		rc = ts_fail(s->ts, "suspend", "notify: %s",
			     ts_cause(s->ts, errno));
		goto out;
	}
	rc = wait_suspended(s, hv_evtchn_fd(s->ts->hv), next_evtchn);
out:
	hv_subscribe_suspend(s->ts->hv, r->domid, 0);
	hv_evtchn_unbind(s->ts->hv, local);
	return rc;
}

static void
next_watch(struct susp *s)
{
	xsw_read(&s->watch);
}

/* xenstore mode: control/shutdown = "suspend", as libxl asks; xenstored
 * fires @releaseDomain when the domain has shut down (a watch on a
 * connection of its own: see xswatch.h) */
static int
suspend_xs(struct susp *s)
{
	int rc;

	if (xsw_open(&s->watch, "@releaseDomain", "chaos-save") < 0)
		return ts_fail(s->ts, "suspend", "xenstore watch: %s",
			       strerror(errno));
	if (xsdom_control(s->ts->xs, s->domid, "suspend") < 0) {
		rc = ts_fail(s->ts, "suspend", "control/shutdown: %s",
			     strerror(errno));
	} else {
		s->asked = 1;
		rc = wait_suspended(s, s->watch.fd, next_watch);
	}
	xsw_close(&s->watch);
	return rc;
}

static int
do_suspend(void *arg)
{
	struct susp *s = arg;
	int rc;

	phases_mark(s->ts->ph, "save setup"); /* libxenguest's, before this */
	rc = s->noxs ? suspend_noxs(s) : suspend_xs(s);
	phases_mark(s->ts->ph, "suspend");
	return rc;
}

int
ts_resume(struct ts *ts, uint32_t domid)
{
	int noxs = ts_is_noxs(domid);

	if (hv_domain_resume(ts->hv, domid) < 0)
		return -1;
	/* xenstored marked it shut down; from now on it is running again
	 * and its next shutdown fires @releaseDomain anew */
	if (!noxs && ts_xs(ts))
		xs_resume_domain(ts->xs, domid);
	return 0;
}

/* the MACs of dc's vifs as netback has them now */
static size_t
vif_macs(struct ts *ts, uint32_t domid, const struct domcfg *dc,
	 struct sf_mac *out)
{
	char path[96], *v;
	unsigned m[6];
	size_t i, n = 0;
	unsigned len;

	for (i = 0; i < dc->nvifs && n < SF_MACS_MAX; i++) {
		snprintf(path, sizeof(path),
			 "/local/domain/0/backend/vif/%u/%u/mac", domid,
			 dc->vifs[i].devid);
		v = ts->xs ? xs_read(ts->xs, XBT_NULL, path, &len) : NULL;
		if (v != NULL &&
		    sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2],
			   &m[3], &m[4], &m[5]) == 6) {
			out[n].devid = (uint16_t)dc->vifs[i].devid;
			for (int k = 0; k < 6; k++)
				out[n].mac[k] = (uint8_t)m[k];
			n++;
		}
		free(v);
	}
	return n;
}

/* the config text parsed, under source's name */
static int
parse_config(struct ts *ts, const char *source, const char *text, size_t len,
	     struct domcfg *dc)
{
	struct diag d = {.source = source};
	struct cfg cfg = {0};
	int rc = -1;

	if (cfg_parse(&cfg, text, len, &d) == 0 &&
	    domcfg_from_cfg(dc, &cfg, &d) == 0)
		rc = 0;
	cfg_free(&cfg);
	if (rc < 0)
		ts_fail(ts, "config", "%s: cannot be read again (%d errors)",
			source, d.errors);
	return rc;
}

int
ts_save(struct ts *ts, uint32_t domid, int fd, const struct ts_save_opts *o)
{
	struct sf_mac macs[SF_MACS_MAX];
	struct sf_info in = {0};
	struct hv_dominfo di;
	struct reg_record r = {0};
	struct domcfg dc;
	struct susp s = {.ts = ts, .domid = domid};
	uint8_t *hdr = NULL;
	size_t hlen;
	int have, rc = -1, e;
	char name[SF_NAME_MAX + 1], why[sizeof(ts->err)];

	ts->err[0] = '\0';
	if (domid == 0)
		return ts_fail(ts, "save", "dom0 cannot be saved");
	if (hv_domain_info(ts->hv, domid, &di) < 0)
		return ts_fail(ts, "save", "domain %u: %s", domid,
			       ts_cause(ts, errno));
	if (di.flags & (HV_SHUTDOWN | HV_DYING))
		return ts_fail(ts, "save", "domain %u is shut down or dying",
			       domid);
	/* libxenguest's HVM stream (CPU and platform context records) is
	 * not one chaos's file checks or restores yet */
	if (di.flags & HV_HVM)
		return ts_fail(ts, "save",
			       "domain %u is a PVH guest: chaos saves PV "
			       "guests only (use xl save)",
			       domid);
	/* a paused guest cannot take the suspend request: it would time out */
	if (di.flags & HV_PAUSED)
		return ts_fail(ts, "save",
			       "domain %u is paused: unpause it, its kernel "
			       "has to suspend itself",
			       domid);
	have = reg_record_read(domid, &r) == 0;
	if (!have && o->config == NULL)
		return ts_fail(ts, "save",
			       "domain %u was not made by chaos: name its "
			       "config (chaos save DOMAIN FILE CONFIG)",
			       domid);
	ts_domname(ts, domid, name, sizeof(name));
	s.name = name;
	s.r = have ? &r : NULL;
	s.noxs = have && r.noxs;
	s.timeout_s = o->timeout_s ? o->timeout_s : 60;
	/* docs/noxs.md section 8: a vif does not survive a suspend */
	if (s.noxs && r.nvifs > 0) {
		rc = ts_fail(ts, "save",
			     "%s has noxs vifs, which do not survive a save "
			     "yet",
			     name);
		goto out_rec;
	}
	if (!s.noxs && !ts_xs(ts)) {
		rc = ts_fail(ts, "save", "xenstored is not running");
		goto out_rec;
	}
	in.config = (char *)(o->config ? o->config : r.config);
	in.config_len = o->config ? o->config_len : r.config_len;
	if (parse_config(ts, name, in.config, in.config_len, &dc) < 0)
		goto out_rec;
	in.flags = (s.noxs ? SF_F_NOXS : 0) | (o->keep_domid ? SF_F_DOMID : 0);
	in.memory_kib = dc.memory * 1024;
	in.maxmem_kib = dc.maxmem * 1024;
	in.max_vcpus = dc.maxvcpus;
	in.domid = domid;
	memcpy(in.uuid, di.uuid, 16);
	sf_class(in.memory_kib, in.max_vcpus, in.cls);
	in.name = name;
	in.macs = macs;
	in.nmacs = s.noxs ? 0 : vif_macs(ts, domid, &dc, macs);
	domcfg_free(&dc);
	hdr = sf_header_build(&in, &hlen);
	if (hdr == NULL) {
		rc = ts_fail(ts, "save", "header: %s", strerror(errno));
		goto out_rec;
	}
	if (sf_write_all(fd, hdr, hlen) < 0) {
		rc = ts_fail(ts, "save", "write: %s", strerror(errno));
		goto out_rec;
	}
	phases_mark(ts->ph, "header");
	if (hv_save(ts->hv, domid, fd, do_suspend, &s) < 0) {
		e = errno;
		/* the suspend's own failure is in ts->err already */
		if (strncmp(ts->err, "suspend", 7) != 0)
			ts_fail(ts, "save", "%s", ts_cause(ts, e));
		if (hv_domain_info(ts->hv, domid, &di) == 0 &&
		    (di.flags & HV_SHUTDOWN) &&
		    di.shutdown_reason == HV_SHUTDOWN_SUSPEND) {
			/* the original is never lost: it runs on */
			snprintf(why, sizeof(why), "%s", ts->err);
			if (ts_resume(ts, domid) < 0)
				ts_fail(ts, "save",
					"%s; and %s could not be resumed: %s",
					why, name, ts_cause(ts, errno));
		} else if (s.asked && !s.noxs) {
			xsdom_control(ts->xs, domid, ""); /* withdrawn */
		}
		goto out_rec;
	}
	phases_mark(ts->ph, "stream");
	if (ts_interrupted) {
		/* a signal asked the save to stop: the guest is not lost */
		if (ts_resume(ts, domid) < 0)
			rc = ts_fail(ts, "save",
				     "interrupted, and %s could not be "
				     "resumed: %s",
				     name, ts_cause(ts, errno));
		else
			rc = ts_fail(ts, "save", "interrupted; %s runs on",
				     name);
		goto out_rec;
	}
	if (o->hold) {
		rc = 0;
		goto out_rec;
	}
	if (o->keep || o->paused) {
		if (o->paused && hv_domain_pause(ts->hv, domid) < 0) {
			rc = ts_fail(ts, "pause", "%s", ts_cause(ts, errno));
			goto out_rec;
		}
		if (ts_resume(ts, domid) < 0) {
			rc = ts_fail(ts, "resume", "%s: %s", name,
				     ts_cause(ts, errno));
			goto out_rec;
		}
	} else if (ts_destroy(ts, domid) < 0) {
		goto out_rec;
	}
	phases_mark(ts->ph, o->keep || o->paused ? "resume" : "destroy");
	rc = 0;
out_rec:
	free(hdr);
	if (have)
		reg_record_free(&r);
	return rc;
}

int
ts_restore(struct ts *ts, const struct domcfg *dc, const struct sf_info *in,
	   int fd, const char *config, size_t len, int paused, int keep_domid,
	   uint32_t *domid)
{
	struct shell sh = {.domid = REG_NO_DOMID};
	struct hv_restore hr;
	struct domcfg copy;
	uint32_t other;
	const uint8_t *uuid = in->uuid;
	int claimed = 0;
	size_t i, k;

	ts->path[0] = '\0';
	if (dc->memory * 1024 != in->memory_kib ||
	    dc->maxvcpus != in->max_vcpus)
		return ts_fail(ts, "config",
			       "it says %llu MiB and %u vCPUs; the image is "
			       "of a guest of %llu MiB and %u vCPUs",
			       (unsigned long long)dc->memory, dc->maxvcpus,
			       (unsigned long long)(in->memory_kib / 1024),
			       in->max_vcpus);
	if (ts_disks_check(ts, dc) < 0)
		return -1;
	sh.noxs = (in->flags & SF_F_NOXS) != 0;
	if (sh.noxs && dc->ndisks > 0)
		return ts_fail(ts, "disk",
			       "noxs block devices are not served yet");
	if (sh.noxs && dc->nvifs > 0)
		return ts_fail(ts, "vif",
			       "noxs vifs do not survive a save yet");
	/* the guest keeps its NICs: each vif's MAC as it was when saved */
	copy = *dc;
	copy.vifs = NULL;
	if (dc->nvifs > 0) {
		copy.vifs = calloc(dc->nvifs, sizeof(*copy.vifs));
		if (copy.vifs == NULL)
			return ts_fail(ts, "vif", "%s", strerror(errno));
		memcpy(copy.vifs, dc->vifs, dc->nvifs * sizeof(*copy.vifs));
	}
	for (i = 0; i < dc->nvifs; i++)
		for (k = 0; k < in->nmacs; k++)
			if (in->macs[k].devid == copy.vifs[i].devid &&
			    !copy.vifs[i].has_mac) {
				copy.vifs[i].has_mac = 1;
				memcpy(copy.vifs[i].mac, in->macs[k].mac, 6);
			}
	/* the saved domain may still run here (save -c, a migration to
	 * this host): its copy gets a uuid of its own */
	if (ts_find_uuid(ts, in->uuid, &other) == 0)
		uuid = NULL;
	if (ts_begin(ts, &copy, &sh, uuid, &claimed) < 0)
		goto fail;
	if (keep_domid)
		sh.domid = in->domid;
	if (ts_prepare(ts, &copy, &sh) < 0) {
		if (keep_domid)
			ts_fail(ts, "domain", "cannot have id %u again: %s",
				in->domid, ts->err);
		sh.domid = REG_NO_DOMID;
		goto fail;
	}
	phases_mark(ts->ph, "domain");
	snprintf(ts->path, sizeof(ts->path), "cold: restore");
	hr.store_port = sh.store_port;
	hr.console_port = sh.console_port;
	if (lseek(fd, (off_t)in->stream_offset, SEEK_SET) < 0 ||
	    hv_restore(ts->hv, sh.domid, fd, &hr) < 0) {
		ts_fail(ts, "restore", "%s", ts_cause(ts, errno));
		goto fail;
	}
	phases_mark(ts->ph, "stream");
	if (ts_devices(ts, &copy, &sh, hr.store_mfn, hr.console_mfn) < 0 ||
	    ts_finish(ts, &copy, &sh, config, len, paused) < 0)
		goto fail;
	*domid = sh.domid;
	free(copy.vifs);
	return 0;
fail:
	ts_undo(ts, &copy, &sh, claimed);
	free(copy.vifs);
	return -1;
}
