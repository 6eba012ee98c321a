/*
 * nbvif.c: xendevd's user-space netback for noxs vifs (XDD_BE_NOXS,
 * docs/noxs.md section 8, docs/xendevd.8).  An attach makes a TAP
 * (named as netback names its interfaces, MAC fe:ff:ff:ff:ff:ff as
 * netback's), wires it into the bridge as a netback vif is wired, maps
 * the guest's device page and binds the vif's channel.  When the
 * frontend has connected (read when bound, on its events and every
 * SWEEP_MS) the block is copied and checked, both rings mapped, and
 * be_state set CONNECTED; then the rings are served (netback.c) between
 * the channel and the TAP.  A guest that breaks the protocol gets
 * be_state CLOSED and is served no more; its TAP stays, carrier off,
 * until its domain goes.  A domain that is gone, dying or shut down
 * (not suspended) takes its vif with it: rings and page unmapped,
 * channel unbound, TAP closed (the interface disappears).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"
#include "netback.h"
#include "noxs.h"
#include "registry.h"
#include "xendevd.h"

#define SWEEP_MS   200
#define TX_ROUNDS  8  /* batches per turn and vif before the others */
#define RX_FRAMES  32 /* frames read from a TAP per turn */
#define RX_BUFSIZE 2048

enum nb_state {
	NB_WAITING,   /* bound; the frontend has not connected */
	NB_CONNECTED, /* rings mapped and served */
	NB_CLOSING,   /* a detach asked the frontend to close: not served */
	NB_CLOSED,    /* given up on: nothing served; the TAP stays */
};

struct nbvif {
	struct nbvif *next;
	struct xdd_vif req; /* validated; ifname filled, mtu set */
	uint8_t uuid[16];   /* the domain's, when it was attached */
	enum nb_state state;
	volatile uint8_t *page; /* the device page; NULL once closed */
	uint32_t local;		/* our end of the channel */
	int bound;
	void *txp, *rxp; /* the rings (grant maps) */
	struct xdd_nb nb;
	int tapfd;
	uint32_t ifindex;
	int more; /* TX requests left for the next turn */
	/* NB_CLOSING: who waits for the detach's answer (NULL: nobody any
	 * more), and when the frontend's time is up */
	struct ipc_client *waiter;
	uint32_t waiter_id;
	int64_t deadline_ms;
};

static const uint8_t tap_mac[6] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct nbvif *
find_ids(struct xdd *d, uint32_t domid, uint32_t devid)
{
	struct nbvif *v;

	for (v = d->nbvifs; v != NULL; v = v->next)
		if (v->req.domid == domid && v->req.devid == devid)
			return v;
	return NULL;
}

int
xdd_nb_owns(struct xdd *d, const char *name, uint32_t ifindex)
{
	struct nbvif *v;

	for (v = d->nbvifs; v != NULL; v = v->next)
		if ((ifindex != 0 && v->ifindex == ifindex) ||
		    (name != NULL && strcmp(v->req.ifname, name) == 0))
			return 1;
	return 0;
}

static volatile struct noxs_vif_ctrl *
ctrl_of(struct nbvif *v)
{
	return (volatile struct noxs_vif_ctrl *)(v->page + v->req.ctrl_offset);
}

static void
unmap_rings(struct xdd *d, struct nbvif *v)
{
	if (v->txp != NULL)
		hv_unmap(d->hv, v->txp, 1);
	if (v->rxp != NULL)
		hv_unmap(d->hv, v->rxp, 1);
	v->txp = v->rxp = NULL;
}

/* everything of v but its TAP */
static void
release(struct xdd *d, struct nbvif *v)
{
	unmap_rings(d, v);
	if (v->bound)
		hv_evtchn_unbind(d->hv, v->local);
	v->bound = 0;
	if (v->page != NULL)
		hv_unmap(d->hv, (void *)v->page, 0);
	v->page = NULL;
}

