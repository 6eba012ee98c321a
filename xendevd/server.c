/*
 * server.c: xendevd's socket API (xdd.h).  Every message is checked by
 * xdd_msg_parse (msg.c) before anything is copied out of it; a bad one
 * gets an error reply and the connection stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "msg.h"
#include "clock.h"
#include "xendevd.h"

/* after an accept that failed for want of memory or descriptors */
#define ACCEPT_PAUSE_MS 100

/*
 * Replies a client's socket did not take yet wait here, oldest first.
 * While any wait, xendevd reads no request of that client (xdd_client_
 * blocked), so a client that never reads stops itself, not the daemon;
 * what can still join the queue is the answer to each attach it has
 * waiting, at most XDD_WAITS_MAX.  OUT_MAX is a guard beyond that.
 */
#define OUT_MAX (XDD_WAITS_MAX + 8)

struct out {
	struct out *next;
	uint32_t len;
	uint8_t msg[];
};

struct xdd_client {
	struct xdd_client *next;
	int fd;
	uid_t uid;
	pid_t pid;
	int greeted; /* said hello */
	struct out *out, **out_tail;
	unsigned nout;
};

int
xdd_client_fd(const struct xdd_client *c)
{
	return c->fd;
}

struct xdd_client *
xdd_client_next(const struct xdd_client *c)
{
	return c->next;
}

int
xdd_client_blocked(const struct xdd_client *c)
{
	return c->out != NULL;
}

static void
out_drop(struct xdd_client *c)
{
	struct out *o;

	while ((o = c->out) != NULL) {
		c->out = o->next;
		free(o);
	}
	c->out_tail = &c->out;
	c->nout = 0;
}

void
xdd_client_flush(struct xdd_client *c)
{
	struct out *o;

	while ((o = c->out) != NULL) {
		if (send(c->fd, o->msg, o->len, MSG_NOSIGNAL | MSG_DONTWAIT) <
		    0) {
			if (errno == EAGAIN || errno == ENOBUFS)
				return;
			out_drop(c); /* it is gone: its hangup closes it */
			return;
		}
		c->out = o->next;
		if (c->out == NULL)
			c->out_tail = &c->out;
		c->nout--;
		free(o);
	}
}

/* a reply the socket did not take: it waits for the client to read */
static void
out_queue(struct xdd_client *c, const uint8_t *msg, uint32_t len)
{
	struct out *o;

	if (c->nout >= OUT_MAX) {
		log_warn("client pid %d reads no replies: one lost",
			 (int)c->pid);
		return;
	}
	o = malloc(sizeof(*o) + len);
	if (o == NULL) {
		log_warn("client pid %d: reply lost: no memory", (int)c->pid);
		return;
	}
	o->next = NULL;
	o->len = len;
	memcpy(o->msg, msg, len);
	*c->out_tail = o;
	c->out_tail = &o->next;
	c->nout++;
}

int
xdd_server_listen(struct xdd *d, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return errno = ENAMETOOLONG, -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* the pidfile lock says no other xendevd runs: a socket file left
	 * behind is a dead daemon's */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		close(fd);
		return -1;
	}
	d->listen_fd = fd;
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

/* A reply into buf (IPC_MSG_MAX bytes); its length. */
static uint32_t
build(uint8_t *buf, uint16_t type, uint32_t id, int err, const void *body,
      uint32_t len, const char *fmt, va_list ap)
{
	struct ipc_hdr h = {
		.magic = XDD_MAGIC,
		.version = XDD_VERSION,
		.type = (uint16_t)(XDD_REPLY | type),
		.id = id,
	};
	struct ipc_status st = {.err = err};

	if (len > IPC_MSG_MAX - sizeof(h) - sizeof(st))
		len = 0; /* cannot happen: the layouts are asserted in xdd.h */
	if (fmt != NULL)
		vsnprintf(st.msg, sizeof(st.msg), fmt, ap);
	h.len = (uint32_t)(sizeof(h) + sizeof(st) + len);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &st, sizeof(st));
	if (len)
		memcpy(buf + sizeof(h) + sizeof(st), body, len);
	return h.len;
}

