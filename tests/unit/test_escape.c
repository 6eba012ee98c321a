/* test_escape.c: guest-written strings reach the terminal escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "cli.h"
#include "domcfg_json.h"
#include "escape.h"

/* nothing in s a terminal could act on: printable ASCII only, and the
 * one newline that ends a row */
static void
assert_inert(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		if (s[i] == '\n' && i == n - 1)
			continue;
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			fail_msg("byte 0x%02x at %zu of the row",
				 (unsigned char)s[i], i);
	}
}

/* A guest owns its frontend's nodes: whatever it writes there shows up
 * in network-list escaped, on one line, and a missing node as "-". */
static void
test_network_list_row_escapes(void **state)
{
	char state_v[] = "4\x1b]0;owned\x07\n\r";
	char mac[] = "00:16:3e:\xff\xfe\xc2\x9b";
	char be[] = "/local/domain/0/backend/vif/3/0\x1b[2J";
	char evt[] = "9\0\x1b[1m"; /* a NUL, then more */
	char *val[NET_LIST_LEAVES] = {NULL, mac,  NULL, state_v,
				      evt,  NULL, NULL, be};
	unsigned len[NET_LIST_LEAVES] = {
		0, sizeof(mac) - 1, 0, sizeof(state_v) - 1, sizeof(evt) - 1, 0,
		0, sizeof(be) - 1};
	char *row;

	(void)state;
	row = net_list_row("0", val, len);
	assert_non_null(row);
	assert_inert(row);
	assert_non_null(strstr(row, " 4\\x1b]0;owned\\x07\\n\\r "));
	assert_non_null(strstr(row, " 00:16:3e:\\xff\\xfe\\xc2\\x9b "));
	assert_non_null(strstr(row, " 9\\x00\\x1b[1m "));
	assert_non_null(strstr(row, "/3/0\\x1b[2J\n"));
	assert_true(strncmp(row, "0   -  ", 7) == 0);
	free(row);
}

/* The same hostile vif in network-list -l: the text is JSON that parses,
 * carries no raw control byte, and gives back what the guest wrote where
 * that was UTF-8; numbers that are none are null. */
static void
test_network_list_json(void **state)
{
	char state_v[] = "4\x1b]0;owned\x07\n\r";
	char mac[] = "00:16:3e:\xff\xfe\xc2\x9b";
	char be[] = "/local/domain/0/backend/vif/3/0\x1b[2J\"x\\";
	char evt[] = "9\0\x1b[1m";
	char tx[] = "768";
	char *val[NET_LIST_LEAVES] = {NULL, mac, NULL, state_v,
				      evt,  tx,	 NULL, be};
	unsigned len[NET_LIST_LEAVES] = {0,
					 sizeof(mac) - 1,
					 0,
					 sizeof(state_v) - 1,
					 sizeof(evt) - 1,
					 sizeof(tx) - 1,
					 0,
					 sizeof(be) - 1};
	const char *path[] = {NULL, NULL};
	const unsigned char *text;
	yajl_gen g = json_gen_new();
	yajl_val tree, v;
	char err[128];
	size_t n, i;

	(void)state;
	assert_non_null(g);
	net_list_json(g, 7, "0", val, len);
	assert_int_equal(yajl_gen_get_buf(g, &text, &n), yajl_gen_status_ok);
	for (i = 0; i < n; i++)
		if (text[i] < 0x20 && text[i] != '\n')
			fail_msg("raw byte 0x%02x at %zu", text[i], i);
	tree = yajl_tree_parse((const char *)text, err, sizeof(err));
	assert_non_null(tree);
	path[0] = "domid";
	assert_int_equal(
		YAJL_GET_INTEGER(yajl_tree_get(tree, path, yajl_t_number)), 7);
	path[0] = "devid";
	assert_int_equal(
		YAJL_GET_INTEGER(yajl_tree_get(tree, path, yajl_t_number)), 0);
	path[0] = "tx_ring_ref";
	assert_int_equal(
		YAJL_GET_INTEGER(yajl_tree_get(tree, path, yajl_t_number)),
		768);
	path[0] = "state";
	assert_true(YAJL_IS_NULL(yajl_tree_get(tree, path, yajl_t_any)));
	path[0] = "event_channel";
	assert_true(YAJL_IS_NULL(yajl_tree_get(tree, path, yajl_t_any)));
	path[0] = "backend_id"; /* none written */
	assert_true(YAJL_IS_NULL(yajl_tree_get(tree, path, yajl_t_any)));
	/* not UTF-8: the listing's escaped text */
	path[0] = "mac";
	v = yajl_tree_get(tree, path, yajl_t_string);
	assert_non_null(v);
	assert_string_equal(YAJL_GET_STRING(v),
			    "00:16:3e:\\xff\\xfe\\xc2\\x9b");
	/* UTF-8: the bytes themselves, JSON-escaped in the text */
	path[0] = "backend";
	v = yajl_tree_get(tree, path, yajl_t_string);
	assert_non_null(v);
	assert_string_equal(YAJL_GET_STRING(v), be);
	yajl_tree_free(tree);
	yajl_gen_free(g);
}