static void
drop(struct xdd *d, struct nbvif *gone, const char *why)
{
	struct nbvif **pp;

	for (pp = &d->nbvifs; *pp != NULL && *pp != gone; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;
	*pp = gone->next;
	d->nnbvifs--;
	release(d, gone);
	if (gone->tapfd >= 0)
		close(gone->tapfd); /* the interface goes with it */
	if (gone->waiter != NULL)   /* a detach that waited: it is done */
		ipc_reply(gone->waiter, XDD_VIF_DETACH, gone->waiter_id, 0,
			  NULL, 0, NULL);
	log_info("%s: noxs vif of domain %u: %s (tx %llu ok %llu bad, rx "
		 "%llu ok %llu dropped)",
		 gone->req.ifname, gone->req.domid, why,
		 (unsigned long long)gone->nb.tx_ok,
		 (unsigned long long)gone->nb.tx_err,
		 (unsigned long long)gone->nb.rx_ok,
		 (unsigned long long)gone->nb.rx_drop);
	free(gone);
}

/* the guest broke the protocol (or left): serve it no more */
static void
give_up(struct xdd *d, struct nbvif *v, const char *why)
{
	int off = 0;

	if (v->state == NB_CLOSED)
		return;
	log_warn("%s: noxs vif of domain %u: %s; closed", v->req.ifname,
		 v->req.domid, why);
	unmap_rings(d, v);
	if (v->page != NULL)
		noxs_vif_be_set_state(ctrl_of(v), NOXS_STATE_CLOSED);
	if (v->bound)
		hv_evtchn_notify(d->hv, v->local);
	release(d, v);
	ioctl(v->tapfd, TUNSETCARRIER, &off); /* as netback: carrier off */
	v->state = NB_CLOSED;
}

/* a detach that waits no more: the frontend told CLOSED (unless the vif
 * is closed already), then the vif goes */
static void
close_now(struct xdd *d, struct nbvif *v, const char *why)
{
	if (v->state != NB_CLOSED) {
		unmap_rings(d, v);
		if (v->page != NULL)
			noxs_vif_be_set_state(ctrl_of(v), NOXS_STATE_CLOSED);
		if (v->bound)
			hv_evtchn_notify(d->hv, v->local);
	}
	drop(d, v, why);
}

/* the ops' argument: the daemon and the vif */
struct ops_arg {
	struct xdd *d;
	struct nbvif *v;
};

static int
op_copy(void *arg, struct hv_gcopy *segs, size_t n)
{
	struct ops_arg *a = arg;

	return hv_grant_copy(a->d->hv, a->v->req.domid, segs, n);
}

static void
op_send(void *arg, const uint8_t *frame, size_t len)
{
	struct ops_arg *a = arg;

	/* a TAP that cannot take it now drops it, as a full queue would */
	if (write(a->v->tapfd, frame, len) < 0 && errno != EAGAIN)
		log_warn("%s: write: %s", a->v->req.ifname, strerror(errno));
}

static const struct xdd_nb_ops ops = {.copy = op_copy, .send = op_send};

/* the guest's TX requests, a few batches' worth */
static void
serve_tx(struct xdd *d, struct nbvif *v)
{
	struct ops_arg a = {d, v};
	int notify = 0, rc;

	rc = xdd_nb_tx(&v->nb, &ops, &a, TX_ROUNDS, &notify);
	if (notify)
		hv_evtchn_notify(d->hv, v->local);
	if (rc < 0) {
		give_up(d, v, v->nb.why);
		return;
	}
	v->more = rc == 1;
}

/*
 * Read the block: once the frontend has connected, check what it wrote,
 * map its rings and connect.  A restarted xendevd finds both sides
 * connected already and takes the rings from where they are.
 */
static void
try_connect(struct xdd *d, struct nbvif *v)
{
	struct noxs_vif_ctrl c;

	if (noxs_vif_be_read(ctrl_of(v), &c) < 0) {
		give_up(d, v, "malformed control block");
		return;
	}
	if (c.fe_state == NOXS_STATE_CLOSING ||
	    c.fe_state == NOXS_STATE_CLOSED) {
		give_up(d, v, "the frontend closed it");
		return;
	}
	if (c.fe_state != NOXS_STATE_CONNECTED)
		return;
	v->txp = hv_map_grant(d->hv, v->req.domid, c.tx_ring_ref);
	v->rxp = v->txp ? hv_map_grant(d->hv, v->req.domid, c.rx_ring_ref)
			: NULL;
	if (v->rxp == NULL) {
		char why[96];

		snprintf(why, sizeof(why), "cannot map its rings (%u, %u): %s",
			 c.tx_ring_ref, c.rx_ring_ref, strerror(errno));
		give_up(d, v, why);
		return;
	}
	if (xdd_nb_init(&v->nb, v->txp, v->rxp, v->req.mtu) < 0) {
		give_up(d, v, v->nb.why);
		return;
	}
	noxs_vif_be_set_state(ctrl_of(v), NOXS_STATE_CONNECTED);
	hv_evtchn_notify(d->hv, v->local);
	v->state = NB_CONNECTED;
	log_info("%s: noxs vif of domain %u connected (rings %u, %u)",
		 v->req.ifname, v->req.domid, c.tx_ring_ref, c.rx_ring_ref);
	serve_tx(d, v);
}

/* the channel fired, or it is time to look */
static void
kick(struct xdd *d, struct nbvif *v)
{
	const volatile struct noxs_vif_ctrl *k;
	uint32_t fe;

	if (v->state == NB_WAITING) {
		try_connect(d, v);
		return;
	}
	if (v->state == NB_CLOSING) {
		if (ctrl_of(v)->fe_state == NOXS_STATE_CLOSED) /* one read */
			drop(d, v, "detached (the frontend closed it)");
		return;
	}
	if (v->state != NB_CONNECTED)
		return;
	k = ctrl_of(v);
	fe = k->fe_state; /* one read */
	if (fe != NOXS_STATE_CONNECTED) {
		give_up(d, v,
			fe == NOXS_STATE_CLOSING || fe == NOXS_STATE_CLOSED
				? "the frontend closed it"
				: "the frontend left the connected state");
		return;
	}
	serve_tx(d, v);
}

int
xdd_nb_event(struct xdd *d, uint32_t local)
{
	struct nbvif *v;

	for (v = d->nbvifs; v != NULL; v = v->next)
		if (v->bound && v->local == local) {
			kick(d, v);
			return 1;
		}
	return 0;
}

void
xdd_nb_kick_all(struct xdd *d)
{
	struct nbvif *v;

	for (v = d->nbvifs; v != NULL; v = v->next)
		kick(d, v);
}

/* A TAP named name, non-blocking, MAC fe:ff:ff:ff:ff:ff; its fd or -1. */
static int
tap_open(const char *name)
{
	struct ifreq ifr;
	int fd, e;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	memset(&ifr.ifr_hwaddr, 0, sizeof(ifr.ifr_hwaddr));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, tap_mac, 6);
	if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/*
 * The TAP, wired into its bridge; the device page mapped and the channel
 * bound; the block read once.  0, or an errno value and why (nothing of
 * it is left).
 */
static int
take(struct xdd *d, const struct xdd_vif *req, char *why, size_t len)
{
	struct xdd_link l, br;
	struct hv_dominfo di;
	struct nbvif *v;
	int e;

	e = xdd_nl_get(d->nl, req->bridge, 0, &br) < 0 ? errno
	    : strcmp(br.kind, "bridge") != 0	       ? EINVAL
						       : 0;
	if (e != 0) {
		snprintf(why, len, "bridge %s: %s", req->bridge,
			 e == EINVAL ? "not a bridge" : strerror(e));
		return e;
	}
	if (xdd_nl_get(d->nl, req->ifname, 0, &l) == 0) {
		snprintf(why, len, "an interface %s exists already",
			 req->ifname);
		return EEXIST;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		snprintf(why, len, "no memory");
		return ENOMEM;
	}
	v->req = *req;
	v->tapfd = tap_open(req->ifname);
	if (v->tapfd < 0) {
		e = errno;
		snprintf(why, len, "TAP: %s", strerror(e));
		free(v);
		return e;
	}
	if (xdd_nl_get(d->nl, req->ifname, 0, &l) < 0 ||
	    xdd_nl_wire(d->nl, l.ifindex, br.ifindex, req->mtu) < 0) {
		e = errno;
		snprintf(why, len, "into %s: %s", req->bridge, strerror(e));
		goto fail;
	}
	v->ifindex = l.ifindex;
	if (xdd_hv_ready(d) < 0) {
		e = errno;
		snprintf(why, len, "no hypervisor: %s", strerror(e));
		goto fail;
	}
	if (hv_domain_info(d->hv, req->domid, &di) < 0 || xdd_finished(&di)) {
		snprintf(why, len, "domain %u is gone or shut down",
			 req->domid);
		e = ESRCH;
		goto fail;
	}
	memcpy(v->uuid, di.uuid, 16);
	v->page = hv_map_frame(d->hv, req->domid, req->frame);
	if (v->page == NULL) {
		e = errno;
		snprintf(why, len, "cannot map the device page: %s",
			 strerror(e));
		goto fail;
	}
	if (hv_evtchn_bind(d->hv, req->domid, req->port, &v->local) < 0) {
		e = errno;
		snprintf(why, len, "event channel %u: %s", req->port,
			 strerror(e));
		goto fail;
	}
	v->bound = 1;
	v->state = NB_WAITING;
	v->next = d->nbvifs;
	d->nbvifs = v;
	d->nnbvifs++;
	try_connect(d, v); /* the guest may have connected already */
	return 0;
fail:
	release(d, v);
	close(v->tapfd);
	free(v);
	return e;
}

static void
info_of(const struct nbvif *v, struct xdd_vif_info *i)
{
	memset(i, 0, sizeof(*i));
	i->domid = v->req.domid;
	i->devid = v->req.devid;
	i->ifindex = v->ifindex;
	i->mtu = v->req.mtu;
	snprintf(i->ifname, sizeof(i->ifname), "%s", v->req.ifname);
	snprintf(i->bridge, sizeof(i->bridge), "%s", v->req.bridge);
}

/* the request as served: its TAP's name and MTU filled in */
static void
complete(const struct xdd_vif *in, struct xdd_vif *out)
{
	*out = *in;
	if (out->ifname[0] == '\0' && out->vifname[0] != '\0')
		snprintf(out->ifname, sizeof(out->ifname), "%s", in->vifname);
	else if (out->ifname[0] == '\0')
		snprintf(out->ifname, sizeof(out->ifname), "vif%u.%u",
			 in->domid, in->devid);
	if (out->mtu == 0)
		out->mtu = 1500;
}

void
xdd_nb_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
	      const struct xdd_vif *in)
{
	struct xdd_vif_info info;
	struct xdd_vif req;
	struct nbvif *v;
	char why[160];
	int err;

	complete(in, &req);
	v = find_ids(d, req.domid, req.devid);
	if (v != NULL) {
		/* asked again (a client that retried): the same is done */
		if (v->req.frame == req.frame &&
		    v->req.ctrl_offset == req.ctrl_offset &&
		    v->req.port == req.port &&
		    strcmp(v->req.ifname, req.ifname) == 0 &&
		    strcmp(v->req.bridge, req.bridge) == 0) {
			info_of(v, &info);
			ipc_reply(c, XDD_VIF_ATTACH, id, 0, &info, sizeof(info),
				  NULL);
		} else {
			ipc_reply(c, XDD_VIF_ATTACH, id, EBUSY, NULL, 0,
				  "%s: domain %u's vif %u is served already",
				  req.ifname, req.domid, req.devid);
		}
		return;
	}
	if (xdd_nb_owns(d, req.ifname, 0) || xdd_vif_named(d, req.ifname)) {
		ipc_reply(c, XDD_VIF_ATTACH, id, EBUSY, NULL, 0,
			  "%s: the name is taken by another vif", req.ifname);
		return;
	}
	err = take(d, &req, why, sizeof(why));
	if (err != 0) {
		log_warn("%s: noxs vif of domain %u: %s", req.ifname, req.domid,
			 why);
		ipc_reply(c, XDD_VIF_ATTACH, id, err, NULL, 0, "%s: %s",
			  req.ifname, why);
		return;
	}
	v = find_ids(d, req.domid, req.devid);
	log_info("%s: noxs vif %u of domain %u: port of %s, mtu %u, up",
		 req.ifname, req.devid, req.domid, req.bridge, req.mtu);
	info_of(v, &info);
	ipc_reply(c, XDD_VIF_ATTACH, id, 0, &info, sizeof(info), NULL);
}

