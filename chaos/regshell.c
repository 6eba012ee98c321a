/*
 * regshell.c: the registry's record of the shell daemon's pool
 * (registry.h, "shells"): shells/DOMID for each ready shell, making/UUID
 * while one is being made.  Written by chaos-shelld; read back by it after
 * a restart and (one stat) by chaos list, which shows no shell.
 */
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
shell_path(char *buf, size_t len, uint32_t domid)
{
	snprintf(buf, len, "%s/shells/%u", reg_dir(), domid);
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
	shell_path(path, sizeof(path), s->domid);
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

int
reg_shell_read(uint32_t domid, struct reg_shell *s)
{
	char path[PATH_MAX], *data;
	size_t len;
	int ok;

	memset(s, 0, sizeof(*s));
	shell_path(path, sizeof(path), domid);
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

void
reg_shell_free(struct reg_shell *s)
{
	free(s->runs);
	s->runs = NULL;
	s->nruns = 0;
}

int
reg_shell_remove(uint32_t domid)
{
	char path[PATH_MAX];

	shell_path(path, sizeof(path), domid);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
reg_shell_is(uint32_t domid)
{
	char path[PATH_MAX];
	struct stat st;

	shell_path(path, sizeof(path), domid);
	return stat(path, &st) == 0;
}

int
reg_shell_list(uint32_t **domids, size_t *n, size_t *bad)
{
	void *v;

	if (regf_list("shells", regf_domid_name, sizeof(**domids), &v, n, bad) <
	    0)
		return -1;
	*domids = v;
	return 0;
}

static void
making_path(char *buf, size_t len, const uint8_t uuid[16])
{
	char hex[33];

	regf_uuid_hex(hex, uuid);
	snprintf(buf, len, "%s/making/%s", reg_dir(), hex);
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
