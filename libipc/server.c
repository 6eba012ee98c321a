/*
 * server.c: the daemon's side of a framed socket (ipc.h): listen, accept
 * root's clients up to a cap, check every message (msg.c) before anything
 * is copied out of it, answer the hello, queue the replies a client does
 * not read yet.  A bad message gets an error reply and the connection
 * stays.
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

#include "clock.h"
#include "ipc.h"

/* messages of one client served per turn */
#define READ_BURST 4

/* after an accept that failed for want of memory or descriptors */
#define ACCEPT_PAUSE_MS 100

/*
 * Replies a client's socket did not take yet wait here, oldest first.
 * While any wait, the daemon reads no request of that client
 * (ipc_client_blocked), so a client that never reads stops itself, not
 * the daemon; what can still join the queue is what the daemon answers
 * on its own (a request that completes later), at most out_max.
 */
struct out {
	struct out *next;
	uint32_t len;
	uint8_t msg[];
};

struct ipc_client {
	struct ipc_client *next;
	struct ipc_server *s;
	int fd;
	uid_t uid;
	pid_t pid;
	int greeted; /* said hello */
	struct out *out, **out_tail;
	unsigned nout;
};

struct ipc_server {
	const struct ipc_proto *p;
	const struct ipc_ops *ops;
	void *arg;
	unsigned max_clients, out_max;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	/* kept open to be given back when descriptors run out, so that a
	 * client can still be taken off the queue and told why it is refused */
	int spare_fd;
	int64_t accept_after_ms; /* accept nothing before (after a failure) */
	struct ipc_client *clients;
	unsigned nclients;
};

/* a received message, aligned for the structs of any protocol's bodies */
union msgbuf {
	uint8_t b[IPC_MSG_MAX];
	uint64_t align;
};

static void
warn_stderr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void (*warnf)(const char *fmt, ...)
	__attribute__((format(printf, 1, 2))) = warn_stderr;

void
ipc_set_warn(void (*fn)(const char *fmt, ...))
{
	warnf = fn != NULL ? fn : warn_stderr;
}

struct ipc_client *
ipc_server_clients(const struct ipc_server *s)
{
	return s->clients;
}

unsigned
ipc_server_nclients(const struct ipc_server *s)
{
	return s->nclients;
}

struct ipc_client *
ipc_client_next(const struct ipc_client *c)
{
	return c->next;
}

int
ipc_client_fd(const struct ipc_client *c)
{
	return c->fd;
}

pid_t
ipc_client_pid(const struct ipc_client *c)
{
	return c->pid;
}

int
ipc_client_blocked(const struct ipc_client *c)
{
	return c->out != NULL;
}

static void
out_drop(struct ipc_client *c)
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
ipc_client_flush(struct ipc_client *c)
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
out_queue(struct ipc_client *c, const uint8_t *msg, uint32_t len)
{
	struct out *o;

	if (c->nout >= c->s->out_max) {
		warnf("client pid %d reads no replies: one lost", (int)c->pid);
		return;
	}
	o = malloc(sizeof(*o) + len);
	if (o == NULL) {
		warnf("client pid %d: reply lost: no memory", (int)c->pid);
		return;
	}
	o->next = NULL;
	o->len = len;
	memcpy(o->msg, msg, len);
	*c->out_tail = o;
	c->out_tail = &o->next;
	c->nout++;
}