/*
 * A detach with a timeout asks a connected frontend to close first, as
 * netback does through XenStore: be_state CLOSING, and the answer waits
 * for fe_state CLOSED (the guest stopped using its rings), or the time.
 * Without a timeout (a destroy), or when the frontend never connected,
 * the vif goes at once.
 */
void
xdd_nb_detach(struct xdd *d, struct ipc_client *c, uint32_t id,
	      const struct xdd_vif *req)
{
	struct nbvif *v = find_ids(d, req->domid, req->devid);

	if (v == NULL) {
		ipc_reply(c, XDD_VIF_DETACH, id, ENOENT, NULL, 0,
			  "domain %u has no noxs vif %u served here",
			  req->domid, req->devid);
		return;
	}
	if (v->state == NB_CLOSING && req->timeout_ms != 0) {
		ipc_reply(c, XDD_VIF_DETACH, id, EALREADY, NULL, 0,
			  "%s: a detach is waiting for its frontend already",
			  v->req.ifname);
		return;
	}
	if (v->state == NB_CONNECTED && req->timeout_ms != 0) {
		unmap_rings(d, v);
		noxs_vif_be_set_state(ctrl_of(v), NOXS_STATE_CLOSING);
		hv_evtchn_notify(d->hv, v->local);
		v->state = NB_CLOSING;
		v->waiter = c;
		v->waiter_id = id;
		v->deadline_ms = clk_now_ms() + req->timeout_ms;
		ioctl(v->tapfd, TUNSETCARRIER, &(int){0});
		log_info("%s: noxs vif of domain %u: asked its frontend to "
			 "close",
			 v->req.ifname, v->req.domid);
		kick(d, v);
		return;
	}
	close_now(d, v, "detached");
	ipc_reply(c, XDD_VIF_DETACH, id, 0, NULL, 0, NULL);
}

