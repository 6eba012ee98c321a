/*
 * test_consring.c: a console ring read and written as hostile memory
 * (xendevd/ring.h), on a ring in memory standing in for a guest's; the
 * history a late reader gets; xenconsoled's timestamps; and where the
 * logging setting is read from (xendevd/consconf.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "consconf.h"
#include "ring.h"

/* the guest's side: write s into out as a frontend would */
static void
guest_write(struct xencons_interface *r, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		r->out[MASK_XENCONS_IDX(r->out_prod + i, r->out)] = s[i];
	r->out_prod += (XENCONS_RING_IDX)n;
}

static void
t_read_wraps(void **state)
{
	static struct xencons_interface r;
	char buf[XDD_RING_OUT + 1];
	size_t n;
	int bad;

	(void)state;
	/* indices near the 32-bit wrap, the bytes across the ring's end */
	r.out_cons = r.out_prod = 0xfffffffeu - 3;
	guest_write(&r, "hello, world");
	n = xdd_ring_read(&r, buf, sizeof(buf), &bad);
	assert_false(bad);
	assert_int_equal(n, 12);
	assert_memory_equal(buf, "hello, world", 12);
	assert_int_equal(r.out_cons, r.out_prod);
	/* empty now */
	assert_int_equal(xdd_ring_read(&r, buf, sizeof(buf), &bad), 0);
	assert_false(bad);
}

static void
t_read_full_and_capped(void **state)
{
	static struct xencons_interface r;
	char buf[XDD_RING_OUT];
	size_t i, n;
	int bad;

	(void)state;
	for (i = 0; i < XDD_RING_OUT; i++)
		r.out[i] = (char)('a' + i % 26);
	r.out_cons = 100;
	r.out_prod = 100 + XDD_RING_OUT; /* exactly full: allowed */
	n = xdd_ring_read(&r, buf, 10, &bad);
	assert_false(bad);
	assert_int_equal(n, 10); /* no more than the caller's room */
	assert_int_equal(r.out_cons, 110);
	n = xdd_ring_read(&r, buf, sizeof(buf), &bad);
	assert_int_equal(n, XDD_RING_OUT - 10);
	assert_int_equal(r.out_cons, r.out_prod);
}

static void
t_read_lies(void **state)
{
	static struct xencons_interface r;
	char buf[XDD_RING_OUT];
	int bad;

	(void)state;
	/* more than the ring holds: nothing read, the ring dropped */
	r.out_cons = 5;
	r.out_prod = 5 + XDD_RING_OUT + 1;
	assert_int_equal(xdd_ring_read(&r, buf, sizeof(buf), &bad), 0);
	assert_true(bad);
	assert_int_equal(r.out_cons, r.out_prod);
	/* a consumer "ahead" of the producer is the same lie */
	r.out_cons = 10;
	r.out_prod = 9;
	assert_int_equal(xdd_ring_read(&r, buf, sizeof(buf), &bad), 0);
	assert_true(bad);
	/* and the ring works again once the guest writes sanely */
	guest_write(&r, "ok");
	assert_int_equal(xdd_ring_read(&r, buf, sizeof(buf), &bad), 2);
	assert_false(bad);
}

static void
t_write(void **state)
{
	static struct xencons_interface r;
	char big[XDD_RING_IN + 50];

	(void)state;
	memset(big, 'x', sizeof(big));
	r.in_cons = r.in_prod = 0xffffffffu;
	assert_int_equal(xdd_ring_write(&r, "ab", 2), 2);
	assert_int_equal(r.in[MASK_XENCONS_IDX(0xffffffffu, r.in)], 'a');
	assert_int_equal(r.in[MASK_XENCONS_IDX(0u, r.in)], 'b');
	/* only the room there is */
	assert_int_equal(xdd_ring_write(&r, big, sizeof(big)), XDD_RING_IN - 2);
	assert_int_equal(xdd_ring_write(&r, "c", 1), 0);
	r.in_cons += 1; /* the guest read one */
	assert_int_equal(xdd_ring_write(&r, "c", 1), 1);
	/* a guest lying about what it read: nothing written */
	r.in_cons = r.in_prod + 1;
	assert_int_equal(xdd_ring_write(&r, "d", 1), -1);
}

