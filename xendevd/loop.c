/*
 * loop.c: loop devices through /dev/loop-control and LOOP_CONFIGURE, the
 * loops that back a file found through sysfs and LOOP_GET_STATUS64, and
 * dom0's mounts read from /proc/self/mountinfo (loop.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/loop.h>

#include "loop.h"

#define BIND_TRIES 8 /* loops taken by others between look-up and bind */

static int
get_free(void)
{
	int ctl, n, e;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	e = errno;
	close(ctl);
	return errno = e, n;
}

/* LOOP_CONFIGURE, again without direct I/O when the kernel refuses it
 * (a backing file system without O_DIRECT, an odd block size) */
static int
configure(int loopfd, int fd, const char *name, int ro)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)fd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO |
			    (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name),
		 "%s", name);
	if (ioctl(loopfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	cfg.info.lo_flags &= ~(uint32_t)LO_FLAGS_DIRECT_IO;
	return ioctl(loopfd, LOOP_CONFIGURE, &cfg);
}

int
xdd_loop_bind(int fd, const char *name, int ro, unsigned *index)
{
	char path[32];
	int tries, n, loopfd, e = EBUSY;

	for (tries = 0; tries < BIND_TRIES; tries++) {
		n = get_free();
		if (n < 0)
			return -1;
		snprintf(path, sizeof(path), "/dev/loop%d", n);
		loopfd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (loopfd < 0) {
			/* its node may lag behind a loop just made */
			if (errno != ENOENT)
				return -1;
			e = errno;
			usleep(10000);
			continue;
		}
		if (configure(loopfd, fd, name, ro) == 0) {
			*index = (unsigned)n;
			return loopfd;
		}
		e = errno;
		close(loopfd);
		if (e != EBUSY) /* EBUSY: bound by another meanwhile */
			break;
	}
	return errno = e, -1;
}

int
xdd_loop_open(unsigned index)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/loop%u", index);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int
xdd_loop_backing(int loopfd, uint64_t *dev, uint64_t *ino, int *ro)
{
	struct loop_info64 info;

	if (ioctl(loopfd, LOOP_GET_STATUS64, &info) < 0)
		return -1;
	/* lo_device is the kernel's encoding of the dev_t, which glibc's
	 * major() and minor() read alike */
	*dev = makedev(major(info.lo_device), minor(info.lo_device));
	*ino = info.lo_inode;
	*ro = (info.lo_flags & LO_FLAGS_READ_ONLY) != 0;
	return 0;
}

int
xdd_loop_each(uint64_t dev, uint64_t ino,
	      int (*cb)(unsigned index, uint64_t rdev, int ro, void *arg),
	      void *arg)
{
	struct dirent *e;
	char path[300];
	uint64_t d, i;
	struct stat st;
	unsigned n;
	int fd, ro, rc = 0, end;
	DIR *dir;

	dir = opendir("/sys/block");
	if (dir == NULL)
		return -1;
	while (rc == 0 && (e = readdir(dir)) != NULL) {
		if (sscanf(e->d_name, "loop%u%n", &n, &end) != 1 ||
		    e->d_name[end] != '\0')
			continue;
		/* the node exists only while the loop is bound: the unbound
		 * ones are passed over without opening them */
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file",
			 e->d_name);
		if (access(path, F_OK) < 0)
			continue;
		fd = xdd_loop_open(n);
		if (fd < 0)
			continue;
		if (xdd_loop_backing(fd, &d, &i, &ro) == 0 && d == dev &&
		    i == ino && fstat(fd, &st) == 0)
			rc = cb(n, st.st_rdev, ro, arg);
		close(fd);
	}
	closedir(dir);
	return rc;
}

int
xdd_mounted(unsigned maj, unsigned min)
{
	char line[4096], opts[64];
	unsigned a, b;
	int rc = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return -1;
	/* ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS ...; a line longer
	 * than the buffer continues as a "line" that does not parse */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*u %*u %u:%u %*s %*s %63s", &a, &b, opts) !=
			    3 ||
		    a != maj || b != min)
			continue;
		if (strncmp(opts, "rw", 2) == 0 &&
		    (opts[2] == ',' || opts[2] == '\0')) {
			rc = 2;
			break;
		}
		rc = 1;
	}
	fclose(f);
	return rc;
}
