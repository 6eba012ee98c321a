/*
 * test_pool.c: chaos-shelld's config as an admin writes it, and the pool's
 * decisions (shells/conf.c, shells/pool.c): which class is filled next,
 * the memory reserve, takes, and what a new config leaves over.  No
 * hypervisor: shells here are records only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shelld.h"

static char first_error[256];

static void
keep(void *arg, enum diag_level level, const char *source, int line, int col,
     const char *msg)
{
	(void)arg;
	(void)col;
	if (level == DIAG_ERROR && first_error[0] == '\0')
		snprintf(first_error, sizeof(first_error), "%s:%d: %s", source,
			 line, msg);
}

static int
parse(struct sh_conf *c, const char *text)
{
	struct diag d = {.source = "shelld.cfg", .report = keep};

	first_error[0] = '\0';
	return sh_conf_parse(c, text, strlen(text), &d);
}

static void
test_conf_good(void **state)
{
	struct sh_conf c;

	(void)state;
	assert_int_equal(parse(&c,
			       "reserve = 64\nkeep = 1\n"
			       "class = [ \"name=tiny,memory=4,shells=8\",\n"
			       "  \"memory=128,vcpus=2,shells=2\" ]\n"),
			 0);
	assert_int_equal(c.reserve_mib, 64);
	assert_int_equal(c.keep, 1);
	assert_int_equal(c.nclasses, 2);
	assert_string_equal(c.cls[0].name, "tiny");
	assert_int_equal(c.cls[0].memory_mib, 4);
	assert_int_equal(c.cls[0].vcpus, 1);
	assert_int_equal(c.cls[0].wanted, 8);
	assert_string_equal(c.cls[1].name, "m128-v2"); /* named by shape */
	assert_int_equal(c.cls[1].vcpus, 2);
	/* defaults */
	assert_int_equal(parse(&c, ""), 0);
	assert_int_equal(c.reserve_mib, 256);
	assert_int_equal(c.keep, 0);
	assert_int_equal(c.nclasses, 0);
}

static void
test_conf_bad(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{"class = [ \"name=tiny,memory=4,shells=nine\" ]",
		 "shelld.cfg:1: class 1: shells 'nine': 0 to 4096"},
		{"class = [ \"name=a,memory=4\",\n\"name=b,memory=0\" ]",
		 "shelld.cfg:2: class 2: memory '0'"},
		{"class = [ \"name=a,memory=4\", \"name=a,memory=8\" ]",
		 "class 2: same name as class 1"},
		{"class = [ \"name=a,memory=4\", \"name=b,memory=4\" ]",
		 "class 2: same memory and vcpus as class 1"},
		{"class = [ \"name=Big!,memory=4\" ]", "class 1: name 'Big!'"},
		{"class = [ \"name=a\" ]", "class 1: memory= is missing"},
		{"class = [ \"memory=4,colour=red\" ]",
		 "class 1: unknown key 'colour'"},
		{"class = [ \"memory=4,vcpus=129\" ]", "vcpus '129': 1 to 128"},
		{"class = \"memory=4\"", "class: a list"},
		{"reserve = \"lots\"", "reserve: a number"},
		{"keep = 2", "keep: a number, 0 to 1"},
		{"pool = 3", "unknown key 'pool'"},
		{"class = [ \"memory=4\" ", "shelld.cfg:1:"}, /* syntax */
	};
	struct sh_conf c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&c, cases[i].text), -1);
		if (strstr(first_error, cases[i].error) == NULL)
			fail_msg("%s: got '%s', wanted '%s'", cases[i].text,
				 first_error, cases[i].error);
	}
}

static struct sh_shell *
shell(uint32_t domid, uint64_t mib, unsigned vcpus)
{
	struct sh_shell *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->r.domid = domid;
	s->r.memory_mib = mib;
	s->r.vcpus = vcpus;
	return s;
}

static void
pool_init(struct sh_pool *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(parse(&p->conf, text), 0);
}

static unsigned
count(struct sh_shell *s)
{
	unsigned n = 0;

	for (; s != NULL; s = s->next)
		n++;
	return n;
}

static void
free_all(struct sh_shell *s)
{
	struct sh_shell *next;

	for (; s != NULL; s = next) {
		next = s->next;
		free(s);
	}
}

/* fill to the counts, the emptiest class first, then nothing to do */
static void
test_fill_order(void **state)
{
	struct sh_pool p;
	struct sh_class *k;
	unsigned made_a = 0, made_b = 0, domid = 1;
	const uint64_t plenty = 1ull << 30;

	(void)state;
	pool_init(&p, "reserve = 0\nclass = [ \"name=a,memory=4,shells=4\","
		      "\"name=b,memory=8,shells=2\" ]");
	while (pool_next(&p, plenty, 0, &k) == 1) {
		/* never two more of one class than its share of the other */
		if (k == &p.conf.cls[0])
			made_a++;
		else
			made_b++;
		assert_true(made_a <= 2 * (made_b + 1));
		pool_made(&p, k->memory_mib, k->vcpus, 1);
		assert_int_equal(
			pool_add(&p, shell(domid++, k->memory_mib, k->vcpus)),
			0);
	}
	assert_int_equal(made_a, 4);
	assert_int_equal(made_b, 2);
	assert_int_equal(p.conf.cls[0].nready, 4);
	assert_int_equal(pool_next(&p, plenty, 0, &k), 0);
	/* a surplus shell (one more than wanted) is refused */
	struct sh_shell *extra = shell(99, 4, 1);
	assert_int_equal(pool_add(&p, extra), -1);
	free(extra);
	free_all(pool_drain(&p));
}

