/*
 * test_ipc.c: libipc (ipc.h) with both of its sides: a server of a test
 * protocol on a Unix socket in a temporary directory, served by a thread
 * of the test, and clients, ipc_conn or raw, in the test itself.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc.h"

#define T_MAGIC	      0x54435049u /* "IPCT" */
#define T_CLIENTS_MAX 4
#define T_OUT_MAX     8

enum {
	T_ADD = 2,   /* body: struct t_add; reply: uint32_t a + b */
	T_FLOOD = 3, /* body: uint32_t n; n replies of its id at once */
	T_NTYPES,
};

struct t_add {
	uint32_t a, b;
};

static const uint32_t t_body_size[T_NTYPES] = {
	[T_ADD] = sizeof(struct t_add),
	[T_FLOOD] = sizeof(uint32_t),
};

static const struct ipc_proto t_proto = {
	.name = "ipctest",
	.magic = T_MAGIC,
	.version = 1,
	.ntypes = T_NTYPES,
	.body_size = t_body_size,
};

/* one server, its thread, and what it saw (read once it stopped; the
 * callbacks run on that thread, so they count and do not assert) */
struct fixture {
	struct ipc_server *s;
	pthread_t thread;
	int stop[2];
	char dir[64], path[96];
	unsigned requests, gone;
};

static int warnings; /* from the server's thread: atomically */

static void
count_warning(const char *fmt, ...)
{
	(void)fmt;
	__atomic_add_fetch(&warnings, 1, __ATOMIC_SEQ_CST);
}

static void
on_request(void *arg, struct ipc_client *c, const struct ipc_hdr *h,
	   const void *body)
{
	struct fixture *f = arg;
	struct t_add add;
	uint32_t n, sum;

	f->requests++;
	if (h->type == T_ADD) {
		memcpy(&add, body, sizeof(add));
		sum = add.a + add.b;
		ipc_reply(c, h->type, h->id, 0, &sum, sizeof(sum), NULL);
		return;
	}
	/* replies the server sends on its own, while nobody reads */
	for (memcpy(&n, body, sizeof(n)); n > 0; n--)
		ipc_reply(c, h->type, h->id, 0, NULL, 0, "flood");
}

static void
on_gone(void *arg, struct ipc_client *c)
{
	struct fixture *f = arg;

	(void)c;
	f->gone++;
}

static const struct ipc_ops t_ops = {.request = on_request, .gone = on_gone};

