/*
 * msg.h: xendevd's request parser: one packet's bytes in, a checked
 * request or an errno value out.  Pure (no socket, no state, no netlink or
 * XenStore), so the fuzzer (tests/fuzz/fuzz_xdd.c) runs what the server
 * runs: libipc's ipc_msg_check, then xdd_req_check.
 */
#ifndef XDD_MSG_H
#define XDD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "xdd.h"

#define XDD_MTU_MIN	   68 /* IPv4's minimum */
#define XDD_MTU_MAX	   65535
#define XDD_TIMEOUT_MAX_MS 60000   /* an attach's timeout_ms */
#define XDD_DOMID_MAX	   0x7fefu /* DOMID_FIRST_RESERVED - 1 */

/* a request as xdd_msg_parse accepted it: header, then its body */
struct xdd_req {
	struct ipc_hdr h;
	union {
		struct ipc_hello hello;
		struct xdd_vif vif; /* XDD_VIF_ATTACH, XDD_VIF_DETACH */
		struct xdd_list list;
		struct xdd_vbd vbd;   /* XDD_VBD_ATTACH, XDD_VBD_DETACH */
		struct xdd_cons cons; /* XDD_CONS_ATTACH */
		struct xdd_cons_open cons_open;	  /* XDD_CONS_OPEN */
		struct xdd_cons_input cons_input; /* XDD_CONS_INPUT */
	} u;
};

/*
 * Check the message msg of len bytes.  len is the size recv reported with
 * MSG_TRUNC and may exceed IPC_MSG_MAX; at most min(len, IPC_MSG_MAX) bytes
 * of msg are read.
 *
 * Returns 0 and fills *req, or an errno value and says why in why (a
 * NUL-terminated line of at most whylen bytes): EMSGSIZE (more than
 * IPC_MSG_MAX bytes), EBADMSG (short, wrong magic, a length other than
 * len, a body not of its type's size), EPROTONOSUPPORT (a version other
 * than ours, or a hello below 1), EOPNOTSUPP (an unknown type, backend
 * kind, vbd kind or console ring kind), EINVAL (a field out of range).  Either
 * way req->h holds the header as far as there is one (zeros otherwise; type 0
 * when it is not a xendevd message), for the reply's type and id.
 *
 * What is accepted holds: h.len == len <= IPC_MSG_MAX, a type below
 * XDD_NTYPES, the body size of that type; every name NUL-terminated within
 * XDD_NAME_MAX, printable, without '/', ':' or spaces, and not "." or "..";
 * a hello's version >= 1; an attach's backend XDD_BE_NETBACK, no unknown
 * flag, a bridge, an interface name unless XDD_VIF_XENSTORE names it by
 * its ids, mtu 0 or XDD_MTU_MIN..XDD_MTU_MAX, timeout_ms at most
 * XDD_TIMEOUT_MAX_MS, the noxs fields 0; or backend XDD_BE_NOXS, no flag,
 * a bridge, domid 1..XDD_DOMID_MAX, devid below 65536, mtu 0 or
 * XDD_MTU_MIN..1500, a frame and a port, ctrl_offset 64-aligned inside
 * the device page's area, pad 0; a vbd request's target NUL-terminated within
 * XDD_PATH_MAX and without control characters, no unknown flag; for an
 * attach, kind XDD_VBD_FILE or XDD_VBD_PHY and an absolute target; a
 * console attach's name 1..XDD_DOMNAME_MAX-1 bytes of ' '..'~' without
 * '/', NUL-terminated, its map XDD_CONS_GRANT or XDD_CONS_FRAME, domid
 * 1..XDD_DOMID_MAX and a port; a console open's flags within
 * XDD_CONS_REPLAY; a console input's len 1..XDD_CONS_INPUT_MAX.
 */
int xdd_msg_parse(const uint8_t *msg, size_t len, struct xdd_req *req,
		  char *why, size_t whylen);

/*
 * The part of xdd_msg_parse that is xendevd's own, for a request that
 * ipc_msg_check accepted against xdd_proto (header h, body of its type's
 * size): h and the body are copied into *req, then its fields checked.
 * Returns 0, or EOPNOTSUPP or EINVAL and why, as xdd_msg_parse.
 */
int xdd_req_check(const struct ipc_hdr *h, const void *body,
		  struct xdd_req *req, char *why, size_t whylen);

#endif
