/*
 * xenstore.c: xendevd's side of netback's and blkback's handshakes.
 * netback holds its vif back from Connected until
 * backend/vif/D/N/hotplug-status reads "connected" (shared/XEN-FACTS.md
 * section 3); that, the frontend's mtu and, on failure, hotplug-error are
 * all xendevd writes.  blkback waits for backend/vbd/D/N/physical-device
 * (section 8), which xendevd writes with what the block script would.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xendevd.h"
#include "xsdom.h"

#define BACKEND "/local/domain/0/backend"

int
xdd_xs_ready(struct xdd *d)
{
	if (!d->use_xs)
		return errno = EHOSTUNREACH, -1;
	if (d->xs != NULL)
		return 0;
	/* libxenstore would hang on the xenbus device with xenstored dead */
	if (!xsdom_daemon_answers())
		return errno = EHOSTUNREACH, -1;
	d->xs = xs_open(0);
	if (d->xs == NULL)
		return -1;
	log_info("connected to xenstored");
	return 0;
}

/*
 * Write the n pairs kv (leaf, value, leaf, value...) under dir, in one
 * transaction with a check that dir still exists: a report that comes
 * late (the guest was destroyed while its device was being set up) must
 * not bring back the nodes that chaos removed, since XenStore makes
 * missing parents on a write.  -1 with ENOENT when dir is gone.
 */
static int
put(struct xdd *d, const char *dir, const char *const *kv, unsigned n)
{
	char path[XDD_PATH_MAX + 64];
	xs_transaction_t t;
	unsigned len, tries, i;
	void *cur;

	for (tries = 0; tries < 8; tries++) {
		t = xs_transaction_start(d->xs);
		if (t == XBT_NULL)
			return -1;
		cur = xs_read(d->xs, t, dir, &len);
		if (cur == NULL) {
			xs_transaction_end(d->xs, t, true);
			return errno = ENOENT, -1;
		}
		free(cur);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, kv[2 * i]);
			if (!xs_write(d->xs, t, path, kv[2 * i + 1],
				      strlen(kv[2 * i + 1]))) {
				xs_transaction_end(d->xs, t, true);
				return -1;
			}
		}
		if (xs_transaction_end(d->xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return errno = EAGAIN, -1;
}

int
xdd_xs_report(struct xdd *d, const struct xdd_vif *v, uint32_t mtu,
	      const char *err)
{
	char num[16], dir[96];
	const char *failed[] = {"hotplug-error", err, "hotplug-status",
				"error"};
	const char *ok[] = {"hotplug-status", "connected"};

	if (xdd_xs_ready(d) < 0)
		return -1;
	snprintf(dir, sizeof(dir), BACKEND "/vif/%u/%u", v->domid, v->devid);
	if (err != NULL)
		return put(d, dir, failed, 2);
	/* as vif-bridge: the frontend learns the MTU it got */
	if (v->mtu == 0) {
		const char *kv[] = {"mtu", num};
		char fe[96];

		snprintf(num, sizeof(num), "%u", mtu);
		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u",
			 v->domid, v->devid);
		put(d, fe, kv, 1);
	}
	return put(d, dir, ok, 1);
}

/* read BACKEND/kind/D/N/leaf; malloc'd or NULL */
static char *
get(struct xdd *d, const char *kind, uint32_t domid, uint32_t devid,
    const char *leaf)
{
	char path[160];
	unsigned len;

	snprintf(path, sizeof(path), BACKEND "/%s/%u/%u/%s", kind, domid, devid,
		 leaf);
	return xs_read(d->xs, XBT_NULL, path, &len);
}

/* copy a XenStore value into a name field; -1 when it does not fit */
static int
copy_name(char *dst, const char *src)
{
	if (src == NULL) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(src) >= XDD_NAME_MAX)
		return -1;
	strcpy(dst, src);
	return 0;
}

int
xdd_xs_vif(struct xdd *d, uint32_t domid, uint32_t devid, struct xdd_vif *out)
{
	char *script, *bridge = NULL, *vifname = NULL, *mtu = NULL;
	char *status = NULL, *online = NULL;
	int rc = 0;

	if (xdd_xs_ready(d) < 0)
		return -1;
	script = get(d, "vif", domid, devid, "script");
	if (script == NULL || strcmp(script, XDD_SCRIPT) != 0)
		goto out; /* xl's (vif-bridge) or gone: not ours */
	online = get(d, "vif", domid, devid, "online");
	if (online != NULL && strcmp(online, "0") == 0)
		goto out; /* being detached: leave it alone */
	bridge = get(d, "vif", domid, devid, "bridge");
	vifname = get(d, "vif", domid, devid, "vifname");
	mtu = get(d, "vif", domid, devid, "mtu");
	status = get(d, "vif", domid, devid, "hotplug-status");
	memset(out, 0, sizeof(*out));
	out->backend = XDD_BE_NETBACK;
	out->flags = XDD_VIF_XENSTORE;
	out->domid = domid;
	out->devid = devid;
	out->mtu = mtu ? (uint32_t)strtoul(mtu, NULL, 10) : 0;
	if (copy_name(out->bridge, bridge ? bridge : "xenbr0") < 0 ||
	    copy_name(out->vifname, vifname) < 0) {
		rc = -1;
		errno = ENAMETOOLONG;
		goto out;
	}
	rc = status != NULL && strcmp(status, "connected") == 0 ? 2 : 1;
out:
	free(script);
	free(bridge);
	free(vifname);
	free(mtu);
	free(status);
	free(online);
	return rc;
}

