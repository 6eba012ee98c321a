/*
 * test_xendevd.c: xendevd's netlink work and socket API, for real, in a
 * network namespace of the test's own: a Linux bridge, with veth and tap
 * interfaces standing in for netback's vifs.  What it checks is what
 * iproute2 (`ip -o link show`) reports, not what the daemon says it did.
 * Its vbds are image files in the test's directory, bound to the host's
 * real loop devices; what it checks there is what sysfs and the loop
 * device itself show.  Without loop devices those tests say SKIP.
 *
 *   test_xendevd XENDEVD_BINARY
 *
 * Needs CAP_NET_ADMIN in a fresh namespace: root, or a user namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/loop.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

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

/*
 * Run xendevd on socket s with pidfile p; its standard error goes to log
 * when that is not NULL, and with nofile its descriptors are limited to
 * that many.  Returns once it answers.
 */
static pid_t
spawn(const char *s, const char *p, const char *log, rlim_t nofile)
{
	struct rlimit rl = {nofile, nofile};
	struct ipc_conn c;
	pid_t pid;
	int i, fd;

	pid = fork();
	if (pid == 0) {
		if (log != NULL) {
			fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
				_exit(126);
			close(fd);
		}
		if (nofile && setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(126);
		execl(daemon_bin, daemon_bin, "-f", "-X", "-s", s, "-p", p,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) { /* 5 s */
		if (xdc_open(&c, s) == 0) {
			ipc_close(&c);
			return pid;
		}
		usleep(10000);
	}
	fail_msg("xendevd did not come up on %s", s);
	return -1;
}

static void
start_daemon(void)
{
	daemon_pid = spawn(sock, pidf, NULL, 0);
}

/* SIGTERM, and a clean stop: no sanitizer finding, no crash */
static void
reap(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
stop_daemon(void)
{
	pid_t pid = daemon_pid;

	if (pid <= 0)
		return;
	daemon_pid = -1;
	reap(pid);
}

static void
alive(void)
{
	struct ipc_conn c;

	assert_int_equal(kill(daemon_pid, 0), 0);
	assert_int_equal(xdc_open(&c, sock), 0);
	ipc_close(&c);
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
call(uint16_t type, const void *req, uint32_t len, struct ipc_status *st,
     void *body, size_t cap)
{
	struct ipc_status s;
	struct ipc_conn c;
	int rc;

	assert_int_equal(xdc_open(&c, sock), 0);
	rc = ipc_call(&c, type, req, len, 15000, st ? st : &s, body, cap, NULL);
	ipc_close(&c);
	assert_int_equal(rc, 0);
	return (st ? st : &s)->err;
}

static int
attach(const struct xdd_vif *v, struct ipc_status *st,
       struct xdd_vif_info *info)
{
	return call(XDD_VIF_ATTACH, v, sizeof(*v), st, info,
		    info ? sizeof(*info) : 0);
}

static int
listed(const char *name)
{
	uint8_t buf[IPC_MSG_MAX];
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
	struct ipc_status st;

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
	struct ipc_status st;
	struct ipc_hdr h;
	struct ipc_conn c;
	uint32_t id, len;

	(void)state;
	assert_int_equal(xdc_open(&c, sock), 0);
	assert_int_equal(ipc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), &id), 0);
	/* nothing yet: the interface does not exist */
	assert_int_equal(ipc_recv(&c, 200, &h, &st, &info, sizeof(info), &len),
			 -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(ip("tuntap add vif3.0 mode tap"), 0);
	assert_int_equal(
		ipc_recv(&c, 10000, &h, &st, &info, sizeof(info), &len), 0);
	assert_int_equal(h.id, id);
	assert_int_equal(st.err, 0);
	assert_int_equal(len, sizeof(info));
	expect_port("vif3.0", "br0", 1400);
	ipc_close(&c);
}

static void
t_bad_bridges(void **state)
{
	struct xdd_vif v;
	struct ipc_status st;

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
	struct ipc_status st;

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
	struct ipc_status st;
	struct ipc_hdr h;
	struct ipc_conn c;

	(void)state;
	/* two waits for one name: the second is refused */
	assert_int_equal(xdc_open(&c, sock), 0);
	assert_int_equal(ipc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), NULL), 0);
	assert_int_equal(attach(&v, &st, NULL), EBUSY);
	/* the first one's client leaves: its wait is dropped */
	ipc_close(&c);
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
	struct ipc_status st;
	struct ipc_hdr h;
	struct ipc_conn c;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		v = vif("vif6.0", "br0", 0, 2000);
		assert_int_equal(xdc_open(&c, sock), 0);
		assert_int_equal(
			ipc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), NULL), 0);
		assert_int_equal(ip("link add vif6.0 type veth peer name p6.0"),
				 0);
		assert_int_equal(ip("link del vif6.0"), 0);
		/* wired and then gone, or gone before: either way a reply */
		assert_int_equal(ipc_recv(&c, 5000, &h, &st, NULL, 0, NULL), 0);
		if (st.err != 0 && st.err != ENODEV && st.err != ETIMEDOUT)
			fail_msg("vanished vif: %s", st.msg);
		ipc_close(&c);
		wait_listed("vif6.0", 0);
	}
	alive();
}

