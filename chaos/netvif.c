/*
 * netvif.c: vifs in xenstore mode.  chaos writes the nodes libxl writes,
 * the stock kernel netback makes vif<D>.<N>, and xendevd (xendevd/) wires
 * it into its bridge and tells netback "connected".  chaos waits for
 * xendevd's answer before the guest runs, as xl waits for vif-bridge; no
 * script runs anywhere.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "toolstack.h"
#include "xsdom.h"

#define WIRE_TIMEOUT_MS	  10000 /* libxl's for a hotplug script is 40 s */
#define CLOSE_TIMEOUT_MS  10000
#define SETTLE_TIMEOUT_MS 3000 /* netback probes in milliseconds */
#define RESWEEP_MS	  500  /* a probe under way may write once more */

int
ts_xendevd(struct ts *ts)
{
	const char *path = xdc_path();
	struct pollfd p = {.fd = ts->xdd.fd, .events = POLLIN};

	/* a long-lived toolstack (the monitor) may hold a connection to a
	 * xendevd that has gone since: an idle connection that has anything
	 * to say (a hang-up, a stale reply) is replaced */
	if (ts->xdd.fd >= 0 && poll(&p, 1, 0) == 0)
		return 0;
	ipc_close(&ts->xdd);
	if (xdc_open(&ts->xdd, path) < 0)
		return ts_fail(ts, "vif",
			       "xendevd does not answer on %s (%s); start "
			       "it: xendevd(8)",
			       path, strerror(errno));
	return 0;
}

uint8_t (*ts_vif_macs(const struct domcfg *dc))[6]
{
	uint8_t(*m)[6];
	uint8_t r[3];
	size_t i;

	if (dc->nvifs == 0)
		return NULL;
	m = calloc(dc->nvifs, sizeof(*m));
	if (m == NULL)
		return NULL;
	for (i = 0; i < dc->nvifs; i++) {
		if (dc->vifs[i].has_mac) {
			memcpy(m[i], dc->vifs[i].mac, 6);
			continue;
		}
		if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
			free(m);
			return NULL;
		}
		/* Xen's prefix, as libxl: a local, unicast 00:16:3e */
		m[i][0] = 0x00;
		m[i][1] = 0x16;
		m[i][2] = 0x3e;
		m[i][3] = r[0] & 0x7f;
		m[i][4] = r[1];
		m[i][5] = r[2];
	}
	return m;
}

int
ts_vif_bridges(struct ts *ts, const struct dc_vif *vifs, size_t n)
{
	char path[96];
	struct stat st;
	size_t i;
	const char *br;

	for (i = 0; i < n; i++) {
		br = vifs[i].bridge ? vifs[i].bridge : "xenbr0";
		if (strlen(br) >= XDD_NAME_MAX || strchr(br, '/') != NULL)
			return ts_fail(ts, "vif", "'%s' cannot be a bridge",
				       br);
		snprintf(path, sizeof(path), "/sys/class/net/%s", br);
		if (stat(path, &st) < 0)
			return ts_fail(ts, "vif", "bridge %s: %s", br,
				       errno == ENOENT ? "no such interface"
						       : strerror(errno));
		snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", br);
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			return ts_fail(ts, "vif", "%s is not a bridge", br);
	}
	return 0;
}

static int
name_field(struct ts *ts, char *dst, const char *src, const char *what,
	   unsigned devid)
{
	if (src == NULL) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(src) >= XDD_NAME_MAX)
		return ts_fail(ts, "vif",
			       "%u: %s '%s' is longer than %d "
			       "characters",
			       devid, what, src, XDD_NAME_MAX - 1);
	strcpy(dst, src);
	return 0;
}

static int
request(struct ts *ts, uint32_t domid, const struct dc_vif *v,
	struct xdd_vif *r)
{
	memset(r, 0, sizeof(*r));
	r->backend = XDD_BE_NETBACK;
	r->flags = XDD_VIF_XENSTORE;
	r->domid = domid;
	r->devid = v->devid;
	r->mtu = v->mtu;
	r->timeout_ms = WIRE_TIMEOUT_MS;
	if (name_field(ts, r->bridge, v->bridge ? v->bridge : "xenbr0",
		       "bridge", v->devid) < 0 ||
	    name_field(ts, r->vifname, v->vifname, "vifname", v->devid) < 0)
		return -1;
	return 0;
}

