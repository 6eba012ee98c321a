/*
 * vif.c: the interfaces xendevd wires.  An attach names an interface
 * (netback's vif<D>.<N>); when it exists (now, or when a link event says
 * it appeared) it is renamed if asked, made a port of its bridge with its
 * MTU, set up, and netback is told through XenStore.  Link events also
 * bring vifs nobody asked for, whose XenStore backend names xendevd as
 * their script (a request lost to a restart), and say when one is gone.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xendevd.h"

#define DEFAULT_TIMEOUT_MS 10000

static struct vif *
find_name(struct xdd *d, const char *name)
{
	struct vif *v;

	for (v = d->vifs; v != NULL; v = v->next)
		if (strcmp(v->req.ifname, name) == 0 ||
		    (v->state == VIF_WIRED && v->req.vifname[0] &&
		     strcmp(v->req.vifname, name) == 0))
			return v;
	return NULL;
}

int
xdd_vif_named(struct xdd *d, const char *name)
{
	return find_name(d, name) != NULL;
}

static struct vif *
find_index(struct xdd *d, uint32_t ifindex)
{
	struct vif *v;

	for (v = d->vifs; v != NULL; v = v->next)
		if (v->state == VIF_WIRED && v->ifindex == ifindex)
			return v;
	return NULL;
}

static void
drop(struct xdd *d, struct vif *gone)
{
	struct vif **pp;

	for (pp = &d->vifs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == gone) {
			*pp = gone->next;
			d->nvifs--;
			free(gone);
			return;
		}
	}
}

static void
info_of(const struct vif *v, struct xdd_vif_info *i)
{
	memset(i, 0, sizeof(*i));
	i->domid = v->req.domid;
	i->devid = v->req.devid;
	i->ifindex = v->ifindex;
	i->mtu = v->mtu;
	i->flags = v->req.flags;
	snprintf(i->ifname, sizeof(i->ifname), "%s",
		 v->req.vifname[0] ? v->req.vifname : v->req.ifname);
	snprintf(i->bridge, sizeof(i->bridge), "%s", v->req.bridge);
}

/* the attach failed: tell its waiter and netback, forget it */
static void
fail(struct xdd *d, struct vif *v, int err, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %s: %s", v->req.ifname, what,
		 strerror(err));
	log_warn("%s", msg);
	if (v->req.flags & XDD_VIF_XENSTORE)
		xdd_xs_report(d, &v->req, 0, msg);
	ipc_reply(v->waiter, XDD_VIF_ATTACH, v->waiter_id, err, NULL, 0, "%s",
		  msg);
	drop(d, v);
}

/* l: the interface, which exists; v: pending or re-wired */
static void
wire(struct xdd *d, struct vif *v, const struct xdd_link *l)
{
	struct xdd_link br, now = *l;
	struct xdd_vif_info info;
	char what[64];

	if (xdd_nl_get(d->nl, v->req.bridge, 0, &br) < 0) {
		snprintf(what, sizeof(what), "bridge %s", v->req.bridge);
		fail(d, v, errno, what);
		return;
	}
	if (strcmp(br.kind, "bridge") != 0) {
		snprintf(what, sizeof(what), "%s is not a bridge",
			 v->req.bridge);
		fail(d, v, EINVAL, what);
		return;
	}
	if (v->req.vifname[0] && strcmp(now.name, v->req.vifname) != 0) {
		/* a link is renamed only while down */
		if (((now.flags & IFF_UP) &&
		     xdd_nl_unwire(d->nl, now.ifindex) < 0) ||
		    xdd_nl_rename(d->nl, now.ifindex, v->req.vifname) < 0) {
			snprintf(what, sizeof(what), "rename to %s",
				 v->req.vifname);
			fail(d, v, errno, what);
			return;
		}
	}
	v->mtu = v->req.mtu ? v->req.mtu : br.mtu;
	if (xdd_nl_wire(d->nl, now.ifindex, br.ifindex, v->mtu) < 0) {
		snprintf(what, sizeof(what), "into %s", v->req.bridge);
		fail(d, v, errno, what);
		return;
	}
	if ((v->req.flags & XDD_VIF_XENSTORE) &&
	    xdd_xs_report(d, &v->req, v->mtu, NULL) < 0) {
		fail(d, v, errno, "hotplug-status");
		return;
	}
	v->state = VIF_WIRED;
	v->ifindex = now.ifindex;
	log_info("%s%s%s: port of %s, mtu %u, up", v->req.ifname,
		 v->req.vifname[0] ? " as " : "", v->req.vifname, v->req.bridge,
		 v->mtu);
	info_of(v, &info);
	ipc_reply(v->waiter, XDD_VIF_ATTACH, v->waiter_id, 0, &info,
		  sizeof(info), NULL);
	v->waiter = NULL;
}

