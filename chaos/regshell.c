/*
 * regshell.c: the registry's record of the shell daemon's pool
 * (registry.h, "shells"): shells/SHAPE/DOMID for each ready shell,
 * making/UUID while one is being made, taken/DOMID.PID.START.METHOD while
 * a create takes one.  Whoever removes a shell's entry from shells/SHAPE
 * (rename or unlink: the kernel lets exactly one succeed) owns its domain.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "regfile.h"
#include "registry.h"

/* the largest shell: 1 TiB; more runs than pages cannot be */
#define SHELL_MIB_MAX (1ull << 20)
#define VCPUS_MAX     512

static void
shape_dir(char *buf, size_t len, uint64_t mib, unsigned vcpus)
{
	snprintf(buf, len, "%s/shells/%llum%uv", reg_dir(),
		 (unsigned long long)mib, vcpus);
}

static void
shell_path(char *buf, size_t len, uint64_t mib, unsigned vcpus, uint32_t domid)
{
	char dir[PATH_MAX - 16];

	shape_dir(dir, sizeof(dir), mib, vcpus);
	snprintf(buf, len, "%s/%u", dir, domid);
}

int
reg_shape_open(uint64_t mib, unsigned vcpus)
{
	char dir[PATH_MAX];

	shape_dir(dir, sizeof(dir), mib, vcpus);
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

void
reg_shape_close(uint64_t mib, unsigned vcpus)
{
	char dir[PATH_MAX];

	shape_dir(dir, sizeof(dir), mib, vcpus);
	rmdir(dir); /* only when empty: a shell left in it stays findable */
}

/*
 * "shell CLASS UUID MIB VCPUS STORE CONSOLE SYSCTL NOTICE NRUNS\n", then
 * NRUNS lines "PFN MFN COUNT\n".
 */
int
reg_shell_write(const struct reg_shell *s)
{
	char path[PATH_MAX], hex[33], *buf;
	size_t cap, n, i;
	int rc;

	if (!reg_name_ok(s->cls))
		return errno = EINVAL, -1;
	cap = 256 + s->nruns * 64;
	buf = malloc(cap);
	if (buf == NULL)
		return -1;
	regf_uuid_hex(hex, s->uuid);
	n = (size_t)snprintf(buf, cap, "shell %s %s %llu %u %u %u %u %u %zu\n",
			     s->cls, hex, (unsigned long long)s->memory_mib,
			     s->vcpus, s->store_port, s->console_port,
			     s->sysctl_port, s->notice_port, s->nruns);
	for (i = 0; i < s->nruns && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%llu %llu %llu\n",
				      (unsigned long long)s->runs[i].pfn,
				      (unsigned long long)s->runs[i].mfn,
				      (unsigned long long)s->runs[i].count);
	shell_path(path, sizeof(path), s->memory_mib, s->vcpus, s->domid);
	rc = n < cap ? regf_write(path, buf, n, 0) : (errno = EOVERFLOW, -1);
	free(buf);
	return rc;
}

static int
take_port(const char **p, uint32_t *port)
{
	unsigned long long v;

	if (regf_char(p, ' ') < 0 || regf_u64(p, EVTCHN_LIMIT - 1, &v) < 0 ||
	    v == 0)
		return -1;
	*port = (uint32_t)v;
	return 0;
}

/* the runs, each in range, in pfn order, covering every page once */
static int
take_runs(const char **p, struct reg_shell *s)
{
	unsigned long long pfn, mfn, count, next = 0;
	size_t i;

	s->runs = calloc(s->nruns ? s->nruns : 1, sizeof(*s->runs));
	if (s->runs == NULL)
		return -1;
	for (i = 0; i < s->nruns; i++) {
		if (regf_u64(p, ~0ull, &pfn) < 0 || regf_char(p, ' ') < 0 ||
		    regf_u64(p, MFN_LIMIT - 1, &mfn) < 0 ||
		    regf_char(p, ' ') < 0 || regf_u64(p, ~0ull, &count) < 0 ||
		    regf_char(p, '\n') < 0 || pfn != next || count == 0 ||
		    count > MFN_LIMIT - mfn ||
		    count > (s->memory_mib << 8) - pfn)
			return -1;
		s->runs[i] = (struct hv_p2m_run){pfn, mfn, count};
		next = pfn + count;
	}
	return next == s->memory_mib << 8 && **p == '\0' ? 0 : -1;
}

static int
parse_shell(const char *data, struct reg_shell *s)
{
	const char *p = data;
	unsigned long long mib, vcpus, nruns;
	char cls[65];

	if (strncmp(p, "shell ", 6) != 0)
		return -1;
	p += 6;
	if (regf_name(&p, ' ', cls) < 0 || strlen(cls) >= sizeof(s->cls))
		return -1;
	memcpy(s->cls, cls, strlen(cls) + 1);
	if (regf_char(&p, ' ') < 0 || regf_uuid(&p, s->uuid) < 0 ||
	    regf_char(&p, ' ') < 0 || regf_u64(&p, SHELL_MIB_MAX, &mib) < 0 ||
	    mib == 0 || regf_char(&p, ' ') < 0 ||
	    regf_u64(&p, VCPUS_MAX, &vcpus) < 0 || vcpus == 0 ||
	    take_port(&p, &s->store_port) < 0 ||
	    take_port(&p, &s->console_port) < 0 ||
	    take_port(&p, &s->sysctl_port) < 0 ||
	    take_port(&p, &s->notice_port) < 0 || regf_char(&p, ' ') < 0 ||
	    regf_u64(&p, mib << 8, &nruns) < 0 || nruns == 0 ||
	    regf_char(&p, '\n') < 0)
		return -1;
	s->memory_mib = mib;
	s->vcpus = (unsigned)vcpus;
	s->nruns = (size_t)nruns;
	return take_runs(&p, s);
}

/* read the record at path strictly; it must be of domid */
static int
read_at(const char *path, uint32_t domid, struct reg_shell *s)
{
	char *data;
	size_t len;
	int ok;

	memset(s, 0, sizeof(*s));
	if (regf_read(path, &data, &len) < 0)
		return -1;
	ok = strlen(data) == len && parse_shell(data, s) == 0;
	free(data);
	if (!ok) {
		reg_shell_free(s);
		return errno = EUCLEAN, -1;
	}
	s->domid = domid;
	return 0;
}

int
reg_shell_read(const struct reg_shell_id *id, struct reg_shell *s)
{
	char path[PATH_MAX];

	shell_path(path, sizeof(path), id->memory_mib, id->vcpus, id->domid);
	if (read_at(path, id->domid, s) < 0)
		return -1;
	if (s->memory_mib != id->memory_mib || s->vcpus != id->vcpus) {
		reg_shell_free(s);
		return errno = EUCLEAN, -1;
	}
	return 0;
}

void
reg_shell_free(struct reg_shell *s)
{
	free(s->runs);
	s->runs = NULL;
	s->nruns = 0;
}

int
reg_shell_ready(const struct reg_shell_id *id)
{
	char path[PATH_MAX];

	shell_path(path, sizeof(path), id->memory_mib, id->vcpus, id->domid);
	return access(path, F_OK) == 0;
}

int
reg_shell_remove(const struct reg_shell_id *id)
{
	char path[PATH_MAX];

	shell_path(path, sizeof(path), id->memory_mib, id->vcpus, id->domid);
	return unlink(path);
}

/* "MIBmVCPUSv" */
static int
shape_name(const char *name, uint64_t *mib, unsigned *vcpus)
{
	unsigned long long m, v;

	if (regf_u64(&name, SHELL_MIB_MAX, &m) < 0 || m == 0 ||
	    regf_char(&name, 'm') < 0 || regf_u64(&name, VCPUS_MAX, &v) < 0 ||
	    v == 0 || regf_char(&name, 'v') < 0 || *name != '\0')
		return -1;
	*mib = m;
	*vcpus = (unsigned)v;
	return 0;
}

static int
shape_entry(const char *name, void *out)
{
	struct reg_shell_id *id = out;

	id->domid = 0;
	return shape_name(name, &id->memory_mib, &id->vcpus);
}

int
reg_shell_list(struct reg_shell_id **ids, size_t *n, size_t *bad)
{
	char sub[64];
	struct reg_shell_id *shapes, *v = NULL, *nv;
	uint32_t *doms;
	size_t k, nd, ns, i, b;

	*n = 0;
	if (regf_list("shells", shape_entry, sizeof(*shapes), (void **)&shapes,
		      &ns, bad) < 0)
		return -1;
	for (i = 0; i < ns; i++) {
		snprintf(sub, sizeof(sub), "shells/%llum%uv",
			 (unsigned long long)shapes[i].memory_mib,
			 shapes[i].vcpus);
		if (regf_list(sub, regf_domid_name, sizeof(*doms),
			      (void **)&doms, &nd, &b) < 0)
			continue;
		*bad += b;
		nv = realloc(v, (*n + nd + 1) * sizeof(*v));
		if (nv == NULL) {
			free(doms);
			break;
		}
		v = nv;
		for (k = 0; k < nd; k++)
			v[(*n)++] = (struct reg_shell_id){
				doms[k], shapes[i].memory_mib, shapes[i].vcpus};
		free(doms);
	}
	free(shapes);
	*ids = v;
	return 0;
}

/* --- taking --------------------------------------------------------------- */

static void
taken_path(char *buf, size_t len, const struct reg_taken *t)
{
	snprintf(buf, len, "%s/taken/%u.%ld.%llu.%s", reg_dir(), t->domid,
		 t->pid, t->start, t->noxs ? "noxs" : "xenstore");
}

int
reg_taken_parse(const char *name, struct reg_taken *t)
{
	unsigned long long domid, pid;

	memset(t, 0, sizeof(*t));
	if (regf_u64(&name, DOMID_MAX, &domid) < 0 || domid == 0 ||
	    regf_char(&name, '.') < 0 || regf_u64(&name, INT32_MAX, &pid) < 0 ||
	    pid == 0 || regf_char(&name, '.') < 0 ||
	    regf_u64(&name, ~0ull, &t->start) < 0 || regf_char(&name, '.') < 0)
		return -1;
	if (strcmp(name, "noxs") == 0)
		t->noxs = 1;
	else if (strcmp(name, "xenstore") != 0)
		return -1;
	t->domid = (uint32_t)domid;
	t->pid = (long)pid;
	return 0;
}

static int
taken_name(const char *name, void *out)
{
	return reg_taken_parse(name, out);
}

int
reg_taken_list(struct reg_taken **v, size_t *n)
{
	void *vec;

	if (regf_list("taken", taken_name, sizeof(**v), &vec, n, NULL) < 0)
		return -1;
	*v = vec;
	return 0;
}

int
reg_shell_take(uint64_t mib, unsigned vcpus, int noxs, struct reg_shell *s,
	       struct reg_taken *t)
{
	char dir[PATH_MAX], from[PATH_MAX + 264], to[PATH_MAX];
	struct dirent *de;
	unsigned long long id;
	const char *p;
	DIR *d;
	int rc = -1;

	shape_dir(dir, sizeof(dir), mib, vcpus);
	d = opendir(dir);
	if (d == NULL)
		return -1; /* ENOENT: no class of this shape */
	memset(t, 0, sizeof(*t));
	if (regf_self(&t->pid, &t->start) < 0)
		goto out;
	t->noxs = noxs;
	errno = EAGAIN;
	while ((de = readdir(d)) != NULL) {
		p = de->d_name;
		if (regf_u64(&p, DOMID_MAX, &id) < 0 || *p != '\0' || id == 0)
			continue;
		t->domid = (uint32_t)id;
		snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
		taken_path(to, sizeof(to), t);
		/* one taker wins; the others find it gone and go on */
		if (rename(from, to) < 0)
			continue;
		if (read_at(to, t->domid, s) == 0 && s->memory_mib == mib &&
		    s->vcpus == vcpus) {
			rc = 0;
			break;
		}
		reg_shell_free(s);
		unlink(to); /* corrupt: no one can use it */
		errno = EAGAIN;
	}
out:
	closedir(d);
	return rc;
}

int
reg_taken_read(const struct reg_taken *t, struct reg_shell *s)
{
	char path[PATH_MAX];

	taken_path(path, sizeof(path), t);
	return read_at(path, t->domid, s);
}

int
reg_taken_end(const struct reg_taken *t)
{
	char path[PATH_MAX];

	taken_path(path, sizeof(path), t);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
reg_taken_giveback(const struct reg_taken *t, const struct reg_shell *s)
{
	char from[PATH_MAX], to[PATH_MAX];

	taken_path(from, sizeof(from), t);
	shell_path(to, sizeof(to), s->memory_mib, s->vcpus, t->domid);
	return rename(from, to);
}

static void
making_path(char *buf, size_t len, const uint8_t uuid[16])
{
	regf_uuid_path(buf, len, "making", uuid);
}

int
reg_making_begin(const uint8_t uuid[16])
{
	char path[PATH_MAX], buf[64];
	unsigned long long start;
	long pid;

	if (regf_self(&pid, &start) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%ld %llu\n", pid, start);
	making_path(path, sizeof(path), uuid);
	return regf_write(path, buf, strlen(buf), 1);
}

int
reg_making_end(const uint8_t uuid[16])
{
	char path[PATH_MAX];

	making_path(path, sizeof(path), uuid);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
reg_making_list(uint8_t (**uuids)[16], size_t *n, size_t *bad)
{
	void *v;

	if (regf_list("making", regf_uuid_name, 16, &v, n, bad) < 0)
		return -1;
	*uuids = v;
	return 0;
}