static void
t_detach_and_removal(void **state)
{
	struct xdd_vif v = vif("vif1.0", "", 0, 0);
	struct ipc_status st;
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
	uint8_t buf[IPC_MSG_MAX];
	struct ipc_hdr h;
	struct ipc_status st;
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
	static uint8_t big[3 * IPC_MSG_MAX];
	struct {
		struct ipc_hdr h;
		union {
			struct ipc_hello hello;
			struct xdd_vif vif;
			uint8_t pad[64];
		} b;
	} m;
	struct ipc_hdr good = {.magic = XDD_MAGIC, .version = XDD_VERSION};
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
	((struct ipc_hdr *)big)->len = sizeof(big);
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
	struct ipc_conn c;
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

/* --- a daemon survives its clients: descriptors, floods, leaks ---------- */

/* a xendevd of one test's own, beside the group's, its log in a file */
struct own {
	pid_t pid;
	char sock[128], pidf[128], log[128];
};

static pid_t own_pid = -1; /* for own_teardown when a test fails */

static void
own_start(struct own *o, const char *name, rlim_t nofile)
{
	snprintf(o->sock, sizeof(o->sock), "%s/%s.sock", dir, name);
	snprintf(o->pidf, sizeof(o->pidf), "%s/%s.pid", dir, name);
	snprintf(o->log, sizeof(o->log), "%s/%s.log", dir, name);
	o->pid = own_pid = spawn(o->sock, o->pidf, o->log, nofile);
}

static void
own_stop(struct own *o)
{
	own_pid = -1;
	reap(o->pid);
}

static int
own_teardown(void **state)
{
	(void)state;
	if (own_pid > 0) {
		kill(own_pid, SIGKILL);
		waitpid(own_pid, NULL, 0);
	}
	own_pid = -1;
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the CPU time pid has used, user and system, in ms (/proc/PID/stat) */
static long
cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	/* after the command's ")": state is field 3, utime 14, stime 15 */
	p = strrchr(buf, ')');
	assert_non_null(p);
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) != 2)
		fail_msg("cannot read %s", path);
	return (long)((ut + st) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

static long
lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int ch;

	assert_non_null(f);
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static int
fds_of(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* pid's descriptors once the hangups of clients gone are handled: the
 * same count twice, 100 ms apart */
static int
settled_fds(pid_t pid)
{
	int i, n = fds_of(pid), m;

	for (i = 0; i < 50; i++) {
		usleep(100000);
		m = fds_of(pid);
		if (m == n)
			return n;
		n = m;
	}
	fail_msg("xendevd's descriptors never settled");
	return -1;
}

/* resident memory in KiB (/proc/PID/status) */
static long
rss_of(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* a bare connection; the hello is sent, its reply not waited for */
static int
connect_hello(const char *path, uint32_t id)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct {
		struct ipc_hdr h;
		struct ipc_hello b;
	} m = {{XDD_MAGIC, XDD_VERSION, XDD_HELLO, sizeof(m), id}, {1, 0}};
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, &m, sizeof(m), MSG_NOSIGNAL), sizeof(m));
	return fd;
}

/* the error of the reply waiting on fd, -1 when none is there */
static int
reply_err(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint8_t buf[IPC_MSG_MAX];
	struct ipc_status st;
	ssize_t n;

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < (ssize_t)(sizeof(struct ipc_hdr) + sizeof(st)))
		return -1;
	memcpy(&st, buf + sizeof(struct ipc_hdr), sizeof(st));
	return st.err;
}

/* one list request on a fresh connection to path: served normally */
static void
served(const char *path)
{
	uint8_t buf[IPC_MSG_MAX];
	struct ipc_status st;
	struct xdd_list l = {0};
	struct ipc_conn c;

	assert_int_equal(xdc_open(&c, path), 0);
	assert_int_equal(ipc_call(&c, XDD_VIF_LIST, &l, sizeof(l), 5000, &st,
				  buf, sizeof(buf), NULL),
			 0);
	assert_int_equal(st.err, 0);
	ipc_close(&c);
}

/*
 * More clients than xendevd has descriptors for: the ones it cannot take
 * are told so and closed, rather than left queued for poll to report again
 * and again (a busy loop with a warning on each turn).
 */
static void
t_out_of_fds(void **state)
{
	enum { N = 40 };
	int fd[N], i, ok = 0, refused = 0, e;
	long cpu, lines;
	struct own o;

	(void)state;
	own_start(&o, "nofile", 24);
	for (i = 0; i < N; i++)
		fd[i] = connect_hello(o.sock, 1);
	usleep(200000);
	cpu = cpu_ms(o.pid);
	usleep(1000000);
	cpu = cpu_ms(o.pid) - cpu;
	lines = lines_of(o.log);
	for (i = 0; i < N; i++) {
		e = reply_err(fd[i], 0);
		ok += e == 0;
		refused += e == EMFILE;
	}
	print_message("out of descriptors: %d clients served, %d refused; "
		      "xendevd used %ld ms of CPU in 1 s, logged %ld lines\n",
		      ok, refused, cpu, lines);
	assert_true(cpu < 100);
	assert_true(lines < 50);
	assert_true(ok > 0);
	assert_true(refused > 0);
	assert_int_equal(ok + refused, N);
	for (i = 0; i < N; i++)
		close(fd[i]);
	served(o.sock);
	assert_true(lines_of(o.log) < 50);
	own_stop(&o);
}