static struct vif *
add(struct xdd *d, const struct xdd_vif *req)
{
	struct vif *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->req = *req;
	if (v->req.ifname[0] == '\0')
		snprintf(v->req.ifname, sizeof(v->req.ifname), "vif%u.%u",
			 req->domid, req->devid);
	v->state = VIF_PENDING;
	v->next = d->vifs;
	d->vifs = v;
	d->nvifs++;
	return v;
}

/* the attaches client c waits for */
static unsigned
waits_of(struct xdd *d, const struct ipc_client *c)
{
	struct vif *v;
	unsigned n = 0;

	for (v = d->vifs; v != NULL; v = v->next)
		n += v->state == VIF_PENDING && v->waiter == c;
	return n;
}

void
xdd_vif_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
	       const struct xdd_vif *req)
{
	struct xdd_vif_info info;
	struct xdd_link l;
	struct vif *v, *old;
	char name[XDD_NAME_MAX];
	int e;
	uint32_t t = req->timeout_ms ? req->timeout_ms : DEFAULT_TIMEOUT_MS;

	/* names, backend kind, flags, MTU and timeout: xdd_msg_parse */
	if (req->backend == XDD_BE_NOXS) {
		xdd_nb_attach(d, c, id, req);
		return;
	}
	if (waits_of(d, c) >= XDD_WAITS_MAX) {
		ipc_reply(c, XDD_VIF_ATTACH, id, EAGAIN, NULL, 0,
			  "%d attaches of this connection wait already",
			  XDD_WAITS_MAX);
		return;
	}
	if ((req->flags & XDD_VIF_XENSTORE) && xdd_xs_ready(d) < 0) {
		ipc_reply(c, XDD_VIF_ATTACH, id, errno, NULL, 0,
			  "XenStore is not available: %s", strerror(errno));
		return;
	}
	if (req->ifname[0])
		snprintf(name, sizeof(name), "%s", req->ifname);
	else
		snprintf(name, sizeof(name), "vif%u.%u", req->domid,
			 req->devid);
	if (xdd_nb_owns(d, name, 0) ||
	    (req->vifname[0] && xdd_nb_owns(d, req->vifname, 0))) {
		ipc_reply(c, XDD_VIF_ATTACH, id, EBUSY, NULL, 0,
			  "%s: the name is a noxs vif's", name);
		return;
	}
	old = find_name(d, name);
	if (old == NULL && req->vifname[0])
		old = find_name(d, req->vifname);
	if (old != NULL && old->state == VIF_WIRED &&
	    strcmp(old->req.bridge, req->bridge) == 0 &&
	    strcmp(old->req.ifname, name) == 0) {
		/* already done (found by its link event first) */
		info_of(old, &info);
		ipc_reply(c, XDD_VIF_ATTACH, id, 0, &info, sizeof(info), NULL);
		return;
	}
	if (old != NULL) {
		ipc_reply(c, XDD_VIF_ATTACH, id, EBUSY, NULL, 0,
			  "%s: already %s", old->req.ifname,
			  old->state == VIF_WIRED ? "wired elsewhere"
						  : "waited for");
		return;
	}
	/* a missing bridge fails now, not when the interface appears */
	e = xdd_nl_get(d->nl, req->bridge, 0, &l) < 0 ? errno
	    : strcmp(l.kind, "bridge") != 0	      ? EINVAL
						      : 0;
	if (e != 0) {
		ipc_reply(c, XDD_VIF_ATTACH, id, e, NULL, 0,
			  "%s: bridge %s: %s", name, req->bridge,
			  e == EINVAL ? "not a bridge" : strerror(e));
		return;
	}
	v = add(d, req);
	if (v == NULL) {
		ipc_reply(c, XDD_VIF_ATTACH, id, ENOMEM, NULL, 0, "no memory");
		return;
	}
	v->waiter = c;
	v->waiter_id = id;
	v->deadline_ms = clk_now_ms() + t;
	if (xdd_nl_get(d->nl, v->req.ifname, 0, &l) == 0)
		wire(d, v, &l);
	else if (errno != ENODEV)
		fail(d, v, errno, "look-up");
	/* else: its link event will come */
}

static struct vif *
find_ids(struct xdd *d, uint32_t domid, uint32_t devid)
{
	struct vif *v;

	for (v = d->vifs; v != NULL; v = v->next)
		if ((v->req.flags & XDD_VIF_XENSTORE) &&
		    v->req.domid == domid && v->req.devid == devid)
			return v;
	return NULL;
}

