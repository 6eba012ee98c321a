/*
 * shp.h: the shell daemon's socket protocol (docs/chaos-shelld.8), shared
 * by chaos-shelld and its clients (chaos shells).  Framing, checks and
 * hello are libipc's (ipc.h): this file names the magic, the version and
 * the bodies.
 *
 * Shells change hands through the registry, not this socket: a create
 * takes one by renaming its record (registry.h, reg_shell_take), which
 * costs no round trip to the daemon (docs/shells.md says why and how).
 */
#ifndef SHP_H
#define SHP_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

#define SHP_SOCKET   "/run/chaos-shelld.sock"
#define SHP_MAGIC    0x21504853u /* "SHP!" */
#define SHP_VERSION  1
#define SHP_NAME_MAX 32 /* a class name, with its NUL */

enum shp_type {
	SHP_HELLO = IPC_HELLO, /* body: struct ipc_hello */
	/* 2: unused (takes go through the registry) */
	SHP_LIST = 3,	/* body: uint32_t 0; reply: struct shp_list */
	SHP_RELOAD = 4, /* body: uint32_t 0; reply: status (the config's first
			 * error, if any) */
	SHP_NTYPES,
};

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

_Static_assert(sizeof(struct shp_class) == 80, "shp_class layout");
_Static_assert(sizeof(struct shp_list) +
			       SHP_CLASSES_MAX * sizeof(struct shp_class) <=
		       IPC_REPLY_BODY_MAX,
	       "a list reply fits one message");

/* magic, version and body sizes, for libipc */
extern const struct ipc_proto shp_proto;

#endif