/* Ask xendevd to wire each vif; the answers come later (collect). */
static int
send_all(struct ts *ts, uint32_t domid, const struct dc_vif *vifs, size_t n)
{
	struct xdd_vif r;
	size_t i;

	if (ts_xendevd(ts) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (request(ts, domid, &vifs[i], &r) < 0)
			return -1;
		if (ipc_send(&ts->xdd, XDD_VIF_ATTACH, &r, sizeof(r), NULL) < 0)
			return ts_fail(ts, "vif", "xendevd: %s",
				       strerror(errno));
	}
	return 0;
}

/* Wait for n attach answers; the first error is the one reported. */
static int
collect(struct ts *ts, size_t n)
{
	struct ipc_status st;
	struct ipc_hdr h;
	int64_t end = clk_now_ms() + WIRE_TIMEOUT_MS + 1000, left;
	size_t answered = 0;
	int failed = 0;

	while (answered < n) {
		left = end - clk_now_ms();
		if (ipc_recv(&ts->xdd, left > 0 ? (int)left : 0, &h, &st, NULL,
			     0, NULL) < 0)
			return ts_fail(ts, "vif", "xendevd: %s",
				       errno == ETIMEDOUT ? "no answer in time"
							  : strerror(errno));
		if ((h.type & ~XDD_REPLY) != XDD_VIF_ATTACH)
			continue;
		answered++;
		if (st.err != 0 && !failed) {
			failed = 1;
			ts_fail(ts, "vif", "%s", st.msg);
		}
	}
	return failed ? -1 : 0;
}

int
ts_vifs_send(struct ts *ts, uint32_t domid, const struct domcfg *dc)
{
	return send_all(ts, domid, dc->vifs, dc->nvifs);
}

int
ts_vifs_collect(struct ts *ts, const struct domcfg *dc)
{
	return collect(ts, dc->nvifs);
}

static unsigned
next_devid(struct ts *ts, uint32_t domid)
{
	char path[64], **ents;
	unsigned n, i, next = 0, v;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif", domid);
	ents = xs_directory(ts->xs, XBT_NULL, path, &n);
	for (i = 0; ents != NULL && i < n; i++) {
		v = (unsigned)strtoul(ents[i], NULL, 10);
		if (v >= next)
			next = v + 1;
	}
	free(ents);
	return next;
}

static int
usable(struct ts *ts)
{
	if (ts->xs == NULL)
		return ts_fail(ts, "vif", "xenstored is not running");
	return 0;
}

/*
 * As libxl removes a device: offline and Closing, then wait up to
 * timeout_ms for netback's Closed (the frontend has answered), then remove
 * the nodes.  Pulling the nodes from under a frontend that is still
 * connecting can leave the guest's xenbus stuck.  1 when it did not
 * close in time (the nodes are gone anyway).
 */
static int
vif_close(struct ts *ts, uint32_t domid, unsigned devid, int timeout_ms)
{
	struct xdd_vif r = {.backend = XDD_BE_NETBACK,
			    .flags = XDD_VIF_XENSTORE,
			    .domid = domid,
			    .devid = devid};
	struct ipc_status st;
	char *state;
	int64_t end;
	int closed = 0;

	/* xendevd leaves an offline vif alone */
	if (xsdom_be_write(ts->xs, "vif", domid, devid, "online", "0") < 0 ||
	    xsdom_be_write(ts->xs, "vif", domid, devid, "state", "5") < 0)
		return ts_fail(ts, "vif", "xenstore: %s", strerror(errno));
	/* out of the bridge at once (xendevd knows it by its ids, renamed
	 * or not); with no xendevd the kernel still takes the interface out
	 * when netback deletes it */
	if (ts_xendevd(ts) == 0)
		ipc_call(&ts->xdd, XDD_VIF_DETACH, &r, sizeof(r), 2000, &st,
			 NULL, 0, NULL);
	end = clk_now_ms() + timeout_ms;
	while (!closed && clk_now_ms() < end) {
		state = xsdom_be_read(ts->xs, "vif", domid, devid, "state");
		closed = state == NULL || strcmp(state, "6") == 0;
		free(state);
		if (!closed)
			usleep(20000);
	}
	if (xsdom_vif_remove(ts->xs, domid, devid) < 0)
		return ts_fail(ts, "vif", "xenstore: %s", strerror(errno));
	return closed ? 0 : 1;
}

