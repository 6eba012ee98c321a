/*
 * ipc.h: the framed request/reply sockets of chaos's daemons (xendevd,
 * chaos-shelld), one implementation for both sides of every protocol.
 *
 * A client connects to a SOCK_SEQPACKET Unix socket, so one message is one
 * packet.  Every message starts with struct ipc_hdr; len counts the whole
 * message and may not exceed IPC_MSG_MAX.  A protocol (struct ipc_proto)
 * names its magic, version and the exact body size of each request type.
 * A client must open with IPC_HELLO (type 1 in every protocol); every
 * request gets exactly one reply of type IPC_REPLY | request type with the
 * request's id, though not always in request order.  A reply body starts
 * with struct ipc_status: 0, or a positive errno and a one-line message.
 * Both sides run on one host: integers are in host order.
 *
 * The server checks every message (ipc_msg_check) before anything is
 * copied out of it, takes only root (or its own uid) as a peer, serves at
 * most max_clients at once and keeps replies a client does not read yet
 * in a bounded queue; a bad request gets an error reply and the connection
 * stays.
 */
#ifndef IPC_H
#define IPC_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IPC_MSG_MAX 4096
#define IPC_HELLO   1
#define IPC_REPLY   0x8000

struct ipc_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len; /* header and body */
	uint32_t id;  /* chosen by the client, echoed in the reply */
};

struct ipc_status {
	int32_t err; /* 0, or an errno value */
	char msg[200];
};

struct ipc_hello {
	uint32_t version; /* the highest version the sender speaks */
	uint32_t pid;
};

/* the wire format: the same on every host of one architecture */
_Static_assert(sizeof(struct ipc_hdr) == 16, "ipc_hdr layout");
_Static_assert(sizeof(struct ipc_status) == 204, "ipc_status layout");
_Static_assert(sizeof(struct ipc_hello) == 8, "ipc_hello layout");

/* the largest body a reply can carry after its status */
#define IPC_REPLY_BODY_MAX                                                     \
	(IPC_MSG_MAX - sizeof(struct ipc_hdr) - sizeof(struct ipc_status))

struct ipc_proto {
	const char *name; /* "xendevd": in messages */
	uint32_t magic;
	uint16_t version;
	uint16_t ntypes;	   /* request types are 1 .. ntypes-1 */
	const uint32_t *body_size; /* [type]: exact body size; 0: no such */
};
/* ntypes is at most IPC_REPLY.  body_size[IPC_HELLO] is not read: a
 * hello's body is struct ipc_hello in every protocol. */

/*
 * Check the message msg of len bytes against p.  len is the size recv
 * reported with MSG_TRUNC and may exceed IPC_MSG_MAX; at most
 * min(len, IPC_MSG_MAX) bytes of msg are read.  Returns 0 (the body is
 * msg + sizeof(struct ipc_hdr), of p->body_size[h->type] bytes), or an
 * errno value and why in why: EMSGSIZE (more than IPC_MSG_MAX bytes),
 * EBADMSG (short, wrong magic, a length other than len, a body not of its
 * type's size), EPROTONOSUPPORT (a version other than p's, a hello below
 * 1), EOPNOTSUPP (an unknown type).  Either way *h holds the header as far
 * as there is one (zeros otherwise; type 0 when it is not p's message).
 */
int ipc_msg_check(const struct ipc_proto *p, const uint8_t *msg, size_t len,
		  struct ipc_hdr *h, char *why, size_t whylen);

/* ---- server side ---- */

struct ipc_server;
struct ipc_client;

struct ipc_ops {
	/* A checked request other than hello from a greeted client; body
	 * (h->len - sizeof(*h) bytes, 8-byte aligned) lasts for the call. */
	void (*request)(void *arg, struct ipc_client *c,
			const struct ipc_hdr *h, const void *body);
	/* c is about to be closed and freed (gone may be NULL). */
	void (*gone)(void *arg, struct ipc_client *c);
};

/* Listen on path (mode 0600; a file left there is removed: the caller
 * holds its pidfile lock).  max_clients: more are told EUSERS and closed;
 * out_max: replies that may wait for a client that does not read.  0, or
 * -1 with errno (EINVAL: p->ntypes above IPC_REPLY, no ops->request). */
