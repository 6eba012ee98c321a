/*
 * shp.h: the shell daemon's socket protocol (docs/chaos-shelld.8, docs/
 * shells.md), shared by chaos-shelld and its clients (chaos create, chaos
 * shells).  Framing, checks and hello are libipc's (ipc.h): this file
 * names the magic, the version and the bodies.
 *
 * A take hands one shell over: the daemon sets the domain's handle to the
 * uuid the request names, forgets the shell, and replies with what the
 * client needs to build on it (ports, size, the p2m).  From the handle's
 * change on the domain is the client's: chaos's registry already holds the
 * intent of a create with that uuid, so a client that dies is undone like
 * any create that died (ts_reap).
 */
#ifndef SHP_H
#define SHP_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

#define SHP_SOCKET    "/run/chaos-shelld.sock"
#define SHP_MAGIC     0x21504853u /* "SHP!" */
#define SHP_VERSION   1
#define SHP_NAME_MAX  32 /* a class name, with its NUL */
#define SHP_MIB_MAX   (1 << 20)
#define SHP_VCPUS_MAX 128

enum shp_type {
	SHP_HELLO = IPC_HELLO, /* body: struct ipc_hello */
	SHP_TAKE = 2,	       /* body: struct shp_take; reply: shp_shell */
	SHP_LIST = 3,	       /* body: uint32_t 0; reply: struct shp_list */
	SHP_RELOAD = 4,	       /* body: uint32_t 0; reply: status (the
				* config's first error, if any) */
	SHP_NTYPES,
};

/* flags of struct shp_take */
#define SHP_TAKE_XENSTORE                                                      \
	0x1 /* the create writes XenStore nodes for the                        \
	     * domain (else the shell's name goes) */

struct shp_take {
	uint64_t memory_mib; /* populated, and the memory limit */
	uint32_t vcpus;	     /* maximum vCPUs */
	uint32_t flags;
	uint8_t uuid[16]; /* the guest's: the domain's handle from now on */
};

struct shp_run {
	uint64_t pfn, mfn, count;
};

struct shp_shell {
	uint32_t domid;
	uint32_t vcpus;
	uint64_t memory_mib;
	uint32_t store_port, console_port, sysctl_port, notice_port;
	char class_name[SHP_NAME_MAX];
	uint32_t nruns;
	uint32_t pad;
	struct shp_run run[]; /* the p2m, nruns of them */
};

/* a shell whose p2m needs more runs does not fit a reply: the daemon
 * destroys it and says so (memory that fragmented) */
#define SHP_RUNS_MAX                                                           \
	((IPC_REPLY_BODY_MAX - sizeof(struct shp_shell)) /                     \
	 sizeof(struct shp_run))

struct shp_class {
	char name[SHP_NAME_MAX];
	uint64_t memory_mib;
	uint32_t vcpus;
	uint32_t wanted; /* shells the config asks for */
	uint32_t ready;	 /* made, waiting for a create */
	uint32_t making; /* being made now */
	uint64_t taken;	 /* handed to creates since the daemon started */
	uint64_t failed; /* shells whose making failed */
	uint64_t held_kib;
};

#define SHP_CLASSES_MAX 32

struct shp_list {
	uint64_t free_kib;     /* the host's, as the daemon last saw it */
	uint64_t reserve_kib;  /* never pre-filled into */
	uint32_t holding_back; /* 1: a class is short for want of memory */
	uint32_t nclasses;
	struct shp_class cls[]; /* nclasses of them */
};

_Static_assert(sizeof(struct shp_take) == 32, "shp_take layout");
_Static_assert(sizeof(struct shp_shell) == 72, "shp_shell layout");
_Static_assert(sizeof(struct shp_class) == 80, "shp_class layout");
_Static_assert(sizeof(struct shp_list) +
			       SHP_CLASSES_MAX * sizeof(struct shp_class) <=
		       IPC_REPLY_BODY_MAX,
	       "a list reply fits one message");

/* magic, version and body sizes, for libipc */
extern const struct ipc_proto shp_proto;

/* A take's fields in range: 0, or an errno value and why.  Pure (the
 * fuzzer runs it). */
int shp_take_check(const struct shp_take *t, char *why, size_t whylen);

#endif
