/* registry.c: names, records and creates in progress under /run/chaos. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "noxs.h"
#include "regfile.h"
#include "registry.h"

#define SYSCTL_BLOCK_LEN 64u

/* --- names --------------------------------------------------------------- */

struct name_entry {
	int pending; /* else bound */
	uint32_t domid;
	long pid;
	unsigned long long start;
	int has_uuid;
	uint8_t uuid[16];
};

static int
name_path(char *buf, size_t len, const char *name)
{
	if (!reg_name_ok(name))
		return errno = EINVAL, -1;
	snprintf(buf, len, "%s/names/%s", reg_dir(), name);
	return 0;
}

/* "DOMID\n" or "- PID START UUID\n" ("-" for no uuid), nothing else */
static int
parse_name(const char *s, size_t len, struct name_entry *e)
{
	unsigned long long v;

	memset(e, 0, sizeof(*e));
	if (strlen(s) != len)
		return -1;
	if (s[0] != '-') {
		if (regf_u64(&s, DOMID_MAX, &v) < 0 || v == 0)
			return -1;
		e->domid = (uint32_t)v;
		return strcmp(s, "\n") == 0 ? 0 : -1;
	}
	e->pending = 1;
	e->domid = REG_NO_DOMID;
	if (regf_char(&s, '-') < 0 || regf_char(&s, ' ') < 0 ||
	    regf_u64(&s, INT32_MAX, &v) < 0 || v == 0)
		return -1;
	e->pid = (long)v;
	if (regf_char(&s, ' ') < 0 || regf_u64(&s, ~0ull, &e->start) < 0 ||
	    regf_char(&s, ' ') < 0)
		return -1;
	if (*s == '-') {
		s++;
	} else {
		if (regf_uuid(&s, e->uuid) < 0)
			return -1;
		e->has_uuid = 1;
	}
	return strcmp(s, "\n") == 0 ? 0 : -1;
}

/* one read of names/NAME: -1 with ENOENT, EUCLEAN (corrupt) or the cause */
static int
read_name(const char *path, struct name_entry *e)
{
	char *data;
	size_t len;
	int rc;

	if (regf_read(path, &data, &len) < 0)
		return -1;
	rc = parse_name(data, len, e);
	free(data);
	return rc < 0 ? (errno = EUCLEAN, -1) : 0;
}

int
reg_lookup(const char *name, uint32_t *domid)
{
	char path[PATH_MAX];
	struct name_entry e;

	if (name_path(path, sizeof(path), name) < 0)
		return errno = ENOENT, -1;
	if (read_name(path, &e) < 0)
		return -1;
	if (e.pending)
		return errno = EINPROGRESS, -1;
	*domid = e.domid;
	return 0;
}

/* Decide, from one read made under the lock, whether the entry at path
 * may be replaced: 0 (and its leftovers reaped) or -1 with errno. */
static int
may_take_over(const char *path, const struct reg_hooks *h)
{
	struct name_entry e;

	if (read_name(path, &e) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!e.pending)
		return h->alive(e.domid, h->arg) ? (errno = EEXIST, -1) : 0;
	if (regf_is_self(e.pid, e.start) || reg_creator_alive(e.pid, e.start))
		return errno = EEXIST, -1;
	if (e.has_uuid && h->reap != NULL && h->reap(e.uuid, h->arg) < 0)
		return errno = EBUSY, -1;
	return 0;
}

int
reg_claim(const char *name, const uint8_t *uuid, const struct reg_hooks *h)
{
	char path[PATH_MAX], entry[96], hex[33] = "-";
	unsigned long long start;
	long pid;
	int rc = -1, e, tries;

	if (name_path(path, sizeof(path), name) < 0 ||
	    regf_self(&pid, &start) < 0)
		return -1;
	if (uuid != NULL)
		regf_uuid_hex(hex, uuid);
	snprintf(entry, sizeof(entry), "- %ld %llu %s\n", pid, start, hex);
	if (reg_lock() < 0)
		return -1;
	/* every change of names/ is made under the lock, so what one read
	 * shows stays true until this process acts on it */
	for (tries = 0; tries < 2; tries++) {
		rc = regf_write(path, entry, strlen(entry), 1);
		if (rc == 0 || errno != EEXIST)
			break;
		if (may_take_over(path, h) < 0)
			break;
		if (unlink(path) < 0 && errno != ENOENT)
			break;
		errno = EEXIST;
	}
	e = errno;
	reg_unlock();
	return rc < 0 ? (errno = e, -1) : 0;
}

/* Under the lock: is names/NAME an entry this process may change?
 * mine: our reservation; else bound to domid. */
