/*
 * disk.c: disks in xenstore mode.  blkback serves them; xendevd does what
 * libxl's block script does (a loop device for a file, checks that no
 * other guest writes the same target), so no script runs.  chaos checks
 * each disk before anything is made, writes its nodes in the create's
 * transaction (xsdom.c) and asks xendevd to back it before the guest runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "toolstack.h"
#include "vbd.h"
#include "xsdom.h"

#define CLOSE_TIMEOUT_MS 10000 /* libxl's for a device to close */

static int
refuse(struct ts *ts, const struct dc_disk *k, const char *fmt,
       const char *what)
{
	char m[160];

	snprintf(m, sizeof(m), fmt, what);
	return ts_fail(ts, "disk", "%s: %s", k->vdev ? k->vdev : "?", m);
}

int
ts_disks_check(struct ts *ts, const struct domcfg *dc)
{
	const struct dc_disk *k;
	struct stat st;
	uint32_t num[VBD_MAX];
	size_t i, j;

	if (dc->ndisks > VBD_MAX)
		return ts_fail(ts, "disk", "%zu disks; chaos serves at most %d",
			       dc->ndisks, VBD_MAX);
	for (i = 0; i < dc->ndisks; i++) {
		k = &dc->disks[i];
		if (k->cdrom || k->target == NULL)
			return refuse(ts, k,
				      "%s are not served (blkback serves "
				      "disks; a cdrom needs qemu)",
				      k->target ? "cdrom drives"
						: "empty drives");
		if (k->format != DC_FMT_RAW)
			return refuse(ts, k,
				      "format %s needs qemu's qdisk backend, "
				      "which chaos does not run; convert it "
				      "(qemu-img convert -O raw)",
				      dc_format_name(k->format));
		if (k->backendtype != DC_BK_AUTO && k->backendtype != DC_BK_PHY)
			return refuse(ts, k,
				      "backendtype %s is not served (phy "
				      "is: blkback)",
				      dc_backend_name(k->backendtype));
		if (vbd_devnum(k->vdev, &num[i]) < 0)
			return refuse(ts, k, "%s",
				      "names no disk (xvda, "
				      "xvdb1, hda, sdb, d0p1)");
		for (j = 0; j < i; j++)
			if (num[j] == num[i])
				return ts_fail(ts, "disk",
					       "%s and %s are the same device",
					       dc->disks[j].vdev, k->vdev);
		if (stat(k->target, &st) < 0)
			return ts_fail(ts, "disk", "%s: %s: %s", k->vdev,
				       k->target, strerror(errno));
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
			return ts_fail(ts, "disk",
				       "%s: %s is neither a file nor a block "
				       "device",
				       k->vdev, k->target);
	}
	return 0;
}

/*
 * blkback has taken each vbd (its backend state is InitWait or later), as
 * libxl waits before it runs the block script: a frontend that does not
 * wait for its backend (pvgrub2's) finds no disk otherwise.  10 s at most;
 * a blkback that never comes (not loaded) fails the create.
 */
static int
probed(struct ts *ts, uint32_t domid, const struct xsdom_vbd *v, size_t n)
{
	int64_t end = clk_now_ms() + CLOSE_TIMEOUT_MS;
	size_t i;
	char *st;
	int ok;

	for (i = 0; i < n; i++) {
		for (;;) {
			st = xsdom_be_read(ts->xs, "vbd", domid, v[i].devnum,
					   "state");
			ok = st != NULL && strtol(st, NULL, 10) >= 2;
			free(st);
			if (ok)
				break;
			if (clk_now_ms() > end)
				return ts_fail(ts, "disk",
					       "%s: blkback did not take it "
					       "in %d s (is xen-blkback "
					       "loaded?)",
					       v[i].vdev,
					       CLOSE_TIMEOUT_MS / 1000);
			usleep(5000);
		}
	}
	return 0;
}

