/* pidfile.c: a daemon's pidfile, locked for its life (daemon.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "daemon.h"

int
daemon_pidfile(const char *path)
{
	char num[24];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			errno = EALREADY;
		close(fd);
		return -1;
	}
	n = snprintf(num, sizeof(num), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, num, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return fd; /* kept open: the lock lasts */
}
