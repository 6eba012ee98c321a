/* test_domcfg.c: xl meaning, defaults and checks (chaos/domcfg.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domcfg.h"
#include "domcfg_json.h"

static char first[512];
static int nwarn;

static void
keep(void *arg, enum diag_level level, const char *source, int line, int col,
     const char *msg)
{
	(void)arg;
	(void)source;
	(void)col;
	if (level == DIAG_WARNING) {
		nwarn++;
		return;
	}
	if (first[0] == '\0')
		snprintf(first, sizeof(first), "%d: %s", line, msg);
}

static int
load(struct domcfg *dc, const char *text)
{
	struct diag d = {.source = "t.cfg", .report = keep};
	struct cfg cfg = {0};
	int rc;

	first[0] = '\0';
	nwarn = 0;
	rc = cfg_parse(&cfg, text, strlen(text), &d);
	assert_int_equal(rc, 0);
	rc = domcfg_from_cfg(dc, &cfg, &d);
	cfg_free(&cfg);
	return rc;
}

static void
test_defaults(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"), 0);
	assert_int_equal(dc.memory, 32);
	assert_int_equal(dc.maxmem, 32);
	assert_int_equal(dc.vcpus, 1);
	assert_int_equal(dc.maxvcpus, 1);
	assert_int_equal(dc.on_poweroff, DC_ACT_DESTROY);
	assert_int_equal(dc.on_reboot, DC_ACT_RESTART);
	assert_int_equal(dc.on_crash, DC_ACT_DESTROY);
	assert_int_equal(dc.method, DC_METHOD_AUTO);
	assert_null(dc.cmdline);
	assert_null(dc.ramdisk);
	assert_int_equal(dc.nvifs, 0);
	assert_int_equal(nwarn, 0);
	domcfg_free(&dc);
}

static void
test_cmdline_precedence(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nroot='/dev/xvda'\n"
				   "extra='ro quiet'\n"),
			 0);
	assert_string_equal(dc.cmdline, "root=/dev/xvda ro quiet");
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nextra='x'\n"), 0);
	assert_string_equal(dc.cmdline, "x");
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nextra='x'\n"
				   "cmdline='y'\n"),
			 0);
	assert_string_equal(dc.cmdline, "y");
	assert_int_equal(nwarn, 1);
	domcfg_free(&dc);
}

static void
test_memory_rules(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nmemory=128\n"
				   "maxmem=512\n"),
			 0);
	assert_int_equal(dc.memory, 128);
	assert_int_equal(dc.maxmem, 512);
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nmemory=600\n"
				   "maxmem=512\n"),
			 -1);
	assert_string_equal(first, "4: memory (600 MiB) is larger than maxmem "
				   "(512 MiB)");
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nmemory='-1'\n"), -1);
	assert_string_equal(first, "3: memory: '-1' is not a number");
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nmemory='12k'\n"),
			 -1);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"
				   "memory=99999999999999999999\n"),
			 -1);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nvcpus=3\n"
				   "maxvcpus=2\n"),
			 -1);
	assert_string_equal(first, "4: vcpus (3) is larger than maxvcpus (2)");
}

static void
test_cpus(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\ncpus='1-2'\n"), 0);
	assert_int_equal(dc.ncpusets, 1);
	assert_false(dc.cpus_per_vcpu);
	assert_true(dc_cpuset_has(&dc.cpusets[0], 2));
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nvcpus=2\n"
				   "cpus=['1','3']\n"),
			 0);
	assert_int_equal(dc.ncpusets, 2);
	assert_true(dc.cpus_per_vcpu);
	assert_true(dc_cpuset_has(&dc.cpusets[1], 3));
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"
				   "cpus=['1','3']\n"),
			 -1);
	assert_string_equal(first, "3: cpus lists 2 vCPUs but the guest has 1");
}

static void
test_key_classes(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nfoo=1\n"
				   "claim_mode=1\n"),
			 0);
	assert_int_equal(nwarn, 2);
	domcfg_free(&dc);
	/* xm's cpu_cap: xl ignores it, chaos says what xl's key is */
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\ncpu_cap=50\n"), 0);
	assert_int_equal(nwarn, 1);
	assert_int_equal(dc.cap, -1);
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nvtpm=['x']\n"), -1);
	assert_string_equal(first, "3: vtpm is not supported by chaos");
}

static void
test_sched(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"), 0);
	assert_int_equal(dc.cpu_weight, 0);
	assert_int_equal(dc.cap, -1);
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\nmaxvcpus=2\n"
				   "cpu_weight=65535\ncap=200\n"),
			 0);
	assert_int_equal(dc.cpu_weight, 65535);
	assert_int_equal(dc.cap, 200);
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\ncap=0\n"), 0);
	assert_int_equal(dc.cap, 0);
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\ncpu_weight=65536\n"),
			 -1);
	assert_string_equal(
		first, "3: cpu_weight: 65536 is out of range (1 to 65535)");
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\ncap=101\n"), -1);
	assert_string_equal(
		first, "3: cap: 101 is out of range (0 to 100: 100 a vCPU)");
}

static void
test_devices(void **state)
{
	struct domcfg dc;

	(void)state;
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"
				   "vif=['mac=00:16:3e:00:00:01','devid=5']\n"
				   "disk=['/a,,xvda','/b,,xvdb']\n"),
			 0);
	assert_int_equal(dc.nvifs, 2);
	assert_int_equal(dc.vifs[0].devid, 0);
	assert_int_equal(dc.vifs[1].devid, 5);
	assert_int_equal(dc.ndisks, 2);
	assert_string_equal(dc.disks[1].target, "/b");
	domcfg_free(&dc);
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"
				   "vif=['devid=1','']\n"),
			 -1);
	assert_string_equal(first, "3: vif: devid 1 is used twice");
	assert_int_equal(load(&dc, "name='a'\nkernel='/k'\n"
				   "vif=['mac=00:16:3e:00:00:01',\n"
				   "'mac=00:16:3e:00:00:01']\n"),
			 -1);
	assert_string_equal(first, "4: vif: a MAC address is used twice");
}

static void
test_json_round(void **state)
{
	struct domcfg dc;
	char *json;

	(void)state;
	assert_int_equal(load(&dc,
			      "name='j\"son'\nkernel='/k'\n"
			      "uuid='00112233-4455-6677-8899-aabbccddeeff'\n"
			      "cpus='0,2-3'\n"),
			 0);
	json = domcfg_to_json(&dc);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"name\": \"j\\\"son\""));
	assert_non_null(strstr(json, "\"uuid\": \"00112233-4455-6677-8899-"
				     "aabbccddeeff\""));
	assert_non_null(strstr(json, "\"cpus\": \"0,2-3\""));
	assert_int_equal(json[strlen(json) - 1], '\n');
	free(json);
	domcfg_free(&dc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cmdline_precedence),
		cmocka_unit_test(test_memory_rules),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_key_classes),
		cmocka_unit_test(test_sched),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_json_round),
	};

	return cmocka_run_group_tests_name("domcfg", tests, NULL, NULL);
}
