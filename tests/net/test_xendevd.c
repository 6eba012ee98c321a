/*
 * test_xendevd.c: xendevd's netlink work and socket API, for real, in a
 * network namespace of the test's own: a Linux bridge, with veth and tap
 * interfaces standing in for netback's vifs.  What it checks is what
 * iproute2 (`ip -o link show`) reports, not what the daemon says it did.
 *
 *   test_xendevd XENDEVD_BINARY
 *
 * Needs CAP_NET_ADMIN in a fresh namespace: root, or a user namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "xdclient.h"

static const char *daemon_bin;
static char dir[64], sock[96], pidf[96];
static pid_t daemon_pid = -1;

/* run `ip ARGS...` (words split at spaces); its exit status */
static int
ip(const char *fmt, ...)
{
	char line[256], *argv[24], *save = NULL, *w;
	va_list ap;
	pid_t p;
	int n = 0, st;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	argv[n++] = "ip";
	for (w = strtok_r(line, " ", &save); w && n < 23;
	     w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	p = fork();
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		execvp("ip", argv);
		_exit(127);
	}
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `ip -o link show dev NAME` into buf; 0, or -1 when there is no such */
static int
show(const char *name, char *buf, size_t len)
{
	int fds[2], st;
	ssize_t n, got = 0;
	pid_t p;

	assert_int_equal(pipe(fds), 0);
	p = fork();
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[1], 1);
		dup2(null, 2);
		execlp("ip", "ip", "-o", "link", "show", "dev", name,
		       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fds[0]);
	waitpid(p, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* the link's flags include UP (between < and >) */
static int
is_up(const char *s)
{
	const char *a = strchr(s, '<'), *b = strchr(s, '>');
	char flags[128];

	if (a == NULL || b == NULL || b <= a ||
	    (size_t)(b - a) >= sizeof(flags))
		return 0;
	memcpy(flags, a, (size_t)(b - a));
	flags[b - a] = '\0';
	return strstr(flags, ",UP") != NULL || strstr(flags, "<UP") != NULL;
}

static void
expect_port(const char *name, const char *bridge, unsigned mtu)
{
	char s[1024], want[64];

	assert_int_equal(show(name, s, sizeof(s)), 0);
	snprintf(want, sizeof(want), " master %s ", bridge);
	if (strstr(s, want) == NULL || !is_up(s))
		fail_msg("%s is not an up port of %s: %s", name, bridge, s);
	if (mtu) {
		snprintf(want, sizeof(want), " mtu %u ", mtu);
		if (strstr(s, want) == NULL)
			fail_msg("%s: not mtu %u: %s", name, mtu, s);
	}
}

static void
expect_loose(const char *name)
{
	char s[1024];

	assert_int_equal(show(name, s, sizeof(s)), 0);
	if (strstr(s, " master ") != NULL || is_up(s))
		fail_msg("%s should be down and in no bridge: %s", name, s);
}

static void
start_daemon(void)
{
	struct xdc c;
	int i;

	daemon_pid = fork();
	if (daemon_pid == 0) {
		execl(daemon_bin, daemon_bin, "-f", "-X", "-s", sock, "-p",
		      pidf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) { /* 5 s */
		if (xdc_open(&c, sock) == 0) {
			xdc_close(&c);
			return;
		}
		usleep(10000);
	}
	fail_msg("xendevd did not come up on %s", sock);
}

static void
stop_daemon(void)
{
	int st;

	if (daemon_pid <= 0)
		return;
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &st, 0);
	daemon_pid = -1;
	/* a clean stop: no sanitizer finding, no crash */
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
alive(void)
{
	struct xdc c;

	assert_int_equal(kill(daemon_pid, 0), 0);
	assert_int_equal(xdc_open(&c, sock), 0);
	xdc_close(&c);
}

static struct xdd_vif
vif(const char *ifname, const char *bridge, unsigned mtu, unsigned timeout)
{
	struct xdd_vif v = {
		.backend = XDD_BE_NETBACK, .mtu = mtu, .timeout_ms = timeout};

	snprintf(v.ifname, sizeof(v.ifname), "%s", ifname);
	snprintf(v.bridge, sizeof(v.bridge), "%s", bridge);
	return v;
}

/* one request on a fresh connection; the reply's error (0: done) */
static int
call(uint16_t type, const void *req, uint32_t len, struct xdd_status *st,
     void *body, size_t cap)
{
	struct xdd_status s;
	struct xdc c;
	int rc;

	assert_int_equal(xdc_open(&c, sock), 0);
	rc = xdc_call(&c, type, req, len, 15000, st ? st : &s, body, cap, NULL);
	xdc_close(&c);
	assert_int_equal(rc, 0);
	return (st ? st : &s)->err;
}

static int
attach(const struct xdd_vif *v, struct xdd_status *st,
       struct xdd_vif_info *info)
{
	return call(XDD_VIF_ATTACH, v, sizeof(*v), st, info,
		    info ? sizeof(*info) : 0);
}

static int
listed(const char *name)
{
	uint8_t buf[XDD_MSG_MAX];
	struct xdd_list_reply *r = (struct xdd_list_reply *)buf;
	struct xdd_list l = {0};
	uint32_t i;

	assert_int_equal(
		call(XDD_VIF_LIST, &l, sizeof(l), NULL, buf, sizeof(buf)), 0);
	for (i = 0; i < r->count; i++)
		if (strcmp(r->vif[i].ifname, name) == 0)
			return 1;
	return 0;
}

/* wait up to 5 s for listed(name) == want */
static void
wait_listed(const char *name, int want)
{
	int i;

	for (i = 0; i < 500 && listed(name) != want; i++)
		usleep(10000);
	if (listed(name) != want)
		fail_msg("%s %s xendevd's list", name,
			 want ? "never entered" : "never left");
}

static int
setup(void **state)
{
	(void)state;
	if (ip("link add br0 type bridge") || ip("link set br0 mtu 1400") ||
	    ip("link set br0 up") ||
	    ip("link add vif1.0 type veth peer name p1.0"))
		return -1;
	start_daemon();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	stop_daemon();
	return 0;
}

static void
t_attach_bridge_mtu(void **state)
{
	struct xdd_vif v = vif("vif1.0", "br0", 0, 0);
	struct xdd_vif_info info;
	struct xdd_status st;

	(void)state;
	expect_loose("vif1.0");
	assert_int_equal(attach(&v, &st, &info), 0);
	assert_string_equal(info.ifname, "vif1.0");
	assert_int_equal(info.mtu, 1400); /* the bridge's */
	expect_port("vif1.0", "br0", 1400);
	assert_true(listed("vif1.0"));
	/* asked again: done already, same answer */
	assert_int_equal(attach(&v, &st, &info), 0);

	assert_int_equal(ip("link add vif2.0 type veth peer name p2.0"), 0);
	v = vif("vif2.0", "br0", 1280, 0);
	assert_int_equal(attach(&v, &st, &info), 0);
	expect_port("vif2.0", "br0", 1280);
}

static void
t_appears_later(void **state)
{
	struct xdd_vif v = vif("vif3.0", "br0", 0, 10000);
	struct xdd_vif_info info;
	struct xdd_status st;
	struct xdd_hdr h;
	struct xdc c;
	uint32_t id, len;

	(void)state;
	assert_int_equal(xdc_open(&c, sock), 0);
	assert_int_equal(xdc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), &id), 0);
	/* nothing yet: the interface does not exist */
	assert_int_equal(xdc_recv(&c, 200, &h, &st, &info, sizeof(info), &len),
			 -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(ip("tuntap add vif3.0 mode tap"), 0);
	assert_int_equal(
		xdc_recv(&c, 10000, &h, &st, &info, sizeof(info), &len), 0);
	assert_int_equal(h.id, id);
	assert_int_equal(st.err, 0);
	assert_int_equal(len, sizeof(info));
	expect_port("vif3.0", "br0", 1400);
	xdc_close(&c);
}

static void
t_bad_bridges(void **state)
{
	struct xdd_vif v;
	struct xdd_status st;

	(void)state;
	assert_int_equal(ip("link add vif4.0 type veth peer name p4.0"), 0);
	v = vif("vif4.0", "nobr", 0, 0);
	assert_int_equal(attach(&v, &st, NULL), ENODEV);
	assert_non_null(strstr(st.msg, "bridge nobr"));
	expect_loose("vif4.0");
	v = vif("vif4.0", "p1.0", 0, 0);
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	assert_non_null(strstr(st.msg, "bridge p1.0: not a bridge"));
	expect_loose("vif4.0");
	assert_false(listed("vif4.0"));
	alive();
}

static void
t_timeout(void **state)
{
	struct xdd_vif v = vif("vif9.9", "br0", 0, 300);
	struct xdd_status st;

	(void)state;
	assert_int_equal(attach(&v, &st, NULL), ETIMEDOUT);
	assert_non_null(strstr(st.msg, "vif9.9"));
	assert_false(listed("vif9.9"));
}

static void
t_collisions(void **state)
{
	struct xdd_vif v = vif("vif7.0", "br0", 0, 5000);
	struct xdd_vif_info info;
	struct xdd_status st;
	struct xdd_hdr h;
	struct xdc c;

	(void)state;
	/* two waits for one name: the second is refused */
	assert_int_equal(xdc_open(&c, sock), 0);
	assert_int_equal(xdc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), NULL), 0);
	assert_int_equal(attach(&v, &st, NULL), EBUSY);
	/* the first one's client leaves: its wait is dropped */
	xdc_close(&c);
	v.timeout_ms = 300;
	assert_int_equal(attach(&v, &st, NULL), ETIMEDOUT);

	/* renamed onto a name that is taken */
	assert_int_equal(ip("link add vif5.0 type veth peer name p5.0"), 0);
	v = vif("vif5.0", "br0", 0, 0);
	snprintf(v.vifname, sizeof(v.vifname), "p1.0");
	assert_int_equal(attach(&v, &st, NULL), EEXIST);
	assert_non_null(strstr(st.msg, "rename to p1.0"));
	expect_loose("vif5.0");
	/* and onto a free one */
	snprintf(v.vifname, sizeof(v.vifname), "web0");
	assert_int_equal(attach(&v, &st, &info), 0);
	assert_string_equal(info.ifname, "web0");
	expect_port("web0", "br0", 1400);
	assert_true(listed("web0"));
	(void)h;
	alive();
}

