/* test_cfg.c: the xl.cfg syntax layer (chaos/cfg.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cfg.h"

struct capture {
	char msg[512];
	int line, col;
};

static void
capture(void *arg, enum diag_level level, const char *source, int line, int col,
	const char *msg)
{
	struct capture *c = arg;

	(void)level;
	(void)source;
	if (c->msg[0] == '\0') { /* keep the first */
		strncpy(c->msg, msg, sizeof(c->msg) - 1);
		c->line = line;
		c->col = col;
	}
}

static int
parse(struct cfg *cfg, const char *text, struct capture *cap)
{
	struct diag d = {.source = "t.cfg", .report = capture, .arg = cap};

	memset(cap, 0, sizeof(*cap));
	return cfg_parse(cfg, text, strlen(text), &d);
}

static const char *
atom(const struct cfg *cfg, const char *key)
{
	const struct cfg_setting *s = cfg_get(cfg, key);

	assert_non_null(s);
	assert_int_equal(s->value->type, CFG_ATOM);
	return s->value->atom;
}

static void
test_statements(void **state)
{
	struct cfg cfg = {0};
	struct capture cap;

	(void)state;
	assert_int_equal(
		parse(&cfg, "a = 1; b = 'two'\n\n c=\"3\" # x\n", &cap), 0);
	assert_string_equal(atom(&cfg, "a"), "1");
	assert_string_equal(atom(&cfg, "b"), "two");
	assert_string_equal(atom(&cfg, "c"), "3");
	assert_false(cfg_get(&cfg, "a")->value->quoted);
	assert_true(cfg_get(&cfg, "b")->value->quoted);
	assert_int_equal(cfg_get(&cfg, "c")->line, 3);
	assert_int_equal(cfg_get(&cfg, "c")->col, 2);
	assert_null(cfg_get(&cfg, "d"));
	cfg_free(&cfg);
}

static void
test_escapes(void **state)
{
	struct cfg cfg = {0};
	struct capture cap;

	(void)state;
	assert_int_equal(
		parse(&cfg, "s = \"a\\tb\\\\c\\\"d\\x41\\101\\n\"\n", &cap), 0);
	assert_string_equal(atom(&cfg, "s"), "a\tb\\c\"dAA\n");
	cfg_free(&cfg);
	assert_int_equal(parse(&cfg, "s = \"\\x4\"\n", &cap), -1);
	assert_string_equal(cap.msg, "\\x needs two hex digits");
	cfg_free(&cfg);
	assert_int_equal(parse(&cfg, "s = \"\\000\"\n", &cap), -1);
	assert_string_equal(cap.msg, "NUL byte in string");
	cfg_free(&cfg);
}

static void
test_lists(void **state)
{
	struct cfg cfg = {0};
	struct capture cap;
	const struct cfg_value *v;

	(void)state;
	assert_int_equal(parse(&cfg,
			       "l = [\n 'a',\n\n 'b' , [ 'c' ], \n]\n"
			       "e = []\n",
			       &cap),
			 0);
	v = cfg_get(&cfg, "l")->value;
	assert_int_equal(v->type, CFG_LIST);
	assert_int_equal(v->nitems, 3);
	assert_string_equal(v->items[1]->atom, "b");
	assert_int_equal(v->items[1]->line, 4);
	assert_int_equal(v->items[2]->type, CFG_LIST);
	assert_int_equal(cfg_get(&cfg, "e")->value->nitems, 0);
	cfg_free(&cfg);
}

static void
test_repeat_and_append(void **state)
{
	struct cfg cfg = {0};
	struct capture cap;
	const struct cfg_value *v;

	(void)state;
	assert_int_equal(parse(&cfg,
			       "a = 'x'\na = 'y'\ns = 'p'\ns += 'q'\n"
			       "l = ['1']\nl += ['2', '3']\n",
			       &cap),
			 0);
	assert_string_equal(atom(&cfg, "a"), "y");
	assert_int_equal(cfg_get(&cfg, "a")->line, 2);
	assert_string_equal(atom(&cfg, "s"), "pq");
	assert_true(cfg_get(&cfg, "s")->append);
	v = cfg_get(&cfg, "l")->value;
	assert_int_equal(v->nitems, 3);
	assert_string_equal(v->items[2]->atom, "3");
	/* a second parse overrides, as command-line KEY=VALUE does */
	assert_int_equal(parse(&cfg, "a='z'", &cap), 0);
	assert_string_equal(atom(&cfg, "a"), "z");
	assert_false(cfg_get(&cfg, "a")->append);
	cfg_free(&cfg);
}

static void
expect_error(const char *text, int line, int col, const char *msg)
{
	struct cfg cfg = {0};
	struct capture cap;

	assert_int_equal(parse(&cfg, text, &cap), -1);
	assert_string_equal(cap.msg, msg);
	assert_int_equal(cap.line, line);
	assert_int_equal(cap.col, col);
	cfg_free(&cfg);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("a = 'x\n", 1, 5, "unterminated string");
	expect_error("a = x\n", 1, 5,
		     "expected a value, found bare word 'x' (strings need "
		     "quotes)");
	expect_error("a 'x'\n", 1, 3,
		     "expected '=' after the setting name, found a string");
	expect_error("\n\n  = 1\n", 3, 3, "expected a setting name, found '='");
	expect_error("a = ['x' 'y']\n", 1, 10,
		     "expected ',' or ']', found a string");
	expect_error("a = [\n'x',\n", 1, 5, "'[' is never closed");
	expect_error("a = [,]\n", 1, 6, "expected a value, found ','");
	expect_error("a = 1 2\n", 1, 7,
		     "expected end of line or ';' after the value, found a "
		     "number");
	expect_error("a = 'x' @\n", 1, 9, "unexpected '@'");
	expect_error("a = '\xc3\x28'\n", 1, 5, "string is not valid UTF-8");
	expect_error("a = 'x'\na += ['y']\n", 2, 6,
		     "cannot add a list to a single value with +=");
}

static void
test_nul_and_depth(void **state)
{
	struct cfg cfg = {0};
	struct capture cap;
	struct diag d = {.source = "t", .report = capture, .arg = &cap};
	char deep[200];
	int i;

	(void)state;
	memset(&cap, 0, sizeof(cap));
	assert_int_equal(cfg_parse(&cfg, "a = 1\0b = 2", 11, &d), -1);
	assert_string_equal(cap.msg, "NUL byte in file");
	cfg_free(&cfg);
	strcpy(deep, "a = ");
	for (i = 0; i < 100; i++)
		strcat(deep, "[");
	expect_error(deep, 1, 37, "lists nested deeper than 32");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_repeat_and_append),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_and_depth),
	};

	return cmocka_run_group_tests_name("cfg", tests, NULL, NULL);
}
