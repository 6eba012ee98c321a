/*
 * xendevd.h: the daemon's state, shared by its files: main.c (options, the
 * event loop), server.c (the socket API, on libipc), vif.c (the interfaces it
 * wires), nbvif.c and netback.c (noxs vifs: the user-space netback),
 * vbd.c (disks), console.c (noxs guests' consoles), xenstore.c (what
 * netback is told), log.c.
 */
#ifndef XENDEVD_H
#define XENDEVD_H

#include <stdint.h>

#include "consconf.h"
#include "daemon.h"
#include "netlink.h"
#include "xdd.h"

struct xs_handle;

enum vif_state {
	VIF_PENDING, /* asked for; its interface has not appeared yet */
	VIF_WIRED,   /* a port of its bridge, up */
};

struct vif {
	struct vif *next;
	enum vif_state state;
	struct xdd_vif req; /* validated; ifname always filled */
	uint32_t ifindex;   /* once seen */
	uint32_t mtu;	    /* once wired */
	/* who waits for the attach reply (NULL: nobody) */
	struct ipc_client *waiter;
	uint32_t waiter_id;
	int64_t deadline_ms; /* pending: when to give up */
};

/* a vbd attached: its backing is in use until it is detached */
struct vbd {
	struct vbd *next;
	struct xdd_vbd req;	  /* validated */
	struct xdd_vbd_info info; /* what the attach answered */
	uint64_t fdev, fino;	  /* FILE: the file's st_dev, st_ino */
	int loopfd;		  /* FILE: held while attached; PHY: -1 */
};

struct hv;
struct cons;  /* console.c */
struct nbvif; /* nbvif.c */
struct pollfd;

struct xdd {
	struct xdd_nl *nl;
	struct xs_handle *xs; /* NULL: not connected (yet) */
	int use_xs;	      /* 0 with -X: netlink only */
	struct ipc_server *srv;
	struct vif *vifs;
	unsigned nvifs;
	struct vbd *vbds;
	unsigned nvbds;
	struct hv *hv;	      /* NULL: not opened (yet) */
	int64_t vbd_check_ms; /* when to look for dead domains next */
	struct cons *conss;   /* noxs guests' consoles */
	unsigned nconss;
	int64_t cons_sweep_ms; /* when to read the rings again */
	struct nbvif *nbvifs;  /* noxs vifs: nbvif.c's netback */
	unsigned nnbvifs;
	int64_t nb_sweep_ms;	    /* when to look at their domains again */
	struct xdd_cons_conf cconf; /* whether and where they are logged */
};

/* log.c (libipc): log_open, log_info, log_warn, log_tick, log_flush */

/* server.c: listen on path (libipc: ipc_server_open) with xendevd's
 * handlers, its client cap and reply queue; warnings go to log_warn */
int xdd_server_open(struct xdd *d, const char *path);

/* vif.c: handlers of the vif requests (checked by xdd_msg_parse), and the
 * link events */
void xdd_vif_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
		    const struct xdd_vif *req);
void xdd_vif_detach(struct xdd *d, struct ipc_client *c, uint32_t id,
		    const struct xdd_vif *req);
void xdd_vif_list(struct xdd *d, struct ipc_client *c, uint32_t id,
		  uint32_t offset);
void xdd_vif_event(enum xdd_nl_event ev, const struct xdd_link *l, void *d);
/* Look at every interface again: at start and after lost events. */
void xdd_vif_rescan(struct xdd *d);
/* Fail the attaches whose time is up; ms until the next deadline or -1. */
int xdd_vif_expire(struct xdd *d);
/* Forget every vif (the interfaces stay as they are). */
void xdd_vif_forget_all(struct xdd *d);
/* A client went away: its waiting attaches are dropped. */
void xdd_vif_client_gone(struct xdd *d, struct ipc_client *c);

/* 1 when a vif of vif.c's (netback's) has this interface name. */
int xdd_vif_named(struct xdd *d, const char *name);

/* nbvif.c: the user-space netback of noxs vifs (XDD_BE_NOXS) */
void xdd_nb_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
		   const struct xdd_vif *req);
/* at once, or (timeout_ms > 0) once a connected frontend has closed */
void xdd_nb_detach(struct xdd *d, struct ipc_client *c, uint32_t id,
		   const struct xdd_vif *req);
/* 1 when one of its TAPs has this name or ifindex (0: any). */
int xdd_nb_owns(struct xdd *d, const char *name, uint32_t ifindex);
/* Its vifs for XDD_VIF_LIST: those from offset on (counting *seen up
 * across calls) into out, at most room; how many were put. */
size_t xdd_nb_list(struct xdd *d, uint32_t *seen, uint32_t offset,
		   struct xdd_vif_info *out, size_t room);
/* A bound channel fired: 1 when it was a noxs vif's (served). */
int xdd_nb_event(struct xdd *d, uint32_t local);
/* Look at every vif's block and TX ring (events were lost). */
void xdd_nb_kick_all(struct xdd *d);
/* One pollfd per vif (its TAP, or -1), xdd_nb_serve after poll; timeout
 * becomes 0 when a vif has TX requests left. */