int
ts_disks_attach(struct ts *ts, uint32_t domid, const struct xsdom_vbd *v,
		size_t n)
{
	struct xdd_vbd_info info;
	struct ipc_status st;
	struct xdd_vbd r;
	uint32_t len;
	size_t i;

	if (n == 0)
		return 0;
	if (ts_xendevd(ts) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = v[i].phy ? XDD_VBD_PHY : XDD_VBD_FILE;
		r.flags = XDD_VBD_XENSTORE | (v[i].ro ? XDD_VBD_RO : 0);
		r.domid = domid;
		r.devid = v[i].devnum;
		if (strlen(v[i].params) >= sizeof(r.target))
			return ts_fail(ts, "disk", "%s: %s: path too long",
				       v[i].vdev, v[i].params);
		strcpy(r.target, v[i].params);
		if (ipc_call(&ts->xdd, XDD_VBD_ATTACH, &r, sizeof(r), 30000,
			     &st, &info, sizeof(info), &len) < 0)
			return ts_fail(ts, "disk", "%s: xendevd: %s", v[i].vdev,
				       strerror(errno));
		if (st.err != 0)
			return ts_fail(ts, "disk", "%s: %s", v[i].vdev, st.msg);
	}
	return probed(ts, domid, v, n);
}

int
ts_disks_resolve(struct ts *ts, const struct domcfg *dc, struct xsdom_vbd **out)
{
	struct xsdom_vbd *v;
	struct stat sb;
	size_t i;

	*out = NULL;
	if (dc->ndisks == 0)
		return 0;
	v = calloc(dc->ndisks, sizeof(*v));
	if (v == NULL)
		return ts_fail(ts, "disk", "%s", strerror(errno));
	for (i = 0; i < dc->ndisks; i++) {
		v[i].vdev = dc->disks[i].vdev;
		v[i].ro = dc->disks[i].readonly;
		v[i].params = realpath(dc->disks[i].target, NULL);
		if (v[i].params == NULL || stat(v[i].params, &sb) < 0 ||
		    vbd_devnum(v[i].vdev, &v[i].devnum) < 0) {
			ts_fail(ts, "disk", "%s: %s: %s", dc->disks[i].vdev,
				dc->disks[i].target, strerror(errno));
			ts_disks_free(dc, v);
			return -1;
		}
		v[i].phy = S_ISBLK(sb.st_mode);
	}
	*out = v;
	return 0;
}

void
ts_disks_free(const struct domcfg *dc, struct xsdom_vbd *v)
{
	size_t i;

	for (i = 0; v != NULL && i < dc->ndisks; i++)
		free((char *)v[i].params);
	free(v);
}

static int
usable(struct ts *ts, uint32_t domid)
{
	if (!ts_xs(ts))
		return ts_fail(ts, "disk", "xenstored is not running");
	if (ts_is_noxs(domid))
		return ts_fail(ts, "disk",
			       "domain %u uses noxs, whose block devices are "
			       "not served yet",
			       domid);
	return 0;
}

/* xendevd lets go of the vbd's backing (its loop); quiet: the vbd may
 * never have been backed */
static void
unback(struct ts *ts, uint32_t domid, uint32_t devid)
{
	struct xdd_vbd r = {
		.flags = XDD_VBD_XENSTORE, .domid = domid, .devid = devid};
	struct ipc_status st;

	if (ts_xendevd(ts) == 0)
		ipc_call(&ts->xdd, XDD_VBD_DETACH, &r, sizeof(r), 5000, &st,
			 NULL, 0, NULL);
}

