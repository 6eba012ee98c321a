/* test_devspec.c: MAC, UUID, CPU list, rate, name, vif and disk specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domcfg.h"

static char last[512];

static void
keep(void *arg, enum diag_level level, const char *source, int line, int col,
     const char *msg)
{
	(void)arg;
	(void)level;
	(void)source;
	(void)line;
	(void)col;
	strncpy(last, msg, sizeof(last) - 1);
}

static struct diag d = {.source = "t", .report = keep};
static const struct dc_loc here = {NULL, 1, 0};

static void
test_mac(void **state)
{
	uint8_t mac[6];
	const char *why;

	(void)state;
	assert_int_equal(dc_parse_mac("00:16:3E:0a:ff:01", mac, &why), 0);
	assert_int_equal(mac[2], 0x3e);
	assert_int_equal(mac[5], 0x01);
	assert_int_equal(dc_parse_mac("01:00:00:00:00:01", mac, &why), -1);
	assert_int_equal(dc_parse_mac("00:00:00:00:00:00", mac, &why), -1);
	assert_int_equal(dc_parse_mac("00:16:3e:0a:ff", mac, &why), -1);
	assert_int_equal(dc_parse_mac("00:16:3e:0a:ff:01:", mac, &why), -1);
	assert_int_equal(dc_parse_mac("00-16-3e-0a-ff-01", mac, &why), -1);
	assert_int_equal(dc_parse_mac("0g:16:3e:0a:ff:01", mac, &why), -1);
}

static void
test_uuid(void **state)
{
	uint8_t u[16];
	const char *why;

	(void)state;
	assert_int_equal(
		dc_parse_uuid("00112233-4455-6677-8899-aabbccddeeff", u, &why),
		0);
	assert_int_equal(u[0], 0x00);
	assert_int_equal(u[8], 0x88);
	assert_int_equal(u[15], 0xff);
	assert_int_equal(
		dc_parse_uuid("00112233-4455-6677-8899-aabbccddeeff0", u, &why),
		-1);
	assert_int_equal(
		dc_parse_uuid("0011223344556677-8899-aabbccddeeff", u, &why),
		-1);
	assert_int_equal(dc_parse_uuid("", u, &why), -1);
}

static void
test_cpuset(void **state)
{
	struct dc_cpuset s;
	const char *why;

	(void)state;
	assert_int_equal(dc_parse_cpuset("0-3,^2, 8", &s, &why), 0);
	assert_true(dc_cpuset_has(&s, 0));
	assert_true(dc_cpuset_has(&s, 3));
	assert_false(dc_cpuset_has(&s, 2));
	assert_true(dc_cpuset_has(&s, 8));
	assert_false(dc_cpuset_has(&s, 9));
	assert_int_equal(dc_parse_cpuset("all,^0", &s, &why), 0);
	assert_false(dc_cpuset_has(&s, 0));
	assert_true(dc_cpuset_has(&s, 4095));
	assert_int_equal(dc_parse_cpuset("3-1", &s, &why), -1);
	assert_int_equal(dc_parse_cpuset("^1", &s, &why), -1);
	assert_string_equal(why, "selects no CPU");
	assert_int_equal(dc_parse_cpuset("4096", &s, &why), -1);
	assert_int_equal(dc_parse_cpuset("1,", &s, &why), -1);
	assert_int_equal(dc_parse_cpuset("node:1", &s, &why), -1);
}

static void
test_rate(void **state)
{
	uint64_t b;
	uint32_t us;
	const char *why;

	(void)state;
	assert_int_equal(dc_parse_rate("10Mb/s", &b, &us, &why), 0);
	assert_int_equal(b, 1250000);
	assert_int_equal(us, 50000);
	assert_int_equal(dc_parse_rate("1GB/s@1s", &b, &us, &why), 0);
	assert_int_equal(b, 1000000000);
	assert_int_equal(us, 1000000);
	assert_int_equal(dc_parse_rate("100KB/s@250us", &b, &us, &why), 0);
	assert_int_equal(us, 250);
	assert_int_equal(dc_parse_rate("10Mb", &b, &us, &why), -1);
	assert_int_equal(dc_parse_rate("0MB/s", &b, &us, &why), -1);
	assert_int_equal(dc_parse_rate("10MB/s@", &b, &us, &why), -1);
	assert_int_equal(dc_parse_rate("10MB/s@5h", &b, &us, &why), -1);
	assert_int_equal(dc_parse_rate("1b/s", &b, &us, &why), -1);
}

static void
test_name(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(dc_check_name("web-01.edge", &why), 0);
	assert_int_equal(dc_check_name("", &why), -1);
	assert_int_equal(dc_check_name("42", &why), -1);
	assert_int_equal(dc_check_name("a b", &why), -1);
	assert_int_equal(dc_check_name("a/b", &why), -1);
	assert_int_equal(dc_check_name("Domain-0", &why), -1);
	assert_int_equal(dc_check_name(".hidden", &why), -1);
	/* text, as terminals show it: UTF-8 yes, C1 controls and broken
	 * sequences (a lone 8-bit CSI) no */
	assert_int_equal(dc_check_name("caf\xc3\xa9", &why), 0);
	assert_int_equal(dc_check_name("a\xc2\x9b"
				       "31m",
				       &why),
			 -1);
	assert_int_equal(dc_check_name("a\x9b"
				       "31m",
				       &why),
			 -1);
	assert_int_equal(dc_check_name("a\xc3", &why), -1);
	assert_int_equal(
		dc_check_name("x23456789012345678901234567890123456789012345678"
			      "90123456789012345",
			      &why),
		-1);
}

