/*
 * shelld.h: chaos-shelld, the shell daemon (docs/chaos-shelld.8): its
 * config (conf.c), the pool's bookkeeping (pool.c, pure: no hypervisor),
 * making and destroying shells (shell.c), and the daemon itself (main.c:
 * the socket and the registry's taken/ directory, watched by one thread,
 * and a worker thread that makes and destroys shells so that no create
 * waits for one being made).
 */
#ifndef SHELLD_H
#define SHELLD_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "registry.h"
#include "shp.h"

#define SHELLD_CONF "/etc/chaos/shelld.cfg"

/* one shell of the pool: the registry's record of it */
struct sh_shell {
	struct sh_shell *next;
	struct reg_shell r;
};

struct sh_class {
	char name[SHP_NAME_MAX];
	uint64_t memory_mib;
	unsigned vcpus;
	unsigned wanted;
	/* the pool's state */
	struct sh_shell *ready; /* newest first */
	unsigned nready;
	unsigned making;
	uint64_t taken, failed;
};

struct sh_conf {
	uint64_t reserve_mib; /* host memory never pre-filled */
	int keep;	      /* SIGTERM leaves ready shells (adopted later) */
	unsigned nclasses;
	struct sh_class cls[SHP_CLASSES_MAX];
};

/* conf.c: the config, in xl.cfg syntax:
 *   reserve = 256		MiB of host memory the pool leaves free
 *   keep = 0			1: ready shells outlive the daemon
 *   class = [ "name=tiny,memory=4,vcpus=1,shells=8", ... ]
 * Errors go to d (file, line, the class and the cause); -1. */
int sh_conf_parse(struct sh_conf *c, const char *text, size_t len,
		  struct diag *d);
int sh_conf_load(struct sh_conf *c, const char *path, struct diag *d);

/* pool.c: the pool's decisions, kept apart from the hypervisor */
struct sh_pool {
	struct sh_conf conf;
	uint64_t free_kib; /* the host's, last seen */
	int holding_back;  /* a class is short for want of memory */
};

/* The class a shell of this shape belongs to, or NULL. */
struct sh_class *pool_class_of(struct sh_pool *p, uint64_t memory_mib,
			       unsigned vcpus);

/* A create took shell domid (through the registry): out of the pool,
 * counted as taken; NULL when the pool did not hold it. */
struct sh_shell *pool_forget(struct sh_pool *p, uint32_t domid);

/* Add a shell made or adopted: 0, or -1 when no class wants it (surplus
 * or no such class: destroy it). */
int pool_add(struct sh_pool *p, struct sh_shell *s);

/*
 * What to do next, given the host's free memory: 1 and *cls to make a
 * shell of *cls (making is counted), 0 when nothing is wanted, -1 when a
 * class is short but a shell would eat into the reserve (p->holding_back
 * is set; free_kib is what is free).  Classes furthest below their count
 * go first.  busy: creates are taking shells now; a shell made beside
 * them slows them down, so only classes below a quarter of their count
 * (at least 1) are refilled then, the rest once creates pause.
 */
int pool_next(struct sh_pool *p, uint64_t free_kib, int busy,
	      struct sh_class **cls);

/* 1 when a class has fewer shells (ready or being made) than it wants. */
int pool_short(const struct sh_pool *p);

/* A making of that shape ended (made: pool_add follows; else it counts
 * as failed).  By shape, not class: a new config may have come since. */
void pool_made(struct sh_pool *p, uint64_t memory_mib, unsigned vcpus, int ok);

/*
 * A new config: classes keep their shells by shape; *surplus gets (a
 * list, through next) the shells no class wants any more.  Classes being
 * made into keep their making count under the new config if they still
 * exist.
 */
void pool_reconf(struct sh_pool *p, const struct sh_conf *c,
		 struct sh_shell **surplus);

/* All ready shells, taken out of the pool (stop, or a surplus). */
struct sh_shell *pool_drain(struct sh_pool *p);

/* The list reply (body) and its size. */
size_t pool_list(const struct sh_pool *p, struct shp_list *out, size_t cap);

#endif