/* the reserve: never pre-fill into it; a smaller class may still fit */
static void
test_reserve(void **state)
{
	struct sh_pool p;
	struct sh_class *k;

	(void)state;
	pool_init(&p, "reserve = 100\nclass = [ \"name=big,memory=128,"
		      "shells=1\", \"name=tiny,memory=4,shells=1\" ]");
	/* 120 MiB free: big would eat the reserve; tiny fits (4 + 1) */
	assert_int_equal(pool_next(&p, 120 * 1024, 0, &k), 1);
	assert_string_equal(k->name, "tiny");
	assert_int_equal(p.holding_back, 0);
	/* tiny is being made: only big is short, and does not fit */
	assert_int_equal(pool_next(&p, 120 * 1024, 0, &k), -1);
	assert_int_equal(p.holding_back, 1);
	assert_int_equal(pool_next(&p, 99 * 1024, 0, &k), -1); /* below it */
	/* memory came back: big is made */
	assert_int_equal(pool_next(&p, 300 * 1024, 0, &k), 1);
	assert_string_equal(k->name, "big");
	assert_int_equal(p.holding_back, 0);
}

/* a create took a shell through the registry: the pool forgets it */
static void
test_take(void **state)
{
	struct sh_pool p;
	struct sh_class *k;
	struct sh_shell *s;

	(void)state;
	pool_init(&p, "class = [ \"name=tiny,memory=4,shells=2\" ]");
	assert_int_equal(pool_add(&p, shell(5, 4, 1)), 0);
	assert_int_equal(pool_add(&p, shell(6, 4, 1)), 0);
	assert_null(pool_forget(&p, 7)); /* not the pool's */
	s = pool_forget(&p, 5);
	assert_non_null(s);
	assert_string_equal(s->r.cls, "tiny");
	free(s);
	assert_null(pool_forget(&p, 5)); /* once */
	s = pool_forget(&p, 6);
	assert_non_null(s);
	free(s);
	k = &p.conf.cls[0];
	assert_int_equal(k->nready, 0);
	assert_int_equal(k->taken, 2);
	assert_int_equal(pool_next(&p, 1ull << 30, 0, &k), 1); /* refill */
}

/* while creates take shells, only a class that runs low is refilled */
static void
test_busy(void **state)
{
	struct sh_pool p;
	struct sh_class *k;
	struct sh_shell *s;
	unsigned i;

	(void)state;
	pool_init(&p, "class = [ \"name=tiny,memory=4,shells=8\" ]");
	for (i = 0; i < 8; i++)
		assert_int_equal(pool_add(&p, shell(i + 1, 4, 1)), 0);
	for (i = 0; i < 5; i++) { /* 3 left: above a quarter (2) */
		s = pool_forget(&p, i + 1);
		assert_non_null(s);
		free(s);
	}
	assert_int_equal(pool_short(&p), 1);
	assert_int_equal(pool_next(&p, 1ull << 30, 1, &k), 0); /* busy */
	assert_int_equal(pool_next(&p, 1ull << 30, 0, &k), 1); /* quiet */
	pool_made(&p, 4, 1, 0);
	s = pool_forget(&p, 6); /* 2 left: at the low water */
	free(s);
	assert_int_equal(pool_next(&p, 1ull << 30, 1, &k), 0);
	s = pool_forget(&p, 7); /* 1 left: below it */
	free(s);
	assert_int_equal(pool_next(&p, 1ull << 30, 1, &k), 1);
	free_all(pool_drain(&p));
}

/* a new config keeps shells by shape, hands back the surplus */
static void
test_reconf(void **state)
{
	struct sh_pool p;
	struct sh_conf c;
	struct sh_shell *surplus;
	struct shp_list *l;
	uint8_t buf[IPC_REPLY_BODY_MAX];

	(void)state;
	pool_init(&p, "class = [ \"name=tiny,memory=4,shells=3\","
		      "\"name=mid,memory=64,shells=1\" ]");
	pool_add(&p, shell(1, 4, 1));
	pool_add(&p, shell(2, 4, 1));
	pool_add(&p, shell(3, 4, 1));
	pool_add(&p, shell(4, 64, 1));
	p.conf.cls[1].making = 1;
	assert_int_equal(parse(&c, "class = [ \"name=small,memory=4,shells=1\" "
				   "]"),
			 0);
	pool_reconf(&p, &c, &surplus);
	assert_int_equal(count(surplus), 3); /* 2 tiny over, the mid one */
	free_all(surplus);
	assert_int_equal(p.conf.nclasses, 1);
	assert_int_equal(p.conf.cls[0].nready, 1);
	assert_string_equal(p.conf.cls[0].ready->r.cls, "small");
	/* a making of a class that went is not counted anywhere */
	pool_made(&p, 64, 1, 1);
	assert_int_equal(p.conf.cls[0].making, 0);
	l = (struct shp_list *)buf;
	assert_int_equal(pool_list(&p, l, sizeof(buf)),
			 sizeof(*l) + sizeof(l->cls[0]));
	assert_int_equal(l->nclasses, 1);
	assert_int_equal(l->cls[0].ready, 1);
	assert_int_equal(l->cls[0].wanted, 1);
	assert_int_equal(l->cls[0].held_kib, 4 * 1024);
	free_all(pool_drain(&p));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_good),
		cmocka_unit_test(test_conf_bad),
		cmocka_unit_test(test_fill_order),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_reconf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