/* At most XDD_CLIENTS_MAX clients; the next one is told and closed. */
static void
t_client_cap(void **state)
{
	static struct ipc_conn c[XDD_CLIENTS_MAX];
	struct ipc_conn extra;
	struct own o;
	int i, fd;

	(void)state;
	own_start(&o, "cap", 0);
	for (i = 0; i < XDD_CLIENTS_MAX; i++)
		assert_int_equal(xdc_open(&c[i], o.sock), 0);
	fd = connect_hello(o.sock, 1);
	assert_int_equal(reply_err(fd, 5000), EUSERS);
	close(fd);
	/* chaos's client names the refusal, not a reset connection */
	assert_int_equal(xdc_open(&extra, o.sock), -1);
	assert_int_equal(errno, EUSERS);
	ipc_close(&c[0]);
	served(o.sock);
	for (i = 1; i < XDD_CLIENTS_MAX; i++)
		ipc_close(&c[i]);
	assert_true(lines_of(o.log) < 50);
	own_stop(&o);
}

/*
 * A client that sends requests and never reads the replies: xendevd stops
 * reading it until it reads, so the daemon neither spins nor logs nor
 * grows, and no reply is lost: when the client reads at last, each
 * request has its reply, in order.
 */
static void
t_never_reads(void **state)
{
	struct {
		struct ipc_hdr h;
		struct xdd_list b;
	} m = {{XDD_MAGIC, XDD_VERSION, XDD_VIF_LIST, sizeof(m), 0}, {0}};
	struct ipc_status st;
	struct ipc_hdr h;
	struct own o;
	struct ipc_conn c;
	uint32_t sent = 0, i;
	long cpu, lines, rss;
	int64_t end;

	(void)state;
	own_start(&o, "noread", 0);
	assert_int_equal(xdc_open(&c, o.sock), 0);
	rss = rss_of(o.pid);
	cpu = cpu_ms(o.pid);
	for (end = now_ms() + 1000; now_ms() < end;) {
		m.h.id = sent + 100;
		if (send(c.fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    sizeof(m)) {
			sent++;
			continue;
		}
		assert_int_equal(errno, EAGAIN);
		usleep(1000);
	}
	cpu = cpu_ms(o.pid) - cpu;
	lines = lines_of(o.log);
	rss = rss_of(o.pid) - rss;
	print_message("a client that never reads: %u requests sent; xendevd "
		      "used %ld ms of CPU in 1 s, logged %ld lines, grew "
		      "%ld KiB\n",
		      sent, cpu, lines, rss);
	assert_true(cpu < 100);
	assert_true(lines < 50);
	/* it reads at last: every reply, in order */
	for (i = 0; i < sent; i++) {
		assert_int_equal(ipc_recv(&c, 5000, &h, &st, NULL, 0, NULL), 0);
		if (h.id != i + 100)
			fail_msg("reply %u: id %u, not %u", i, h.id, i + 100);
	}
	ipc_close(&c);
	served(o.sock);
	own_stop(&o);
}

/*
 * A stranger that retries in a loop: each try is refused and would be
 * logged; the log gets a few lines and, at the end, how many were left
 * out.
 */
static void
t_warnings_limited(void **state)
{
	struct own o;
	struct ipc_conn c;
	long lines;
	pid_t p;
	int st, i;

	(void)state;
	own_start(&o, "stranger", 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(o.sock, 0666), 0);
	p = fork();
	if (p == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		for (i = 0; i < 200; i++)
			if (xdc_open(&c, o.sock) == 0)
				_exit(1);
		_exit(0);
	}
	waitpid(p, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	lines = lines_of(o.log);
	served(o.sock);
	own_stop(&o);
	print_message("200 refused strangers: %ld lines logged\n", lines);
	assert_true(lines < 20);
	assert_true(lines_of(o.log) < 20);
}

/* XDD_WAITS_MAX attaches may wait on one connection; the next: EAGAIN */
static void
t_waits_cap(void **state)
{
	struct xdd_vif v = vif("", "br0", 0, 10000);
	struct ipc_status st;
	struct ipc_hdr h;
	struct ipc_conn c;
	uint32_t id;
	int i;

	(void)state;
	assert_int_equal(xdc_open(&c, sock), 0);
	for (i = 0; i < XDD_WAITS_MAX; i++) {
		snprintf(v.ifname, sizeof(v.ifname), "wait%d", i);
		assert_int_equal(
			ipc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), NULL), 0);
	}
	snprintf(v.ifname, sizeof(v.ifname), "wait%d", i);
	assert_int_equal(ipc_send(&c, XDD_VIF_ATTACH, &v, sizeof(v), &id), 0);
	assert_int_equal(ipc_recv(&c, 2000, &h, &st, NULL, 0, NULL), 0);
	assert_int_equal(h.id, id);
	assert_int_equal(st.err, EAGAIN);
	ipc_close(&c);
	alive();
}

/*
 * Many clients come and go, in every way a client can: no hello, a hello,
 * a request, an attach left waiting, replies never read (some left
 * waiting in xendevd).  xendevd ends with the descriptors and (near
 * enough) the memory it started with.
 */
