/* test_vbd.c: vdev names get the device numbers xl gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vbd.h"

static uint32_t
num(const char *vdev)
{
	uint32_t n = 0;

	if (vbd_devnum(vdev, &n) < 0)
		fail_msg("%s: refused", vdev);
	return n;
}

/* xl's own examples and the edges of each form */
static void
test_numbers_as_xl(void **state)
{
	(void)state;
	assert_int_equal(num("xvda"), 51712);
	assert_int_equal(num("xvda1"), 51713);
	assert_int_equal(num("xvdb"), 51728);
	assert_int_equal(num("xvdp15"), 202 << 8 | 15 << 4 | 15);
	/* past disk 15 or partition 15: the extended form */
	assert_int_equal(num("xvdq"), 268439552);
	assert_int_equal(num("xvda16"), 1u << 28 | 0 << 8 | 16);
	assert_int_equal(num("xvdz"), 1u << 28 | 25 << 8);
	assert_int_equal(num("xvdaa"), 1u << 28 | 26 << 8);
	assert_int_equal(num("xvdab"), 1u << 28 | 27 << 8);
	assert_int_equal(num("xvdba"), 1u << 28 | 52 << 8);
	assert_int_equal(num("d0p0"), 51712);
	assert_int_equal(num("d1p2"), 202 << 8 | 1 << 4 | 2);
	assert_int_equal(num("d16p0"), 1u << 28 | 16 << 8);
	assert_int_equal(num("hda"), 768);
	assert_int_equal(num("hdb"), 3 << 8 | 64);
	assert_int_equal(num("hdc"), 22 << 8);
	assert_int_equal(num("hdd63"), 22 << 8 | 64 | 63);
	assert_int_equal(num("sda"), 2048);
	assert_int_equal(num("sdb1"), 8 << 8 | 16 | 1);
	assert_int_equal(num("sdp15"), 8 << 8 | 15 << 4 | 15);
	assert_int_equal(num("51712"), 51712);
	assert_int_equal(num("0xca00"), 51712);
}

static void
test_refuses_what_names_no_disk(void **state)
{
	static const char *const bad[] = {
		"",	  "xvd",    "xvdA", "xvda0", "xvda01",	  "xvda256",
		"xvda-1", "xvda1x", "hde",  "hda64", "sdq",	  "sda16",
		"vda",	  "d0",	    "dp1",  "d0p",   "d01p1",	  "d0p256",
		"0",	  "12abc",  "sd",   "hd1",   "/dev/xvda",
	};
	uint32_t n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vbd_devnum(bad[i], &n) == 0)
			fail_msg("'%s' was given %u", bad[i], n);
	assert_int_equal(vbd_devnum(NULL, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_as_xl),
		cmocka_unit_test(test_refuses_what_names_no_disk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