static void *
serve(void *arg)
{
	struct fixture *f = arg;
	struct pollfd pfd[2 + T_CLIENTS_MAX];
	int timeout;
	size_t n;

	for (;;) {
		pfd[0] = (struct pollfd){.fd = f->stop[0], .events = POLLIN};
		timeout = -1;
		n = 1 + ipc_server_pollfds(f->s, pfd + 1, &timeout);
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			break;
		/* serve first: a client closed before the stop was told is
		 * gone by then */
		ipc_server_serve(f->s, pfd + 1, n - 1);
		if (pfd[0].revents)
			break;
	}
	return NULL;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ipc-test.XXXXXX");
	if (mkdtemp(f->dir) == NULL || pipe(f->stop) < 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/sock", f->dir);
	warnings = 0;
	ipc_set_warn(count_warning);
	if (ipc_server_open(&f->s, f->path, &t_proto, &t_ops, f, T_CLIENTS_MAX,
			    T_OUT_MAX) < 0 ||
	    pthread_create(&f->thread, NULL, serve, f) != 0)
		return -1;
	*state = f;
	return 0;
}

/* the thread stops; what it saw can be read */
static void
stop(struct fixture *f)
{
	if (f->stop[1] < 0)
		return;
	assert_int_equal(write(f->stop[1], "x", 1), 1);
	pthread_join(f->thread, NULL);
	close(f->stop[1]);
	f->stop[1] = -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	stop(f);
	ipc_server_close(f->s);
	/* the socket's file goes with it */
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
	close(f->stop[0]);
	rmdir(f->dir);
	ipc_set_warn(NULL);
	free(f);
	return 0;
}

/* a connection that has said nothing yet */
static int
connect_raw(const struct fixture *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* send len bytes of msg on fd; the reply's error, its header in *h and
 * its body in body (cap bytes) */
static int
raw(int fd, const void *msg, size_t len, struct ipc_hdr *h, void *body,
    size_t cap)
{
	uint8_t buf[IPC_MSG_MAX];
	struct ipc_status st;
	ssize_t n;

	assert_true(send(fd, msg, len, MSG_NOSIGNAL) == (ssize_t)len);
	n = recv(fd, buf, sizeof(buf), 0);
	assert_true(n >= (ssize_t)(sizeof(*h) + sizeof(st)));
	memcpy(h, buf, sizeof(*h));
	memcpy(&st, buf + sizeof(*h), sizeof(st));
	assert_int_equal(h->magic, T_MAGIC);
	assert_int_equal(h->version, 1);
	assert_int_equal(h->len, (uint32_t)n);
	assert_true(h->type & IPC_REPLY);
	assert_non_null(memchr(st.msg, '\0', sizeof(st.msg)));
	if (st.err != 0)
		assert_true(st.msg[0] != '\0');
	if (cap)
		memcpy(body, buf + sizeof(*h) + sizeof(st),
		       (size_t)n - sizeof(*h) - sizeof(st) < cap
			       ? (size_t)n - sizeof(*h) - sizeof(st)
			       : cap);
	return st.err;
}

/* a message of the test protocol: header and body */
struct t_msg {
	struct ipc_hdr h;
	union {
		struct ipc_hello hello;
		struct t_add add;
		uint8_t pad[64];
	} b;
};

static struct t_msg
msg(uint16_t type, uint32_t id, size_t body)
{
	struct t_msg m;

	memset(&m, 0, sizeof(m));
	m.h = (struct ipc_hdr){.magic = T_MAGIC,
			       .version = 1,
			       .type = type,
			       .len = (uint32_t)(sizeof(m.h) + body),
			       .id = id};
	return m;
}

static void
t_hello_and_request(void **state)
{
	struct fixture *f = *state;
	struct t_msg m = msg(IPC_HELLO, 7, sizeof(struct ipc_hello));
	struct t_add add = {2, 40};
	struct ipc_hello hi;
	struct ipc_status st;
	struct ipc_conn c;
	struct ipc_hdr h;
	uint32_t sum = 0, len = 0;
	int fd = connect_raw(f);

	/* the server answers the hello itself: its version and pid */
	m.b.hello.version = 1;
	assert_int_equal(raw(fd, &m, m.h.len, &h, &hi, sizeof(hi)), 0);
	assert_int_equal(h.type, IPC_REPLY | IPC_HELLO);
	assert_int_equal(h.id, 7);
	assert_int_equal(h.len, sizeof(h) + sizeof(st) + sizeof(hi));
	assert_int_equal(hi.version, 1);
	assert_int_equal(hi.pid, (uint32_t)getpid());
	close(fd);

	assert_int_equal(ipc_open(&c, &t_proto, f->path), 0);
	assert_int_equal(ipc_call(&c, T_ADD, &add, sizeof(add), 2000, &st, &sum,
				  sizeof(sum), &len),
			 0);
	assert_int_equal(st.err, 0);
	assert_int_equal(len, sizeof(sum));
	assert_int_equal(sum, 42);
	ipc_close(&c);
	assert_int_equal(c.fd, -1);
	stop(f);
	assert_int_equal(f->requests, 1);
	assert_int_equal(f->gone, 2);
}

static void
t_hello_first(void **state)
{
	struct fixture *f = *state;
	struct t_msg m = msg(T_ADD, 3, sizeof(struct t_add));
	struct ipc_hdr h;
	int fd = connect_raw(f);

	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EPROTO);
	assert_int_equal(h.type, IPC_REPLY | T_ADD);
	assert_int_equal(h.id, 3);
	m = msg(IPC_HELLO, 4, sizeof(struct ipc_hello));
	m.b.hello.version = 9; /* a newer client: the server says its own */
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), 0);
	m = msg(T_ADD, 5, sizeof(struct t_add));
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), 0);
	close(fd);
	stop(f);
	assert_int_equal(f->requests, 1);
}

/* Each bad message gets its error, with the header as far as there is
 * one; the connection stays and is served. */