size_t
xdd_nb_list(struct xdd *d, uint32_t *seen, uint32_t offset,
	    struct xdd_vif_info *out, size_t room)
{
	struct nbvif *v;
	size_t n = 0;

	for (v = d->nbvifs; v != NULL; v = v->next) {
		if ((*seen)++ >= offset && n < room)
			info_of(v, &out[n++]);
	}
	return n;
}

size_t
xdd_nb_pollfds(struct xdd *d, struct pollfd *p, int *timeout)
{
	struct nbvif *v;
	size_t n = 0;

	for (v = d->nbvifs; v != NULL; v = v->next) {
		/* only a connected vif reads its TAP: the kernel's queue
		 * drops what comes before */
		p[n].fd = v->state == NB_CONNECTED ? v->tapfd : -1;
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
		if (v->more)
			*timeout = 0;
	}
	return n;
}

/* frames from the TAP into the guest's RX buffers */
static void
serve_rx(struct xdd *d, struct nbvif *v)
{
	static uint8_t buf[RX_FRAMES][RX_BUFSIZE];
	static uint8_t *frames[RX_FRAMES];
	size_t lens[RX_FRAMES], n;
	struct ops_arg a = {d, v};
	ssize_t r;
	int notify = 0;

	for (n = 0; n < RX_FRAMES; n++) {
		frames[n] = buf[n];
		r = read(v->tapfd, buf[n], RX_BUFSIZE);
		if (r < 0)
			break;
		lens[n] = (size_t)r; /* a longer frame than the buffer is cut
				      * to it and dropped as too long */
	}
	if (n == 0)
		return;
	if (xdd_nb_rx(&v->nb, &ops, &a, frames, lens, n, &notify) < 0) {
		give_up(d, v, v->nb.why);
		return;
	}
	if (notify)
		hv_evtchn_notify(d->hv, v->local);
}