static int
number(const char *s, uint32_t *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

void
xdd_xs_each(struct xdd *d, const char *kind,
	    void (*cb)(struct xdd *d, uint32_t domid, uint32_t devid))
{
	char path[96], top[64], **doms, **devs;
	unsigned nd, nv, i, j;
	uint32_t domid, devid;

	if (xdd_xs_ready(d) < 0)
		return;
	snprintf(top, sizeof(top), BACKEND "/%s", kind);
	doms = xs_directory(d->xs, XBT_NULL, top, &nd);
	for (i = 0; doms != NULL && i < nd; i++) {
		if (number(doms[i], &domid) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%u", top, domid);
		devs = xs_directory(d->xs, XBT_NULL, path, &nv);
		for (j = 0; devs != NULL && j < nv; j++)
			if (number(devs[j], &devid) == 0)
				cb(d, domid, devid);
		free(devs);
	}
	free(doms);
}

int
xdd_xs_vbd_report(struct xdd *d, const struct xdd_vbd_info *i, int loop,
		  const char *status, const char *err)
{
	char dir[96], pdev[32];
	/* one transaction: when physical-device fires blkback's watch, the
	 * rest is there */
	const char *ok[] = {"node",
			    i->device,
			    "physical-device-path",
			    i->device,
			    "hotplug-status",
			    "connected",
			    "physical-device",
			    pdev};
	const char *failed[] = {"hotplug-error", err, "hotplug-status", status};

	if (xdd_xs_ready(d) < 0)
		return -1;
	snprintf(dir, sizeof(dir), BACKEND "/vbd/%u/%u", i->domid, i->devid);
	if (err != NULL)
		return put(d, dir, failed, 2);
	snprintf(pdev, sizeof(pdev), "%x:%x", i->major, i->minor);
	/* a block device has no node: the pairs after it */
	return loop ? put(d, dir, ok, 4) : put(d, dir, ok + 2, 3);
}

int
xdd_xs_vbd_exists(struct xdd *d, uint32_t domid, uint32_t devid)
{
	char path[96];
	unsigned len;
	void *v;

	if (xdd_xs_ready(d) < 0)
		return -1;
	snprintf(path, sizeof(path), BACKEND "/vbd/%u/%u", domid, devid);
	v = xs_read(d->xs, XBT_NULL, path, &len);
	if (v != NULL) {
		free(v);
		return 1;
	}
	return errno == ENOENT ? 0 : -1;
}

int
xdd_xs_vbd(struct xdd *d, uint32_t domid, uint32_t devid, struct xdd_vbd *out,
	   char *node, size_t nodelen)
{
	char *script, *params = NULL, *mode = NULL, *loop = NULL;
	char *pdev = NULL;
	int rc = 0;

	if (xdd_xs_ready(d) < 0)
		return -1;
	script = get(d, "vbd", domid, devid, "script");
	if (script == NULL || strcmp(script, XDD_SCRIPT) != 0)
		goto out; /* xl's (block) or gone: not ours */
	pdev = get(d, "vbd", domid, devid, "physical-device");
	if (pdev == NULL)
		goto out; /* never connected: nothing was bound */
	params = get(d, "vbd", domid, devid, "params");
	mode = get(d, "vbd", domid, devid, "mode");
	loop = get(d, "vbd", domid, devid, "node");
	if (params == NULL || params[0] != '/' ||
	    strlen(params) >= XDD_PATH_MAX ||
	    (loop != NULL && strlen(loop) >= nodelen))
		goto out;
	memset(out, 0, sizeof(*out));
	out->kind = loop != NULL ? XDD_VBD_FILE : XDD_VBD_PHY;
	out->flags = XDD_VBD_XENSTORE |
		     (mode != NULL && strchr(mode, 'w') ? 0 : XDD_VBD_RO);
	out->domid = domid;
	out->devid = devid;
	strcpy(out->target, params);
	snprintf(node, nodelen, "%s", loop ? loop : "");
	rc = 1;
out:
	free(script);
	free(params);
	free(mode);
	free(loop);
	free(pdev);
	return rc;
}