static void
test_vif(void **state)
{
	struct dc_vif v;

	(void)state;
	assert_int_equal(dc_parse_vif(&v, 3,
				      " mac=00:16:3e:01:02:03 , bridge=br0,"
				      "ip=10.0.0.1,mtu=1400",
				      &here, &d),
			 0);
	assert_int_equal(v.devid, 3);
	assert_true(v.has_mac);
	assert_string_equal(v.bridge, "br0");
	assert_string_equal(v.ip, "10.0.0.1");
	assert_int_equal(v.mtu, 1400);
	dc_vif_free(&v);
	assert_int_equal(dc_parse_vif(&v, 0, "", &here, &d), 0);
	assert_string_equal(v.bridge, "xenbr0");
	assert_false(v.has_mac);
	dc_vif_free(&v);
	assert_int_equal(dc_parse_vif(&v, 0, "mtu=20", &here, &d), -1);
	assert_int_equal(dc_parse_vif(&v, 0, "bridge=", &here, &d), -1);
	assert_int_equal(dc_parse_vif(&v, 0, "type=tap", &here, &d), -1);
	assert_int_equal(dc_parse_vif(&v, 0, "bogus", &here, &d), -1);
	assert_string_equal(last, "vif option 'bogus' is not key=value");
}

static void
test_disk(void **state)
{
	struct dc_disk k;

	(void)state;
	assert_int_equal(dc_parse_disk(&k, "phy:/dev/vg/a,xvda,w", &here, &d),
			 0);
	assert_string_equal(k.target, "/dev/vg/a");
	assert_string_equal(k.vdev, "xvda");
	assert_false(k.readonly);
	dc_disk_free(&k);
	assert_int_equal(dc_parse_disk(&k, "/img,qcow2,xvdb,ro", &here, &d), 0);
	assert_int_equal(k.format, DC_FMT_QCOW2);
	assert_true(k.readonly);
	dc_disk_free(&k);
	assert_int_equal(
		dc_parse_disk(&k, "vdev=xvdc,target=/a,b,c", &here, &d), 0);
	assert_string_equal(k.target, "/a,b,c");
	dc_disk_free(&k);
	assert_int_equal(dc_parse_disk(&k, ",,hdc:cdrom", &here, &d), 0);
	assert_true(k.cdrom);
	assert_null(k.target);
	assert_int_equal(k.format, DC_FMT_EMPTY);
	dc_disk_free(&k);
	assert_int_equal(dc_parse_disk(&k, "/a,,xvda,rw,x", &here, &d), -1);
	assert_int_equal(dc_parse_disk(&k, "/a,raw,xvda,rx", &here, &d), -1);
	assert_int_equal(dc_parse_disk(&k, "bogus:/a,xvda", &here, &d), -1);
	assert_int_equal(dc_parse_disk(&k, "/a,,xvda,,,", &here, &d), -1);
	assert_int_equal(dc_parse_disk(&k,
				       "format=raw,format=qcow,vdev=x,"
				       "target=/a",
				       &here, &d),
			 -1);
	assert_int_equal(dc_parse_disk(&k, "vdev=xvda", &here, &d), -1);
	assert_int_equal(dc_parse_disk(&k, "frob=1,/a,,xvda", &here, &d), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac),    cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_cpuset), cmocka_unit_test(test_rate),
		cmocka_unit_test(test_name),   cmocka_unit_test(test_vif),
		cmocka_unit_test(test_disk),
	};

	return cmocka_run_group_tests_name("devspec", tests, NULL, NULL);
}