static void
t_malformed(void **state)
{
	static uint8_t big[2 * IPC_MSG_MAX];
	struct fixture *f = *state;
	struct t_msg m = msg(IPC_HELLO, 1, sizeof(struct ipc_hello));
	struct ipc_hdr h;
	uint32_t sum;
	int fd = connect_raw(f);

	m.b.hello.version = 1;
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), 0);

	assert_int_equal(raw(fd, "abc", 3, &h, NULL, 0), EBADMSG);
	assert_int_equal(h.type, IPC_REPLY);
	assert_int_equal(h.id, 0);
	m = msg(T_ADD, 11, sizeof(struct t_add));
	m.h.magic = 0x21444458u; /* another protocol's */
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EBADMSG);
	assert_int_equal(h.type, IPC_REPLY); /* not ours: no type */
	assert_int_equal(h.id, 11);
	m = msg(T_ADD, 12, sizeof(struct t_add));
	m.h.version = 2;
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EPROTONOSUPPORT);
	assert_int_equal(h.type, IPC_REPLY | T_ADD);
	assert_int_equal(h.id, 12);
	m = msg(T_ADD, 13, sizeof(struct t_add));
	m.h.len = 1000; /* lies about its length */
	assert_int_equal(
		raw(fd, &m, sizeof(m.h) + sizeof(m.b.add), &h, NULL, 0),
		EBADMSG);
	m = msg(T_ADD, 14, 3); /* short body */
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EBADMSG);
	m = msg(T_ADD, 15, sizeof(struct t_add) + 4); /* long body */
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EBADMSG);
	m = msg(99, 16, 0);
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EOPNOTSUPP);
	m = msg(0, 17, 0);
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EOPNOTSUPP);
	m = msg(IPC_REPLY | T_ADD, 18, sizeof(struct t_add));
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EOPNOTSUPP);
	m = msg(IPC_HELLO, 19, sizeof(struct ipc_hello)); /* version 0 */
	assert_int_equal(raw(fd, &m, m.h.len, &h, NULL, 0), EPROTONOSUPPORT);
	m = msg(T_ADD, 20, sizeof(struct t_add));
	memcpy(big, &m.h, sizeof(m.h));
	assert_int_equal(raw(fd, big, sizeof(big), &h, NULL, 0), EMSGSIZE);
	assert_int_equal(h.id, 20);

	/* still greeted, still served */
	m = msg(T_ADD, 21, sizeof(struct t_add));
	m.b.add = (struct t_add){1, 1};
	assert_int_equal(raw(fd, &m, m.h.len, &h, &sum, sizeof(sum)), 0);
	assert_int_equal(sum, 2);
	close(fd);
	stop(f);
	assert_int_equal(f->requests, 1);
}

/* ipc_msg_check on its own: the header as far as there is one */
static void
t_check(void **state)
{
	struct t_msg m = msg(T_ADD, 5, sizeof(struct t_add));
	struct ipc_hdr h;
	char why[80];

	(void)state;
	assert_int_equal(ipc_msg_check(&t_proto, (uint8_t *)&m, m.h.len, &h,
				       why, sizeof(why)),
			 0);
	assert_memory_equal(&h, &m.h, sizeof(h));
	assert_string_equal(why, "");
	memset(&h, 0xff, sizeof(h));
	assert_int_equal(
		ipc_msg_check(&t_proto, (uint8_t *)&m, 5, &h, why, sizeof(why)),
		EBADMSG);
	assert_int_equal(h.magic | h.type | h.len | h.id, 0);
	assert_string_equal(why, "not a ipctest message (5 bytes)");
	/* a reason cut to its room, terminated */
	assert_int_equal(ipc_msg_check(&t_proto, (uint8_t *)&m, 5, &h, why, 4),
			 EBADMSG);
	assert_string_equal(why, "not");
	/* a request type past ntypes, and one the table lacks */
	m = msg(T_NTYPES, 6, 0);
	assert_int_equal(ipc_msg_check(&t_proto, (uint8_t *)&m, m.h.len, &h,
				       why, sizeof(why)),
			 EOPNOTSUPP);
	assert_string_equal(why, "unknown request type 4");
}

/* At most max_clients; the next is told EUSERS, and a place freed is
 * taken again. */
static void
t_client_cap(void **state)
{
	struct fixture *f = *state;
	struct ipc_conn c[T_CLIENTS_MAX], extra;
	struct ipc_status st;
	struct t_add add = {1, 2};
	int i;

	for (i = 0; i < T_CLIENTS_MAX; i++)
		assert_int_equal(ipc_open(&c[i], &t_proto, f->path), 0);
	assert_int_equal(ipc_open(&extra, &t_proto, f->path), -1);
	assert_int_equal(errno, EUSERS);
	assert_int_equal(extra.fd, -1);
	ipc_close(&c[0]);
	/* the hangup is noticed in its own time */
	for (i = 0; i < 200; i++) {
		if (ipc_open(&c[0], &t_proto, f->path) == 0)
			break;
		assert_int_equal(errno, EUSERS);
		usleep(10000);
	}
	assert_true(i < 200);
	for (i = 0; i < T_CLIENTS_MAX; i++) {
		assert_int_equal(ipc_call(&c[i], T_ADD, &add, sizeof(add), 2000,
					  &st, NULL, 0, NULL),
				 0);
		ipc_close(&c[i]);
	}
	stop(f);
	assert_true(warnings >= 1); /* the refusal is told */
	assert_int_equal(f->requests, T_CLIENTS_MAX);
}

