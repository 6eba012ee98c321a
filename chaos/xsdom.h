/*
 * xsdom.h: a domain's XenStore presence in xenstore mode, written as libxl
 * writes it (shared/XEN-FACTS.md section 2), so that Debian's kernel,
 * xenconsoled, xl and xenstore-ls all see the guest as if xl made it.
 */
#ifndef CHAOS_XSDOM_H
#define CHAOS_XSDOM_H

#include <stdint.h>

#include <xenstore.h>

#include "domcfg.h"

/* One disk's nodes (blkback's), resolved. */
struct xsdom_vbd {
	uint32_t devnum;    /* vbd_devnum of vdev: the devid */
	const char *vdev;   /* "xvda" */
	const char *params; /* the target, an absolute path */
	int ro;
	int phy; /* a block device (else a file: a loop backs it) */
};

struct xsdom {
	uint32_t domid;
	const struct domcfg *dc;
	const uint8_t (*macs)[6];     /* one per dc->vifs, resolved */
	const struct xsdom_vbd *vbds; /* one per dc->disks */
	const uint8_t *uuid;	      /* 16 bytes */
	uint32_t store_port, console_port;
	uint64_t store_mfn, console_mfn;
};

/*
 * Write every node of the domain and its console in one transaction, then
 * introduce the domain to xenstored (before it is unpaused, so its xenbus
 * requests are answered).  0, or -1 with errno.
 */
int xsdom_write(struct xs_handle *xs, const struct xsdom *x);

/*
 * One vif's nodes, as libxl writes them (shared/XEN-FACTS.md section 2):
 * the backend under /local/domain/0/backend/vif/D/N with script
 * XDD_SCRIPT (xendevd wires it, nothing runs), the frontend under
 * device/vif/N, and libxl's own record.  Used by xsdom_write, and alone
 * (its own transaction) by network-attach.
 */
int xsdom_vif_add(struct xs_handle *xs, uint32_t domid, const struct dc_vif *v,
		  const uint8_t mac[6]);

/* Remove one vif's nodes (backend, frontend, libxl's record). */
int xsdom_vif_remove(struct xs_handle *xs, uint32_t domid, unsigned devid);

/* One disk's nodes in a transaction of their own (block-attach), and
 * their removal (backend, frontend, libxl's record). */
int xsdom_vbd_add(struct xs_handle *xs, uint32_t domid,
		  const struct xsdom_vbd *v);
int xsdom_vbd_remove(struct xs_handle *xs, uint32_t domid, unsigned devid);

/* A leaf of device devid's backend (kind "vif", "vbd"): its value
 * (malloc'd) or NULL; a write, 0 or -1 with errno. */
char *xsdom_be_read(struct xs_handle *xs, const char *kind, uint32_t domid,
		    unsigned devid, const char *leaf);
int xsdom_be_write(struct xs_handle *xs, const char *kind, uint32_t domid,
		   unsigned devid, const char *leaf, const char *value);

/* Format a MAC address as xl does (18 bytes). */
void mac_format(const uint8_t mac[6], char buf[18]);

/* Remove what xsdom_write (or libxl) wrote for domid; uuid may be NULL. */
int xsdom_remove(struct xs_handle *xs, uint32_t domid, const uint8_t *uuid);

/* The name under /local/domain/D/name (malloc'd), or NULL. */
char *xsdom_name(struct xs_handle *xs, uint32_t domid);

/* Set /local/domain/D/name and /vm/UUID/name. */
int xsdom_rename(struct xs_handle *xs, uint32_t domid, const char *name);

/* Mark the first online of domid's max vCPUs online and the others
 * offline (cpu/I/availability, in one transaction): the guest brings
 * them up or down (xl vcpu-set). */
int xsdom_vcpus(struct xs_handle *xs, uint32_t domid, unsigned max,
		unsigned online);

/* Ask a PV guest to "poweroff", "reboot" or "suspend" (control/shutdown). */
int xsdom_control(struct xs_handle *xs, uint32_t domid, const char *req);

/* 1 when xenstored answers on its socket ($XENSTORED_PATH or the
 * default).  Ask first: with the daemon dead, libxenstore falls back to
 * the xenbus device, which opens, and every request then hangs. */
int xsdom_daemon_answers(void);

/* A connection to xenstored's socket, as for xsdom_daemon_answers (the
 * watch of xswatch.h speaks on it).  The fd, or -1 with errno. */
int xsdom_daemon_connect(void);

/* Format a UUID as text into buf (37 bytes). */
void uuid_format(const uint8_t uuid[16], char buf[37]);

#endif
