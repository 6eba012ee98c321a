/*
 * registry.h: chaos's own record of the domains it made, on disk under
 * /run/chaos (CHAOS_RUN_DIR overrides it), so it survives chaos restarts
 * and needs no XenStore:
 *   names/NAME   one file per name; its link(2) is the O(1) uniqueness
 *                check; it holds the domid ("-" while being created)
 *   doms/DOMID   the domain's record (name, uuid, noxs device locations,
 *                the config to restart it)
 * Entries of dead domains are reclaimed by the monitor, and lazily by
 * anyone who trips over them.
 */
#ifndef CHAOS_REGISTRY_H
#define CHAOS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#define REG_NO_DOMID UINT32_MAX

/* The run directory (created if missing); never NULL. */
const char *reg_dir(void);

/*
 * Reserve name for a domain being created.  -1 with errno EEXIST when it
 * is taken by a live domain or a create in progress; a name whose domain
 * is gone is taken over.  alive(domid, arg) tells whether a domid lives.
 */
int reg_claim(const char *name, int (*alive)(uint32_t domid, void *arg),
	      void *arg);

/* Point the reserved name at its domid. */
int reg_bind(const char *name, uint32_t domid);

/* Give the name up. */
int reg_release(const char *name);

/* The domid behind name; -1 with ENOENT when there is none. */
int reg_lookup(const char *name, uint32_t *domid);

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
};

/* Store, read (config malloc'd) and forget the record of a domain. */
int reg_record_write(const struct reg_record *r);
int reg_record_read(uint32_t domid, struct reg_record *r);
int reg_record_remove(uint32_t domid);
void reg_record_free(struct reg_record *r);

/* The domids that have records; malloc'd array, count in *n. */
int reg_record_list(uint32_t **domids, size_t *n);

#endif