void
xdd_nb_serve(struct xdd *d, const struct pollfd *p, size_t n)
{
	struct nbvif *v, *next;
	size_t i = 0;

	/* the list as xdd_nb_pollfds saw it: nothing is added or removed
	 * here but by give_up, which keeps the vif in place */
	for (v = d->nbvifs; v != NULL && i < n; v = next, i++) {
		next = v->next;
		if (v->state == NB_CONNECTED && v->more)
			serve_tx(d, v);
		if (v->state == NB_CONNECTED && (p[i].revents & POLLIN))
			serve_rx(d, v);
	}
}

/* a detach's frontend did not close in time: the vif goes anyway */
static void
time_up(struct xdd *d, struct nbvif *v)
{
	if (v->waiter != NULL)
		ipc_reply(v->waiter, XDD_VIF_DETACH, v->waiter_id, ETIMEDOUT,
			  NULL, 0,
			  "%s: the guest did not close its vif in time; "
			  "removed anyway",
			  v->req.ifname);
	v->waiter = NULL;
	close_now(d, v, "detached (its frontend did not close in time)");
}

/* the domains that are gone let go of their vifs; the others looked at */
static void
sweep(struct xdd *d)
{
	struct hv_dominfo di;
	struct nbvif *v, *next;

	for (v = d->nbvifs; v != NULL; v = next) {
		next = v->next;
		if (hv_domain_info(d->hv, v->req.domid, &di) < 0) {
			if (errno == ESRCH)
				drop(d, v, "domain gone");
			continue;
		}
		if (memcmp(di.uuid, v->uuid, 16) != 0)
			drop(d, v, "domain gone");
		else if (v->state == NB_CLOSING &&
			 clk_now_ms() >= v->deadline_ms)
			time_up(d, v);
		else if (xdd_finished(&di))
			drop(d, v,
			     di.flags & HV_DYING ? "domain dying"
						 : "domain shut down");
		else
			kick(d, v); /* an event may have been lost */
	}
}