static void
t_vanishing(void **state)
{
	struct xdd_vif v;
	struct xdd_status st;
	struct xdd_hdr h;
	struct xdc c;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		v = vif("vif6.0", "br0", 0, 2000);
		assert_int_equal(xdc_open(&c, sock), 0);
		assert_int_equal(
			xdc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), NULL), 0);
		assert_int_equal(ip("link add vif6.0 type veth peer name p6.0"),
				 0);
		assert_int_equal(ip("link del vif6.0"), 0);
		/* wired and then gone, or gone before: either way a reply */
		assert_int_equal(xdc_recv(&c, 5000, &h, &st, NULL, 0, NULL), 0);
		if (st.err != 0 && st.err != ENODEV && st.err != ETIMEDOUT)
			fail_msg("vanished vif: %s", st.msg);
		xdc_close(&c);
		wait_listed("vif6.0", 0);
	}
	alive();
}

static void
t_detach_and_removal(void **state)
{
	struct xdd_vif v = vif("vif1.0", "", 0, 0);
	struct xdd_status st;
	char s[1024];

	(void)state;
	assert_int_equal(call(XDD_VIF_DETACH, &v, sizeof(v), &st, NULL, 0), 0);
	expect_loose("vif1.0");
	assert_false(listed("vif1.0"));
	v = vif("nosuch0", "", 0, 0);
	assert_int_equal(call(XDD_VIF_DETACH, &v, sizeof(v), &st, NULL, 0),
			 ENODEV);
	/* a bridge, or anything not a bridge port, is not detached */
	v = vif("br0", "", 0, 0);
	assert_int_equal(call(XDD_VIF_DETACH, &v, sizeof(v), &st, NULL, 0),
			 EINVAL);
	assert_int_equal(show("br0", s, sizeof(s)), 0);
	assert_true(is_up(s));
	v = vif("p1.0", "", 0, 0);
	assert_int_equal(call(XDD_VIF_DETACH, &v, sizeof(v), &st, NULL, 0),
			 EINVAL);
	/* an interface deleted under xendevd leaves its list */
	assert_true(listed("vif2.0"));
	assert_int_equal(ip("link del vif2.0"), 0);
	wait_listed("vif2.0", 0);
}

