/*
 * registry.h: chaos's own record of the domains it made, on disk under
 * /run/chaos (CHAOS_RUN_DIR overrides it), so it survives chaos restarts
 * and needs no XenStore:
 *   names/NAME       one file per name; its link(2) is the O(1) uniqueness
 *                    check.  "DOMID\n" once bound; "- PID START UUID\n"
 *                    while a create (or a rename) holds it
 *   doms/DOMID       the domain's record (name, uuid, noxs device
 *                    locations, the config to restart it)
 *   creating/UUID    a create in progress: who makes it, under which name;
 *                    written before the domain exists, removed when the
 *                    create has finished or failed, so a create killed
 *                    half-way leaves a trace that names what to destroy
 *   lock             flock(2)ed around every decision that removes or
 *                    replaces another process's entry
 *   shells/MmVv/DOMID  a ready shell of the shell daemon's pool, by shape
 *                    (M MiB, V vCPUs): its class, ports and p2m (a shell
 *                    is no guest: chaos list skips these domains)
 *   taken/DOMID...   a shell a create is taking (docs/shells.md)
 *   making/UUID      a shell being made (written before its domain exists)
 *   tmp/             temporary files, named after their target and the
 *                    writer's pid; a writer killed between writing and
 *                    renaming leaves one, which reg_sweep removes  A creator is
 * its pid and the start time of that pid (field 22 of /proc/PID/stat), so
 * a reused pid is not mistaken for it.  Every file is read as hostile: a
 * field that does not check out makes the whole entry "corrupt" (EUCLEAN),
 * never used.
 */
#ifndef CHAOS_REGISTRY_H
#define CHAOS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "hv.h"

#define REG_NO_DOMID UINT32_MAX

/* The run directory (created if missing); never NULL. */
const char *reg_dir(void);

/*
 * Take the registry lock (blocking; nested calls in one process count).
 * 0, or -1 with errno.  Every function below that changes names/ takes it
 * itself; callers take it around a read-decide-act of their own.
 */
int reg_lock(void);
void reg_unlock(void);

/* What a claim asks of the toolstack about entries it finds. */
struct reg_hooks {
	/* 1 when domid exists and is not dying */
	int (*alive)(uint32_t domid, void *arg);
	/*
	 * A create whose creator died held the name for the domain of uuid:
	 * destroy what it left (called with the lock held).  0 when nothing
	 * of it is left, -1 when something could not be destroyed.
	 */
	int (*reap)(const uint8_t uuid[16], void *arg);
	void *arg;
};

/*
 * Reserve name for this process: for the domain of uuid being created, or
 * (uuid NULL) for a rename.  -1 with errno EEXIST when a live domain or a
 * live creator holds it, EUCLEAN when its file is corrupt (left alone for
 * a person to look at), EBUSY when a dead creator's leftovers could not be
 * destroyed.  A name whose domain is gone, or whose creator died, is taken
 * over (hooks->reap first).
 */
int reg_claim(const char *name, const uint8_t *uuid,
	      const struct reg_hooks *hooks);

/* Point the name this process reserved at its domid: -1 with EPERM when
 * the reservation is no longer ours. */
int reg_bind(const char *name, uint32_t domid);

/* Give up a reservation of this process (only ours is removed). */
int reg_unclaim(const char *name);

/* Give up the name if it is bound to domid (and only then). */
int reg_release(const char *name, uint32_t domid);

/* Remove a reservation of name made for the domain of uuid by a creator
 * that is gone (0 also when there is none). */
int reg_drop_pending(const char *name, const uint8_t uuid[16]);

/* The domid behind name; -1 with ENOENT when there is none, EINPROGRESS
 * while reserved, EUCLEAN when the entry is corrupt. */
int reg_lookup(const char *name, uint32_t *domid);

/* a noxs guest's vif, as chaos handed it to xendevd (a restarted
 * xendevd takes it back from here) */
#define REG_VIFS_MAX 30 /* a device page's entries, less console, sysctl */
#define REG_IFNAME   16 /* IFNAMSIZ */

struct reg_vif {
	uint32_t devid;
	uint32_t offset; /* its control block in the device page */
	uint32_t port;	 /* the entry's channel */
	uint32_t mtu;	 /* 68..1500 */
	uint8_t mac[6];
	char bridge[REG_IFNAME];
	char vifname[REG_IFNAME]; /* "": vif<domid>.<devid> */
};

struct reg_record {
	uint32_t domid;
	char name[65];
	uint8_t uuid[16];
	char *config; /* the xl.cfg text it was created from */
	size_t config_len;
	/* noxs guests: where their devices are (never read from the guest) */
	int noxs;
	uint64_t devpage_mfn;
	uint32_t sysctl_offset, sysctl_port, console_port;
	/* the port the guest signals as it shuts down itself; 0: none */
	uint32_t notice_port;
	unsigned nvifs; /* noxs: its vifs */
	struct reg_vif vifs[REG_VIFS_MAX];
};

