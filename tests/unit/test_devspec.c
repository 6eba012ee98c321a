/* test_devspec.c: MAC, UUID, CPU list, rate, name, vif and disk specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domcfg.h"
#include "toolstack.h"

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

/* parse(format(v)) is v, for every field the formatter writes */
static void
test_vif_format(void **state)
{
	static const char *const specs[] = {
		"bridge=xenbr0",
		"mac=00:16:3e:01:02:03,bridge=br1,ip=10.0.0.2/24 10.0.0.3,"
		"vifname=web0,model=e1000,mtu=1400,rate=10Mb/s@20ms,"
		"backend=0,gatewaydev=eth0,devid=7",
		"rate=1250000B/s",
		"rate=3B/s@5us,script=vif-bridge",
	};
	struct dc_loc at = {"test", 1, 1};
	struct dc_vif a, b;
	size_t i;
	char *f;

	(void)state;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		assert_int_equal(dc_parse_vif(&a, 3, specs[i], &at, &d), 0);
		f = dc_vif_format(&a);
		assert_non_null(f);
		assert_int_equal(dc_parse_vif(&b, 9, f, &at, &d), 0);
		assert_int_equal(a.devid, b.devid);
		assert_int_equal(a.has_mac, b.has_mac);
		assert_memory_equal(a.mac, b.mac, 6);
		assert_string_equal(a.bridge, b.bridge);
		assert_true(a.ip == b.ip || strcmp(a.ip, b.ip) == 0);
		assert_true(a.vifname == b.vifname ||
			    strcmp(a.vifname, b.vifname) == 0);
		assert_true(a.model == b.model ||
			    strcmp(a.model, b.model) == 0);
		assert_int_equal(a.mtu, b.mtu);
		assert_int_equal(a.has_rate, b.has_rate);
		assert_true(a.rate_bytes == b.rate_bytes);
		assert_int_equal(a.rate_interval_us, b.rate_interval_us);
		free(f);
		dc_vif_free(&a);
		dc_vif_free(&b);
	}
}

/* the vif list of config text after ts_config_devices, as the create reads
 * it: n vifs into v (freed by the caller) */
static size_t
vifs_of(const char *text, struct dc_vif *v, size_t max)
{
	struct dc_loc at = {"test", 1, 1};
	struct cfg cfg = {NULL};
	const struct cfg_setting *s;
	size_t i, n = 0;

	assert_int_equal(cfg_parse(&cfg, text, strlen(text), &d), 0);
	s = cfg_get(&cfg, "vif");
	for (i = 0; s != NULL && i < s->value->nitems && n < max; i++)
		assert_int_equal(dc_parse_vif(&v[n++], (unsigned)i,
					      s->value->items[i]->atom, &at,
					      &d),
				 0);
	cfg_free(&cfg);
	return n;
}

static void
test_config_vifs(void **state)
{
	static const char user[] =
		"name = \"g\"\nvif = [ 'bridge=xenbr0', 'ip=10.0.0.9' ]\n"
		"memory = 4";
	struct dc_loc at = {"test", 1, 1};
	struct dc_vif add, v[4];
	char *text = strdup(user);
	size_t len = strlen(user), n, i;

	(void)state;
	/* attach devid 2, quotes and all */
	assert_int_equal(
		dc_parse_vif(&add, 2, "bridge=xenbr0,ip=it's", &at, &d), 0);
	add.has_mac = 1;
	memcpy(add.mac, "\x00\x16\x3e\x0a\x0b\x0c", 6);
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){-1, &add, -1, NULL}),
		0);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(text, user, strlen(user)); /* the user's text */
	n = vifs_of(text, v, 4);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].devid, 0);
	assert_int_equal(v[1].devid, 1);
	assert_string_equal(v[1].ip, "10.0.0.9");
	assert_int_equal(v[2].devid, 2);
	assert_string_equal(v[2].ip, "it's");
	assert_memory_equal(v[2].mac, add.mac, 6);
	for (i = 0; i < n; i++)
		dc_vif_free(&v[i]);
	/* detach devid 0: the others keep their devids; the tail is
	 * replaced, not stacked */
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){0, NULL, -1, NULL}),
		0);
	n = vifs_of(text, v, 4);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].devid, 1);
	assert_int_equal(v[1].devid, 2);
	for (i = 0; i < n; i++)
		dc_vif_free(&v[i]);
	assert_ptr_equal(strstr(text, "# chaos:"), strrchr(text, '#'));
	/* every vif gone: an empty list */
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){1, NULL, -1, NULL}),
		0);
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){2, NULL, -1, NULL}),
		0);
	assert_int_equal(vifs_of(text, v, 4), 0);
	assert_non_null(strstr(text, "vif = []\n"));
	/* a marker of the user's own is text like any other: what follows
	 * it is kept */
	free(text);
	text = strdup("\n# chaos: the devices after attach/detach\n"
		      "vif = []\nmemory = 8\n");
	len = strlen(text);
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){-1, &add, -1, NULL}),
		0);
	assert_non_null(strstr(text, "memory = 8"));
	assert_int_equal(vifs_of(text, v, 4), 1);
	dc_vif_free(&v[0]);
	/* text that does not parse is left alone */
	free(text);
	text = strdup("vif = [");
	len = strlen(text);
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){-1, &add, -1, NULL}),
		-1);
	assert_string_equal(text, "vif = [");
	free(text);
	dc_vif_free(&add);
}

