/* test_phases.c: phase timings as a user reads them (create -T). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "phases.h"

static char *
printed(const struct phases *p, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(phases_print(p, "cold", json, f), 0);
	fclose(f);
	return buf;
}

static void
test_text_and_json(void **state)
{
	const char *path_total[] = {"total_ms", NULL};
	const char *path_phases[] = {"phases", NULL};
	const char *path_path[] = {"path", NULL};
	struct phases p;
	yajl_val v, a;
	char *out;

	(void)state;
	phases_start(&p);
	p.start_us = p.last_us = 1000; /* a fixed origin, not the clock */
	phases_add(&p, "parse", 1500);
	phases_add(&p, "memory", 250);
	assert_int_equal(phases_total(&p), 1750);
	out = printed(&p, 0);
	assert_non_null(strstr(out, "  parse                   1.50\n"));
	assert_non_null(strstr(out, "  memory                  0.25\n"));
	assert_non_null(strstr(out, "  total                   1.75\n"));
	free(out);
	out = printed(&p, 1);
	v = yajl_tree_parse(out, NULL, 0);
	assert_non_null(v);
	assert_string_equal(
		YAJL_GET_STRING(yajl_tree_get(v, path_path, yajl_t_string)),
		"cold");
	a = yajl_tree_get(v, path_phases, yajl_t_array);
	assert_non_null(a);
	assert_int_equal(YAJL_GET_ARRAY(a)->len, 2);
	assert_true(YAJL_GET_DOUBLE(yajl_tree_get(v, path_total,
						  yajl_t_number)) == 1.75);
	yajl_tree_free(v);
	free(out);
}

static void
test_marks_follow_the_clock(void **state)
{
	struct phases p;
	size_t i;

	(void)state;
	phases_start(&p);
	phases_mark(&p, "a");
	phases_mark(&p, "b");
	assert_int_equal(p.n, 2);
	assert_true(p.e[0].us >= 0 && p.e[1].us >= 0);
	assert_int_equal(phases_total(&p), p.e[0].us + p.e[1].us);
	/* no more than it has room for; NULL is no timing at all */
	for (i = 0; i < 2 * PHASES_MAX; i++)
		phases_mark(&p, "x");
	assert_int_equal(p.n, PHASES_MAX);
	phases_mark(NULL, "nothing");
	assert_int_equal(phases_total(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_json),
		cmocka_unit_test(test_marks_follow_the_clock),
	};

	return cmocka_run_group_tests_name("phases", tests, NULL, NULL);
}
