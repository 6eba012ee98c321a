/* test_registry.c: names and records under a temporary CHAOS_RUN_DIR. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <ftw.h>

#include "registry.h"

static uint32_t live_domid = 7;

static int
alive(uint32_t domid, void *arg)
{
	(void)arg;
	return domid == live_domid;
}

static void
test_claim_is_exclusive(void **state)
{
	uint32_t d;

	(void)state;
	assert_int_equal(reg_claim("web", alive, NULL), 0);
	/* reserved by a live creator (this process) */
	assert_int_equal(reg_claim("web", alive, NULL), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(reg_lookup("web", &d), -1);
	assert_int_equal(errno, EINPROGRESS);
	assert_int_equal(reg_bind("web", 7), 0);
	assert_int_equal(reg_lookup("web", &d), 0);
	assert_int_equal(d, 7);
	/* bound to a live domain */
	assert_int_equal(reg_claim("web", alive, NULL), -1);
	assert_int_equal(errno, EEXIST);
	/* once the domain is gone, the name can be taken over */
	live_domid = 8;
	assert_int_equal(reg_claim("web", alive, NULL), 0);
	assert_int_equal(reg_release("web"), 0);
	assert_int_equal(reg_lookup("web", &d), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(reg_release("web"), 0); /* twice is fine */
}

static void
test_stale_pending_claim(void **state)
{
	char path[1200];
	FILE *f;

	(void)state;
	/* a create that died half-way: its pid no longer exists */
	snprintf(path, sizeof(path), "%s/names/orphan", reg_dir());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "- 999999999\n");
	fclose(f);
	assert_int_equal(reg_claim("orphan", alive, NULL), 0);
	assert_int_equal(reg_release("orphan"), 0);
}

static void
test_records(void **state)
{
	struct reg_record r = {.domid = 42, .name = "db"}, back;
	char cfg[] = "name = \"db\"\nkernel = \"/k\"\n\0binary\n";
	uint32_t *ids;
	size_t n, i;
	int found = 0;

	(void)state;
	memset(r.uuid, 0xab, 16);
	r.config = cfg;
	r.config_len = sizeof(cfg) - 1;
	assert_int_equal(reg_record_write(&r), 0);
	assert_int_equal(reg_record_read(42, &back), 0);
	assert_string_equal(back.name, "db");
	assert_int_equal(back.uuid[15], 0xab);
	assert_int_equal(back.config_len, sizeof(cfg) - 1);
	assert_memory_equal(back.config, cfg, sizeof(cfg) - 1);
	assert_false(back.noxs);
	reg_record_free(&back);
	r.noxs = 1;
	r.devpage_mfn = 0x123456789ULL;
	r.sysctl_offset = 576;
	r.sysctl_port = 3;
	r.console_port = 2;
	r.notice_port = 4;
	assert_int_equal(reg_record_write(&r), 0);
	assert_int_equal(reg_record_read(42, &back), 0);
	assert_true(back.noxs);
	assert_int_equal(back.notice_port, 4);
	assert_true(back.devpage_mfn == 0x123456789ULL);
	assert_int_equal(back.sysctl_offset, 576);
	assert_int_equal(back.sysctl_port, 3);
	assert_int_equal(back.console_port, 2);
	assert_memory_equal(back.config, cfg, sizeof(cfg) - 1);
	reg_record_free(&back);
	assert_int_equal(reg_record_list(&ids, &n), 0);
	for (i = 0; i < n; i++)
		found |= ids[i] == 42;
	free(ids);
	assert_true(found);
	assert_int_equal(reg_record_remove(42), 0);
	assert_int_equal(reg_record_read(42, &back), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_corrupt_record(void **state)
{
	char path[1200];
	struct reg_record back;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/doms/5", reg_dir());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "name x\nuuid zz\nconfig 99999\n");
	fclose(f);
	assert_int_equal(reg_record_read(5, &back), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(reg_record_remove(5), 0);
}

/* A noxs record written before it had a notice port reads as having
 * none; a line with junk after the ports is refused. */
static void
test_noxs_record_without_notice_port(void **state)
{
	char path[1200];
	struct reg_record back;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/doms/6", reg_dir());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "name old\nuuid %032d\nnoxs 77 1088 3 2\nconfig 2\nx\n", 0);
	fclose(f);
	assert_int_equal(reg_record_read(6, &back), 0);
	assert_true(back.noxs);
	assert_int_equal(back.console_port, 2);
	assert_int_equal(back.notice_port, 0);
	reg_record_free(&back);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "name old\nuuid %032d\nnoxs 77 1088 3 2 5 9\nconfig 2\nx\n",
		0);
	fclose(f);
	assert_int_equal(reg_record_read(6, &back), -1);
	assert_int_equal(reg_record_remove(6), 0);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_is_exclusive),
		cmocka_unit_test(test_stale_pending_claim),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_corrupt_record),
		cmocka_unit_test(test_noxs_record_without_notice_port),
	};
	char dir[] = "/tmp/chaos-test-registry-XXXXXX";
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("CHAOS_RUN_DIR", dir, 1);
	rc = cmocka_run_group_tests_name("registry", tests, NULL, NULL);
	if (nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
		rc = 1;
	return rc;
}
