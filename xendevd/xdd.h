/*
 * xdd.h: the xendevd socket protocol (docs/xendevd.8), shared by the daemon
 * and its clients (chaos, later the shell daemon).
 *
 * The framing is libipc's (libipc/ipc.h): a SOCK_SEQPACKET Unix socket
 * (XDD_SOCKET), one message a packet, struct ipc_hdr with XDD_MAGIC and
 * XDD_VERSION, a hello first, one reply of type XDD_REPLY | request type
 * with the request's id for every request, though not always in request
 * order (a vif attach is answered when the interface is wired), each
 * starting with struct ipc_status.  Integers are in host order.  Strings
 * are fixed arrays, NUL-terminated within their size.
 *
 * Backends: a vif request names its backend kind.  XDD_BE_NETBACK is the
 * stock kernel netback (XenStore mode); the kind field is where noxs
 * backends served by xendevd itself will plug in.
 */
#ifndef XDD_H
#define XDD_H

#include <stdint.h>

#include "ipc.h"

#define XDD_SOCKET   "/run/xendevd.sock"
#define XDD_MAGIC    0x21444458u /* "XDD!" */
#define XDD_VERSION  1
#define XDD_NAME_MAX 16 /* IFNAMSIZ, with its NUL */

/* xendevd serves at most this many clients at once; the next one gets an
 * EUSERS reply (id 0) and is closed. */
#define XDD_CLIENTS_MAX 256
/* Attaches one connection may have waiting for their interface; the next
 * one gets EAGAIN. */
#define XDD_WAITS_MAX 64

/* The value xendevd's vifs carry in XenStore's backend "script" node:
 * netback insists on the node; nothing runs it. */
#define XDD_SCRIPT "xendevd"

enum xdd_type {
	XDD_HELLO = IPC_HELLO, /* body: struct ipc_hello; reply: ipc_hello */
	XDD_VIF_ATTACH = 2,    /* body: struct xdd_vif; reply: xdd_vif_info */
	XDD_VIF_DETACH = 3,    /* body: struct xdd_vif; reply: status only */
	XDD_VIF_LIST = 4,   /* body: struct xdd_list; reply: xdd_list_reply */
	XDD_VBD_ATTACH = 5, /* body: struct xdd_vbd; reply: xdd_vbd_info */
	XDD_VBD_DETACH = 6, /* body: struct xdd_vbd; reply: status only */
	XDD_NTYPES,
	XDD_REPLY = IPC_REPLY,
};

/* the protocol as libipc checks it (proto.c) */
extern const struct ipc_proto xdd_proto;

enum xdd_backend {
	XDD_BE_NETBACK = 1, /* Linux netback creates the interface */
};

/* flags of struct xdd_vif */
#define XDD_VIF_XENSTORE 0x1 /* report to netback: backend/vif/D/N */

struct xdd_vif {
	uint32_t backend; /* enum xdd_backend */
	uint32_t flags;
	uint32_t domid;
	uint32_t devid;
	uint32_t mtu;	     /* 0: the bridge's */
	uint32_t timeout_ms; /* attach: how long to wait for the interface */
	char ifname[XDD_NAME_MAX];  /* "": vif<domid>.<devid> */
	char bridge[XDD_NAME_MAX];  /* attach: required */
	char vifname[XDD_NAME_MAX]; /* attach: rename to this; "": keep */
};

struct xdd_vif_info {
	uint32_t domid;
	uint32_t devid;
	uint32_t ifindex;
	uint32_t mtu;
	uint32_t flags;
	char ifname[XDD_NAME_MAX];
	char bridge[XDD_NAME_MAX];
};

struct xdd_list {
	uint32_t offset; /* the first entry wanted */
};

#define XDD_LIST_MAX 64

struct xdd_list_reply {
	uint32_t total; /* entries the daemon has */
	uint32_t count; /* entries in this reply */
	struct xdd_vif_info vif[];
};

/*
 * A vbd's backing, what the `block` script does for libxl, without a
 * script (docs/xendevd.8).  A FILE target is bound to a loop device of
 * xendevd's (LOOP_CONFIGURE: read-only for XDD_VBD_RO, autoclear, direct
 * I/O where the kernel allows it), which xendevd holds until the vbd is
 * detached or its domain is gone; a PHY target must be a block device.
 * Refused (EBUSY): a target that another vbd (of any domain, chaos's or
 * xl's) has writable while this one wants it at all, or has at all while
 * this one wants it writable; a writable attach of a target mounted in
 * dom0 (any mount for a writable vbd, a read-write one for a read-only
 * vbd).  With XDD_VBD_XENSTORE, xendevd reports in backend/vbd/D/N as
 * the script would: physical-device ("%x:%x", hex major:minor),
 * physical-device-path, node (the loop device), hotplug-status
 * "connected", or on failure hotplug-error and hotplug-status "error" or
 * "busy".  Detach releases the loop (and forgets a PHY target).
 */
#define XDD_PATH_MAX 256

enum xdd_vbd_kind {
	XDD_VBD_FILE = 1, /* a regular file: through a loop device */
	XDD_VBD_PHY = 2,  /* a block device, used as it is */
};

/* flags of struct xdd_vbd */
#define XDD_VBD_XENSTORE 0x1 /* report to blkback: backend/vbd/D/N */
#define XDD_VBD_RO	 0x2 /* the guest only reads it */

struct xdd_vbd {
	uint32_t kind; /* enum xdd_vbd_kind */
	uint32_t flags;
	uint32_t domid;
	uint32_t devid;		   /* the vdev's number (xvda: 51712) */
	char target[XDD_PATH_MAX]; /* attach: an absolute path */
};

struct xdd_vbd_info {
	uint32_t domid;
	uint32_t devid;
	uint32_t major, minor;	   /* what physical-device says */
	uint32_t flags;		   /* the request's */
	char device[XDD_PATH_MAX]; /* /dev/loopN, or the block device */
};

_Static_assert(sizeof(struct xdd_vbd) == 16 + XDD_PATH_MAX, "xdd_vbd");
_Static_assert(sizeof(struct xdd_vbd_info) == 20 + XDD_PATH_MAX,
	       "xdd_vbd_info");

_Static_assert(sizeof(struct xdd_vif) == 72, "xdd_vif layout");
_Static_assert(sizeof(struct xdd_vif_info) == 52, "xdd_vif_info layout");
_Static_assert(sizeof(struct xdd_list_reply) +
			       XDD_LIST_MAX * sizeof(struct xdd_vif_info) <=
		       IPC_REPLY_BODY_MAX,
	       "a list reply fits one message");

#endif