void
xdd_vif_detach(struct xdd *d, struct ipc_client *c, uint32_t id,
	       const struct xdd_vif *req)
{
	char name[XDD_NAME_MAX];
	struct xdd_link l;
	struct vif *v;
	int rc;

	if (req->backend == XDD_BE_NOXS) {
		xdd_nb_detach(d, c, id, req);
		return;
	}
	if (req->ifname[0])
		snprintf(name, sizeof(name), "%s", req->ifname);
	else
		snprintf(name, sizeof(name), "vif%u.%u", req->domid,
			 req->devid);
	/* by its ids when it has them: a vifname may or may not have been
	 * applied */
	v = req->ifname[0] == '\0' && (req->flags & XDD_VIF_XENSTORE)
		    ? find_ids(d, req->domid, req->devid)
		    : find_name(d, name);
	if (v != NULL && v->state == VIF_PENDING) {
		ipc_reply(v->waiter, XDD_VIF_ATTACH, v->waiter_id, ECANCELED,
			  NULL, 0, "%s: detached before it appeared", name);
		drop(d, v);
		ipc_reply(c, XDD_VIF_DETACH, id, 0, NULL, 0, NULL);
		return;
	}
	if (v != NULL) {
		rc = xdd_nl_get(d->nl, NULL, v->ifindex, &l);
		if (rc == 0)
			rc = xdd_nl_unwire(d->nl, l.ifindex);
		log_info("%s: detached", v->req.ifname);
		drop(d, v);
		/* gone already is as good as detached */
		rc = rc < 0 && errno == ENODEV ? 0 : rc;
	} else if (xdd_nl_get(d->nl, name, 0, &l) < 0) {
		rc = -1;
	} else if (l.master == 0 || strcmp(l.kind, "bridge") == 0) {
		/* not a port (a bridge, say): nothing of ours to undo */
		ipc_reply(c, XDD_VIF_DETACH, id, EINVAL, NULL, 0,
			  "%s is not a bridge port", name);
		return;
	} else {
		/* a port xendevd forgot (a restart without XenStore) */
		rc = xdd_nl_unwire(d->nl, l.ifindex);
		if (rc == 0)
			log_info("%s: detached", name);
	}
	if (rc < 0)
		ipc_reply(c, XDD_VIF_DETACH, id, errno, NULL, 0, "%s: %s", name,
			  strerror(errno));
	else
		ipc_reply(c, XDD_VIF_DETACH, id, 0, NULL, 0, NULL);
}

void
xdd_vif_list(struct xdd *d, struct ipc_client *c, uint32_t id, uint32_t offset)
{
	static uint8_t buf[sizeof(struct xdd_list_reply) +
			   XDD_LIST_MAX * sizeof(struct xdd_vif_info)];
	struct xdd_list_reply *r = (struct xdd_list_reply *)buf;
	struct xdd_vif_info info;
	struct vif *v;
	uint32_t i = 0;

	r->total = 0;
	r->count = 0;
	for (v = d->vifs; v != NULL; v = v->next) {
		if (v->state != VIF_WIRED)
			continue;
		if (i++ >= offset && r->count < XDD_LIST_MAX) {
			info_of(v, &info);
			memcpy(&r->vif[r->count++], &info, sizeof(info));
		}
		r->total++;
	}
	r->count += (uint32_t)xdd_nb_list(d, &i, offset, &r->vif[r->count],
					  XDD_LIST_MAX - r->count);
	r->total = i;
	ipc_reply(c, XDD_VIF_LIST, id, 0, r,
		  (uint32_t)(sizeof(*r) + r->count * sizeof(info)), NULL);
}

static int
vif_name(const char *name, uint32_t *domid, uint32_t *devid)
{
	unsigned a, b;
	int n = 0;

	if (sscanf(name, "vif%u.%u%n", &a, &b, &n) != 2 || name[n] != '\0')
		return -1;
	*domid = a;
	*devid = b;
	return 0;
}

/* A vif nobody asked for: take it when XenStore says it is ours. */
static void
adopt(struct xdd *d, uint32_t domid, uint32_t devid)
{
	struct xdd_vif req;
	struct xdd_link l, br;
	struct vif *v;
	char name[XDD_NAME_MAX];
	int st;

	st = xdd_xs_vif(d, domid, devid, &req);
	if (st <= 0)
		return;
	snprintf(name, sizeof(name), "vif%u.%u", domid, devid);
	if (find_name(d, name) != NULL ||
	    (req.vifname[0] && find_name(d, req.vifname) != NULL))
		return;
	if (xdd_nl_get(d->nl, name, 0, &l) < 0 &&
	    (req.vifname[0] == '\0' ||
	     xdd_nl_get(d->nl, req.vifname, 0, &l) < 0))
		return; /* not there yet: its link event will bring it */
	v = add(d, &req);
	if (v == NULL)
		return;
	if (st == 2 && l.master != 0 &&
	    xdd_nl_get(d->nl, NULL, l.master, &br) == 0 &&
	    strcmp(br.name, req.bridge) == 0) {
		/* wired before a restart: just remember it */
		v->state = VIF_WIRED;
		v->ifindex = l.ifindex;
		v->mtu = l.mtu;
		log_info("%s: found wired into %s", name, req.bridge);
		return;
	}
	log_info("%s: found, not yet wired", name);
	wire(d, v, &l);
}