static void
t_no_leaks(void **state)
{
	struct xdd_vif v = vif("", "br0", 0, 10000);
	struct ipc_status st;
	uint8_t buf[IPC_MSG_MAX];
	struct xdd_list l = {0};
	struct {
		struct ipc_hdr h;
		struct xdd_list b;
	} m = {{XDD_MAGIC, XDD_VERSION, XDD_VIF_LIST, sizeof(m), 7}, {0}};
	int fds = 0, i;
	long rss = 0;
	ssize_t e;
	struct ipc_conn c;

	(void)state;
	for (i = 0; i < 550; i++) {
		if (i == 50) { /* after a warm-up */
			fds = settled_fds(daemon_pid);
			rss = rss_of(daemon_pid);
		}
		switch (i % 5) {
		case 0: close(connect_hello(sock, 1)); break;
		case 1:
			assert_int_equal(xdc_open(&c, sock), 0);
			ipc_close(&c);
			break;
		case 2:
			assert_int_equal(xdc_open(&c, sock), 0);
			assert_int_equal(ipc_call(&c, XDD_VIF_LIST, &l,
						  sizeof(l), 5000, &st, buf,
						  sizeof(buf), NULL),
					 0);
			ipc_close(&c);
			break;
		case 3:
			assert_int_equal(xdc_open(&c, sock), 0);
			snprintf(v.ifname, sizeof(v.ifname), "leak%d", i);
			assert_int_equal(ipc_send(&c, XDD_VIF_ATTACH, &v,
						  sizeof(v), NULL),
					 0);
			ipc_close(&c);
			break;
		case 4: /* replies unread; every 50th, until some wait */
			assert_int_equal(xdc_open(&c, sock), 0);
			do
				e = send(c.fd, &m, sizeof(m),
					 MSG_DONTWAIT | MSG_NOSIGNAL);
			while (e > 0 && i % 50 == 4);
			ipc_close(&c);
			break;
		}
	}
	i = settled_fds(daemon_pid);
	print_message("500 clients: xendevd's descriptors %d -> %d, "
		      "resident memory %ld -> %ld KiB\n",
		      fds, i, rss, rss_of(daemon_pid));
	assert_int_equal(i, fds);
	assert_true(rss_of(daemon_pid) - rss < 512);
	alive();
}

/* --- vbds: image files on the host's loop devices ------------------------ */

static int have_loops; /* /dev/loop-control answers: set by main */

#define SKIP_WITHOUT_LOOPS()                                                   \
	do {                                                                   \
		if (!have_loops) {                                             \
			print_message("SKIP %s: no loop devices here "         \
				      "(/dev/loop-control gives none)\n",      \
				      __func__);                               \
			skip();                                                \
		}                                                              \
	} while (0)

/* dir/name: len bytes, byte i being (i * 7 + seed) & 0xff, with mode */
static const char *
image(const char *name, size_t len, int seed, mode_t mode)
{
	static char path[160];
	uint8_t buf[4096];
	size_t i, off;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	for (off = 0; off < len; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)((off + i) * 7 + (size_t)seed);
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	}
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static struct xdd_vbd
vbd(uint32_t kind, uint32_t flags, uint32_t domid, const char *target)
{
	struct xdd_vbd v = {
		.kind = kind, .flags = flags, .domid = domid, .devid = 51712};

	snprintf(v.target, sizeof(v.target), "%s", target);
	return v;
}

/* one vbd request on a fresh connection; the reply's error */
static int
vbd_call(int attach, const struct xdd_vbd *v, struct ipc_status *st,
	 struct xdd_vbd_info *info)
{
	struct xdd_vbd_info i;
	struct ipc_status s;
	struct ipc_conn c;
	int rc;

	if (st == NULL)
		st = &s;
	assert_int_equal(xdc_open(&c, sock), 0);
	rc = attach ? xdc_vbd_attach(&c, v, 15000, st, info ? info : &i)
		    : xdc_vbd_detach(&c, v, 15000, st);
	ipc_close(&c);
	assert_int_equal(rc, 0);
	return st->err;
}

static int
vbd_attach(const struct xdd_vbd *v, struct ipc_status *st,
	   struct xdd_vbd_info *info)
{
	return vbd_call(1, v, st, info);
}

static int
vbd_detach(uint32_t domid, uint32_t devid)
{
	struct xdd_vbd v = {.domid = domid, .devid = devid};

	return vbd_call(0, &v, NULL, NULL);
}

/* /sys/block/<dev>/<leaf> without its newline, "" when it is missing */
static const char *
sysfs(const char *device, const char *leaf)
{
	static char buf[512];
	char path[160];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/%s",
		 strrchr(device, '/') + 1, leaf);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

/* the loop is bound to path (its backing_file) */
static void
expect_bound(const struct xdd_vbd_info *i, const char *path)
{
	assert_int_equal(i->major, 7);
	if (strcmp(sysfs(i->device, "loop/backing_file"), path) != 0)
		fail_msg("%s backs %s, not %s", i->device,
			 sysfs(i->device, "loop/backing_file"), path);
}

/* the loop lets go of path within 5 s (autoclear runs after the last
 * close, in a work item) */