static void
test_disk_format(void **state)
{
	static const char *const specs[] = {
		"/img/a,raw,xvda,rw",
		"format=qcow2,vdev=xvdb,access=ro,backendtype=qdisk,"
		"target=/img/with, comma",
		"/dev/vg/lv,,xvdc,w,discard,script=block-iscsi",
		",,hdc:cdrom,r",
		"vdev=xvdd,devtype=cdrom,no-discard,backend=0,target=/x.iso",
	};
	struct dc_loc at = {"test", 1, 1};
	struct dc_disk a, b;
	size_t i;
	char *f;

	(void)state;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		assert_int_equal(dc_parse_disk(&a, specs[i], &at, &d), 0);
		f = dc_disk_format(&a);
		assert_non_null(f);
		assert_int_equal(dc_parse_disk(&b, f, &at, &d), 0);
		assert_true(a.target == b.target ||
			    strcmp(a.target, b.target) == 0);
		assert_int_equal(a.format, b.format);
		assert_string_equal(a.vdev, b.vdev);
		assert_int_equal(a.readonly, b.readonly);
		assert_int_equal(a.cdrom, b.cdrom);
		assert_int_equal(a.backendtype, b.backendtype);
		assert_true(a.script == b.script ||
			    strcmp(a.script, b.script) == 0);
		assert_true(a.backend == b.backend ||
			    strcmp(a.backend, b.backend) == 0);
		assert_int_equal(a.discard, b.discard);
		free(f);
		dc_disk_free(&a);
		dc_disk_free(&b);
	}
}

static void
test_config_disks(void **state)
{
	static const char user[] = "disk = [ '/a,raw,xvda,rw', '/b,,xvdb' ]\n";
	struct dc_loc at = {"test", 1, 1};
	struct dc_disk add;
	struct cfg cfg = {NULL};
	const struct cfg_setting *s;
	char *text = strdup(user);
	size_t len = strlen(user);

	(void)state;
	assert_int_equal(dc_parse_disk(&add, "/c's,raw,xvdc,ro", &at, &d), 0);
	assert_int_equal(
		ts_config_devices(&text, &len,
				  &(struct ts_devchange){-1, NULL, -1, &add}),
		0);
	/* xvda (51712) goes; the vifs, none, stay none */
	assert_int_equal(ts_config_devices(
				 &text, &len,
				 &(struct ts_devchange){-1, NULL, 51712, NULL}),
			 0);
	assert_int_equal(cfg_parse(&cfg, text, len, &d), 0);
	s = cfg_get(&cfg, "disk");
	assert_non_null(s);
	assert_int_equal(s->value->nitems, 2);
	assert_string_equal(s->value->items[0]->atom, "/b,,xvdb");
	assert_non_null(strstr(s->value->items[1]->atom, "target=/c's"));
	s = cfg_get(&cfg, "vif");
	assert_int_equal(s->value->nitems, 0);
	cfg_free(&cfg);
	free(text);
	dc_disk_free(&add);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_cpuset),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_vif),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_vif_format),
		cmocka_unit_test(test_config_vifs),
		cmocka_unit_test(test_disk_format),
		cmocka_unit_test(test_config_disks),
	};

	return cmocka_run_group_tests_name("devspec", tests, NULL, NULL);
}