/*
 * A client that sends and does not read: the server stops reading it
 * instead of losing replies; when the client reads at last, every request
 * has its reply, in order.
 */
static void
t_unread_replies_in_order(void **state)
{
	struct fixture *f = *state;
	struct t_msg m;
	struct ipc_status st;
	struct ipc_conn c;
	struct ipc_hdr h;
	uint32_t sent = 0, i, sum;

	assert_int_equal(ipc_open(&c, &t_proto, f->path), 0);
	for (;;) {
		m = msg(T_ADD, 100 + sent, sizeof(struct t_add));
		m.b.add = (struct t_add){sent, 1};
		if (send(c.fd, &m, m.h.len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			break;
		sent++;
	}
	assert_int_equal(errno, EAGAIN);
	assert_true(sent > 10);
	for (i = 0; i < sent; i++) {
		assert_int_equal(
			ipc_recv(&c, 2000, &h, &st, &sum, sizeof(sum), NULL),
			0);
		assert_int_equal(h.id, 100 + i);
		assert_int_equal(sum, i + 1);
	}
	assert_int_equal(ipc_recv(&c, 50, &h, &st, NULL, 0, NULL), -1);
	assert_int_equal(errno, ETIMEDOUT);
	ipc_close(&c);
	stop(f);
	assert_int_equal(f->requests, sent);
	assert_int_equal(warnings, 0);
}

/*
 * Replies the server sends on its own to a client that does not read:
 * out_max wait in the server, the rest are lost with a warning each; the
 * server serves on.
 */
static void
t_queue_bounded(void **state)
{
	struct fixture *f = *state;
	struct ipc_status st;
	struct ipc_conn c;
	struct ipc_hdr h;
	struct t_add add = {20, 22};
	uint32_t n = 2000, got = 0, sum = 0, len = 0;
	int lost;

	assert_int_equal(ipc_open(&c, &t_proto, f->path), 0);
	assert_int_equal(ipc_send(&c, T_FLOOD, &n, sizeof(n), NULL), 0);
	/* the flood is sent before anything is read */
	while (__atomic_load_n(&warnings, __ATOMIC_SEQ_CST) == 0)
		usleep(1000);
	while (ipc_recv(&c, 200, &h, &st, NULL, 0, NULL) == 0) {
		assert_int_equal(h.type, IPC_REPLY | T_FLOOD);
		got++;
	}
	assert_int_equal(errno, ETIMEDOUT);
	lost = __atomic_load_n(&warnings, __ATOMIC_SEQ_CST);
	print_message("%u replies at once: %u read, %d lost\n", n, got, lost);
	assert_int_equal(got + (uint32_t)lost, n);
	assert_true(got > T_OUT_MAX);
	/* and served on */
	assert_int_equal(ipc_call(&c, T_ADD, &add, sizeof(add), 2000, &st, &sum,
				  sizeof(sum), &len),
			 0);
	assert_int_equal(sum, 42);
	ipc_close(&c);
}

/* the server's close closes its clients: gone is told of each */
static void
t_close_with_clients(void **state)
{
	struct fixture *f = *state;
	struct ipc_conn c[2];
	struct ipc_status st;
	struct ipc_hdr h;

	assert_int_equal(ipc_open(&c[0], &t_proto, f->path), 0);
	assert_int_equal(ipc_open(&c[1], &t_proto, f->path), 0);
	stop(f);
	assert_int_equal(ipc_server_nclients(f->s), 2);
	assert_non_null(ipc_server_clients(f->s));
	assert_int_equal(ipc_client_pid(ipc_server_clients(f->s)), getpid());
	ipc_server_close(f->s);
	f->s = NULL;
	assert_int_equal(f->gone, 2);
	assert_int_equal(ipc_recv(&c[0], 1000, &h, &st, NULL, 0, NULL), -1);
	assert_int_equal(errno, ECONNRESET);
	ipc_close(&c[0]);
	ipc_close(&c[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_hello_and_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_hello_first, setup, teardown),
		cmocka_unit_test_setup_teardown(t_malformed, setup, teardown),
		cmocka_unit_test(t_check),
		cmocka_unit_test_setup_teardown(t_client_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(t_unread_replies_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(t_queue_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(t_close_with_clients, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