static void
expect_released(const struct xdd_vbd_info *i, const char *path)
{
	int n;

	for (n = 0; n < 500; n++) {
		if (strcmp(sysfs(i->device, "loop/backing_file"), path) != 0)
			return;
		usleep(10000);
	}
	fail_msg("%s still backs %s", i->device, path);
}

/* the loop device reads as the image made with seed */
static void
expect_bytes(const char *device, size_t len, int seed)
{
	static uint8_t buf[65536];
	size_t i;
	ssize_t n;
	int fd;

	assert_true(len <= sizeof(buf));
	fd = open(device, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, len);
	close(fd);
	assert_int_equal(n, (ssize_t)len);
	for (i = 0; i < len; i++)
		if (buf[i] != (uint8_t)(i * 7 + (size_t)seed))
			fail_msg("%s: byte %zu differs", device, i);
}

static void
t_vbd_file(void **state)
{
	struct xdd_vbd_info info, again;
	struct ipc_status st;
	struct xdd_vbd v;
	const char *img;

	(void)state;
	SKIP_WITHOUT_LOOPS();
	img = image("disk.img", 65536, 1, 0644);
	v = vbd(XDD_VBD_FILE, 0, 1, img);
	assert_int_equal(vbd_attach(&v, &st, &info), 0);
	assert_int_equal(info.domid, 1);
	assert_int_equal(info.devid, 51712);
	assert_int_equal(strncmp(info.device, "/dev/loop", 9), 0);
	expect_bound(&info, img);
	assert_string_equal(sysfs(info.device, "ro"), "0");
	assert_string_equal(sysfs(info.device, "loop/autoclear"), "1");
	expect_bytes(info.device, 65536, 1);
	/* asked again: done already, the same loop */
	assert_int_equal(vbd_attach(&v, &st, &again), 0);
	assert_string_equal(again.device, info.device);
	/* one vbd, another target: refused */
	v = vbd(XDD_VBD_FILE, 0, 1, image("other.img", 4096, 2, 0644));
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_non_null(strstr(st.msg, "attached to"));
	/* detach lets go of the loop; a second detach finds nothing */
	assert_int_equal(vbd_detach(1, 51712), 0);
	expect_released(&info, img);
	assert_int_equal(vbd_detach(1, 51712), ENOENT);
	assert_int_equal(vbd_detach(77, 5), ENOENT);
	alive();
}

static void
t_vbd_sharing(void **state)
{
	struct xdd_vbd_info ro1, ro2, rw;
	struct ipc_status st;
	struct xdd_vbd v;
	char hard[160];
	const char *img;
	int fd;

	(void)state;
	SKIP_WITHOUT_LOOPS();
	img = image("shared.img", 8192, 3, 0644);
	/* read-only twice: allowed, each on a read-only loop */
	v = vbd(XDD_VBD_FILE, XDD_VBD_RO, 2, img);
	assert_int_equal(vbd_attach(&v, &st, &ro1), 0);
	v.domid = 3;
	assert_int_equal(vbd_attach(&v, &st, &ro2), 0);
	assert_string_not_equal(ro1.device, ro2.device);
	assert_string_equal(sysfs(ro1.device, "ro"), "1");
	expect_bytes(ro2.device, 8192, 3);
	fd = open(ro1.device, O_WRONLY);
	if (fd >= 0) {
		char b[512] = {0};

		assert_true(write(fd, b, sizeof(b)) < 0);
		close(fd);
	}
	/* writable over read-only: refused, naming the target */
	v = vbd(XDD_VBD_FILE, 0, 4, img);
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_non_null(strstr(st.msg, img));
	assert_non_null(strstr(st.msg, "read-only by vbd"));
	assert_int_equal(vbd_detach(2, 51712), 0);
	assert_int_equal(vbd_detach(3, 51712), 0);
	expect_released(&ro1, img);
	expect_released(&ro2, img);

	/* writable once; then neither writable nor read-only again, by any
	 * name of the file */
	assert_int_equal(vbd_attach(&v, &st, &rw), 0);
	v.domid = 5;
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_non_null(strstr(st.msg, "writable by vbd 4/51712"));
	v.flags = XDD_VBD_RO;
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	snprintf(hard, sizeof(hard), "%s/hardlink.img", dir);
	unlink(hard);
	assert_int_equal(link(img, hard), 0);
	v = vbd(XDD_VBD_FILE, XDD_VBD_RO, 5, hard);
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_int_equal(vbd_detach(4, 51712), 0);
	expect_released(&rw, img);
	alive();
}

