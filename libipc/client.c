/* client.c: a tool's side of a daemon's framed socket (ipc.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "ipc.h"

/*
 * Sending failed with e (EPIPE, ECONNRESET): a daemon that refuses a
 * client may close it before its hello went out, with the reason (id 0)
 * waiting to be read.  That reason, else e.
 */
static int
refusal(struct ipc_conn *c, int e)
{
	struct ipc_status st;
	struct ipc_hdr h;

	if ((e == EPIPE || e == ECONNRESET) &&
	    ipc_recv(c, 0, &h, &st, NULL, 0, NULL) == 0 && h.id == 0 &&
	    st.err != 0)
		return (int)st.err;
	return e;
}

/* connect to path and send the hello, without waiting for its answer */
static int
ipc_connect(struct ipc_conn *c, const struct ipc_proto *p, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ipc_hello hi = {.version = p->version,
			       .pid = (uint32_t)getpid()};
	int e;

	c->fd = -1;
	c->next_id = 1;
	c->p = p;
	if (strlen(path) >= sizeof(sa.sun_path))
		return errno = ENAMETOOLONG, -1;
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    ipc_send(c, IPC_HELLO, &hi, sizeof(hi), NULL) == 0)
		return 0;
	e = refusal(c, errno);
	close(c->fd);
	c->fd = -1;
	errno = e;
	return -1;
}

int
ipc_open(struct ipc_conn *c, const struct ipc_proto *p, const char *path)
{
	struct ipc_status st;
	struct ipc_hdr h;
	int e;

	if (ipc_connect(c, p, path) < 0)
		return -1;
	/* the hello's is the first reply, or a refusal (id 0) */
	if (ipc_recv(c, 2000, &h, &st, NULL, 0, NULL) < 0) {
		errno = refusal(c, errno);
		goto fail;
	}
	if (st.err != 0) {
		errno = (int)st.err;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	close(c->fd);
	c->fd = -1;
	errno = e;
	return -1;
}

void
ipc_close(struct ipc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int
ipc_send(struct ipc_conn *c, uint16_t type, const void *body, uint32_t len,
	 uint32_t *id)
{
	uint8_t buf[IPC_MSG_MAX];
	struct ipc_hdr h = {
		.magic = c->p->magic,
		.version = c->p->version,
		.type = type,
		.len = (uint32_t)sizeof(h) + len,
		.id = c->next_id++,
	};

	if (len > sizeof(buf) - sizeof(h))
		return errno = EMSGSIZE, -1;
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), body, len);
	if (send(c->fd, buf, h.len, MSG_NOSIGNAL) < 0)
		return -1;
	if (id != NULL)
		*id = h.id;
	return 0;
}

int
ipc_recv(struct ipc_conn *c, int timeout_ms, struct ipc_hdr *h,
	 struct ipc_status *st, void *body, size_t cap, uint32_t *len)
{
	uint8_t buf[IPC_MSG_MAX];
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	size_t n, blen;
	ssize_t r;
	int rc;

	rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return errno = ETIMEDOUT, -1;
	r = recv(c->fd, buf, sizeof(buf), MSG_TRUNC);
	if (r < 0)
		return -1;
	if (r == 0)
		return errno = ECONNRESET, -1;
	n = (size_t)r;
	if (n > sizeof(buf) || n < sizeof(*h) + sizeof(*st))
		return errno = EBADMSG, -1;
	memcpy(h, buf, sizeof(*h));
	if (h->magic != c->p->magic || h->len != n || !(h->type & IPC_REPLY))
		return errno = EBADMSG, -1;
	memcpy(st, buf + sizeof(*h), sizeof(*st));
	st->msg[sizeof(st->msg) - 1] = '\0';
	blen = n - sizeof(*h) - sizeof(*st);
	if (blen > cap)
		blen = cap;
	if (blen)
		memcpy(body, buf + sizeof(*h) + sizeof(*st), blen);
	if (len != NULL)
		*len = (uint32_t)blen;
	return 0;
}

int
ipc_call(struct ipc_conn *c, uint16_t type, const void *req, uint32_t reqlen,
	 int timeout_ms, struct ipc_status *st, void *body, size_t cap,
	 uint32_t *len)
{
	struct ipc_hdr h;
	int64_t end = clk_now_ms() + timeout_ms, left;
	uint32_t id;

	if (ipc_send(c, type, req, reqlen, &id) < 0)
		return -1;
	for (;;) {
		left = end - clk_now_ms();
		if (left < 0)
			left = 0;
		if (ipc_recv(c, (int)left, &h, st, body, cap, len) < 0)
			return -1;
		if (h.id == id)
			return 0;
		/* id 0: the daemon refused the connection itself (too many
		 * clients, out of descriptors, a stranger) */
		if (h.id == 0 && st->err != 0)
			return errno = (int)st->err, -1;
		/* a late reply to an earlier request: not this one's */
	}
}