static void
t_history(void **state)
{
	static struct xdd_hist h;
	static char out[XDD_HIST_SIZE], big[XDD_HIST_SIZE * 2];
	size_t i;

	(void)state;
	assert_int_equal(xdd_hist_get(&h, out), 0);
	xdd_hist_put(&h, "boot\n", 5);
	assert_int_equal(xdd_hist_get(&h, out), 5);
	assert_memory_equal(out, "boot\n", 5);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)i;
	/* more than it keeps, in odd pieces: the last bytes, in order */
	for (i = 0; i < sizeof(big); i += 1000)
		xdd_hist_put(&h, big + i,
			     sizeof(big) - i < 1000 ? sizeof(big) - i : 1000);
	assert_int_equal(xdd_hist_get(&h, out), XDD_HIST_SIZE);
	assert_memory_equal(out, big + sizeof(big) - XDD_HIST_SIZE,
			    XDD_HIST_SIZE);
	/* one put larger than the history */
	xdd_hist_put(&h, big, sizeof(big));
	assert_int_equal(xdd_hist_get(&h, out), XDD_HIST_SIZE);
	assert_memory_equal(out, big + XDD_HIST_SIZE, XDD_HIST_SIZE);
}

static void
t_stamp(void **state)
{
	char out[256];
	int needts = 1;
	size_t n;

	(void)state;
	n = xdd_stamp("a\r\nb\n\r\rc", 8, "[T] ", 4, &needts, out);
	out[n] = '\0';
	assert_string_equal(out, "[T] a\r\n[T] b\n[T] c");
	assert_false(needts);
	/* a line finished by a later piece gets no second stamp */
	n = xdd_stamp("d\n", 2, "[T] ", 4, &needts, out);
	out[n] = '\0';
	assert_string_equal(out, "d\n");
	assert_true(needts);
	n = xdd_stamp("e", 1, "[T] ", 4, &needts, out);
	out[n] = '\0';
	assert_string_equal(out, "[T] e");
}

static void
t_conf_args(void **state)
{
	struct xdd_cons_conf c;
	char *a1[] = {"xenconsoled", "--log=guest",
		      "--log-dir=/var/log/xen/console", "--pid-file=/x"};
	char *a2[] = {"/usr/sbin/xenconsoled",
		      "-i",
		      "--log",
		      "all",
		      "--log-dir",
		      "/l",
		      "-t",
		      "guest"};
	char *a3[] = {"xenconsoled", "--log=bogus", "-tall", "--log-dir="};
	char *a4[] = {"xenconsoled", "--log=hv", "--timestamp=none"};

	(void)state;
	xdd_cons_conf_init(&c);
	assert_false(c.log);
	assert_string_equal(c.dir, XDD_LOG_DIR);
	xdd_cons_conf_args(&c, 4, a1);
	assert_true(c.log);
	assert_false(c.stamp);
	assert_string_equal(c.dir, "/var/log/xen/console");
	xdd_cons_conf_init(&c);
	xdd_cons_conf_args(&c, 8, a2);
	assert_true(c.log);
	assert_true(c.stamp);
	assert_string_equal(c.dir, "/l");
	/* a bad value leaves the setting alone; an empty dir too */
	xdd_cons_conf_args(&c, 4, a3);
	assert_true(c.log);
	assert_true(c.stamp);
	assert_string_equal(c.dir, "/l");
	/* the hypervisor's log alone is not the guests' */
	xdd_cons_conf_args(&c, 3, a4);
	assert_false(c.log);
	assert_false(c.stamp);
	/* a value missing at the end is no value */
	{
		char *a5[] = {"--log"};

		xdd_cons_conf_args(&c, 1, a5);
		assert_false(c.log);
	}
}

static void
t_conf_defaults(void **state)
{
	static const char xencommons[] =
		"## Default: \"none\"\n"
		"#XENCONSOLED_TRACE=[none|guest|hv|all]\n"
		"XENSTORED_ARGS=\n"
		"  XENCONSOLED_TRACE=\"guest\"\n"
		"XENCONSOLED_LOG_DIR='/srv/logs'\n";
	static const char debian[] =
		"XENCONSOLED_ARGS=\"--log=all --timestamp=guest\"\n"
		"XENCONSOLED_ARGSX=--log=none\n";
	static const char nothing[] = "#XENCONSOLED_TRACE=guest\nFOO=bar";
	struct xdd_cons_conf c;

	(void)state;
	xdd_cons_conf_init(&c);
	assert_int_equal(
		xdd_cons_conf_defaults(&c, xencommons, sizeof(xencommons) - 1),
		2);
	assert_true(c.log);
	assert_string_equal(c.dir, "/srv/logs");
	xdd_cons_conf_init(&c);
	assert_int_equal(xdd_cons_conf_defaults(&c, debian, sizeof(debian) - 1),
			 1);
	assert_true(c.log);
	assert_true(c.stamp);
	xdd_cons_conf_init(&c);
	assert_int_equal(
		xdd_cons_conf_defaults(&c, nothing, sizeof(nothing) - 1), 0);
	assert_false(c.log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_read_wraps),
		cmocka_unit_test(t_read_full_and_capped),
		cmocka_unit_test(t_read_lies),
		cmocka_unit_test(t_write),
		cmocka_unit_test(t_history),
		cmocka_unit_test(t_stamp),
		cmocka_unit_test(t_conf_args),
		cmocka_unit_test(t_conf_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
