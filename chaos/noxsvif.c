/*
 * noxsvif.c: network-attach and network-detach of a running noxs guest
 * (docs/noxs.md section 9).  The device page's entries are rewritten
 * whole from chaos's registry record, never from the page (the guest can
 * write it), between two bumps of its generation; the guest learns of
 * the change from an event on its sysctl channel.  A vif's control block
 * is written while no entry names it, and cleared only once none does.
 * The registry lock keeps two attaches or detaches of one guest apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "noxs.h"
#include "toolstack.h"

/* how long a detach waits for the guest to close its side, as xl's */
#define DETACH_TIMEOUT_MS 10000

/* the entries chaos published for r: console, sysctl, then its vifs */
static size_t
entries_of(const struct reg_record *r, struct noxs_dev_entry *e)
{
	size_t n = 0;
	unsigned i;

	memset(e, 0, sizeof(*e) * NOXS_MAX_DEVICES);
	e[n].type = NOXS_DEV_CONSOLE;
	e[n].flags = NOXS_F_GUEST_GRANT;
	e[n].ctrl_gref = 0; /* GNTTAB_RESERVED_CONSOLE */
	e[n++].evtchn = r->console_port;
	e[n].type = NOXS_DEV_SYSCTL;
	e[n].flags = NOXS_F_IN_DEVPAGE;
	e[n].ctrl_offset = r->sysctl_offset;
	e[n++].evtchn = r->sysctl_port;
	for (i = 0; i < r->nvifs && n < NOXS_MAX_DEVICES; i++) {
		e[n].type = NOXS_DEV_VIF;
		e[n].devid = (uint16_t)r->vifs[i].devid;
		e[n].flags = NOXS_F_IN_DEVPAGE;
		e[n].ctrl_offset = r->vifs[i].offset;
		e[n++].evtchn = r->vifs[i].port;
	}
	return n;
}

/* a 64-byte block of the area that no device of r uses, or -1 */
static int
free_block(const struct reg_record *r)
{
	uint32_t off;
	unsigned i;
	int used;

	for (off = NOXS_ENTRIES_END; off <= NOXS_PAGE_SIZE - 64; off += 64) {
		used = off == r->sysctl_offset;
		for (i = 0; i < r->nvifs && !used; i++)
			used = r->vifs[i].offset == off;
		if (!used)
			return (int)off;
	}
	return -1;
}

/* the next devid: one above the highest in use, as xl picks them */
static unsigned
next_devid(const struct reg_record *r)
{
	unsigned i, next = 0;

	for (i = 0; i < r->nvifs; i++)
		if (r->vifs[i].devid >= next)
			next = r->vifs[i].devid + 1;
	return next;
}

/* Rewrite the page's entries from r, then tell the guest.  A guest that
 * does not hear (its port busy for a moment: a power request binds it)
 * finds the change when it next looks. */
static int
publish(struct ts *ts, const struct reg_record *r, void *page)
{
	struct noxs_dev_entry e[NOXS_MAX_DEVICES];
	size_t n = entries_of(r, e);
	int i;

	if (noxs_page_publish(page, r->domid, e, n) < 0)
		return ts_fail(ts, "vif",
			       "domain %u: the device page would "
			       "not check (a bug)",
			       r->domid);
	for (i = 0; i < 20; i++) {
		if (hv_notify_remote(ts->hv, r->domid, r->sysctl_port) == 0)
			return 0;
		if (errno != EBUSY)
			break;
		usleep(5000);
	}
	snprintf(ts->note, sizeof(ts->note),
		 "%s was not signalled (%s): it sees the change when it next "
		 "looks at its device page",
		 r->name, strerror(errno));
	return 0;
}

/* the record of a running noxs guest of chaos's, with the lock held;
 * 0, or -1 with ts->err set and the lock released */