static int
entry_is(const char *path, int mine, uint32_t domid)
{
	struct name_entry e;

	if (read_name(path, &e) < 0)
		return -1;
	if (mine ? e.pending && regf_is_self(e.pid, e.start)
		 : !e.pending && e.domid == domid)
		return 0;
	return errno = EPERM, -1;
}

int
reg_bind(const char *name, uint32_t domid)
{
	char path[PATH_MAX], buf[32];
	int rc, e;

	if (name_path(path, sizeof(path), name) < 0 || reg_lock() < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%u\n", domid);
	rc = entry_is(path, 1, 0);
	if (rc == 0)
		rc = regf_write(path, buf, strlen(buf), 0);
	e = errno;
	reg_unlock();
	errno = e;
	return rc;
}

static int
remove_if(const char *name, int mine, uint32_t domid)
{
	char path[PATH_MAX];
	int rc, e;

	if (name_path(path, sizeof(path), name) < 0 || reg_lock() < 0)
		return -1;
	rc = entry_is(path, mine, domid);
	if (rc == 0)
		rc = unlink(path);
	e = errno;
	reg_unlock();
	if (rc < 0 && (e == ENOENT || e == EPERM))
		return 0; /* not ours to remove, or gone already */
	errno = e;
	return rc;
}

int
reg_unclaim(const char *name)
{
	return remove_if(name, 1, 0);
}

int
reg_release(const char *name, uint32_t domid)
{
	return remove_if(name, 0, domid);
}

int
reg_drop_pending(const char *name, const uint8_t uuid[16])
{
	char path[PATH_MAX];
	struct name_entry e;
	int rc = 0, err = 0;

	if (name_path(path, sizeof(path), name) < 0 || reg_lock() < 0)
		return -1;
	if (read_name(path, &e) == 0 && e.pending && e.has_uuid &&
	    memcmp(e.uuid, uuid, 16) == 0 &&
	    !reg_creator_alive(e.pid, e.start) && unlink(path) < 0 &&
	    errno != ENOENT) {
		rc = -1;
		err = errno;
	}
	reg_unlock();
	errno = err;
	return rc;
}

/* --- records ------------------------------------------------------------- */

static void
record_path(char *buf, size_t len, uint32_t domid)
{
	snprintf(buf, len, "%s/doms/%u", reg_dir(), domid);
}

/* an interface name as the record keeps it (as xendevd takes it): 1..15
 * printable bytes but ' ', '/' and ':', not ".", ".." or "-" (a vif
 * line's "none") */
static int
ifname_ok(const char *s)
{
	size_t n = strnlen(s, REG_IFNAME), i;

	if (n == 0 || n == REG_IFNAME || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0 || strcmp(s, "-") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/' || s[i] == ':')
			return 0;
	return 1;
}

/* "vif DEVID OFFSET PORT MTU MAC BRIDGE VIFNAME\n", VIFNAME "-" for none */
static size_t
put_vif(char *buf, size_t len, const struct reg_vif *v)
{
	const uint8_t *m = v->mac;

	return (size_t)snprintf(buf, len,
				"vif %u %u %u %u %02x%02x%02x%02x%02x%02x %s "
				"%s\n",
				v->devid, v->offset, v->port, v->mtu, m[0],
				m[1], m[2], m[3], m[4], m[5], v->bridge,
				v->vifname[0] ? v->vifname : "-");
}

/*
 * A record: "name NAME\nuuid HEX32\n", for noxs guests "noxs MFN OFFSET
 * SYSCTL_PORT CONSOLE_PORT NOTICE_PORT\n" (records written before the
 * notice port lack it: 0) and a "vif ..." line for each vif (put_vif),
 * then "config LEN\n" and LEN bytes of config text.
 */
int
reg_record_write(const struct reg_record *r)
{
	char path[PATH_MAX], head[256 + REG_VIFS_MAX * 96], hex[33], *buf;
	size_t n;
	unsigned i;
	int rc;

	if (!reg_name_ok(r->name) || r->nvifs > REG_VIFS_MAX ||
	    (r->nvifs > 0 && !r->noxs))
		return errno = EINVAL, -1;
	for (i = 0; i < r->nvifs; i++)
		if (!ifname_ok(r->vifs[i].bridge) ||
		    (r->vifs[i].vifname[0] && !ifname_ok(r->vifs[i].vifname)))
			return errno = EINVAL, -1;
	regf_uuid_hex(hex, r->uuid);
	n = (size_t)snprintf(head, sizeof(head), "name %s\nuuid %s\n", r->name,
			     hex);
	if (r->noxs) {
		n += (size_t)snprintf(
			head + n, sizeof(head) - n, "noxs %llu %u %u %u",
			(unsigned long long)r->devpage_mfn, r->sysctl_offset,
			r->sysctl_port, r->console_port);
		if (r->notice_port != 0)
			n += (size_t)snprintf(head + n, sizeof(head) - n, " %u",
					      r->notice_port);
		n += (size_t)snprintf(head + n, sizeof(head) - n, "\n");
		for (i = 0; i < r->nvifs; i++)
			n += put_vif(head + n, sizeof(head) - n, &r->vifs[i]);
	}
	n += (size_t)snprintf(head + n, sizeof(head) - n, "config %zu\n",
			      r->config_len);
	buf = malloc(n + r->config_len);
	if (buf == NULL)
		return -1;
	memcpy(buf, head, n);
	if (r->config_len)
		memcpy(buf + n, r->config, r->config_len);
	record_path(path, sizeof(path), r->domid);
	rc = regf_write(path, buf, n + r->config_len, 0);
	free(buf);
	return rc;
}

/* "noxs MFN OFFSET SYSCTL_PORT CONSOLE_PORT [NOTICE_PORT]\n", each in its
 * range: the offset as the device page's own checks want a control block */
static int
take_noxs(const char **p, struct reg_record *r)
{
	unsigned long long mfn, off, sport, cport, nport = 0;

	if (regf_u64(p, MFN_LIMIT - 1, &mfn) < 0 || regf_char(p, ' ') < 0 ||
	    regf_u64(p, NOXS_PAGE_SIZE, &off) < 0 || regf_char(p, ' ') < 0 ||
	    regf_u64(p, EVTCHN_LIMIT - 1, &sport) < 0 ||
	    regf_char(p, ' ') < 0 || regf_u64(p, EVTCHN_LIMIT - 1, &cport) < 0)
		return -1;
	/* the notice port came later: a record without it has none (0) */
	if (regf_char(p, ' ') == 0 &&
	    (regf_u64(p, EVTCHN_LIMIT - 1, &nport) < 0 || nport == 0))
		return -1;
	if (regf_char(p, '\n') < 0)
		return -1;
	if (off < NOXS_ENTRIES_END || off > NOXS_PAGE_SIZE - SYSCTL_BLOCK_LEN ||
	    off % SYSCTL_BLOCK_LEN != 0 || sport == 0 || cport == 0)
		return -1;
	r->noxs = 1;
	r->devpage_mfn = mfn;
	r->sysctl_offset = (uint32_t)off;
	r->sysctl_port = (uint32_t)sport;
	r->console_port = (uint32_t)cport;
	r->notice_port = (uint32_t)nport;
	return 0;
}

/* an interface name ending at ' ' or '\n' (not taken); "-" with dash_ok
 * is none */
static int
take_ifname(const char **p, char out[REG_IFNAME], int dash_ok)
{
	size_t n = strcspn(*p, " \n");

	if (n >= REG_IFNAME)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	if (dash_ok && strcmp(out, "-") == 0)
		out[0] = '\0';
	else if (!ifname_ok(out))
		return -1;
	*p += n;
	return 0;
}

static int
take_hex_mac(const char **p, uint8_t mac[6])
{
	const char *s = *p, *digits = "0123456789abcdef", *hi, *lo;
	int i;

	for (i = 0; i < 6; i++) {
		if (s[0] == '\0' || s[1] == '\0')
			return -1;
		hi = strchr(digits, s[0]);
		lo = strchr(digits, s[1]);
		if (hi == NULL || lo == NULL)
			return -1;
		mac[i] = (uint8_t)((hi - digits) << 4 | (lo - digits));
		s += 2;
	}
	*p = s;
	return 0;
}

/* one "vif ..." line after "vif ", each field in its range */
static int
take_vif(const char **p, struct reg_vif *v)
{
	unsigned long long devid, off, port, mtu;

	if (regf_u64(p, 0xffff, &devid) < 0 || regf_char(p, ' ') < 0 ||
	    regf_u64(p, NOXS_PAGE_SIZE, &off) < 0 || regf_char(p, ' ') < 0 ||
	    regf_u64(p, EVTCHN_LIMIT - 1, &port) < 0 || regf_char(p, ' ') < 0 ||
	    regf_u64(p, 1500, &mtu) < 0 || regf_char(p, ' ') < 0 ||
	    take_hex_mac(p, v->mac) < 0 || regf_char(p, ' ') < 0 ||
	    take_ifname(p, v->bridge, 0) < 0 || regf_char(p, ' ') < 0 ||
	    take_ifname(p, v->vifname, 1) < 0 || regf_char(p, '\n') < 0)
		return -1;
	if (off < NOXS_ENTRIES_END || off > NOXS_PAGE_SIZE - 64 ||
	    off % 64 != 0 || port == 0 || mtu < 68)
		return -1;
	v->devid = (uint32_t)devid;
	v->offset = (uint32_t)off;
	v->port = (uint32_t)port;
	v->mtu = (uint32_t)mtu;
	return 0;
}

static int
parse_record(const char *data, size_t len, struct reg_record *r)
{
	const char *p = data;
	unsigned long long clen;

	if (strncmp(p, "name ", 5) != 0)
		return -1;
	p += 5;
	if (regf_name(&p, '\n', r->name) < 0 || regf_char(&p, '\n') < 0 ||
	    strncmp(p, "uuid ", 5) != 0)
		return -1;
	p += 5;
	if (regf_uuid(&p, r->uuid) < 0 || regf_char(&p, '\n') < 0)
		return -1;
	if (strncmp(p, "noxs ", 5) == 0) {
		p += 5;
		if (take_noxs(&p, r) < 0)
			return -1;
		while (strncmp(p, "vif ", 4) == 0) {
			p += 4;
			if (r->nvifs == REG_VIFS_MAX ||
			    take_vif(&p, &r->vifs[r->nvifs]) < 0)
				return -1;
			r->nvifs++;
		}
	}
	if (strncmp(p, "config ", 7) != 0)
		return -1;
	p += 7;
	if (regf_u64(&p, FILE_MAX, &clen) < 0 || regf_char(&p, '\n') < 0 ||
	    clen != len - (size_t)(p - data))
		return -1;
	r->config = malloc(clen + 1);
	if (r->config == NULL)
		return -1;
	memcpy(r->config, p, clen);
	r->config[clen] = '\0';
	r->config_len = clen;
	return 0;
}

int
reg_record_read(uint32_t domid, struct reg_record *r)
{
	char path[PATH_MAX], *data;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	record_path(path, sizeof(path), domid);
	if (regf_read(path, &data, &len) < 0)
		return -1;
	rc = parse_record(data, len, r);
	free(data);
	if (rc < 0) {
		free(r->config);
		memset(r, 0, sizeof(*r));
		return errno = EUCLEAN, -1;
	}
	r->domid = domid;
	return 0;
}

int
reg_record_remove(uint32_t domid)
{
	char path[PATH_MAX];

	record_path(path, sizeof(path), domid);
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
	void *v;

	if (regf_list("doms", regf_domid_name, sizeof(**domids), &v, n, NULL) <
	    0)
		return -1;
	*domids = v;
	return 0;
}

/* --- creates in progress ------------------------------------------------- */

static void
intent_path(char *buf, size_t len, const uint8_t uuid[16])
{
	regf_uuid_path(buf, len, "creating", uuid);
}

/* "PID START NAME noxs|xenstore\n" */
int
reg_intent_begin(struct reg_intent *in)
{
	char path[PATH_MAX], buf[160];

	if (!reg_name_ok(in->name) || regf_self(&in->pid, &in->start) < 0)
		return errno = EINVAL, -1;
	snprintf(buf, sizeof(buf), "%ld %llu %s %s\n", in->pid, in->start,
		 in->name, in->noxs ? "noxs" : "xenstore");
	intent_path(path, sizeof(path), in->uuid);
	return regf_write(path, buf, strlen(buf), 1);
}

int
reg_intent_read(const uint8_t uuid[16], struct reg_intent *in)
{
	char path[PATH_MAX], *data;
	uint8_t id[16];
	const char *p;
	unsigned long long v;
	size_t len;
	int ok;

	intent_path(path, sizeof(path), uuid); /* uuid may be in->uuid */
	memcpy(id, uuid, 16);
	memset(in, 0, sizeof(*in));
	if (regf_read(path, &data, &len) < 0)
		return -1;
	p = data;
	ok = strlen(data) == len && regf_u64(&p, INT32_MAX, &v) == 0 && v > 0 &&
	     regf_char(&p, ' ') == 0 && regf_u64(&p, ~0ull, &in->start) == 0 &&
	     regf_char(&p, ' ') == 0 && regf_name(&p, ' ', in->name) == 0 &&
	     regf_char(&p, ' ') == 0;
	if (ok && strcmp(p, "noxs\n") == 0)
		in->noxs = 1;
	else if (!ok || strcmp(p, "xenstore\n") != 0)
		ok = 0;
	free(data);
	if (!ok) {
		memset(in, 0, sizeof(*in));
		return errno = EUCLEAN, -1;
	}
	in->pid = (long)v;
	memcpy(in->uuid, id, 16);
	return 0;
}

int
reg_intent_remove(const uint8_t uuid[16])
{
	char path[PATH_MAX];

	intent_path(path, sizeof(path), uuid);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
reg_intent_list(uint8_t (**uuids)[16], size_t *n, size_t *bad)
{
	void *v;

	if (regf_list("creating", regf_uuid_name, 16, &v, n, bad) < 0)
		return -1;
	*uuids = v;
	return 0;
}