void
xdd_vif_event(enum xdd_nl_event ev, const struct xdd_link *l, void *arg)
{
	struct xdd *d = arg;
	struct vif *v;
	uint32_t domid, devid;

	if (ev == XDD_NL_DEL) {
		v = find_index(d, l->ifindex);
		if (v != NULL) {
			log_info("%s: gone", l->name);
			drop(d, v);
		}
		return;
	}
	if (find_index(d, l->ifindex) != NULL ||
	    xdd_nb_owns(d, l->name, l->ifindex))
		return; /* ours, changed (by us, mostly), or a noxs vif's */
	v = find_name(d, l->name);
	if (v != NULL && v->state == VIF_PENDING) {
		wire(d, v, l);
		return;
	}
	if (v == NULL && d->use_xs && vif_name(l->name, &domid, &devid) == 0)
		adopt(d, domid, devid);
}

static int
rescan_link(const struct xdd_link *l, void *arg)
{
	struct xdd *d = arg;
	struct xdd_vif req = {.backend = XDD_BE_NETBACK};
	struct xdd_link br;
	struct vif *v;

	v = find_name(d, l->name);
	if (v != NULL) {
		if (v->state == VIF_PENDING)
			wire(d, v, l);
		return 0;
	}
	if (xdd_nb_owns(d, l->name, l->ifindex))
		return 0;
	/* without XenStore: a vif<D>.<N> port of a bridge was ours */
	if (d->use_xs || l->master == 0 ||
	    vif_name(l->name, &req.domid, &req.devid) < 0 ||
	    xdd_nl_get(d->nl, NULL, l->master, &br) < 0 ||
	    strcmp(br.kind, "bridge") != 0)
		return 0;
	snprintf(req.ifname, sizeof(req.ifname), "%s", l->name);
	snprintf(req.bridge, sizeof(req.bridge), "%s", br.name);
	v = add(d, &req);
	if (v != NULL) {
		v->state = VIF_WIRED;
		v->ifindex = l->ifindex;
		v->mtu = l->mtu;
		log_info("%s: found wired into %s", l->name, br.name);
	}
	return 0;
}

void
xdd_vif_rescan(struct xdd *d)
{
	struct vif *v, *next;
	struct xdd_link l;

	/* the wired ones that vanished while we did not listen */
	for (v = d->vifs; v != NULL; v = next) {
		next = v->next;
		if (v->state == VIF_WIRED &&
		    xdd_nl_get(d->nl, NULL, v->ifindex, &l) < 0 &&
		    errno == ENODEV) {
			log_info("%s: gone", v->req.ifname);
			drop(d, v);
		}
	}
	if (d->use_xs)
		xdd_xs_each(d, "vif", adopt);
	if (xdd_nl_dump(d->nl, rescan_link, d) < 0)
		log_warn("listing interfaces: %s", strerror(errno));
}

int
xdd_vif_expire(struct xdd *d)
{
	struct vif *v, *next;
	int64_t now = clk_now_ms(), left, soonest = -1;

	for (v = d->vifs; v != NULL; v = next) {
		next = v->next;
		if (v->state != VIF_PENDING)
			continue;
		left = v->deadline_ms - now;
		if (left <= 0) {
			fail(d, v, ETIMEDOUT, "did not appear in time");
			continue;
		}
		if (soonest < 0 || left < soonest)
			soonest = left;
	}
	return (int)soonest;
}

void
xdd_vif_client_gone(struct xdd *d, struct ipc_client *c)
{
	struct vif *v, *next;

	for (v = d->vifs; v != NULL; v = next) {
		next = v->next;
		if (v->waiter != c)
			continue;
		v->waiter = NULL;
		/* nobody waits for it: a XenStore vif is still found when it
		 * appears (adopt); a named one is dropped */
		if (v->state == VIF_PENDING)
			drop(d, v);
	}
}

void
xdd_vif_forget_all(struct xdd *d)
{
	while (d->vifs != NULL)
		drop(d, d->vifs);
}
