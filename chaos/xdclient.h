/*
 * xdclient.h: chaos's side of the xendevd socket (xendevd/xdd.h): a
 * libipc connection (ipc.h) with xendevd's protocol, used with ipc_send,
 * ipc_recv, ipc_call and ipc_close.  Functions return 0 or -1 with errno;
 * a reply's own error comes back in its struct ipc_status.
 */
#ifndef CHAOS_XDCLIENT_H
#define CHAOS_XDCLIENT_H

#include "ipc.h"
#include "xdd.h"

/* The socket chaos talks to: $XENDEVD_SOCKET, else XDD_SOCKET. */
const char *xdc_path(void);

/* Connect to path and say hello; -1 with errno (ECONNREFUSED, ENOENT:
 * xendevd is not running; else the daemon's own cause when it refused
 * us, e.g. EUSERS for too many clients, EMFILE, EPERM). */
int xdc_open(struct ipc_conn *c, const char *path);

/* One vbd request on c and its reply, within timeout_ms: the attach's
 * answer goes to *info when st->err is 0. */
int xdc_vbd_attach(struct ipc_conn *c, const struct xdd_vbd *req,
		   int timeout_ms, struct ipc_status *st,
		   struct xdd_vbd_info *info);
int xdc_vbd_detach(struct ipc_conn *c, const struct xdd_vbd *req,
		   int timeout_ms, struct ipc_status *st);

/* Hand a noxs guest's console to xendevd (XDD_CONS_ATTACH). */
int xdc_cons_attach(struct ipc_conn *c, const struct xdd_cons *req,
		    int timeout_ms, struct ipc_status *st);

#endif
