/*
 * xdclient.h: chaos's side of the xendevd socket (xendevd/xdd.h).
 * Functions return 0 or -1 with errno; a reply's own error comes back in
 * its struct ipc_status.
 */
#ifndef CHAOS_XDCLIENT_H
#define CHAOS_XDCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "xdd.h"

struct xdc {
	int fd;
	uint32_t next_id;
};

/* The socket chaos talks to: $XENDEVD_SOCKET, else XDD_SOCKET. */
const char *xdc_path(void);

/* Connect to path and say hello; -1 with errno (ECONNREFUSED, ENOENT:
 * xendevd is not running; else the daemon's own cause when it refused
 * us, e.g. EUSERS for too many clients, EMFILE, EPERM). */
int xdc_open(struct xdc *c, const char *path);
void xdc_close(struct xdc *c);

/* Send one request; *id gets its id. */
int xdc_send(struct xdc *c, uint16_t type, const void *body, uint32_t len,
	     uint32_t *id);

/*
 * Wait up to timeout_ms for the next reply; its status goes to st, up to
 * cap bytes of body to body (*len: how many).  ETIMEDOUT when none came,
 * EBADMSG when what came is malformed, ECONNRESET when xendevd went away.
 */
int xdc_recv(struct xdc *c, int timeout_ms, struct ipc_hdr *h,
	     struct ipc_status *st, void *body, size_t cap, uint32_t *len);

/* Send, then wait for the reply to that request. */
int xdc_call(struct xdc *c, uint16_t type, const void *req, uint32_t reqlen,
	     int timeout_ms, struct ipc_status *st, void *body, size_t cap,
	     uint32_t *len);

#endif