static void
vifs_settle(struct ts *ts, uint32_t domid)
{
	int64_t end = clk_now_ms() + SETTLE_TIMEOUT_MS;
	char path[64], **devs, *state;
	unsigned n, i = 0;
	int busy;

	if (ts->xs == NULL)
		return;
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
	devs = xs_directory(ts->xs, XBT_NULL, path, &n);
	while (devs != NULL && i < n && clk_now_ms() < end) {
		state = xsdom_be_read(ts->xs, "vif", domid,
				      (unsigned)strtoul(devs[i], NULL, 10),
				      "state");
		/* Initialising (1): netback's probe may still write */
		busy = state != NULL && strcmp(state, "1") == 0;
		free(state);
		if (busy)
			usleep(10000);
		else
			i++;
	}
	free(devs);
}

void
ts_remove_unfinished(struct ts *ts, uint32_t domid, const uint8_t *uuid)
{
	char path[64];
	unsigned len;
	int64_t end;
	void *v;
	int vifs;

	if (ts->xs == NULL)
		return;
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
	v = xs_read(ts->xs, XBT_NULL, path, &len);
	vifs = v != NULL;
	free(v);
	if (vifs)
		vifs_settle(ts, domid);
	xsdom_remove(ts->xs, domid, uuid);
	/* a probe that had begun may still write once: sweep again */
	end = clk_now_ms() + RESWEEP_MS;
	while (vifs && clk_now_ms() < end) {
		usleep(20000);
		v = xs_read(ts->xs, XBT_NULL, path, &len);
		if (v != NULL)
			xs_rm(ts->xs, XBT_NULL, path);
		free(v);
	}
}

int
ts_vif_detach(struct ts *ts, uint32_t domid, unsigned devid)
{
	char *state;
	int rc;

	if (usable(ts) < 0)
		return -1;
	state = xsdom_be_read(ts->xs, "vif", domid, devid, "state");
	if (state == NULL)
		return ts_fail(ts, "vif", "domain %u has no vif %u", domid,
			       devid);
	free(state);
	rc = vif_close(ts, domid, devid, CLOSE_TIMEOUT_MS);
	if (rc >= 0 &&
	    ts_record_devices(domid, &(struct ts_devchange){(long)devid, NULL,
							    -1, NULL}) < 0)
		snprintf(ts->note, sizeof(ts->note),
			 "the vif stays in the domain's stored config (%s): a "
			 "reboot brings it back",
			 strerror(errno));
	if (rc == 1)
		ts_fail(ts, "vif",
			"%u of domain %u did not close in %d s; removed anyway",
			devid, domid, CLOSE_TIMEOUT_MS / 1000);
	return rc;
}

int
ts_vif_attach(struct ts *ts, uint32_t domid, struct dc_vif *v, unsigned *devid)
{
	struct domcfg one = {.vifs = v, .nvifs = 1};
	uint8_t(*mac)[6];

	if (ts_is_noxs(domid))
		return ts_noxs_vif_attach(ts, domid, v, devid);
	if (usable(ts) < 0 || ts_vif_bridges(ts, v, 1) < 0 ||
	    ts_xendevd(ts) < 0)
		return -1;
	v->devid = next_devid(ts, domid);
	mac = ts_vif_macs(&one);
	if (mac == NULL)
		return ts_fail(ts, "vif", "%s", strerror(errno));
	if (xsdom_vif_add(ts->xs, domid, v, mac[0]) < 0) {
		free(mac);
		return ts_fail(ts, "vif", "xenstore: %s", strerror(errno));
	}
	memcpy(v->mac, mac[0], 6); /* kept in the stored config below */
	v->has_mac = 1;
	free(mac);
	if (send_all(ts, domid, v, 1) < 0 || collect(ts, 1) < 0) {
		char why[sizeof(ts->err)];

		memcpy(why, ts->err, sizeof(why));
		vif_close(ts, domid, v->devid, 2000);
		memcpy(ts->err, why, sizeof(why));
		return -1;
	}
	*devid = v->devid;
	if (ts_record_devices(domid, &(struct ts_devchange){-1, v, -1, NULL}) <
	    0)
		snprintf(ts->note, sizeof(ts->note),
			 "the vif is not in the domain's stored config (%s): a "
			 "reboot goes without it",
			 strerror(errno));
	return 0;
}
