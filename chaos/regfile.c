/* regfile.c: the registry's files, lock, creators and strict fields. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domcfg.h"
#include "regfile.h"
#include "registry.h"

static const char *const subdirs[] = {"names",	"doms",	  "creating", "tmp",
				      "shells", "making", "taken"};

const char *
reg_dir(void)
{
	static char dir[1024];
	char sub[PATH_MAX + 16];
	const char *env;
	size_t i;

	if (dir[0] == '\0') {
		env = getenv("CHAOS_RUN_DIR");
		snprintf(dir, sizeof(dir), "%s",
			 env && *env ? env : "/run/chaos");
		/* the last one made (new ones go last): when it is there,
		 * all are: one stat instead of a mkdir of each per start */
		snprintf(sub, sizeof(sub), "%s/%s", dir,
			 subdirs[sizeof(subdirs) / sizeof(subdirs[0]) - 1]);
		if (access(sub, F_OK) == 0)
			return dir;
		mkdir(dir, 0700);
		for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, subdirs[i]);
			mkdir(sub, 0700);
		}
	}
	return dir;
}

/* --- the lock ------------------------------------------------------------ */

static int lock_fd = -1;
static unsigned lock_depth;

int
reg_lock(void)
{
	char path[PATH_MAX];
	int fd;

	if (lock_depth > 0) {
		lock_depth++;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/lock", reg_dir());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	lock_fd = fd;
	lock_depth = 1;
	return 0;
}

void
reg_unlock(void)
{
	if (lock_depth == 0 || --lock_depth > 0)
		return;
	close(lock_fd); /* drops the flock */
	lock_fd = -1;
}

/* --- who a creator is ---------------------------------------------------- */

/* The start time of pid (field 22 of /proc/PID/stat); -1 when it is gone. */
static int
proc_start(long pid, unsigned long long *start)
{
	char path[64], buf[1024], *p, *end;
	ssize_t r;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	/* the command name may hold anything, ')' too: the last one ends it */
	p = strrchr(buf, ')');
	if (p == NULL)
		return errno = EIO, -1;
	p++;
	for (field = 2; field < 21 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return errno = EIO, -1;
	errno = 0;
	*start = strtoull(p + 1, &end, 10);
	if (errno != 0 || end == p + 1)
		return errno = EIO, -1;
	return 0;
}

int
regf_self(long *pid, unsigned long long *start)
{
	static long cached_pid;
	static unsigned long long cached_start;

	if (cached_pid != (long)getpid()) { /* a fork is someone else */
		if (proc_start((long)getpid(), &cached_start) < 0)
			return -1;
		cached_pid = (long)getpid();
	}
	*pid = cached_pid;
	*start = cached_start;
	return 0;
}

int
reg_creator_alive(long pid, unsigned long long start)
{
	unsigned long long now;

	if (pid <= 0)
		return 0;
	if (proc_start(pid, &now) < 0)
		return errno != ENOENT && errno != ESRCH; /* unsure: alive */
	return now == start;
}

int
regf_is_self(long pid, unsigned long long start)
{
	long me;
	unsigned long long my_start;

	return regf_self(&me, &my_start) == 0 && me == pid && my_start == start;
}

/* --- files --------------------------------------------------------------- */

/* write data to path (under reg_dir()) atomically: a temporary file in
 * reg_dir()/tmp, named after path and this pid, then rename, or link if
 * excl; reg_sweep removes those of processes that died in between */
int
regf_write(const char *path, const char *data, size_t len, int excl)
{
	char tmp[PATH_MAX + 64], flat[PATH_MAX], *c;
	size_t dl = strlen(reg_dir());
	ssize_t w;
	int fd, rc = -1, e;

	snprintf(flat, sizeof(flat), "%s",
		 strncmp(path, reg_dir(), dl) == 0 && path[dl] == '/'
			 ? path + dl + 1
			 : path);
	for (c = flat; *c; c++)
		if (*c == '/')
			*c = '.';
	snprintf(tmp, sizeof(tmp), "%s/tmp/%s.%ld.tmp", reg_dir(), flat,
		 (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	w = write(fd, data, len);
	if (w < 0 || (size_t)w != len) {
		e = w < 0 ? errno : EIO;
		close(fd);
		goto out;
	}
	close(fd);
	rc = excl ? link(tmp, path) : rename(tmp, path);
	e = errno;
	if (rc == 0 && !excl)
		return 0; /* renamed: nothing left to remove */
out:
	unlink(tmp);
	errno = e;
	return rc;
}

int
regf_read(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return errno = e, -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		close(fd);
		return errno = EUCLEAN, -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -1;
	}
	r = read(fd, buf, (size_t)st.st_size);
	e = errno;
	close(fd);
	if (r != st.st_size) {
		free(buf);
		return errno = r < 0 ? e : EIO, -1;
	}
	buf[r] = '\0';
	*data = buf;
	*len = (size_t)r;
	return 0;
}

int
reg_sweep(void)
{
	char path[PATH_MAX + 300], name[256], *dot;
	struct dirent *de;
	long pid;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/tmp", reg_dir());
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* NAME.PID.tmp: the pid is what stands before ".tmp" */
		snprintf(name, sizeof(name), "%s", de->d_name);
		pid = 0;
		dot = strrchr(name, '.');
		if (dot != NULL && strcmp(dot, ".tmp") == 0) {
			*dot = '\0';
			dot = strrchr(name, '.');
			pid = dot ? strtol(dot + 1, NULL, 10) : 0;
		}
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/tmp/%s", reg_dir(),
			 de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

/* --- strict fields ------------------------------------------------------- */

/* A decimal number at *p, no sign, no leading zero, at most max; *p moves
 * past it.  -1 when there is none. */
int
regf_u64(const char **p, unsigned long long max, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long n = 0;
	unsigned d;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned)(*s - '0');
		if (d > max || n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*p = s;
	*v = n;
	return 0;
}

/* the character c at *p, moved past */
int
regf_char(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

void
regf_uuid_hex(char out[33], const uint8_t uuid[16])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[uuid[i] >> 4];
		out[2 * i + 1] = hex[uuid[i] & 15];
	}
	out[32] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 32 lowercase hex digits at *p */
int
regf_uuid(const char **p, uint8_t uuid[16])
{
	const char *s = *p;
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		hi = hexval(s[2 * i]);
		lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
		if (lo < 0)
			return -1;
		uuid[i] = (uint8_t)(hi << 4 | lo);
	}
	*p = s + 32;
	return 0;
}

/* a name up to the next delimiter, checked as a config's name is */
int
regf_name(const char **p, char delim, char name[65])
{
	const char *end = strchr(*p, delim);

	if (end == NULL || end - *p > 64)
		return -1;
	memcpy(name, *p, (size_t)(end - *p));
	name[end - *p] = '\0';
	if (!reg_name_ok(name))
		return -1;
	*p = end;
	return 0;
}

int
reg_name_ok(const char *name)
{
	const char *why;

	return dc_check_name(name, &why) == 0;
}

/* the entries of a registry folder whose names parse; *bad counts the
 * others (temporary files, starting with '.', are not counted) */
int
regf_list(const char *sub, int (*parse)(const char *name, void *out),
	  size_t size, void **vec, size_t *n, size_t *bad)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint8_t *v = NULL, *nv;
	size_t cap = 0;
	DIR *dir;

	*n = 0;
	if (bad != NULL)
		*bad = 0;
	snprintf(path, sizeof(path), "%s/%s", reg_dir(), sub);
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * size);
			if (nv == NULL) {
				free(v);
				closedir(dir);
				return -1;
			}
			v = nv;
		}
		if (parse(de->d_name, v + *n * size) == 0)
			(*n)++;
		else if (bad != NULL)
			(*bad)++;
	}
	closedir(dir);
	*vec = v;
	return 0;
}

void
regf_uuid_path(char *buf, size_t len, const char *sub, const uint8_t uuid[16])
{
	char hex[33];

	regf_uuid_hex(hex, uuid);
	snprintf(buf, len, "%s/%s/%s", reg_dir(), sub, hex);
}

int
regf_domid_name(const char *name, void *out)
{
	unsigned long long v;
	uint32_t id;

	if (regf_u64(&name, DOMID_MAX, &v) < 0 || *name != '\0' || v == 0)
		return -1;
	id = (uint32_t)v;
	memcpy(out, &id, sizeof(id));
	return 0;
}

int
regf_uuid_name(const char *name, void *out)
{
	uint8_t uuid[16];

	if (strlen(name) != 32 || regf_uuid(&name, uuid) < 0)
		return -1;
	memcpy(out, uuid, 16);
	return 0;
}