/* A reply of protocol p into buf (IPC_MSG_MAX bytes); its length. */
static uint32_t
build(const struct ipc_proto *p, uint8_t *buf, uint16_t type, uint32_t id,
      int err, const void *body, uint32_t len, const char *fmt, va_list ap)
{
	struct ipc_hdr h = {
		.magic = p->magic,
		.version = p->version,
		.type = (uint16_t)(IPC_REPLY | type),
		.id = id,
	};
	struct ipc_status st = {.err = err};

	if (len > IPC_REPLY_BODY_MAX)
		len = 0; /* a caller's bug: the status still goes out */
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
ipc_reply(struct ipc_client *c, uint16_t type, uint32_t id, int err,
	  const void *body, uint32_t len, const char *fmt, ...)
{
	uint8_t buf[IPC_MSG_MAX];
	uint32_t n;
	va_list ap;

	if (c == NULL)
		return;
	va_start(ap, fmt);
	n = build(c->s->p, buf, type, id, err, body, len, fmt, ap);
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
static void refuse(const struct ipc_server *s, int fd, int err, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static void
refuse(const struct ipc_server *s, int fd, int err, const char *fmt, ...)
{
	uint8_t buf[IPC_MSG_MAX];
	uint32_t n;
	va_list ap;
	int i;

	va_start(ap, fmt);
	n = build(s->p, buf, IPC_HELLO, 0, err, NULL, 0, fmt, ap);
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

int
ipc_server_open(struct ipc_server **sp, const char *path,
		const struct ipc_proto *p, const struct ipc_ops *ops, void *arg,
		unsigned max_clients, unsigned out_max)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ipc_server *s;
	int fd, e;

	*sp = NULL;
	if (p->ntypes > IPC_REPLY || ops->request == NULL)
		return errno = EINVAL, -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return errno = ENAMETOOLONG, -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		free(s);
		return -1;
	}
	/* the caller's pidfile lock says no other daemon runs: a socket
	 * file left behind is a dead one's */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		e = errno;
		close(fd);
		free(s);
		return errno = e, -1;
	}
	strcpy(s->path, path);
	s->p = p;
	s->ops = ops;
	s->arg = arg;
	s->max_clients = max_clients;
	s->out_max = out_max;
	s->listen_fd = fd;
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	*sp = s;
	return 0;
}

int
ipc_server_listen_fd(const struct ipc_server *s, int64_t *after_ms)
{
	if (clk_now_ms() < s->accept_after_ms) {
		*after_ms = s->accept_after_ms;
		return -1;
	}
	*after_ms = 0;
	return s->listen_fd;
}

/*
 * Out of descriptors, the connection stays queued and poll reports it
 * again at once.  Give back the spare descriptor, take the client off the
 * queue, tell it and close it, and take a spare again.
 */
static int
accept_spare(struct ipc_server *s)
{
	int fd;

	if (s->spare_fd < 0)
		return -1;
	close(s->spare_fd);
	fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd >= 0)
		refuse(s, fd, EMFILE, "%s is out of file descriptors",
		       s->p->name);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	warnf("refused a client: out of file descriptors");
	return 0;
}

int
ipc_server_accept(struct ipc_server *s)
{
	struct ipc_client *c;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	int fd;

	/* lost when the last one ran out: take it again once there is one */
	if (s->spare_fd < 0)
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
	    accept_spare(s) == 0)
		return 0;
	if (fd < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return 0;
		/* it is still queued: poll would report it again at once */
		s->accept_after_ms = clk_now_ms() + ACCEPT_PAUSE_MS;
		return -1;
	}
	s->accept_after_ms = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0) {
		close(fd);
		return 0;
	}
	/* the daemons do root's business (and that of their own user) */
	if (cr.uid != 0 && cr.uid != geteuid()) {
		warnf("refused a client: pid %d, uid %u", (int)cr.pid,
		      (unsigned)cr.uid);
		refuse(s, fd, EPERM, "uid %u may not use %s", (unsigned)cr.uid,
		       s->p->name);
		return 0;
	}
	if (s->nclients >= s->max_clients) {
		warnf("refused a client: pid %d: %u clients already",
		      (int)cr.pid, s->max_clients);
		refuse(s, fd, EUSERS, "%s serves %u clients already",
		       s->p->name, s->max_clients);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		refuse(s, fd, ENOMEM, "%s is out of memory", s->p->name);
		return 0;
	}
	c->s = s;
	c->fd = fd;
	c->uid = cr.uid;
	c->pid = cr.pid;
	c->out_tail = &c->out;
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	/* a one-request client sends its hello and request at once: serve
	 * them now rather than after another turn of the poll loop */
	ipc_client_read(s, c);
	return 0;
}

