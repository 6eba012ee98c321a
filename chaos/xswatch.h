/*
 * xswatch.h: one XenStore watch on a connection of its own to xenstored's
 * socket, read here rather than through libxenstore: Debian's static
 * libxenstore.a has no reader thread, so its watch calls only see events
 * when the caller happens to read the socket.  Only the watch's reply and
 * its events arrive on this connection, and it reads end-of-file when
 * xenstored dies, which is how a long-lived process learns of that.
 */
#ifndef CHAOS_XSWATCH_H
#define CHAOS_XSWATCH_H

#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

struct xsw {
	int fd; /* poll it for POLLIN; -1 when closed */
	size_t have;
	uint8_t buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
};

/* Connect (as xsdom_daemon_connect) and ask for a watch on path with
 * token: 0, or -1 with errno (w->fd is then -1). */
int xsw_open(struct xsw *w, const char *path, const char *token);

/*
 * Read, without blocking, whatever has arrived: how many watch events
 * (0 when none yet); -1 with errno ECONNRESET when xenstored hung up,
 * EPROTO when it refused the watch, EBADMSG when a message does not
 * parse (the connection is useless then: close it).
 */
int xsw_read(struct xsw *w);

/* Wait up to timeout_ms (-1: for ever) for events; as xsw_read, and 0
 * when the time ran out. */
int xsw_wait(struct xsw *w, int timeout_ms);

void xsw_close(struct xsw *w);

#endif