static void
t_vbd_refused(void **state)
{
	struct xdd_vbd_info info;
	struct ipc_status st;
	struct xdd_vbd v;
	char path[160];
	const char *img;

	(void)state;
	SKIP_WITHOUT_LOOPS();
	snprintf(path, sizeof(path), "%s/missing.img", dir);
	v = vbd(XDD_VBD_FILE, 0, 6, path);
	assert_int_equal(vbd_attach(&v, &st, NULL), ENOENT);
	assert_non_null(strstr(st.msg, path));
	v = vbd(XDD_VBD_FILE, 0, 6, dir);
	assert_int_equal(vbd_attach(&v, &st, NULL), EISDIR);
	v.flags = XDD_VBD_RO;
	assert_int_equal(vbd_attach(&v, &st, NULL), EISDIR);
	assert_non_null(strstr(st.msg, "a directory"));
	/* a FIFO is refused, not opened (it would block) */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	v = vbd(XDD_VBD_FILE, XDD_VBD_RO, 6, path);
	assert_int_equal(vbd_attach(&v, &st, NULL), EINVAL);
	assert_non_null(strstr(st.msg, "FIFO"));
	/* no write permission: refused writable (root or not), read-only
	 * allowed */
	img = image("readonly.img", 4096, 4, 0444);
	v = vbd(XDD_VBD_FILE, 0, 6, img);
	assert_int_equal(vbd_attach(&v, &st, NULL), EACCES);
	v.flags = XDD_VBD_RO;
	assert_int_equal(vbd_attach(&v, &st, &info), 0);
	expect_bound(&info, img);
	assert_int_equal(vbd_detach(6, 51712), 0);
	expect_released(&info, img);
	/* phy: a block device only */
	v = vbd(XDD_VBD_PHY, 0, 6, img);
	assert_int_equal(vbd_attach(&v, &st, NULL), ENOTBLK);
	assert_non_null(strstr(st.msg, "not a block device"));
	v = vbd(XDD_VBD_PHY, 0, 6, "/dev/null");
	assert_int_equal(vbd_attach(&v, &st, NULL), ENOTBLK);
	snprintf(path, sizeof(path), "%s/nosuch", dir);
	v = vbd(XDD_VBD_PHY, 0, 6, path);
	assert_int_equal(vbd_attach(&v, &st, NULL), ENOENT);
	/* XenStore asked of a xendevd without it */
	v = vbd(XDD_VBD_FILE, XDD_VBD_XENSTORE, 6, img);
	assert_int_not_equal(vbd_attach(&v, &st, NULL), 0);
	assert_int_equal(vbd_detach(6, 51712), ENOENT);
	alive();
}

/* a loop bound by another (as xl's block script does), held open */
static int
foreign_loop(const char *path, int ro, char *device, size_t len)
{
	struct loop_config cfg;
	int ctl, n, fd, file;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	assert_true(ctl >= 0);
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	assert_true(n >= 0);
	snprintf(device, len, "/dev/loop%d", n);
	fd = open(device, O_RDWR | O_CLOEXEC);
	file = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	assert_true(fd >= 0 && file >= 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)file;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	assert_int_equal(ioctl(fd, LOOP_CONFIGURE, &cfg), 0);
	close(file);
	return fd; /* closing it unbinds the loop */
}

static void
t_vbd_foreign_loops(void **state)
{
	struct xdd_vbd_info info;
	struct ipc_status st;
	struct xdd_vbd v;
	char dev[32];
	const char *img;
	int fd;

	(void)state;
	SKIP_WITHOUT_LOOPS();
	img = image("xl.img", 4096, 5, 0644);
	fd = foreign_loop(img, 0, dev, sizeof(dev));
	v = vbd(XDD_VBD_FILE, XDD_VBD_RO, 7, img);
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_non_null(strstr(st.msg, "not by xendevd"));
	assert_non_null(strstr(st.msg, dev));
	close(fd);
	fd = foreign_loop(img, 1, dev, sizeof(dev));
	assert_int_equal(vbd_attach(&v, &st, &info), 0); /* both read */
	v = vbd(XDD_VBD_FILE, 0, 8, img);
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_int_equal(vbd_detach(7, 51712), 0);
	close(fd);
	expect_released(&info, img);
	alive();
}

static void
t_vbd_malformed(void **state)
{
	struct {
		struct ipc_hdr h;
		struct xdd_vbd vbd;
	} m = {.h = {.magic = XDD_MAGIC, .version = XDD_VERSION}};
	int fd;

	(void)state;
	fd = connect_hello(sock, 1);
	assert_int_equal(reply_err(fd, 5000), 0);
	m.h.type = XDD_VBD_ATTACH;
	m.h.len = sizeof(m.h) + sizeof(m.vbd);
	m.vbd = vbd(7, 0, 9, "/srv/d.img"); /* no such kind */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EOPNOTSUPP);
	m.vbd = vbd(XDD_VBD_FILE, 0, 9, "srv/d.img");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.vbd = vbd(XDD_VBD_FILE, 0, 9, "");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	memset(m.vbd.target, 'x', sizeof(m.vbd.target)); /* no NUL */
	m.vbd.target[0] = '/';
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.vbd = vbd(XDD_VBD_FILE, 0x80, 9, "/srv/d.img");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.vbd = vbd(XDD_VBD_FILE, 0, 9, "/srv/d\n.img");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.h.type = XDD_VBD_DETACH;
	m.vbd = vbd(0, 0x10, 9, "");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.h.len = sizeof(m.h) + 16; /* a body of the wrong size */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EBADMSG);
	close(fd);
	alive();
}

/*
 * The console requests: malformed ones refused for their field; a well
 * formed attach, with no hypervisor here, refused with the cause; a
 * console xendevd does not serve is ENOENT to open and to type into.
 * The daemon stays through all of it.
 */
