/*
 * fuzz_shelld.c: libFuzzer target for chaos-shelld's config (shells/
 * conf.c), read from a file an admin writes: whatever the bytes, the
 * parser must not crash, and a config it accepts must hold what the pool
 * relies on (classes named, sized, distinct in name and shape, at most
 * SHP_CLASSES_MAX); the pool then fills, lists and takes it as a new
 * config without losing or doubling a shell.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shelld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct sh_conf *c)
{
	unsigned i, j;

	if (c->nclasses > SHP_CLASSES_MAX || c->keep < 0 || c->keep > 1)
		abort();
	for (i = 0; i < c->nclasses; i++) {
		const struct sh_class *k = &c->cls[i];

		if (k->name[0] == '\0' ||
		    strnlen(k->name, SHP_NAME_MAX) == SHP_NAME_MAX ||
		    k->memory_mib == 0 || k->vcpus == 0 || k->vcpus > 128 ||
		    k->wanted > 4096)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(c->cls[j].name, k->name) == 0 ||
			    (c->cls[j].memory_mib == k->memory_mib &&
			     c->cls[j].vcpus == k->vcpus))
				abort();
	}
}

static void
free_list(struct sh_shell *s)
{
	struct sh_shell *next;

	for (; s != NULL; s = next) {
		next = s->next;
		free(s);
	}
}

/* fill the pool of the first config with records only, then apply c */
static void
exercise(const struct sh_conf *c)
{
	static uint8_t buf[IPC_REPLY_BODY_MAX];
	struct sh_pool p = {.conf = *c};
	struct sh_shell *s, *surplus;
	struct sh_class *k;
	unsigned made = 0, held = 0, i;

	while (made < 64 && pool_next(&p, 1ull << 40, 0, &k) == 1) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			abort();
		s->r.domid = ++made;
		s->r.memory_mib = k->memory_mib;
		s->r.vcpus = k->vcpus;
		pool_made(&p, k->memory_mib, k->vcpus, 1);
		if (pool_add(&p, s) < 0)
			abort(); /* pool_next asked for it */
	}
	if (pool_list(&p, (struct shp_list *)buf, sizeof(buf)) == 0)
		abort();
	free_list(pool_forget(&p, 1));
	/* the same config again: every shell stays, none is surplus */
	pool_reconf(&p, c, &surplus);
	if (surplus != NULL)
		abort();
	for (i = 0; i < p.conf.nclasses; i++)
		held += p.conf.cls[i].nready;
	if (held != (made > 0 ? made - 1 : 0))
		abort();
	free_list(pool_drain(&p));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = {.source = "shelld.cfg"};
	struct sh_conf c;

	if (sh_conf_parse(&c, (const char *)data, size, &d) < 0)
		return 0;
	check(&c);
	exercise(&c);
	return 0;
}
