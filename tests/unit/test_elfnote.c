/* test_elfnote.c: noxs note detection on real images and on garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfnote.h"

static void
test_our_guests_declare_noxs(void **state)
{
	(void)state;
	/* built by the same make run, before the tests */
	assert_int_equal(elf_noxs_version("build/guests/hello"), 1);
	assert_int_equal(elf_noxs_version("build/guests/idle"), 1);
}

static void
test_others_do_not(void **state)
{
	char path[] = "/tmp/chaos-elfnote-XXXXXX";
	int fd;

	(void)state;
	/* an ordinary ELF64 program */
	assert_int_equal(elf_noxs_version("/bin/sh"), 0);
	/* not ELF at all */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd,
			       "\x7f"
			       "ELF\2\1\1 garbage",
			       16),
			 16);
	close(fd);
	assert_int_equal(elf_noxs_version(path), 0);
	unlink(path);
	assert_int_equal(elf_noxs_version("/nonexistent"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_our_guests_declare_noxs),
		cmocka_unit_test(test_others_do_not),
	};

	return cmocka_run_group_tests_name("elfnote", tests, NULL, NULL);
}