int ipc_server_open(struct ipc_server **sp, const char *path,
		    const struct ipc_proto *p, const struct ipc_ops *ops,
		    void *arg, unsigned max_clients, unsigned out_max);
/* Close every client (ops->gone first), the socket, and remove its file;
 * s may be NULL. */
void ipc_server_close(struct ipc_server *s);

/* The listening descriptor, or -1 while accepting is paused (after an
 * accept failed for want of descriptors or memory; the connection is
 * still queued).  *after_ms: until when (clk_now_ms), else 0. */
int ipc_server_listen_fd(const struct ipc_server *s, int64_t *after_ms);
/* Take one client off the listening socket (a stranger, one too many or
 * one that finds no descriptor is told why and closed).  0, or -1 with
 * errno when none could be taken and it is still queued: accepting
 * pauses (ipc_server_listen_fd). */
int ipc_server_accept(struct ipc_server *s);

struct ipc_client *ipc_server_clients(const struct ipc_server *s);
unsigned ipc_server_nclients(const struct ipc_server *s);
struct ipc_client *ipc_client_next(const struct ipc_client *c);
int ipc_client_fd(const struct ipc_client *c);
pid_t ipc_client_pid(const struct ipc_client *c);
/* Poll for POLLOUT, not POLLIN, while replies wait; then flush. */
int ipc_client_blocked(const struct ipc_client *c);
void ipc_client_flush(struct ipc_client *c);
/* Serve one readable client; it may be closed and freed.  A bad message
 * gets its error reply; a hello is answered here (struct ipc_hello: p's
 * version, the daemon's pid); any other request before a hello gets
 * EPROTO; the rest go to ops->request. */
void ipc_client_read(struct ipc_server *s, struct ipc_client *c);

/*
 * For a daemon's poll loop, which may poll descriptors of its own beside.
 * ipc_server_pollfds fills pfd (room for 1 + ipc_server_nclients(s)) with
 * the listening socket (fd -1 while accepting pauses) and each client's
 * (POLLOUT while it is blocked, else POLLIN), returns how many, and
 * lowers *timeout_ms (-1: none) to when accepting resumes.  After poll,
 * ipc_server_serve flushes, reads and accepts as their revents say; any
 * client may be closed and freed.
 */
size_t ipc_server_pollfds(const struct ipc_server *s, struct pollfd *pfd,
			  int *timeout_ms);
void ipc_server_serve(struct ipc_server *s, const struct pollfd *pfd, size_t n);

/* Reply to request id of type with status err/fmt and an optional body of
 * len <= IPC_REPLY_BODY_MAX bytes; c may be NULL (nobody to tell). */
void ipc_reply(struct ipc_client *c, uint16_t type, uint32_t id, int err,
	       const void *body, uint32_t len, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Rate-limited warnings go through this (default: stderr). */
void ipc_set_warn(void (*warn)(const char *fmt, ...));

/* ---- client side ---- */

struct ipc_conn {
	int fd;
	uint32_t next_id;
	const struct ipc_proto *p;
};

/* Connect to path and say hello; -1 with errno (ENOENT, ECONNREFUSED: the
 * daemon is not running; else the daemon's own cause when it refused us,
 * e.g. EUSERS, EMFILE, EPERM). */
int ipc_open(struct ipc_conn *c, const struct ipc_proto *p, const char *path);
void ipc_close(struct ipc_conn *c);
int ipc_send(struct ipc_conn *c, uint16_t type, const void *body, uint32_t len,
	     uint32_t *id);
/* The next reply within timeout_ms: ETIMEDOUT, EBADMSG (malformed),
 * ECONNRESET (the daemon went away). */
int ipc_recv(struct ipc_conn *c, int timeout_ms, struct ipc_hdr *h,
	     struct ipc_status *st, void *body, size_t cap, uint32_t *len);
/* Send, then wait for the reply to that request. */
int ipc_call(struct ipc_conn *c, uint16_t type, const void *req,
	     uint32_t reqlen, int timeout_ms, struct ipc_status *st, void *body,
	     size_t cap, uint32_t *len);

#endif