/* raw messages, malformed on purpose; each gets the error it deserves */
static int
raw(int fd, const void *msg, size_t len, uint16_t *type)
{
	uint8_t buf[XDD_MSG_MAX];
	struct xdd_hdr h;
	struct xdd_status st;
	ssize_t n;

	assert_true(send(fd, msg, len, 0) == (ssize_t)len);
	n = recv(fd, buf, sizeof(buf), 0);
	assert_true(n >= (ssize_t)(sizeof(h) + sizeof(st)));
	memcpy(&h, buf, sizeof(h));
	memcpy(&st, buf + sizeof(h), sizeof(st));
	assert_int_equal(h.magic, XDD_MAGIC);
	assert_int_equal(h.len, (uint32_t)n);
	if (type)
		*type = h.type;
	return st.err;
}

static void
t_malformed(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static uint8_t big[3 * XDD_MSG_MAX];
	struct {
		struct xdd_hdr h;
		union {
			struct xdd_hello hello;
			struct xdd_vif vif;
			uint8_t pad[64];
		} b;
	} m;
	struct xdd_hdr good = {.magic = XDD_MAGIC, .version = XDD_VERSION};
	uint16_t type;
	int fd;

	(void)state;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

	memset(&m, 0, sizeof(m));
	m.h = good;
	m.h.type = XDD_VIF_LIST;
	m.h.len = sizeof(m.h) + sizeof(struct xdd_list);
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EPROTO); /* no hello */

	assert_int_equal(raw(fd, "abc", 3, NULL), EBADMSG);
	m.h.magic = 0xdeadbeef;
	assert_int_equal(raw(fd, &m, sizeof(m.h) + 4, NULL), EBADMSG);
	m.h = good;
	m.h.version = 2;
	m.h.type = XDD_HELLO;
	m.h.len = sizeof(m.h) + sizeof(m.b.hello);
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EPROTONOSUPPORT);
	m.h.version = XDD_VERSION;
	m.h.len = 1000; /* lies about its length */
	assert_int_equal(raw(fd, &m, sizeof(m.h) + sizeof(m.b.hello), NULL),
			 EBADMSG);
	m.h.len = sizeof(m.h) + 3; /* a body of the wrong size */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EBADMSG);
	m.h.type = 99;
	m.h.len = sizeof(m.h);
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EOPNOTSUPP);
	m.h.type = XDD_REPLY | XDD_HELLO;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EOPNOTSUPP);
	memcpy(big, &good, sizeof(good));
	((struct xdd_hdr *)big)->len = sizeof(big);
	assert_int_equal(raw(fd, big, sizeof(big), NULL), EMSGSIZE);

	/* now a proper hello, then bad bodies */
	m.h = good;
	m.h.type = XDD_HELLO;
	m.h.len = sizeof(m.h) + sizeof(m.b.hello);
	m.b.hello.version = 1;
	assert_int_equal(raw(fd, &m, m.h.len, &type), 0);
	assert_int_equal(type, XDD_REPLY | XDD_HELLO);
	m.h.type = XDD_VIF_ATTACH;
	m.h.len = sizeof(m.h) + sizeof(m.b.vif);
	m.b.vif = vif("vif1.0", "br0", 0, 0);
	memset(m.b.vif.ifname, 'x', sizeof(m.b.vif.ifname)); /* no NUL */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.b.vif = vif("../etc", "br0", 0, 0);
	strcpy(m.b.vif.ifname, "a/b");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.b.vif = vif("vif1.0", "br0", 70000, 0);
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.b.vif = vif("vif1.0", "br0", 0, 0);
	m.b.vif.backend = 7;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EOPNOTSUPP);
	m.b.vif = vif("vif1.0", "br0", 0, 0);
	m.b.vif.flags = XDD_VIF_XENSTORE; /* -X: no XenStore here */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EHOSTUNREACH);
	close(fd);
	alive();
}

