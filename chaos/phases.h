/*
 * phases.h: how long each phase of an operation took, for `chaos create
 * -T`: marks taken on the product's clock (microseconds since boot), each
 * naming the phase that ends there.  Every function accepts NULL and then
 * does nothing, so code that is timed needs no test of its own.
 */
#ifndef CHAOS_PHASES_H
#define CHAOS_PHASES_H

#include <stddef.h>
#include <stdint.h>

#define PHASES_MAX 24

struct phases {
	int64_t start_us, last_us;
	size_t n;
	struct {
		const char *name; /* a string constant */
		int64_t us;
	} e[PHASES_MAX];
};

/* Start timing now. */
void phases_start(struct phases *p);

/* The phase name ended now: it took the time since the last mark. */
void phases_mark(struct phases *p, const char *name);

/* A phase timed elsewhere (us long); the next mark starts after it. */
void phases_add(struct phases *p, const char *name, int64_t us);

/* Everything since phases_start, in microseconds. */
int64_t phases_total(const struct phases *p);

/* The phases as text lines ("  name  1.23 ms") under a title naming
 * path ("pool" or "cold": a create; "save", "restore") or as one JSON object
 * {"path": path, "phases": [{"phase": name, "ms": 1.23}...],
 * "total_ms": ...}; -1 with errno when writing fails. */
int phases_print(const struct phases *p, const char *path, int json,
		 void *file);

#endif
