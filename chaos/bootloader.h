/*
 * bootloader.h: run a config's bootloader (pygrub) as libxl 4.17 runs it
 * (shared/XEN-FACTS.md, section 12), before the domain exists, and take
 * the kernel, ramdisk and command line it finds on the guest's first disk.
 */
#ifndef CHAOS_BOOTLOADER_H
#define CHAOS_BOOTLOADER_H

#include <stddef.h>
#include <stdint.h>

#include "domcfg.h"

struct ts;

/* Where a run looks and writes; boot_xen_paths are Debian's Xen 4.17's. */
struct boot_paths {
	const char *bindir;  /* a relative program name is looked up here
			      * first (libxl's private bin dir) */
	const char *workdir; /* its output file and directory go in a
			      * directory of their own made here */
	const char *logdir;  /* bootloader.NAME.log, what it showed on its
			      * terminal (rotated up to .10, as libxl) */
};
extern const struct boot_paths boot_xen_paths;

/* The time limit when none is set: libxl's in restrict mode. */
#define BOOT_TIMEOUT_S 120

/*
 * What the bootloader found.  The kernel and ramdisk stay open and their
 * files are removed already, so nothing is left on disk whatever becomes
 * of the create; the builder opens them by their /proc/self/fd names.
 */
struct boot_result {
	int kernel_fd, ramdisk_fd;    /* -1: none */
	char kernel[32], ramdisk[32]; /* "/proc/self/fd/N", or "" */
	char *args;		      /* its command line, or NULL (then the
				       * guest has none, as under libxl) */
};

/*
 * A bootloader's output (libxl's "simple0": items ended by NULs, "kernel
 * PATH", "ramdisk PATH", "args LINE"; chaos/bootout.c), split in place:
 * buf holds n bytes and room for a NUL after them.  The values point into
 * buf, NULL when absent; the last args counts; empty items are skipped;
 * each other item goes to note (when not NULL).  0, or -1 with one line
 * in err: no kernel (or an empty one), a kernel or ramdisk named twice.
 */
struct boot_items {
	const char *kernel, *ramdisk, *args;
	unsigned unknown; /* items that are none of these */
};
int boot_parse(char *buf, size_t n, struct boot_items *it,
	       void (*note)(void *arg, const char *item), void *arg, char *err,
	       size_t errlen);

/*
 * Run dc->bootloader with dc->bootloader_args on dc's first disk, on a
 * pty of its own, with TERM=vt100 as its only environment, killed when
 * it runs longer than timeout_s (0: no limit) or a signal sets
 * ts_interrupted.  0 and r filled, or -1 with one line in err (the
 * program, the cause, the last line it showed) and nothing of the run
 * left but its log.
 */
int boot_run(const struct domcfg *dc, const struct boot_paths *p,
	     unsigned timeout_s, struct boot_result *r, char *err,
	     size_t errlen);
void boot_result_free(struct boot_result *r);

/* The time limit: LIBXL_BOOTLOADER_TIMEOUT seconds if set (0: none),
 * else BOOT_TIMEOUT_S; -1 when it is not a number. */
int boot_timeout(unsigned *seconds);

/*
 * ts_create for a config with a bootloader: the disk checks, the
 * bootloader, then the create of what it found.  Its files are gone
 * whether the create succeeds or not.
 */
int ts_boot_create(struct ts *ts, const struct domcfg *dc, const char *config,
		   size_t len, int paused, uint32_t *domid);

#endif