static void
t_restart_finds_ports(void **state)
{
	(void)state;
	assert_true(listed("vif3.0"));
	stop_daemon();
	start_daemon();
	/* vif3.0 is a port of br0 named like a vif: xendevd's */
	assert_true(listed("vif3.0"));
	/* web0 was renamed: no longer recognisable without XenStore */
	assert_false(listed("web0"));
}

static void
t_strangers_refused(void **state)
{
	struct xdc c;
	pid_t p;
	int st;

	(void)state;
	/* past the file modes, to the daemon's own check of the peer */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(sock, 0666), 0);
	p = fork();
	if (p == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		_exit(xdc_open(&c, sock) == 0 ? 1 : 0);
	}
	waitpid(p, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	alive();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_attach_bridge_mtu),
		cmocka_unit_test(t_appears_later),
		cmocka_unit_test(t_bad_bridges),
		cmocka_unit_test(t_timeout),
		cmocka_unit_test(t_collisions),
		cmocka_unit_test(t_vanishing),
		cmocka_unit_test(t_detach_and_removal),
		cmocka_unit_test(t_malformed),
		cmocka_unit_test(t_restart_finds_ports),
		cmocka_unit_test(t_strangers_refused),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_xendevd XENDEVD_BINARY\n");
		return 2;
	}
	daemon_bin = argv[1];
	if (unshare(CLONE_NEWNET) < 0 &&
	    unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_xendevd: no network namespace: %s\n",
			strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/xendevd-test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