int
ts_vbd_attach(struct ts *ts, uint32_t domid, struct dc_disk *k, uint32_t *devid)
{
	struct domcfg one = {.disks = k, .ndisks = 1};
	struct xsdom_vbd *v;
	char *state;

	if (usable(ts, domid) < 0 || ts_disks_check(ts, &one) < 0 ||
	    ts_xendevd(ts) < 0 || ts_disks_resolve(ts, &one, &v) < 0)
		return -1;
	*devid = v->devnum;
	state = xsdom_be_read(ts->xs, "vbd", domid, v->devnum, "state");
	if (state != NULL) {
		free(state);
		ts_disks_free(&one, v);
		return ts_fail(ts, "disk", "domain %u has a %s already", domid,
			       k->vdev);
	}
	if (xsdom_vbd_add(ts->xs, domid, v) < 0) {
		ts_disks_free(&one, v);
		return ts_fail(ts, "disk", "xenstore: %s", strerror(errno));
	}
	if (ts_disks_attach(ts, domid, v, 1) < 0) {
		/* nothing is backed: the nodes go */
		xsdom_vbd_remove(ts->xs, domid, *devid);
		ts_disks_free(&one, v);
		return -1;
	}
	ts_disks_free(&one, v);
	if (ts_record_devices(domid, &(struct ts_devchange){-1, NULL, -1, k}) <
	    0)
		snprintf(ts->note, sizeof(ts->note),
			 "the disk is not in the domain's stored config (%s): "
			 "a reboot goes without it",
			 strerror(errno));
	return 0;
}

int
ts_vbd_detach(struct ts *ts, uint32_t domid, uint32_t devid, int force)
{
	char *state;
	int64_t end;
	int closed = 0;

	if (usable(ts, domid) < 0)
		return -1;
	state = xsdom_be_read(ts->xs, "vbd", domid, devid, "state");
	if (state == NULL)
		return ts_fail(ts, "disk", "domain %u has no vbd %u", domid,
			       devid);
	closed = strcmp(state, "6") == 0;
	free(state);
	/* as libxl: offline, and Closing unless Closed already */
	if (xsdom_be_write(ts->xs, "vbd", domid, devid, "online", "0") < 0 ||
	    (!closed &&
	     xsdom_be_write(ts->xs, "vbd", domid, devid, "state", "5") < 0))
		return ts_fail(ts, "disk", "xenstore: %s", strerror(errno));
	end = clk_now_ms() + (force ? 0 : CLOSE_TIMEOUT_MS);
	while (!closed && clk_now_ms() < end) {
		usleep(20000);
		state = xsdom_be_read(ts->xs, "vbd", domid, devid, "state");
		closed = state == NULL || strcmp(state, "6") == 0;
		free(state);
	}
	if (!closed && !force) {
		/* the guest holds on: it keeps its disk, online again */
		xsdom_be_write(ts->xs, "vbd", domid, devid, "online", "1");
		return ts_fail(ts, "disk",
			       "vbd %u of domain %u did not close in %d s (the "
			       "guest may be using it); --force removes it "
			       "anyway",
			       devid, domid, CLOSE_TIMEOUT_MS / 1000);
	}
	if (xsdom_vbd_remove(ts->xs, domid, devid) < 0)
		return ts_fail(ts, "disk", "xenstore: %s", strerror(errno));
	unback(ts, domid, devid);
	if (ts_record_devices(domid, &(struct ts_devchange){
					     -1, NULL, (long)devid, NULL}) < 0)
		snprintf(ts->note, sizeof(ts->note),
			 "the disk stays in the domain's stored config (%s): a "
			 "reboot brings it back",
			 strerror(errno));
	if (!closed)
		ts_fail(ts, "disk",
			"vbd %u of domain %u had not closed; removed anyway",
			devid, domid);
	return closed ? 0 : 1;
}

void
ts_disks_release(struct ts *ts, uint32_t domid)
{
	char path[64], **ents, *script;
	unsigned n, i;
	uint32_t devid;

	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", domid);
	ents = xs_directory(ts->xs, XBT_NULL, path, &n);
	for (i = 0; ents != NULL && i < n; i++) {
		devid = (uint32_t)strtoul(ents[i], NULL, 10);
		script = xsdom_be_read(ts->xs, "vbd", domid, devid, "script");
		/* only what xendevd backs: xl's disks are its scripts' */
		if (script != NULL && strcmp(script, XDD_SCRIPT) == 0)
			unback(ts, domid, devid);
		free(script);
	}
	free(ents);
}