static void
t_cons_requests(void **state)
{
	struct {
		struct ipc_hdr h;
		union {
			struct xdd_cons cons;
			struct xdd_cons_open open;
			struct xdd_cons_input input;
		} u;
	} m = {.h = {.magic = XDD_MAGIC, .version = XDD_VERSION}};
	const struct xdd_cons good = {
		.domid = 5, .port = 3, .map = XDD_CONS_GRANT, .name = "nc-a"};
	int fd, err;

	(void)state;
	fd = connect_hello(sock, 1);
	assert_int_equal(reply_err(fd, 5000), 0);
	m.h.type = XDD_CONS_ATTACH;
	m.h.len = sizeof(m.h) + sizeof(m.u.cons);
	m.u.cons = good;
	snprintf(m.u.cons.name, sizeof(m.u.cons.name), "../etc/x");
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.u.cons.name[0] = '\0';
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	memset(m.u.cons.name, 'a', sizeof(m.u.cons.name)); /* no NUL */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.u.cons = good;
	m.u.cons.name[1] = '\n';
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.u.cons = good;
	m.u.cons.map = 3;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EOPNOTSUPP);
	m.u.cons = good;
	m.u.cons.domid = 0;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.u.cons = good;
	m.u.cons.port = 0;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	/* well formed: no hypervisor to map it from */
	m.u.cons = good;
	err = raw(fd, &m, m.h.len, NULL);
	assert_true(err > 0);
	m.h.type = XDD_CONS_OPEN;
	m.h.len = sizeof(m.h) + sizeof(m.u.open);
	m.u.open = (struct xdd_cons_open){.domid = 5, .flags = 0x8};
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.u.open.flags = XDD_CONS_REPLAY;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), ENOENT);
	m.h.type = XDD_CONS_INPUT;
	m.h.len = sizeof(m.h) + sizeof(m.u.input);
	memset(&m.u.input, 0, sizeof(m.u.input));
	m.u.input.domid = 5;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL); /* len 0 */
	m.u.input.len = XDD_CONS_INPUT_MAX + 1;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EINVAL);
	m.u.input.len = 3;
	assert_int_equal(raw(fd, &m, m.h.len, NULL), ENOENT);
	m.h.len = sizeof(m.h) + 8; /* a body of the wrong size */
	assert_int_equal(raw(fd, &m, m.h.len, NULL), EBADMSG);
	close(fd);
	alive();
}

/* the namespace's link events from now on (non-blocking) */
static int
link_events(void)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK,
				.nl_groups = RTMGRP_LINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_ROUTE);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* what the events said of name: a new link with master, up, its mtu and
 * its MAC (*wired: 1 when all as wanted), and its removal (*gone) */
static void
link_seen(int fd, const char *name, unsigned master, unsigned mtu,
	  const uint8_t mac[6], int *wired, int *gone)
{
	static uint8_t buf[65536];
	struct nlmsghdr *h;
	struct ifinfomsg *ifi;
	struct rtattr *a;
	ssize_t n;
	int len, named, m, u;
	const uint8_t *addr;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != RTM_NEWLINK &&
			    h->nlmsg_type != RTM_DELLINK)
				continue;
			ifi = NLMSG_DATA(h);
			len = (int)IFLA_PAYLOAD(h);
			named = m = u = 0;
			addr = NULL;
			for (a = IFLA_RTA(ifi); RTA_OK(a, len);
			     a = RTA_NEXT(a, len)) {
				if (a->rta_type == IFLA_IFNAME)
					named = strcmp(RTA_DATA(a), name) == 0;
				else if (a->rta_type == IFLA_MASTER)
					m = *(uint32_t *)RTA_DATA(a) == master;
				else if (a->rta_type == IFLA_MTU)
					u = *(uint32_t *)RTA_DATA(a) == mtu;
				else if (a->rta_type == IFLA_ADDRESS &&
					 RTA_PAYLOAD(a) == 6)
					addr = RTA_DATA(a);
			}
			if (!named)
				continue;
			if (h->nlmsg_type == RTM_DELLINK)
				*gone = 1;
			else if (m && u && (ifi->ifi_flags & IFF_UP) &&
				 addr != NULL && memcmp(addr, mac, 6) == 0)
				*wired = 1;
		}
	}
}

static struct xdd_vif
noxs_vif(uint32_t domid, const char *bridge)
{
	struct xdd_vif v = {.backend = XDD_BE_NOXS,
			    .domid = domid,
			    .mtu = 1280,
			    .frame = 0x1234,
			    .ctrl_offset = 1152,
			    .port = 5,
			    .mac = {0x00, 0x16, 0x3e, 1, 2, 3}};

	snprintf(v.bridge, sizeof(v.bridge), "%s", bridge);
	return v;
}

/*
 * A noxs vif (XDD_BE_NOXS), as far as a host without Xen lets it go:
 * malformed requests refused; the TAP made, with netback's MAC and the
 * MTU asked for, wired up into the bridge; then the device page cannot
 * be mapped here, so the attach fails and the TAP is gone with it.
 */
