/* test_monstate.c: the monitor's memory of domains and its decisions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domcfg.h"
#include "monstate.h"

static const uint8_t uuid_a[16] = {0xaa, 1, 2, 3};
static const uint8_t uuid_b[16] = {0xbb, 1, 2, 3};

static struct hv_dominfo
info(uint32_t domid, const uint8_t *uuid, unsigned flags, unsigned reason)
{
	struct hv_dominfo di;

	memset(&di, 0, sizeof(di));
	di.domid = domid;
	memcpy(di.uuid, uuid, 16);
	di.flags = flags;
	di.shutdown_reason = reason;
	return di;
}

/* The monitor's decision on one record in a scan */
static enum mon_verdict
look(struct mon_set *s, int rc, int err, const struct hv_dominfo *di,
     uint32_t domid, const uint8_t *uuid)
{
	struct mon_dom *d;

	return mon_decide(s, domid, uuid, 0, rc, err, di, &d);
}

/* A crash whose action fails (say a rename-restart that cannot rename) is
 * acted on once, not on every scan after. */
static void
test_shutdown_acted_on_once(void **state)
{
	struct mon_set s = {0};
	struct hv_dominfo di = info(5, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_CRASH);
	int scan, acts = 0;

	(void)state;
	for (scan = 0; scan < 100; scan++) {
		mon_scan_begin(&s);
		acts += look(&s, 0, 0, &di, 5, uuid_a) == MON_ACT;
		mon_scan_end(&s, NULL, NULL);
	}
	assert_int_equal(acts, 1);
	mon_set_free(&s, NULL, NULL);
}

/* More than 1024 domains kept as they are: each still acted on once. */
static void
test_kept_set_has_no_bound(void **state)
{
	struct mon_set s = {0};
	struct hv_dominfo di;
	uint32_t d;
	int scan, acts = 0;

	(void)state;
	for (scan = 0; scan < 3; scan++) {
		mon_scan_begin(&s);
		for (d = 1; d <= 3000; d++) {
			di = info(d, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_POWEROFF);
			acts += look(&s, 0, 0, &di, d, uuid_a) == MON_ACT;
		}
		mon_scan_end(&s, NULL, NULL);
	}
	assert_int_equal(acts, 3000);
	mon_set_free(&s, NULL, NULL);
}

static int drops;

static void
count_drop(struct mon_dom *d, void *arg)
{
	(void)d;
	(void)arg;
	drops++;
}

/* Domains that no longer exist leave the set (and their drop runs). */
static void
test_set_pruned_of_gone_domains(void **state)
{
	struct mon_set s = {0};
	struct hv_dominfo di;
	uint32_t d;

	(void)state;
	drops = 0;
	mon_scan_begin(&s);
	for (d = 1; d <= 10; d++) {
		di = info(d, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_POWEROFF);
		look(&s, 0, 0, &di, d, uuid_a);
	}
	mon_scan_end(&s, count_drop, NULL);
	assert_int_equal(s.n, 10);
	/* next scan: only 3 and 7 still have records; 5 is gone */
	mon_scan_begin(&s);
	di = info(3, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_POWEROFF);
	assert_int_equal(look(&s, 0, 0, &di, 3, uuid_a), MON_DONE);
	di = info(7, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_POWEROFF);
	assert_int_equal(look(&s, 0, 0, &di, 7, uuid_a), MON_DONE);
	assert_int_equal(look(&s, -1, ESRCH, NULL, 5, uuid_a), MON_FORGET);
	mon_scan_end(&s, count_drop, NULL);
	assert_int_equal(s.n, 2);
	assert_int_equal(drops, 8);
	assert_non_null(mon_find(&s, 3, uuid_a));
	assert_non_null(mon_find(&s, 7, uuid_a));
	assert_null(mon_find(&s, 5, uuid_a));
	mon_set_free(&s, count_drop, NULL);
	assert_int_equal(drops, 10);
}

/* A domid reused by a new domain (another uuid) does not inherit the old
 * one's decision, even before the old entry is pruned. */
