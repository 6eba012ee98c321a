/* test_xswatch.c: the watch connection against a xenstored of the test's
 * own on a Unix socket ($XENSTORED_PATH), fed in pieces. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "xswatch.h"

static char sock_path[64];
static int listener = -1;

/* open a watch, accept its connection and check what it asked for */
static int
open_and_accept(struct xsw *w)
{
	struct xsd_sockmsg h;
	char body[64];
	int fd;

	assert_int_equal(xsw_open(w, "@releaseDomain", "tok"), 0);
	fd = accept(listener, NULL, NULL);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, &h, sizeof(h)), sizeof(h));
	assert_int_equal(h.type, XS_WATCH);
	assert_int_equal(h.len, sizeof("@releaseDomain") + sizeof("tok"));
	assert_int_equal(read(fd, body, h.len), h.len);
	assert_string_equal(body, "@releaseDomain");
	assert_string_equal(body + sizeof("@releaseDomain"), "tok");
	return fd;
}

static void
put(int fd, uint32_t type, const char *body, size_t len)
{
	struct xsd_sockmsg h = {.type = type, .len = (uint32_t)len};

	assert_int_equal(write(fd, &h, sizeof(h)), sizeof(h));
	if (len)
		assert_int_equal(write(fd, body, len), (ssize_t)len);
}

static void
test_events_and_hangup(void **state)
{
	static const char ev[] = "@releaseDomain\0tok";
	struct xsd_sockmsg h = {.type = XS_WATCH_EVENT, .len = sizeof(ev)};
	static struct xsw w;
	int fd;

	(void)state;
	fd = open_and_accept(&w);
	assert_int_equal(xsw_read(&w), 0); /* nothing yet */
	put(fd, XS_WATCH, "OK", 3);
	put(fd, XS_WATCH_EVENT, ev, sizeof(ev)); /* the first, at once */
	assert_int_equal(xsw_wait(&w, 1000), 1);
	/* an event split across reads is counted once, when whole */
	assert_int_equal(write(fd, &h, 5), 5);
	assert_int_equal(xsw_read(&w), 0);
	assert_int_equal(write(fd, (char *)&h + 5, sizeof(h) - 5 + 0),
			 sizeof(h) - 5);
	assert_int_equal(write(fd, ev, 4), 4);
	assert_int_equal(xsw_read(&w), 0);
	assert_int_equal(write(fd, ev + 4, sizeof(ev) - 4), sizeof(ev) - 4);
	put(fd, XS_WATCH_EVENT, ev, sizeof(ev));
	assert_int_equal(xsw_wait(&w, 1000), 2);
	assert_int_equal(xsw_wait(&w, 10), 0); /* time runs out */
	close(fd);			       /* xenstored dies */
	assert_int_equal(xsw_wait(&w, 1000), -1);
	assert_int_equal(errno, ECONNRESET);
	xsw_close(&w);
}

static void
test_refusals_and_garbage(void **state)
{
	static struct xsw w;
	char big[16];
	int fd;

	(void)state;
	fd = open_and_accept(&w);
	put(fd, XS_ERROR, "EACCES", 7);
	assert_int_equal(xsw_wait(&w, 1000), -1);
	assert_int_equal(errno, EPROTO);
	xsw_close(&w);
	close(fd);
	fd = open_and_accept(&w);
	put(fd, XS_READ, "x", 2); /* no request was made for this */
	assert_int_equal(xsw_wait(&w, 1000), -1);
	assert_int_equal(errno, EBADMSG);
	xsw_close(&w);
	close(fd);
	fd = open_and_accept(&w);
	memset(big, 0, sizeof(big));
	put(fd, XS_WATCH_EVENT, big, 0);
	{
		struct xsd_sockmsg h = {.type = XS_WATCH_EVENT,
					.len = XENSTORE_PAYLOAD_MAX + 1};

		assert_int_equal(write(fd, &h, sizeof(h)), sizeof(h));
	}
	assert_int_equal(xsw_wait(&w, 1000), -1);
	assert_int_equal(errno, EBADMSG);
	xsw_close(&w);
	close(fd);
	/* no xenstored at all */
	setenv("XENSTORED_PATH", "/nonexistent/socket", 1);
	assert_int_equal(xsw_open(&w, "@releaseDomain", "tok"), -1);
	assert_int_equal(w.fd, -1);
	setenv("XENSTORED_PATH", sock_path, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_and_hangup),
		cmocka_unit_test(test_refusals_and_garbage),
	};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc;

	snprintf(sock_path, sizeof(sock_path), "/tmp/chaos-xsw-%ld.sock",
		 (long)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listener < 0 ||
	    bind(listener, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listener, 4) < 0)
		return 1;
	setenv("XENSTORED_PATH", sock_path, 1);
	rc = cmocka_run_group_tests_name("xswatch", tests, NULL, NULL);
	close(listener);
	unlink(sock_path);
	return rc;
}
