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
 * Consoles: noxs guests' consoles, logged and served by xendevd (below).
 *
 * Backends: a vif request names its backend kind.  XDD_BE_NETBACK is the
 * stock kernel netback (XenStore mode); XDD_BE_NOXS is xendevd's own
 * user-space netback for noxs guests (docs/noxs.md section 8): the vif's
 * control block is in the guest's device page, its interface a TAP.
 */
#ifndef XDD_H
#define XDD_H

#include <stdint.h>

#include "ipc.h"

#define XDD_SOCKET   "/run/xendevd.sock"
#define XDD_MAGIC    0x21444458u /* "XDD!" */
#define XDD_VERSION  2		 /* 2: struct xdd_vif grew the noxs fields */
#define XDD_NAME_MAX 16		 /* IFNAMSIZ, with its NUL */

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
	XDD_VIF_LIST = 4,    /* body: struct xdd_list; reply: xdd_list_reply */
	XDD_VBD_ATTACH = 5,  /* body: struct xdd_vbd; reply: xdd_vbd_info */
	XDD_VBD_DETACH = 6,  /* body: struct xdd_vbd; reply: status only */
	XDD_CONS_ATTACH = 7, /* body: struct xdd_cons; reply: status only */
	XDD_CONS_OPEN = 8,   /* body: struct xdd_cons_open; replies: a stream */
	XDD_CONS_INPUT =
		9, /* body: struct xdd_cons_input; reply: status only */
	XDD_NTYPES,
	XDD_REPLY = IPC_REPLY,
};

/* the protocol as libipc checks it (proto.c) */
extern const struct ipc_proto xdd_proto;

enum xdd_backend {
	XDD_BE_NETBACK = 1, /* Linux netback creates the interface */
	XDD_BE_NOXS = 2,    /* xendevd serves a noxs vif itself (a TAP) */
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
	/*
	 * XDD_BE_NOXS only (zeros for XDD_BE_NETBACK).  Where the vif is,
	 * from the toolstack's own records, never from the guest: the
	 * device page (an MFN for PV, a GFN for PVH), the vif's control
	 * block in it (64-aligned, inside the page's area) and the entry's
	 * event channel (a port of the guest, unbound, for dom0).  mtu
	 * (68..1500; 0: 1500) is the TAP's and the largest payload taken
	 * from or given to the guest; mac is the guest's (for the list).
	 * The TAP is named ifname, else vifname, else vif<domid>.<devid>.
	 */
	uint64_t frame;
	uint32_t ctrl_offset;
	uint32_t port;
	uint8_t mac[6];
	uint8_t pad[2]; /* 0 */
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

/*
 * Consoles of noxs guests (docs/noxs.md, docs/xendevd.8).  xenconsoled
 * learns consoles from XenStore, so nothing would read a noxs guest's
 * ring while no `chaos console` is attached.  XDD_CONS_ATTACH hands one to
 * xendevd: it maps the ring (the guest's grant ref gref, normally 0,
 * GNTTAB_RESERVED_CONSOLE; or the frame), binds port (the guest's console
 * event channel, allocated unbound for dom0 and bound by nobody else: a
 * port can be bound by one dom0 process at a time) and from then on is
 * the ring's only reader, and the only writer of its input side.  What
 * the guest writes goes to guest-NAME.log in xenconsoled's log directory
 * when xenconsoled's setting logs guests, and to the clients that opened
 * the console.  xendevd lets the console go once the domain is dying,
 * gone, or shut down for any reason but suspend, after reading the ring a
 * last time.  An attach of a domid xendevd serves already is answered 0
 * when it names the same port and ring, EBUSY otherwise; EACCES/ESRCH/
 * others come from mapping and binding (the domain is left as it was).
 */
#define XDD_DOMNAME_MAX 72 /* a domain's name: 1..64 bytes and a NUL */

/* how xdd_cons names the ring */
enum xdd_cons_map {
	XDD_CONS_GRANT = 1, /* grant ref gref of the guest's grant table */
	XDD_CONS_FRAME = 2, /* frame: an MFN (PV) or a GFN (PVH) */
};

struct xdd_cons {
	uint32_t domid;
	uint32_t port;	/* the guest's end, unbound, remote domain 0 */
	uint32_t map;	/* enum xdd_cons_map */
	uint32_t gref;	/* XDD_CONS_GRANT */
	uint64_t frame; /* XDD_CONS_FRAME */
	/* for the log's name: printable, no '/', NUL-terminated */
	char name[XDD_DOMNAME_MAX];
};

/*
 * XDD_CONS_OPEN: the console of domid as a stream on this connection.
 * Every reply to the request's id with err 0 carries output of the guest
 * as its body (0 to IPC_REPLY_BODY_MAX bytes, in order): first, with
 * XDD_CONS_REPLAY, the last XDD_CONS_HISTORY bytes (at most) that xendevd
 * read from the ring before the open, then what the guest writes from
 * then on.  One reply with an error ends the stream: ENOENT (xendevd does
 * not serve that console: the client may map the ring itself), EBUSY (this
 * connection has a stream already), EUSERS (XDD_CONS_READERS have it open),
 * ESRCH (the domain is gone; all its output came before), ECONNABORTED
 * (xendevd stops).  A client that does not read its replies loses output
 * once xendevd's queue for it is full (XDD_WAITS_MAX and a few); the log
 * keeps it.  Closing the connection ends the stream.
 */
#define XDD_CONS_REPLAY	 0x1
#define XDD_CONS_HISTORY 16384
#define XDD_CONS_READERS 8

struct xdd_cons_open {
	uint32_t domid;
	uint32_t flags;
};

/* XDD_CONS_INPUT: len bytes typed for the guest, put into the ring's
 * input side as the guest makes room (up to XDD_CONS_INBUF waiting; more
 * is refused with ENOBUFS, the reply saying how many bytes were taken). */
#define XDD_CONS_INPUT_MAX 256
#define XDD_CONS_INBUF	   4096

struct xdd_cons_input {
	uint32_t domid;
	uint32_t len; /* 1..XDD_CONS_INPUT_MAX */
	char data[XDD_CONS_INPUT_MAX];
};

_Static_assert(sizeof(struct xdd_cons) == 96, "xdd_cons layout");
_Static_assert(sizeof(struct xdd_cons_open) == 8, "xdd_cons_open layout");
_Static_assert(sizeof(struct xdd_cons_input) == 264, "xdd_cons_input");

_Static_assert(sizeof(struct xdd_vif) == 96, "xdd_vif layout");
_Static_assert(sizeof(struct xdd_vif_info) == 52, "xdd_vif_info layout");
_Static_assert(sizeof(struct xdd_list_reply) +
			       XDD_LIST_MAX * sizeof(struct xdd_vif_info) <=
		       IPC_REPLY_BODY_MAX,
	       "a list reply fits one message");

#endif
