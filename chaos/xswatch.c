/* xswatch.c: a XenStore watch read straight off xenstored's socket. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsdom.h"
#include "xswatch.h"

int
xsw_open(struct xsw *w, const char *path, const char *token)
{
	struct xsd_sockmsg h = {.type = XS_WATCH, .req_id = 1};
	uint8_t msg[sizeof(h) + XENSTORE_PAYLOAD_MAX];
	size_t lp = strlen(path) + 1, lt = strlen(token) + 1;
	ssize_t r;
	int e;

	w->have = 0;
	w->fd = -1;
	if (lp + lt > XENSTORE_PAYLOAD_MAX)
		return errno = ENAMETOOLONG, -1;
	w->fd = xsdom_daemon_connect();
	if (w->fd < 0)
		return -1;
	h.len = (uint32_t)(lp + lt);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), path, lp);
	memcpy(msg + sizeof(h) + lp, token, lt);
	r = send(w->fd, msg, sizeof(h) + h.len, MSG_NOSIGNAL);
	if (r == (ssize_t)(sizeof(h) + h.len))
		return 0;
	e = r < 0 ? errno : EIO;
	xsw_close(w);
	return errno = e, -1;
}

/* the complete messages in w->buf: events counted, the rest checked */
static int
take_messages(struct xsw *w)
{
	struct xsd_sockmsg h;
	size_t at = 0, len;
	int events = 0;

	while (w->have - at >= sizeof(h)) {
		memcpy(&h, w->buf + at, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			return errno = EBADMSG, -1;
		len = sizeof(h) + h.len;
		if (w->have - at < len)
			break;
		if (h.type == XS_WATCH_EVENT)
			events++;
		else if (h.type == XS_ERROR)
			return errno = EPROTO, -1;
		else if (h.type != XS_WATCH)
			return errno = EBADMSG, -1;
		at += len;
	}
	memmove(w->buf, w->buf + at, w->have - at);
	w->have -= at;
	return events;
}

int
xsw_read(struct xsw *w)
{
	ssize_t r;
	int events = 0, n;

	for (;;) {
		r = recv(w->fd, w->buf + w->have, sizeof(w->buf) - w->have,
			 MSG_DONTWAIT);
		if (r == 0)
			return errno = ECONNRESET, -1;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return events;
			if (errno == EINTR)
				continue;
			return -1;
		}
		w->have += (size_t)r;
		n = take_messages(w);
		if (n < 0)
			return -1;
		events += n;
	}
}

int
xsw_wait(struct xsw *w, int timeout_ms)
{
	struct pollfd p = {.fd = w->fd, .events = POLLIN};
	int rc;

	rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	return rc == 0 ? 0 : xsw_read(w);
}

void
xsw_close(struct xsw *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->have = 0;
}