static int
locked_record(struct ts *ts, uint32_t domid, struct reg_record *r)
{
	struct hv_dominfo di;

	if (reg_lock() < 0)
		return ts_fail(ts, "vif", "registry lock: %s", strerror(errno));
	if (reg_record_read(domid, r) < 0) {
		reg_unlock();
		return ts_fail(ts, "vif", "domain %u has no record of chaos's",
			       domid);
	}
	if (!r->noxs || hv_domain_info(ts->hv, domid, &di) < 0 ||
	    memcmp(di.uuid, r->uuid, 16) != 0 ||
	    (di.flags & (HV_DYING | HV_SHUTDOWN))) {
		ts_fail(ts, "vif",
			r->noxs ? "domain %u is shut down or gone"
				: "domain %u is not a noxs guest",
			domid);
		reg_record_free(r);
		reg_unlock();
		return -1;
	}
	return 0;
}

static void
put_back(struct ts *ts, struct reg_record *r, void *page)
{
	reg_record_free(r);
	if (page != NULL)
		hv_unmap(ts->hv, page, 0);
	reg_unlock();
}

int
ts_noxs_vif_attach(struct ts *ts, uint32_t domid, struct dc_vif *v,
		   unsigned *devid)
{
	struct domcfg one = {.vifs = v, .nvifs = 1};
	struct reg_record r;
	struct reg_vif *rv;
	uint8_t(*mac)[6] = NULL;
	uint8_t *page = NULL;
	uint32_t ip, prefix;
	int off;

	/* asked first: nothing is made for a vif nobody would serve */
	if (ts_vif_bridges(ts, v, 1) < 0 || ts_xendevd(ts) < 0 ||
	    locked_record(ts, domid, &r) < 0)
		return -1;
	if (r.nvifs >= REG_VIFS_MAX) {
		ts_fail(ts, "vif", "%s has %d vifs, a noxs guest's most",
			r.name, REG_VIFS_MAX);
		goto fail;
	}
	v->devid = next_devid(&r);
	rv = &r.vifs[r.nvifs];
	mac = ts_vif_macs(&one);
	if (mac == NULL) {
		ts_fail(ts, "vif", "%s", strerror(errno));
		goto fail;
	}
	if (ts_noxs_vif_fill(ts, v, mac[0], rv, &ip, &prefix) < 0)
		goto fail;
	off = free_block(&r);
	if (off < 0) {
		ts_fail(ts, "vif", "no room in %s's device page", r.name);
		goto fail;
	}
	rv->offset = (uint32_t)off;
	page = hv_map_frame(ts->hv, domid, r.devpage_mfn);
	if (page == NULL) {
		ts_fail(ts, "vif", "cannot map the device page: %s",
			ts_cause(ts, errno));
		goto fail;
	}
	/* a port of the guest stays if what follows fails: only the guest
	 * can close its ports */
	if (hv_evtchn_alloc(ts->hv, domid, 0, &rv->port) < 0) {
		ts_fail(ts, "vif", "event channel: %s", ts_cause(ts, errno));
		goto fail;
	}
	/* no entry names this block yet: the guest does not look at it */
	noxs_vif_be_init(page + off, rv->mac, (uint16_t)rv->mtu, ip, prefix);
	if (ts_noxs_vif_serve(ts, domid, r.devpage_mfn, rv) < 0) {
		memset(page + off, 0, sizeof(struct noxs_vif_ctrl));
		goto fail;
	}
	r.nvifs++;
	/* kept for a reboot, as xl keeps it (its MAC too) */
	memcpy(v->mac, mac[0], 6);
	v->has_mac = 1;
	if (r.config != NULL &&
	    ts_config_devices(&r.config, &r.config_len,
			      &(struct ts_devchange){-1, v, -1, NULL}) < 0)
		snprintf(ts->note, sizeof(ts->note),
			 "the vif is not in %s's stored config (%s): a reboot "
			 "goes without it",
			 r.name, strerror(errno));
	if (reg_record_write(&r) < 0) {
		char why[sizeof(ts->err)];

		snprintf(why, sizeof(why), "vif: registry: %s",
			 strerror(errno));
		ts_noxs_vifs_detach(ts, domid, rv, 1);
		memset(page + off, 0, sizeof(struct noxs_vif_ctrl));
		memcpy(ts->err, why, sizeof(why));
		goto fail;
	}
	publish(ts, &r, page);
	*devid = rv->devid;
	free(mac);
	put_back(ts, &r, page);
	return 0;
fail:
	free(mac);
	put_back(ts, &r, page);
	return -1;
}

