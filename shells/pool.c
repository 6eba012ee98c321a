/*
 * pool.c: the pool's bookkeeping and decisions: which class gets the next
 * shell, whether the host's memory allows it, which shells a new config
 * leaves over.  Pure (no hypervisor, no locks: the daemon holds its mutex
 * around every call), so tests/unit/test_pool.c drives it directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shelld.h"

/* what a shell of cls costs the host: its memory and the 1 MiB of slack
 * its limit carries, page tables and structures aside */
static uint64_t
cost_kib(const struct sh_class *cls)
{
	return (cls->memory_mib + 1) * 1024;
}

struct sh_class *
pool_class_of(struct sh_pool *p, uint64_t memory_mib, unsigned vcpus)
{
	unsigned i;

	for (i = 0; i < p->conf.nclasses; i++)
		if (p->conf.cls[i].memory_mib == memory_mib &&
		    p->conf.cls[i].vcpus == vcpus)
			return &p->conf.cls[i];
	return NULL;
}

struct sh_shell *
pool_forget(struct sh_pool *p, uint32_t domid)
{
	struct sh_shell **pp, *s;
	unsigned i;

	for (i = 0; i < p->conf.nclasses; i++) {
		for (pp = &p->conf.cls[i].ready; (s = *pp) != NULL;
		     pp = &s->next) {
			if (s->r.domid != domid)
				continue;
			*pp = s->next;
			s->next = NULL;
			p->conf.cls[i].nready--;
			p->conf.cls[i].taken++;
			return s;
		}
	}
	return NULL;
}

int
pool_add(struct sh_pool *p, struct sh_shell *s)
{
	struct sh_class *k = pool_class_of(p, s->r.memory_mib, s->r.vcpus);

	if (k == NULL || k->nready >= k->wanted)
		return -1;
	snprintf(s->r.cls, sizeof(s->r.cls), "%s", k->name);
	s->next = k->ready;
	k->ready = s;
	k->nready++;
	return 0;
}

/* below this a class is refilled even while creates come */
static unsigned
low_water(const struct sh_class *k)
{
	return k->wanted / 4 > 0 ? k->wanted / 4 : 1;
}

int
pool_next(struct sh_pool *p, uint64_t free_kib, int busy, struct sh_class **cls)
{
	struct sh_class *best = NULL, *k;
	uint64_t reserve = p->conf.reserve_mib * 1024;
	unsigned i, have;
	double gap, best_gap = 0;

	p->free_kib = free_kib;
	for (i = 0; i < p->conf.nclasses; i++) {
		k = &p->conf.cls[i];
		have = k->nready + k->making;
		if (have >= k->wanted || (busy && have >= low_water(k)))
			continue;
		/* the emptiest class first, relative to what it wants */
		gap = (double)(k->wanted - have) / k->wanted;
		if (best == NULL || gap > best_gap) {
			best = k;
			best_gap = gap;
		}
	}
	if (best == NULL) {
		p->holding_back = 0;
		return 0;
	}
	if (free_kib < reserve || free_kib - reserve < cost_kib(best)) {
		/* a smaller class may still fit */
		for (i = 0; i < p->conf.nclasses; i++) {
			k = &p->conf.cls[i];
			have = k->nready + k->making;
			if (have < k->wanted &&
			    !(busy && have >= low_water(k)) &&
			    free_kib >= reserve &&
			    free_kib - reserve >= cost_kib(k)) {
				best = k;
				break;
			}
		}
		if (i == p->conf.nclasses) {
			p->holding_back = 1;
			return -1;
		}
	}
	p->holding_back = 0;
	best->making++;
	*cls = best;
	return 1;
}

int
pool_short(const struct sh_pool *p)
{
	unsigned i;

	for (i = 0; i < p->conf.nclasses; i++)
		if (p->conf.cls[i].nready + p->conf.cls[i].making <
		    p->conf.cls[i].wanted)
			return 1;
	return 0;
}

void
pool_made(struct sh_pool *p, uint64_t memory_mib, unsigned vcpus, int ok)
{
	struct sh_class *cls = pool_class_of(p, memory_mib, vcpus);

	if (cls == NULL) /* gone with a new config */
		return;
	if (cls->making > 0)
		cls->making--;
	if (!ok)
		cls->failed++;
}

struct sh_shell *
pool_drain(struct sh_pool *p)
{
	struct sh_shell *all = NULL, *s;
	unsigned i;

	for (i = 0; i < p->conf.nclasses; i++) {
		while ((s = p->conf.cls[i].ready) != NULL) {
			p->conf.cls[i].ready = s->next;
			s->next = all;
			all = s;
		}
		p->conf.cls[i].nready = 0;
	}
	return all;
}

void
pool_reconf(struct sh_pool *p, const struct sh_conf *c,
	    struct sh_shell **surplus)
{
	struct sh_shell *all = pool_drain(p), *s;
	struct sh_class *k;
	struct sh_conf old = p->conf;
	unsigned i;

	p->conf = *c;
	for (i = 0; i < p->conf.nclasses; i++) {
		k = &p->conf.cls[i];
		k->ready = NULL;
		k->nready = k->making = 0;
		k->taken = k->failed = 0;
	}
	/* counts and makings in progress follow a class of the same shape */
	for (i = 0; i < old.nclasses; i++) {
		k = pool_class_of(p, old.cls[i].memory_mib, old.cls[i].vcpus);
		if (k != NULL) {
			k->making = old.cls[i].making;
			k->taken = old.cls[i].taken;
			k->failed = old.cls[i].failed;
		}
	}
	*surplus = NULL;
	while ((s = all) != NULL) {
		all = s->next;
		if (pool_add(p, s) < 0) {
			s->next = *surplus;
			*surplus = s;
		}
	}
}

size_t
pool_list(const struct sh_pool *p, struct shp_list *out, size_t cap)
{
	const struct sh_class *k;
	struct shp_class *o;
	size_t need;
	unsigned i;

	need = sizeof(*out) + p->conf.nclasses * sizeof(out->cls[0]);
	if (need > cap)
		return 0;
	memset(out, 0, need);
	out->free_kib = p->free_kib;
	out->reserve_kib = p->conf.reserve_mib * 1024;
	out->holding_back = (uint32_t)p->holding_back;
	out->nclasses = p->conf.nclasses;
	for (i = 0; i < p->conf.nclasses; i++) {
		k = &p->conf.cls[i];
		o = &out->cls[i];
		memcpy(o->name, k->name, sizeof(o->name));
		o->memory_mib = k->memory_mib;
		o->vcpus = k->vcpus;
		o->wanted = k->wanted;
		o->ready = k->nready;
		o->making = k->making;
		o->taken = k->taken;
		o->failed = k->failed;
		o->held_kib = (uint64_t)k->nready * k->memory_mib * 1024;
	}
	return need;
}
