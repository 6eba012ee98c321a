/*
 * netlink.h: what xendevd does to network interfaces, over rtnetlink
 * (libmnl): look links up, wire one into a bridge (MTU, master, up in one
 * request), unwire it, rename it, and follow link events.
 *
 * Every function returns 0 (or a count) or -1 with errno: ENODEV when the
 * interface does not exist (or vanished under us), EEXIST when a rename
 * target is taken, and the kernel's errno otherwise.  Nothing here prints.
 */
#ifndef XDD_NETLINK_H
#define XDD_NETLINK_H

#include <stdint.h>

#include "xdd.h"

struct xdd_nl;

struct xdd_link {
	uint32_t ifindex;
	uint32_t mtu;
	uint32_t master; /* ifindex of the bridge it is a port of, or 0 */
	uint32_t flags;	 /* IFF_* */
	char name[XDD_NAME_MAX];
	char kind[XDD_NAME_MAX]; /* "bridge", "veth", "" for netback's vifs */
};

/* Open the request socket; with events, also a socket that receives link
 * events (xdd_nl_event_fd, xdd_nl_events). */
int xdd_nl_open(struct xdd_nl **nl, int events);
void xdd_nl_close(struct xdd_nl *nl);

/* The event socket's descriptor (non-blocking), or -1 without events. */
int xdd_nl_event_fd(const struct xdd_nl *nl);

/* One link, by name (ifindex 0) or by index (name NULL). */
int xdd_nl_get(struct xdd_nl *nl, const char *name, uint32_t ifindex,
	       struct xdd_link *out);

/* Every link; cb's non-zero return stops the walk and is returned. */
int xdd_nl_dump(struct xdd_nl *nl,
		int (*cb)(const struct xdd_link *l, void *arg), void *arg);

/* Make ifindex a port of bridge master with this MTU (0: keep) and up. */
int xdd_nl_wire(struct xdd_nl *nl, uint32_t ifindex, uint32_t master,
		uint32_t mtu);

/* Take ifindex out of its bridge and down. */
int xdd_nl_unwire(struct xdd_nl *nl, uint32_t ifindex);

/* Rename a link that is down. */
int xdd_nl_rename(struct xdd_nl *nl, uint32_t ifindex, const char *name);

enum xdd_nl_event { XDD_NL_NEW, XDD_NL_DEL };

/*
 * Read the link events that are waiting and call cb for each.  0 when the
 * socket is drained; -1 with errno ENOBUFS when the kernel dropped events
 * (the caller must then look at every link again), other errno on error.
 */
int xdd_nl_events(struct xdd_nl *nl,
		  void (*cb)(enum xdd_nl_event ev, const struct xdd_link *l,
			     void *arg),
		  void *arg);

#endif