/* the index in r of the vif named by which: a devid or a MAC */
static int
find(const struct reg_record *r, const char *which)
{
	char mac[18], *end;
	unsigned long id = strtoul(which, &end, 10);
	unsigned i;

	for (i = 0; i < r->nvifs; i++) {
		const uint8_t *m = r->vifs[i].mac;

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		if ((*which != '\0' && *end == '\0' &&
		     r->vifs[i].devid == id) ||
		    strcasecmp(mac, which) == 0)
			return (int)i;
	}
	return -1;
}

int
ts_noxs_vif_detach(struct ts *ts, uint32_t domid, const char *which)
{
	struct reg_record r;
	struct reg_vif gone;
	uint8_t *page;
	char late[sizeof(ts->err)] = "";
	int i, rc;

	if (locked_record(ts, domid, &r) < 0)
		return -1;
	i = find(&r, which);
	if (i < 0) {
		ts_fail(ts, "vif", "%s has no vif %s", r.name, which);
		put_back(ts, &r, NULL);
		return -1;
	}
	gone = r.vifs[i];
	/* The frontend closes while its entry is still there.  That may take
	 * the guest seconds: without the lock, which creates take too. */
	put_back(ts, &r, NULL);
	rc = ts_noxs_vif_unserve(ts, domid, gone.devid, DETACH_TIMEOUT_MS);
	if (rc < 0)
		return -1;
	if (rc == 1)
		memcpy(late, ts->err, sizeof(late));
	if (locked_record(ts, domid, &r) < 0)
		return -1;
	for (i = 0; i < (int)r.nvifs; i++)
		if (r.vifs[i].devid == gone.devid &&
		    r.vifs[i].offset == gone.offset &&
		    r.vifs[i].port == gone.port)
			break;
	if (i == (int)r.nvifs) { /* another detach took it meanwhile */
		put_back(ts, &r, NULL);
		return ts_fail(ts, "vif", "%s has no vif %s", r.name, which);
	}
	page = hv_map_frame(ts->hv, domid, r.devpage_mfn);
	if (page == NULL) {
		ts_fail(ts, "vif", "cannot map the device page: %s",
			ts_cause(ts, errno));
		put_back(ts, &r, NULL);
		return -1;
	}
	memmove(&r.vifs[i], &r.vifs[i + 1],
		sizeof(r.vifs[0]) * (r.nvifs - (unsigned)i - 1));
	r.nvifs--;
	if (r.config != NULL &&
	    ts_config_devices(&r.config, &r.config_len,
			      &(struct ts_devchange){(long)gone.devid, NULL, -1,
						     NULL}) < 0)
		snprintf(ts->note, sizeof(ts->note),
			 "the vif stays in %s's stored config (%s): a reboot "
			 "brings it back",
			 r.name, strerror(errno));
	if (reg_record_write(&r) < 0) {
		ts_fail(ts, "vif", "registry: %s", strerror(errno));
		put_back(ts, &r, page);
		return -1;
	}
	publish(ts, &r, page);
	/* no entry names the block now: free for the next vif */
	memset(page + gone.offset, 0, sizeof(struct noxs_vif_ctrl));
	put_back(ts, &r, page);
	if (late[0] != '\0') {
		memcpy(ts->err, late, sizeof(late));
		return 1;
	}
	return 0;
}