/* Store, read (config malloc'd) and forget the record of a domain.  Read
 * fails with EUCLEAN when any field is out of its range. */
int reg_record_write(const struct reg_record *r);
int reg_record_read(uint32_t domid, struct reg_record *r);
int reg_record_remove(uint32_t domid);
void reg_record_free(struct reg_record *r);

/* The domids that have records; malloc'd array, count in *n. */
int reg_record_list(uint32_t **domids, size_t *n);

/* A create in progress (creating/UUID). */
struct reg_intent {
	uint8_t uuid[16];
	long pid;
	unsigned long long start; /* of pid, in clock ticks since boot */
	char name[65];
	int noxs; /* made without XenStore */
};

/* Record that this process starts creating (fills pid and start). */
int reg_intent_begin(struct reg_intent *in);
/* Read one (EUCLEAN when corrupt), or remove it. */
int reg_intent_read(const uint8_t uuid[16], struct reg_intent *in);
int reg_intent_remove(const uint8_t uuid[16]);
/* The uuids of creates in progress; malloc'd array, count in *n.  Files
 * whose names are not uuids are skipped and counted in *bad. */
int reg_intent_list(uint8_t (**uuids)[16], size_t *n, size_t *bad);

/* Remove the temporary files of writers that died before renaming them
 * (reg_dir()/tmp): how many went, or -1. */
int reg_sweep(void);

/* 1 when the creator (pid, start) still runs. */
int reg_creator_alive(long pid, unsigned long long start);

/* The name under which a record or intent refers to names/: 0 when name
 * is one chaos would ever have made (so it is safe as a path). */
int reg_name_ok(const char *name);

/* --- shells (chaos-shelld's pool) --------------------------------------- */

struct reg_shell {
	uint32_t domid;
	uint8_t uuid[16]; /* the domain's handle while it is a shell */
	char cls[32];	  /* its size class */
	uint64_t memory_mib;
	unsigned vcpus;
	uint32_t store_port, console_port, sysctl_port, notice_port;
	size_t nruns;
	struct hv_p2m_run *runs; /* malloc'd by the readers */
};

/* a ready shell: its domid and shape (shells/MIBmVCPUSv/DOMID) */
struct reg_shell_id {
	uint32_t domid;
	uint64_t memory_mib;
	unsigned vcpus;
};

/* The daemon: the directory of a class's shape, made and (when empty)
 * removed with the class.  No directory: no class of that shape. */
int reg_shape_open(uint64_t mib, unsigned vcpus);
void reg_shape_close(uint64_t mib, unsigned vcpus);

/* Write a ready shell's record; read it back strictly (EUCLEAN: corrupt;
 * runs must cover memory_mib exactly once, in pfn order). */
int reg_shell_write(const struct reg_shell *s);
int reg_shell_read(const struct reg_shell_id *id, struct reg_shell *s);
void reg_shell_free(struct reg_shell *s);
/* Remove a ready shell's record: 0 when this process did, and so owns the
 * domain; -1 with ENOENT when a create took it first. */
int reg_shell_remove(const struct reg_shell_id *id);
/* 1 when the shell's record is still in the pool (no create took it). */
int reg_shell_ready(const struct reg_shell_id *id);
/* Every ready shell. */
int reg_shell_list(struct reg_shell_id **ids, size_t *n, size_t *bad);

/* A shell being taken by a create: taken/DOMID.PID.START.METHOD. */
struct reg_taken {
	uint32_t domid;
	long pid;
	unsigned long long start;
	int noxs; /* the guest is a noxs guest (no XenStore presence) */
};

/*
 * A create takes a ready shell of that shape: its record moves to taken/
 * under this process's name (one rename: exactly one taker wins), and *s
 * gets it.  -1 with ENOENT when no class has that shape, EAGAIN when none
 * is ready.  The taker then sets the domain's handle to its guest's uuid
 * (from then its intent covers the domain) and calls reg_taken_end.
 */
int reg_shell_take(uint64_t mib, unsigned vcpus, int noxs, struct reg_shell *s,
		   struct reg_taken *t);
int reg_taken_end(const struct reg_taken *t);
/* The daemon: the takes in progress or left by a dead taker; a record of
 * one; give one back to the pool (the domain is still the shell). */
int reg_taken_parse(const char *name, struct reg_taken *t);
int reg_taken_list(struct reg_taken **v, size_t *n);
int reg_taken_read(const struct reg_taken *t, struct reg_shell *s);
int reg_taken_giveback(const struct reg_taken *t, const struct reg_shell *s);

/* A shell being made: making/UUID names this process until it is done. */
int reg_making_begin(const uint8_t uuid[16]);
int reg_making_end(const uint8_t uuid[16]);
int reg_making_list(uint8_t (**uuids)[16], size_t *n, size_t *bad);

#endif