/* esc_dup of a string literal (its bytes up to the NUL) */
static char *
esc(const char *s)
{
	char *e = esc_dup(s, strlen(s));

	assert_non_null(e);
	return e;
}

#define assert_escapes(in, want)                                               \
	do {                                                                   \
		char *e_ = esc(in);                                            \
		assert_string_equal(e_, want);                                 \
		free(e_);                                                      \
	} while (0)

static void
test_hostile_values_come_out_escaped(void **state)
{
	(void)state;
	/* what a frontend legitimately writes passes unchanged */
	assert_escapes("4", "4");
	assert_escapes("00:16:3e:5a:01:02", "00:16:3e:5a:01:02");
	assert_escapes("/local/domain/0/backend/vif/3/0",
		       "/local/domain/0/backend/vif/3/0");
	/* terminal escapes: title, screen clear, bell, 8-bit CSI */
	assert_escapes("\x1b]0;root@host\x07", "\\x1b]0;root@host\\x07");
	assert_escapes("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");
	assert_escapes("\x9b"
		       "31m",
		       "\\x9b31m");
	/* lines and columns cannot be faked */
	assert_escapes("4\nfake row\r\t", "4\\nfake row\\r\\t");
	/* bytes from 0x80: invalid UTF-8, C1 controls in UTF-8, DEL */
	assert_escapes("\xff\xfe\xc3(", "\\xff\\xfe\\xc3(");
	assert_escapes("\xc2\x9b\x7f", "\\xc2\\x9b\\x7f");
	/* a backslash doubles, so "\x1b" typed by the guest is not ESC */
	assert_escapes("\\x1b", "\\\\x1b");
}

/* Every byte value comes out as printable ASCII, and the text reads
 * back to the same bytes (so two different values never look alike). */
static void
test_every_byte_is_inert_and_reversible(void **state)
{
	unsigned char in[256], back[256];
	size_t i, n = 0;
	char *e, *p;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	e = esc_dup(in, sizeof(in));
	assert_non_null(e);
	assert_inert(e);
	for (p = e; *p; n++) {
		assert_true(n < sizeof(back));
		if (*p != '\\') {
			back[n] = (unsigned char)*p++;
			continue;
		}
		switch (p[1]) {
		case '\\': back[n] = '\\'; break;
		case 'n': back[n] = '\n'; break;
		case 'r': back[n] = '\r'; break;
		case 't': back[n] = '\t'; break;
		case 'x':
			back[n] = (unsigned char)strtoul(
				(char[]){p[2], p[3], '\0'}, NULL, 16);
			p += 2;
			break;
		default: fail_msg("stray escape \\%c", p[1]);
		}
		p += 2;
	}
	assert_int_equal(n, sizeof(in));
	assert_memory_equal(back, in, sizeof(in));
	free(e);
}

/* A short buffer gets whole escapes only, always its NUL, and the
 * length the whole text needs, as snprintf does. */
static void
test_short_buffer(void **state)
{
	const char in[] = "a\x1b"
			  "b";
	char out[8];

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(esc_bytes(out, 4, in, 3), 6);
	assert_string_equal(out, "a"); /* "\x1b" does not fit in 3 */
	assert_int_equal(esc_bytes(out, 6, in, 3), 6);
	assert_string_equal(out, "a\\x1b");
	assert_int_equal(esc_bytes(out, 7, in, 3), 6);
	assert_string_equal(out, "a\\x1bb");
	memset(out, '#', sizeof(out));
	assert_int_equal(esc_bytes(out, 0, in, 3), 6);
	assert_int_equal(out[0], '#');
	assert_int_equal(esc_bytes(out, 1, in, 3), 6);
	assert_string_equal(out, "");
	/* a NUL inside the value is a byte like any other */
	assert_int_equal(esc_bytes(out, sizeof(out),
				   "1\0"
				   "2",
				   3),
			 6);
	assert_string_equal(out, "1\\x002");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_values_come_out_escaped),
		cmocka_unit_test(test_every_byte_is_inert_and_reversible),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_network_list_row_escapes),
		cmocka_unit_test(test_network_list_json),
	};

	return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