int
xdd_nb_reap(struct xdd *d)
{
	int64_t now = clk_now_ms();

	if (d->nbvifs == NULL)
		return -1;
	if (now >= d->nb_sweep_ms) {
		sweep(d);
		d->nb_sweep_ms = now + SWEEP_MS;
	}
	return (int)(d->nb_sweep_ms - now);
}

void
xdd_nb_adopt(struct xdd *d)
{
	struct xdd_vif req;
	struct hv_dominfo di;
	struct reg_record r;
	uint32_t *ids;
	size_t n, i;
	unsigned k;
	char why[160];

	if (xdd_hv_ready(d) < 0 || reg_record_list(&ids, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (reg_record_read(ids[i], &r) < 0)
			continue;
		/* chaos's record, of this very domain, still running */
		if (r.noxs && r.nvifs > 0 &&
		    hv_domain_info(d->hv, r.domid, &di) == 0 &&
		    memcmp(di.uuid, r.uuid, 16) == 0 && !xdd_finished(&di)) {
			for (k = 0; k < r.nvifs; k++) {
				struct xdd_vif in = {
					.backend = XDD_BE_NOXS,
					.domid = r.domid,
					.devid = r.vifs[k].devid,
					.mtu = r.vifs[k].mtu,
					.frame = r.devpage_mfn,
					.ctrl_offset = r.vifs[k].offset,
					.port = r.vifs[k].port,
				};

				snprintf(in.bridge, sizeof(in.bridge), "%s",
					 r.vifs[k].bridge);
				snprintf(in.vifname, sizeof(in.vifname), "%s",
					 r.vifs[k].vifname);
				memcpy(in.mac, r.vifs[k].mac, 6);
				complete(&in, &req);
				if (find_ids(d, req.domid, req.devid) != NULL)
					continue;
				if (take(d, &req, why, sizeof(why)) != 0)
					log_warn("%s: noxs vif of domain %u: "
						 "not taken back: %s",
						 req.ifname, req.domid, why);
				else
					log_info("%s: noxs vif of domain %u: "
						 "taken back",
						 req.ifname, req.domid);
			}
		}
		reg_record_free(&r);
	}
	free(ids);
}

void
xdd_nb_client_gone(struct xdd *d, struct ipc_client *c)
{
	struct nbvif *v;

	/* the close goes on; nobody hears of its end */
	for (v = d->nbvifs; v != NULL; v = v->next)
		if (v->waiter == c)
			v->waiter = NULL;
}

void
xdd_nb_forget_all(struct xdd *d)
{
	/* the guests keep their rings: a restarted xendevd takes them back
	 * from the registry (their TAPs go with this process) */
	while (d->nbvifs != NULL)
		drop(d, d->nbvifs, "let go (xendevd stops)");
}