void
xdd_reply(struct xdd_client *c, uint16_t type, uint32_t id, int err,
	  const void *body, uint32_t len, const char *fmt, ...)
{
	static uint8_t buf[IPC_MSG_MAX];
	uint32_t n;
	va_list ap;

	if (c == NULL)
		return;
	va_start(ap, fmt);
	n = build(buf, type, id, err, body, len, fmt, ap);
	va_end(ap);
	/* in order: after those waiting already */
	if (c->out == NULL) {
		if (send(c->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			return;
		if (errno != EAGAIN && errno != ENOBUFS)
			return; /* it is gone: its hangup closes it */
	}
	out_queue(c, buf, n);
}

/* A client that will not be served: one reply (id 0) says why, if its
 * socket takes it, and it is closed. */
static void
refuse(int fd, int err, const char *fmt, ...)
{
	static uint8_t buf[IPC_MSG_MAX];
	uint32_t n;
	va_list ap;
	int i;

	va_start(ap, fmt);
	n = build(buf, XDD_HELLO, 0, err, NULL, 0, fmt, ap);
	va_end(ap);
	send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	/* what it sent already (its hello) is read first: a socket closed
	 * with unread messages makes the peer's next read fail with
	 * ECONNRESET instead of returning our reply */
	for (i = 0; i < 4; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
	close(fd);
}

/*
 * Out of descriptors, the connection stays queued and poll reports it
 * again at once.  Give back the spare descriptor, take the client off the
 * queue, tell it and close it, and take a spare again.
 */
static int
accept_spare(struct xdd *d)
{
	int fd;

	if (d->spare_fd < 0)
		return -1;
	close(d->spare_fd);
	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd >= 0)
		refuse(fd, EMFILE, "xendevd is out of file descriptors");
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	log_warn("refused a client: out of file descriptors");
	return 0;
}

int
xdd_server_accept(struct xdd *d)
{
	struct xdd_client *c;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	int fd;

	/* lost when the last one ran out: take it again once there is one */
	if (d->spare_fd < 0)
		d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
	    accept_spare(d) == 0)
		return 0;
	if (fd < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return 0;
		/* it is still queued: poll would report it again at once */
		d->accept_after_ms = clk_now_ms() + ACCEPT_PAUSE_MS;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0) {
		close(fd);
		return 0;
	}
	/* wiring bridges is root's business (and that of xendevd's user) */
	if (cr.uid != 0 && cr.uid != geteuid()) {
		log_warn("refused a client: pid %d, uid %u", (int)cr.pid,
			 (unsigned)cr.uid);
		refuse(fd, EPERM, "uid %u may not use xendevd",
		       (unsigned)cr.uid);
		return 0;
	}
	if (d->nclients >= XDD_CLIENTS_MAX) {
		log_warn("refused a client: pid %d: %d clients already",
			 (int)cr.pid, XDD_CLIENTS_MAX);
		refuse(fd, EUSERS, "xendevd serves %d clients already",
		       XDD_CLIENTS_MAX);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		refuse(fd, ENOMEM, "xendevd is out of memory");
		return 0;
	}
	c->fd = fd;
	c->uid = cr.uid;
	c->pid = cr.pid;
	c->out_tail = &c->out;
	c->next = d->clients;
	d->clients = c;
	d->nclients++;
	return 0;
}

static void
client_close(struct xdd *d, struct xdd_client *c)
{
	struct xdd_client **pp;

	xdd_vif_client_gone(d, c);
	for (pp = &d->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			d->nclients--;
			break;
		}
	}
	out_drop(c);
	close(c->fd);
	free(c);
}

void
xdd_server_close(struct xdd *d)
{
	while (d->clients != NULL)
		client_close(d, d->clients);
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->spare_fd >= 0)
		close(d->spare_fd);
	d->listen_fd = -1;
	d->spare_fd = -1;
}

typedef void handler_fn(struct xdd *d, struct xdd_client *c,
			const struct xdd_req *r);

static void
on_hello(struct xdd *d, struct xdd_client *c, const struct xdd_req *r)
{
	struct ipc_hello out = {.version = XDD_VERSION,
				.pid = (uint32_t)getpid()};

	(void)d;
	c->greeted = 1;
	xdd_reply(c, r->h.type, r->h.id, 0, &out, sizeof(out), NULL);
}

static void
on_vif(struct xdd *d, struct xdd_client *c, const struct xdd_req *r)
{
	if (r->h.type == XDD_VIF_ATTACH)
		xdd_vif_attach(d, c, r->h.id, &r->u.vif);
	else
		xdd_vif_detach(d, c, r->h.id, &r->u.vif);
}

static void
on_list(struct xdd *d, struct xdd_client *c, const struct xdd_req *r)
{
	xdd_vif_list(d, c, r->h.id, r->u.list.offset);
}

/* handlers by type; msg.c knows the body each takes */
static handler_fn *const handlers[XDD_NTYPES] = {
	[XDD_HELLO] = on_hello,
	[XDD_VIF_ATTACH] = on_vif,
	[XDD_VIF_DETACH] = on_vif,
	[XDD_VIF_LIST] = on_list,
};

void
xdd_server_read(struct xdd *d, struct xdd_client *c)
{
	static uint8_t buf[IPC_MSG_MAX];
	struct xdd_req r;
	char why[160];
	ssize_t n;
	int err;

	/* MSG_TRUNC: n is the packet's size, even when it did not fit */
	n = recv(c->fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(d, c);
		return;
	}
	err = xdd_msg_parse(buf, (size_t)n, &r, why, sizeof(why));
	if (err != 0) {
		xdd_reply(c, r.h.type, r.h.id, err, NULL, 0, "%s", why);
		return;
	}
	if (!c->greeted && r.h.type != XDD_HELLO) {
		xdd_reply(c, r.h.type, r.h.id, EPROTO, NULL, 0,
			  "say hello first");
		return;
	}
	if (handlers[r.h.type] == NULL) /* msg.c and the table disagree */
		xdd_reply(c, r.h.type, r.h.id, EOPNOTSUPP, NULL, 0,
			  "request type %u is not served", r.h.type);
	else
		handlers[r.h.type](d, c, &r);
}