static void
client_close(struct ipc_server *s, struct ipc_client *c)
{
	struct ipc_client **pp;

	if (s->ops->gone != NULL)
		s->ops->gone(s->arg, c);
	for (pp = &s->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			s->nclients--;
			break;
		}
	}
	out_drop(c);
	close(c->fd);
	free(c);
}

void
ipc_server_close(struct ipc_server *s)
{
	if (s == NULL)
		return;
	while (s->clients != NULL)
		client_close(s, s->clients);
	close(s->listen_fd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	unlink(s->path);
	free(s);
}

/* Serve one message of c, if one waits: 1 when c may be read again (it
 * is open, had a message and has no reply waiting), else 0. */
static int
read_one(struct ipc_server *s, struct ipc_client *c)
{
	union msgbuf buf;
	struct ipc_hdr h;
	struct ipc_hello me = {.version = s->p->version};
	char why[160];
	ssize_t n;
	int err;

	/* MSG_TRUNC: n is the packet's size, even when it did not fit */
	n = recv(c->fd, buf.b, sizeof(buf.b), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		client_close(s, c);
		return 0;
	}
	err = ipc_msg_check(s->p, buf.b, (size_t)n, &h, why, sizeof(why));
	if (err != 0) {
		ipc_reply(c, h.type, h.id, err, NULL, 0, "%s", why);
	} else if (h.type == IPC_HELLO) {
		c->greeted = 1;
		me.pid = (uint32_t)getpid();
		ipc_reply(c, h.type, h.id, 0, &me, sizeof(me), NULL);
	} else if (!c->greeted) {
		ipc_reply(c, h.type, h.id, EPROTO, NULL, 0, "say hello first");
	} else {
		s->ops->request(s->arg, c, &h, buf.b + sizeof(h));
	}
	return c->out == NULL;
}

void
ipc_client_read(struct ipc_server *s, struct ipc_client *c)
{
	int i;

	/* a few at a time, so that one busy client does not starve the
	 * others (poll reports the rest) */
	for (i = 0; i < READ_BURST && read_one(s, c); i++)
		;
}

size_t
ipc_server_pollfds(const struct ipc_server *s, struct pollfd *pfd,
		   int *timeout_ms)
{
	const struct ipc_client *c;
	int64_t after, left;
	size_t n = 0;

	/* after an accept failed, leave the queue alone a while */
	pfd[n++] = (struct pollfd){.fd = ipc_server_listen_fd(s, &after),
				   .events = POLLIN};
	if (after != 0) {
		left = after - clk_now_ms();
		if (left < 0)
			left = 0;
		if (*timeout_ms < 0 || left < *timeout_ms)
			*timeout_ms = (int)left;
	}
	/* a client with replies waiting is not read until it reads */
	for (c = s->clients; c != NULL; c = c->next)
		pfd[n++] = (struct pollfd){.fd = c->fd,
					   .events = c->out ? POLLOUT : POLLIN};
	return n;
}

void
ipc_server_serve(struct ipc_server *s, const struct pollfd *pfd, size_t n)
{
	struct ipc_client *c;
	size_t i;

	/* clients by descriptor: serving one may close any of them */
	for (i = 1; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		for (c = s->clients; c != NULL && c->fd != pfd[i].fd;
		     c = c->next)
			;
		if (c == NULL)
			continue;
		if (pfd[i].events & POLLOUT)
			ipc_client_flush(c);
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			ipc_client_read(s, c);
	}
	if (n > 0 && pfd[0].fd >= 0 && pfd[0].revents &&
	    ipc_server_accept(s) < 0)
		warnf("accept: %s; trying again shortly", strerror(errno));
}