static void
test_reused_domid_is_a_new_instance(void **state)
{
	struct mon_set s = {0};
	struct hv_dominfo di = info(9, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_CRASH);
	struct mon_dom *d;

	(void)state;
	mon_scan_begin(&s);
	assert_int_equal(look(&s, 0, 0, &di, 9, uuid_a), MON_ACT);
	/* kept as is (on_crash = "preserve") */
	d = mon_find(&s, 9, uuid_a);
	if (d == NULL)
		d = mon_add(&s, 9, uuid_a, 0);
	d->flags |= MON_F_HANDLED;
	mon_scan_end(&s, NULL, NULL);
	/* same scan sees the new instance under the old domid */
	mon_scan_begin(&s);
	di = info(9, uuid_b, HV_SHUTDOWN, HV_SHUTDOWN_POWEROFF);
	assert_int_equal(look(&s, 0, 0, &di, 9, uuid_b), MON_ACT);
	mon_scan_end(&s, NULL, NULL);
	assert_null(mon_find(&s, 9, uuid_a));
	mon_set_free(&s, NULL, NULL);
}

/* A record whose domid Xen now gives to a domain of another uuid is of a
 * dead domain: the record goes, the other domain is not touched. */
static void
test_record_of_other_uuid_is_stale(void **state)
{
	struct hv_dominfo di = info(4, uuid_b, 0, 0);

	(void)state;
	assert_int_equal(mon_judge(0, 0, &di, uuid_a, NULL), MON_STALE);
	di.flags = HV_SHUTDOWN;
	assert_int_equal(mon_judge(0, 0, &di, uuid_a, NULL), MON_STALE);
}

/* Only a definite "no such domain" or dying forgets a domain; any other
 * failure of getdomaininfo is retried, and keeps its entry. */
static void
test_transient_failure_keeps_domain(void **state)
{
	struct mon_set s = {0};
	struct hv_dominfo di = info(6, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_CRASH);
	static const int transient[] = {EINTR,	ENOMEM, EFAULT,
					EACCES, EIO,	EAGAIN};
	size_t i;

	(void)state;
	mon_scan_begin(&s);
	assert_int_equal(look(&s, 0, 0, &di, 6, uuid_a), MON_ACT);
	mon_scan_end(&s, NULL, NULL);
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
		mon_scan_begin(&s);
		assert_int_equal(look(&s, -1, transient[i], NULL, 6, uuid_a),
				 MON_RETRY);
		mon_scan_end(&s, NULL, NULL);
		assert_non_null(mon_find(&s, 6, uuid_a));
	}
	/* it answers again: still handled, not acted on twice */
	mon_scan_begin(&s);
	assert_int_equal(look(&s, 0, 0, &di, 6, uuid_a), MON_DONE);
	mon_scan_end(&s, NULL, NULL);
	assert_int_equal(mon_judge(-1, ESRCH, NULL, uuid_a, NULL), MON_FORGET);
	di.flags = HV_DYING | HV_SHUTDOWN;
	assert_int_equal(mon_judge(0, 0, &di, uuid_a, NULL), MON_FORGET);
	mon_set_free(&s, NULL, NULL);
}

static void
test_running_and_suspended_are_left_alone(void **state)
{
	struct hv_dominfo di = info(2, uuid_a, HV_RUNNING, 0);

	(void)state;
	assert_int_equal(mon_judge(0, 0, &di, uuid_a, NULL), MON_RUNNING);
	di = info(2, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_SUSPEND);
	assert_int_equal(mon_judge(0, 0, &di, uuid_a, NULL), MON_RUNNING);
}

