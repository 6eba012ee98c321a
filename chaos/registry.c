/* registry.c: names and records of chaos's domains under /run/chaos. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"

const char *
reg_dir(void)
{
	static char dir[1024];
	char sub[PATH_MAX + 8];
	const char *env;

	if (dir[0] == '\0') {
		env = getenv("CHAOS_RUN_DIR");
		snprintf(dir, sizeof(dir), "%s",
			 env && *env ? env : "/run/chaos");
		mkdir(dir, 0700);
		snprintf(sub, sizeof(sub), "%s/names", dir);
		mkdir(sub, 0700);
		snprintf(sub, sizeof(sub), "%s/doms", dir);
		mkdir(sub, 0700);
	}
	return dir;
}

static void
name_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/names/%s", reg_dir(), name);
}

/* write data to path atomically (temp file + rename, or link if excl) */
static int
write_file(const char *path, const char *data, size_t len, int excl)
{
	char tmp[PATH_MAX + 32];
	ssize_t w;
	int fd, rc = -1, e;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
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
out:
	unlink(tmp);
	errno = e;
	return rc;
}

static int
read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size > (1 << 21)) {
		e = errno ? errno : EFBIG;
		close(fd);
		return errno = e, -1;
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
reg_lookup(const char *name, uint32_t *domid)
{
	char path[PATH_MAX], *data;
	size_t len;
	unsigned long v;
	char *end;

	name_path(path, sizeof(path), name);
	if (read_file(path, &data, &len) < 0)
		return -1;
	v = strtoul(data, &end, 10);
	if (end == data || v > UINT32_MAX) {
		free(data);
		return errno = EINPROGRESS, -1; /* reserved, not yet bound */
	}
	free(data);
	*domid = (uint32_t)v;
	return 0;
}

int
reg_claim(const char *name, int (*alive)(uint32_t, void *), void *arg)
{
	char path[PATH_MAX], pending[32], *data;
	size_t len;
	uint32_t domid;
	long pid;
	int tries;

	name_path(path, sizeof(path), name);
	snprintf(pending, sizeof(pending), "- %ld\n", (long)getpid());
	for (tries = 0; tries < 3; tries++) {
		if (write_file(path, pending, strlen(pending), 1) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		/* taken: by a live domain, a live creator, or a stale entry */
		if (reg_lookup(name, &domid) == 0) {
			if (alive(domid, arg))
				return errno = EEXIST, -1;
		} else if (errno == EINPROGRESS &&
			   read_file(path, &data, &len) == 0) {
			pid = strtol(data + 1, NULL, 10);
			free(data);
			if (pid > 0 &&
			    (kill((pid_t)pid, 0) == 0 || errno == EPERM))
				return errno = EEXIST, -1;
		}
		unlink(path);
	}
	return errno = EEXIST, -1;
}

int
reg_bind(const char *name, uint32_t domid)
{
	char path[PATH_MAX], buf[32];

	name_path(path, sizeof(path), name);
	snprintf(buf, sizeof(buf), "%u\n", domid);
	return write_file(path, buf, strlen(buf), 0);
}

int
reg_release(const char *name)
{
	char path[PATH_MAX];

	name_path(path, sizeof(path), name);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/*
 * A record: "name NAME\nuuid HEX32\n", for noxs guests "noxs MFN OFFSET
 * SYSCTL_PORT CONSOLE_PORT NOTICE_PORT\n" (records written before the
 * notice port lack it: 0), then "config LEN\n" and LEN bytes of config
 * text.
 */
int
reg_record_write(const struct reg_record *r)
{
	char path[PATH_MAX], head[256], *buf;
	size_t n, i;
	int rc;

	n = (size_t)snprintf(head, sizeof(head), "name %s\nuuid ", r->name);
	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(head + n, sizeof(head) - n, "%02x",
				      r->uuid[i]);
	n += (size_t)snprintf(head + n, sizeof(head) - n, "\n");
	if (r->noxs)
		n += (size_t)snprintf(
			head + n, sizeof(head) - n, "noxs %llu %u %u %u %u\n",
			(unsigned long long)r->devpage_mfn, r->sysctl_offset,
			r->sysctl_port, r->console_port, r->notice_port);
	n += (size_t)snprintf(head + n, sizeof(head) - n, "config %zu\n",
			      r->config_len);
	buf = malloc(n + r->config_len);
	if (buf == NULL)
		return -1;
	memcpy(buf, head, n);
	if (r->config_len)
		memcpy(buf + n, r->config, r->config_len);
	snprintf(path, sizeof(path), "%s/doms/%u", reg_dir(), r->domid);
	rc = write_file(path, buf, n + r->config_len, 0);
	free(buf);
	return rc;
}

int
reg_record_read(uint32_t domid, struct reg_record *r)
{
	char path[PATH_MAX], *data, *p, *nl;
	size_t len, clen;
	unsigned i, byte;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/doms/%u", reg_dir(), domid);
	if (read_file(path, &data, &len) < 0)
		return -1;
	p = data;
	if (strncmp(p, "name ", 5) != 0 || (nl = strchr(p, '\n')) == NULL ||
	    nl - p - 5 > 64)
		goto bad;
	memcpy(r->name, p + 5, (size_t)(nl - p - 5));
	p = nl + 1;
	if (strncmp(p, "uuid ", 5) != 0 || strlen(p) < 38 || p[37] != '\n')
		goto bad;
	for (i = 0; i < 16; i++) {
		if (sscanf(p + 5 + 2 * i, "%2x", &byte) != 1)
			goto bad;
		r->uuid[i] = (uint8_t)byte;
	}
	p += 38;
	if (strncmp(p, "noxs ", 5) == 0) {
		unsigned long long mfn;
		int k, end = 0;

		if ((nl = strchr(p, '\n')) == NULL)
			goto bad;
		k = sscanf(p, "noxs %llu %u %u %u%n %u%n", &mfn,
			   &r->sysctl_offset, &r->sysctl_port, &r->console_port,
			   &end, &r->notice_port, &end);
		if (k < 4 || p + end != nl)
			goto bad;
		r->noxs = 1;
		r->devpage_mfn = mfn;
		p = nl + 1;
	}
	if (sscanf(p, "config %zu\n", &clen) != 1 ||
	    (nl = strchr(p, '\n')) == NULL ||
	    clen != len - (size_t)(nl + 1 - data))
		goto bad;
	r->config = malloc(clen + 1);
	if (r->config == NULL)
		goto bad;
	memcpy(r->config, nl + 1, clen);
	r->config[clen] = '\0';
	r->config_len = clen;
	r->domid = domid;
	free(data);
	return 0;
bad:
	free(data);
	return errno = EINVAL, -1;
}

int
reg_record_remove(uint32_t domid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/doms/%u", reg_dir(), domid);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

void
reg_record_free(struct reg_record *r)
{
	free(r->config);
	r->config = NULL;
}

int
reg_record_list(uint32_t **domids, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint32_t *v = NULL, *nv;
	size_t cap = 0;
	unsigned long id;
	char *end;
	DIR *dir;

	*n = 0;
	snprintf(path, sizeof(path), "%s/doms", reg_dir());
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		id = strtoul(de->d_name, &end, 10);
		if (end == de->d_name || *end != '\0' || id > UINT32_MAX)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				closedir(dir);
				return -1;
			}
			v = nv;
		}
		v[(*n)++] = (uint32_t)id;
	}
	closedir(dir);
	*domids = v;
	return 0;
}
