/*
 * xenstore.c: xendevd's side of netback's handshake.  netback holds its
 * vif back from Connected until backend/vif/D/N/hotplug-status reads
 * "connected" (shared/XEN-FACTS.md section 3); that, the frontend's mtu
 * and, on failure, hotplug-error are all xendevd writes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xendevd.h"
#include "xsdom.h"

#define BACKEND "/local/domain/0/backend/vif"

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
 * Write leaf = value under the node fmt(a, b), in one transaction with a
 * check that the node still exists: a report that comes late (the guest
 * was destroyed while its vif was being wired) must not bring back the
 * nodes that chaos removed, since XenStore makes missing parents on a
 * write.  -1 with ENOENT when the node is gone.
 */
static int
put(struct xdd *d, const char *value, const char *fmt, uint32_t a, uint32_t b,
    const char *leaf)
{
	char dir[160], path[192];
	xs_transaction_t t;
	unsigned len, tries;
	void *cur;

	snprintf(dir, sizeof(dir), fmt, a, b);
	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
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
		if (!xs_write(d->xs, t, path, value, strlen(value))) {
			xs_transaction_end(d->xs, t, true);
			return -1;
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
	char num[16];

	if (xdd_xs_ready(d) < 0)
		return -1;
	if (err != NULL) {
		put(d, err, BACKEND "/%u/%u", v->domid, v->devid,
		    "hotplug-error");
		return put(d, "error", BACKEND "/%u/%u", v->domid, v->devid,
			   "hotplug-status");
	}
	/* as vif-bridge: the frontend learns the MTU it got */
	if (v->mtu == 0) {
		snprintf(num, sizeof(num), "%u", mtu);
		put(d, num, "/local/domain/%u/device/vif/%u", v->domid,
		    v->devid, "mtu");
	}
	return put(d, "connected", BACKEND "/%u/%u", v->domid, v->devid,
		   "hotplug-status");
}

/* read BACKEND/D/N/leaf; malloc'd or NULL */
static char *
get(struct xdd *d, uint32_t domid, uint32_t devid, const char *leaf)
{
	char path[160];
	unsigned len;

	snprintf(path, sizeof(path), BACKEND "/%u/%u/%s", domid, devid, leaf);
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
	script = get(d, domid, devid, "script");
	if (script == NULL || strcmp(script, XDD_SCRIPT) != 0)
		goto out; /* xl's (vif-bridge) or gone: not ours */
	online = get(d, domid, devid, "online");
	if (online != NULL && strcmp(online, "0") == 0)
		goto out; /* being detached: leave it alone */
	bridge = get(d, domid, devid, "bridge");
	vifname = get(d, domid, devid, "vifname");
	mtu = get(d, domid, devid, "mtu");
	status = get(d, domid, devid, "hotplug-status");
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
xdd_xs_each_vif(struct xdd *d,
		void (*cb)(struct xdd *d, uint32_t domid, uint32_t devid))
{
	char path[96], **doms, **devs;
	unsigned nd, nv, i, j;
	uint32_t domid, devid;

	if (xdd_xs_ready(d) < 0)
		return;
	doms = xs_directory(d->xs, XBT_NULL, BACKEND, &nd);
	for (i = 0; doms != NULL && i < nd; i++) {
		if (number(doms[i], &domid) < 0)
			continue;
		snprintf(path, sizeof(path), BACKEND "/%u", domid);
		devs = xs_directory(d->xs, XBT_NULL, path, &nv);
		for (j = 0; devs != NULL && j < nv; j++)
			if (number(devs[j], &devid) == 0)
				cb(d, domid, devid);
		free(devs);
	}
	free(doms);
}