static void
t_noxs_vif(void **state)
{
	static const uint8_t mac[6] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct xdd_vif v;
	struct ipc_status st;
	char s[1024];
	int fd, wired = 0, gone = 0, i;

	(void)state;
	v = noxs_vif(31, "br0");
	v.ctrl_offset = 1100; /* not 64-aligned */
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = noxs_vif(31, "br0");
	v.ctrl_offset = 64; /* among the entries */
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = noxs_vif(31, "br0");
	v.mtu = 1501;
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = noxs_vif(31, "br0");
	v.flags = XDD_VIF_XENSTORE;
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = noxs_vif(31, "br0");
	v.port = 0;
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = noxs_vif(0, "br0"); /* dom0 has no device page */
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = vif("vif31.0", "br0", 0, 0); /* netback's with noxs fields */
	v.frame = 1;
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	v = noxs_vif(31, "br0");
	v.backend = 9;
	assert_int_equal(attach(&v, &st, NULL), EOPNOTSUPP);
	/* the bridge must exist, and be one */
	v = noxs_vif(31, "nobr");
	assert_int_equal(attach(&v, &st, NULL), ENODEV);
	assert_non_null(strstr(st.msg, "bridge nobr"));
	v = noxs_vif(31, "p1.0");
	assert_int_equal(attach(&v, &st, NULL), EINVAL);
	/* its name must be free: vif1.0 is a veth here */
	v = noxs_vif(1, "br0");
	assert_int_equal(attach(&v, &st, NULL), EEXIST);
	assert_non_null(strstr(st.msg, "vif1.0"));
	expect_loose("vif1.0");
	/* well formed: the TAP comes, is wired, and goes with the failure
	 * to map the guest's page */
	fd = link_events();
	v = noxs_vif(31, "br0");
	snprintf(v.vifname, sizeof(v.vifname), "nx3");
	assert_int_not_equal(attach(&v, &st, NULL), 0);
	assert_non_null(strstr(st.msg, "nx3"));
	for (i = 0; i < 200 && !(wired && gone); i++) {
		link_seen(fd, "nx3", if_nametoindex("br0"), 1280, mac, &wired,
			  &gone);
		usleep(10000);
	}
	close(fd);
	assert_true(wired);
	assert_true(gone);
	assert_int_equal(show("nx3", s, sizeof(s)), -1);
	assert_false(listed("nx3"));
	/* detaching what is not served */
	v = noxs_vif(31, "br0");
	assert_int_equal(call(XDD_VIF_DETACH, &v, sizeof(v), &st, NULL, 0),
			 ENOENT);
	alive();
}

/*
 * xendevd killed while it backs vbds.  A loop nothing else holds goes
 * with it (autoclear: its fd was the last).  One that blkback holds (the
 * test holds it here) stays bound; without XenStore the new xendevd
 * cannot know it was its own, so it does not take it back: it sees a
 * loop of another's, refuses a writer beside it, and lets it be.
 */
static void
t_vbd_restart(void **state)
{
	struct xdd_vbd_info lone, held;
	struct ipc_status st;
	struct xdd_vbd v;
	const char *a;
	char b[160];
	int fd;

	(void)state;
	SKIP_WITHOUT_LOOPS();
	a = image("lone.img", 4096, 6, 0644);
	v = vbd(XDD_VBD_FILE, 0, 10, a);
	assert_int_equal(vbd_attach(&v, &st, &lone), 0);
	snprintf(b, sizeof(b), "%s", image("held.img", 4096, 7, 0644));
	v = vbd(XDD_VBD_FILE, 0, 11, b);
	assert_int_equal(vbd_attach(&v, &st, &held), 0);
	fd = open(held.device, O_RDONLY | O_CLOEXEC); /* blkback's part */
	assert_true(fd >= 0);

	kill(daemon_pid, SIGKILL);
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = -1;
	expect_released(&lone, a);
	expect_bound(&held, b);
	start_daemon();
	print_message("restarted without XenStore: nothing taken back; "
		      "%s stays bound while held\n",
		      held.device);
	assert_int_equal(vbd_detach(11, 51712), ENOENT);
	v.domid = 12;
	assert_int_equal(vbd_attach(&v, &st, NULL), EBUSY);
	assert_non_null(strstr(st.msg, "not by xendevd"));
	close(fd); /* blkback lets go: nothing is leaked */
	expect_released(&held, b);
	assert_int_equal(vbd_attach(&v, &st, &held), 0);
	assert_int_equal(vbd_detach(12, 51712), 0);
	expect_released(&held, b);
	alive();
}

/* loop devices can be had: /dev/loop-control gives a free one */
static int
loops_usable(void)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), n;

	if (ctl < 0)
		return 0;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	return n >= 0;
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
		cmocka_unit_test(t_vbd_file),
		cmocka_unit_test(t_vbd_sharing),
		cmocka_unit_test(t_vbd_refused),
		cmocka_unit_test(t_vbd_foreign_loops),
		cmocka_unit_test(t_vbd_malformed),
		cmocka_unit_test(t_vbd_restart),
		cmocka_unit_test(t_cons_requests),
		cmocka_unit_test(t_noxs_vif),
		cmocka_unit_test(t_strangers_refused),
		cmocka_unit_test_teardown(t_out_of_fds, own_teardown),
		cmocka_unit_test_teardown(t_client_cap, own_teardown),
		cmocka_unit_test_teardown(t_never_reads, own_teardown),
		cmocka_unit_test_teardown(t_warnings_limited, own_teardown),
		cmocka_unit_test(t_waits_cap),
		cmocka_unit_test(t_no_leaks),
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
	have_loops = loops_usable();
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