size_t xdd_nb_pollfds(struct xdd *d, struct pollfd *p, int *timeout);
void xdd_nb_serve(struct xdd *d, const struct pollfd *p, size_t n);
/* Let go of the vifs of domains that are gone, dying or shut down, and
 * look at the others, when it is time; ms until the next turn or -1. */
int xdd_nb_reap(struct xdd *d);
/* Take back, after a restart, the vifs of running noxs guests in
 * chaos's registry (their rings connected: mapped again from the refs
 * in their blocks). */
void xdd_nb_adopt(struct xdd *d);
/* A client went away: the detaches it waits for go on unheard. */
void xdd_nb_client_gone(struct xdd *d, struct ipc_client *c);
/* Let every vif go (its TAP too); the guests' rings stay as they are. */
void xdd_nb_forget_all(struct xdd *d);

/* vbd.c: handlers of the vbd requests (checked by xdd_msg_parse) */
void xdd_vbd_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
		    const struct xdd_vbd *req);
void xdd_vbd_detach(struct xdd *d, struct ipc_client *c, uint32_t id,
		    const struct xdd_vbd *req);
/* Take back, after a restart, the vbds XenStore says were connected by
 * xendevd and whose backing is still bound (no-op without XenStore). */
void xdd_vbd_adopt(struct xdd *d);
/* Release the vbds whose backend dir or domain is gone, when it is time;
 * ms until the next look or -1 (none has XenStore). */
int xdd_vbd_reap(struct xdd *d);
/* Release every vbd (its loop stays while blkback holds it). */
void xdd_vbd_forget_all(struct xdd *d);

/* console.c: the hypervisor, opened on first use (d->hv); 0 or -1 with
 * errno (no Xen: a test) */
int xdd_hv_ready(struct xdd *d);
struct hv_dominfo;
/* A domain whose devices have nothing more to do: dying, or shut down
 * for any reason but suspend (a save may resume it). */
int xdd_finished(const struct hv_dominfo *di);

/* console.c: handlers of the console requests (checked by xdd_msg_parse) */
void xdd_cons_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
		     const struct xdd_cons *req);
void xdd_cons_open(struct xdd *d, struct ipc_client *c, uint32_t id,
		   const struct xdd_cons_open *req);
void xdd_cons_input(struct xdd *d, struct ipc_client *c, uint32_t id,
		    const struct xdd_cons_input *req);
/* The event channel descriptor to poll while consoles are served, else -1;
 * when it is readable, xdd_cons_events reads the rings that fired. */
int xdd_cons_evtchn_fd(struct xdd *d);
void xdd_cons_events(struct xdd *d);
/* Read every ring and let go of the consoles of domains that are gone,
 * dying or shut down (after a last read), when it is time; ms until the
 * next turn, or -1 when no console is served. */
int xdd_cons_reap(struct xdd *d);
/* Take back, after a restart, the consoles of the running noxs guests in
 * chaos's registry (docs/xendevd.8). */
void xdd_cons_adopt(struct xdd *d);
/* Open every log again (SIGHUP: after a rotation). */
void xdd_cons_reopen(struct xdd *d);
/* A client went away: it reads no console any more. */
void xdd_cons_client_gone(struct xdd *d, struct ipc_client *c);
/* Read every ring a last time and let every console go. */
void xdd_cons_forget_all(struct xdd *d);

/* xenstore.c: 0 or -1 with errno; connects lazily */
int xdd_xs_ready(struct xdd *d);
/* Tell netback: hotplug-status "connected" (err NULL) or "error". */
int xdd_xs_report(struct xdd *d, const struct xdd_vif *v, uint32_t mtu,
		  const char *err);
/* A vif xendevd owns (backend script XDD_SCRIPT, online): fill out from
 * XenStore; 1 when it is ours and not connected yet, 2 when already connected,
 * 0 when it is not ours, -1 on error. */
int xdd_xs_vif(struct xdd *d, uint32_t domid, uint32_t devid,
	       struct xdd_vif *out);
/* Call cb for every (domid, devid) under backend/<kind> ("vif", "vbd"). */
void xdd_xs_each(struct xdd *d, const char *kind,
		 void (*cb)(struct xdd *d, uint32_t domid, uint32_t devid));
/*
 * Tell blkback, in backend/vbd/D/N (which must exist: ENOENT): for a
 * bound vbd (err NULL) physical-device, physical-device-path, node (loop
 * true: the device is xendevd's loop) and hotplug-status "connected"; on
 * failure hotplug-error = err and hotplug-status = status ("error",
 * "busy").  0 or -1 with errno.
 */
int xdd_xs_vbd_report(struct xdd *d, const struct xdd_vbd_info *i, int loop,
		      const char *status, const char *err);
/* backend/vbd/D/N exists: 1, 0 when it does not, -1 with errno. */
int xdd_xs_vbd_exists(struct xdd *d, uint32_t domid, uint32_t devid);
/*
 * A vbd xendevd connected before a restart (backend script XDD_SCRIPT,
 * physical-device written): its request into out (kind FILE when it has
 * a node, which goes into node) and 1; 0 when it is not one; -1 on error.
 */
int xdd_xs_vbd(struct xdd *d, uint32_t domid, uint32_t devid,
	       struct xdd_vbd *out, char *node, size_t nodelen);

#endif
