/*
 * loop.h: the kernel's loop devices and dom0's mounts, as xendevd's vbds
 * need them (shared/XEN-FACTS.md section 8).  Functions return -1 with
 * errno on failure; nothing here logs or keeps state.
 */
#ifndef XDD_LOOP_H
#define XDD_LOOP_H

#include <stdint.h>

/*
 * Bind the regular file open on fd to a free loop device: autoclear,
 * read-only with ro, direct I/O unless the kernel refuses it; name (the
 * path, for humans) goes into lo_file_name, cut to its 64 bytes.  A loop
 * that another process takes between the look-up and the bind is passed
 * over for the next one, a few times.  Returns the loop device's fd
 * (O_CLOEXEC; with autoclear the loop is unbound once every opener,
 * this one too, has closed it) and its number in *index.  fd stays the
 * caller's to close.
 */
int xdd_loop_bind(int fd, const char *name, int ro, unsigned *index);

/* Open /dev/loop<index> (read-only, O_CLOEXEC); -1 with errno. */
int xdd_loop_open(unsigned index);

/* The backing file of the bound loop open on loopfd: its st_dev and
 * st_ino, and whether the loop is read-only.  ENXIO: not bound. */
int xdd_loop_backing(int loopfd, uint64_t *dev, uint64_t *ino, int *ro);

/*
 * Call cb for each bound loop device that backs the file dev:ino, with
 * its number, its device number and whether it is read-only; a non-zero return
 * from cb stops the walk and is returned.  0 when the walk ends, -1 with errno
 * when /sys/block cannot be read.
 */
int xdd_loop_each(uint64_t dev, uint64_t ino,
		  int (*cb)(unsigned index, uint64_t rdev, int ro, void *arg),
		  void *arg);

/* How the block device major:minor is mounted in xendevd's mount
 * namespace (/proc/self/mountinfo): 0 not at all, 1 read-only only, 2
 * read-write at least once; -1 with errno. */
int xdd_mounted(unsigned major, unsigned minor);

#endif
