/* test_cmdtable.c: the command table and its prefix lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static void
test_exact_and_prefix(void **state)
{
	int amb;

	(void)state;
	assert_string_equal(cmd_find("create", &amb)->name, "create");
	assert_string_equal(cmd_find("cr", &amb)->name, "create");
	assert_string_equal(cmd_find("h", &amb)->name, "help");
	assert_null(cmd_find("", &amb));
	assert_false(amb);
	assert_null(cmd_find("createx", &amb));
	assert_false(amb);
	assert_null(cmd_find("x", &amb));
}

static void
test_table_is_sane(void **state)
{
	size_t i, j;
	int amb;

	(void)state;
	for (i = 0; i < cmd_table_len; i++) {
		assert_non_null(cmd_table[i].fn);
		assert_non_null(cmd_table[i].summary);
		assert_non_null(cmd_table[i].usage);
		assert_non_null(cmd_table[i].options);
		/* every full name finds itself */
		assert_ptr_equal(cmd_find(cmd_table[i].name, &amb),
				 &cmd_table[i]);
		for (j = i + 1; j < cmd_table_len; j++)
			assert_string_not_equal(cmd_table[i].name,
						cmd_table[j].name);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_prefix),
		cmocka_unit_test(test_table_is_sane),
	};

	return cmocka_run_group_tests_name("cmdtable", tests, NULL, NULL);
}
