/*
 * regfile.h: what the registry's parts share (registry.c, regfile.c):
 * atomic files, the lock's holder, and strict field parsers that treat
 * every byte read back as hostile.  Not for use outside the registry.
 */
#ifndef CHAOS_REGFILE_H
#define CHAOS_REGFILE_H

#include <stddef.h>
#include <stdint.h>

#define FILE_MAX     (1 << 21) /* no registry file is larger */
#define DOMID_MAX    0x7fefu   /* DOMID_FIRST_RESERVED - 1 */
#define MFN_LIMIT    (1ull << 40)
#define EVTCHN_LIMIT (1u << 17) /* the FIFO ABI's number of ports */

/* Write data to path atomically: a temporary file beside it whose name
 * starts with '.' (no domain name does), then rename, or link if excl
 * (EEXIST when path exists). */
int regf_write(const char *path, const char *data, size_t len, int excl);

/* Read a regular file of at most FILE_MAX bytes, NUL-terminated after
 * *len bytes (malloc'd); EUCLEAN for anything else. */
int regf_read(const char *path, char **data, size_t *len);

/* The entries of reg_dir()/sub that parse(name, out) accepts, into a
 * malloc'd vector of size-byte elements; *bad (if not NULL) counts the
 * others, files starting with '.' aside. */
int regf_list(const char *sub, int (*parse)(const char *name, void *out),
	      size_t size, void **vec, size_t *n, size_t *bad);

/* regf_list parsers: a file named by a domid (not 0), by a uuid. */
int regf_domid_name(const char *name, void *out);
int regf_uuid_name(const char *name, void *out);
/* 1 when (pid, start) is this process. */
int regf_is_self(long pid, unsigned long long start);

/* This process as a creator: its pid and the start time of that pid. */
int regf_self(long *pid, unsigned long long *start);

/*
 * Field parsers: each reads at *p, moves *p past what it took, and
 * returns 0, or -1 leaving *p alone.  A number is decimal without sign or
 * leading zero, at most max; a uuid is 32 lowercase hex digits; a name
 * ends at delim and passes reg_name_ok.
 */
int regf_u64(const char **p, unsigned long long max, unsigned long long *v);
int regf_char(const char **p, char c);
int regf_uuid(const char **p, uint8_t uuid[16]);
int regf_name(const char **p, char delim, char name[65]);

/* reg_dir()/sub/HEX, HEX the uuid as regf_uuid_hex writes it. */
void regf_uuid_path(char *buf, size_t len, const char *sub,
		    const uint8_t uuid[16]);
/* uuid as 32 lowercase hex digits. */
void regf_uuid_hex(char out[33], const uint8_t uuid[16]);

#endif