/* Two rename-restarts of one name in one minute keep two names. */
static void
test_rename_names_never_collide(void **state)
{
	char a[96], b[96], c[96];
	const char *why;
	char longname[65];
	time_t t = 60 * (time_t)29916666; /* a minute's start */

	(void)state;
	assert_int_equal(mon_rename_name(a, sizeof(a), "web", t, 5), 0);
	assert_int_equal(mon_rename_name(b, sizeof(b), "web", t + 20, 6), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(dc_check_name(a, &why), 0);
	memset(longname, 'x', 64);
	longname[64] = '\0';
	assert_int_equal(
		mon_rename_name(c, sizeof(c), longname, t, 4294967294u), 0);
	assert_int_equal(dc_check_name(c, &why), 0);
	assert_int_equal(mon_rename_name(a, sizeof(a), longname, t, 7), 0);
	assert_string_not_equal(a, c);
	assert_int_equal(mon_rename_name(a, 8, "web", t, 5), -1);
}

static void
test_rate_limit(void **state)
{
	struct mon_rl rl = {0};
	unsigned missed = 99;
	int64_t t = 1000000;

	(void)state;
	assert_true(mon_rl_allow(&rl, t, &missed));
	assert_int_equal(missed, 0);
	assert_false(mon_rl_allow(&rl, t + 250, &missed));
	assert_false(mon_rl_allow(&rl, t + 500, &missed));
	assert_true(mon_rl_allow(&rl, t + MON_RL_MS, &missed));
	assert_int_equal(missed, 2);
}

static struct mon_dom *
running(struct mon_set *s, uint32_t domid, unsigned flags, unsigned epoch)
{
	struct hv_dominfo di = info(domid, uuid_a, HV_RUNNING, 0);
	struct mon_dom *d;

	assert_int_equal(mon_decide(s, domid, uuid_a, epoch, 0, 0, &di, &d),
			 MON_RUNNING);
	d->flags |= flags;
	return d;
}

/* With xenstored, only what @releaseDomain does not cover is polled:
 * noxs guests (slowly when they have a notice channel) and guests made
 * under an earlier xenstored.  Without it, everything, and always (to
 * find xenstored back).  With VIRQ_DOM_EXC, nothing. */
static void
test_sleep(void **state)
{
	struct mon_set s = {0};
	struct mon_dom *d;

	(void)state;
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 0, 0), -1);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_VIRQ, 0, 0), -1);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_NONE, 0, 0), MON_POLL_MS);
	running(&s, 1, 0, 0); /* xenstore mode, this xenstored */
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 0, 0), -1);
	d = running(&s, 2, MON_F_NOXS | MON_F_NOTICE, 0);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 0, 0), MON_FALLBACK_MS);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_VIRQ, 0, 0), -1);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_NONE, 0, 0), MON_POLL_MS);
	d->flags &= ~(unsigned)MON_F_NOTICE; /* binding it failed */
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 0, 0), MON_POLL_MS);
	d->flags |= MON_F_HANDLED; /* kept as is */
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 0, 0), -1);
	/* xenstored came back: domain 1 is unknown to it */
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 1, 0), MON_POLL_MS);
	/* a notice fired: hurry for a while, then no more */
	mon_noticed(d, 1000);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_VIRQ, 0, 1001),
			 MON_HURRY_MS);
	assert_int_equal(
		mon_sleep_ms(&s, MON_WAKE_VIRQ, 0, 1000 + MON_HURRY_FOR_MS),
		-1);
	mon_set_free(&s, NULL, NULL);
}

/* The notice's hurry ends as soon as the shutdown is seen. */
static void
test_notice_then_shutdown(void **state)
{
	struct mon_set s = {0};
	struct hv_dominfo di =
		info(3, uuid_a, HV_SHUTDOWN, HV_SHUTDOWN_POWEROFF);
	struct mon_dom *d = running(&s, 3, MON_F_NOXS | MON_F_NOTICE, 0);

	(void)state;
	d->notice_local = 17;
	assert_ptr_equal(mon_find_local(&s, 17), d);
	assert_null(mon_find_local(&s, 18));
	mon_noticed(d, 50);
	assert_true(d->flags & MON_F_NOTICED);
	assert_int_equal(mon_decide(&s, 3, uuid_a, 0, 0, 0, &di, &d), MON_ACT);
	assert_int_equal(mon_sleep_ms(&s, MON_WAKE_XS, 0, 51), -1);
	mon_set_free(&s, NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shutdown_acted_on_once),
		cmocka_unit_test(test_kept_set_has_no_bound),
		cmocka_unit_test(test_set_pruned_of_gone_domains),
		cmocka_unit_test(test_reused_domid_is_a_new_instance),
		cmocka_unit_test(test_record_of_other_uuid_is_stale),
		cmocka_unit_test(test_transient_failure_keeps_domain),
		cmocka_unit_test(test_running_and_suspended_are_left_alone),
		cmocka_unit_test(test_rename_names_never_collide),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_notice_then_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
