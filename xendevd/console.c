/*
 * console.c: the consoles of noxs guests (xdd.h, docs/xendevd.8).  Each
 * one's ring is mapped and its channel bound for the guest's life;
 * xendevd is its only reader, and the only writer of its input side.
 * Output goes to guest-NAME.log (when xenconsoled's setting logs guests),
 * to the last XDD_HIST_SIZE bytes kept for a late reader, and to the
 * clients that opened the console.  Every SWEEP_MS the rings are read
 * again (an event may be lost, a drain may stop early) and the domains
 * looked at: one that is gone, dying or shut down (not suspended) has its
 * ring read a last time, and only then unmapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "hv.h"
#include "registry.h"
#include "ring.h"
#include "xendevd.h"

_Static_assert(XDD_HIST_SIZE == XDD_CONS_HISTORY, "what a replay promises");

#define SWEEP_MS     200
#define DRAIN_ROUNDS 16 /* ring's worth per turn and console */
#define LIST_BATCH   256

struct reader {
	struct ipc_client *c;
	uint32_t id; /* the open's: every output reply carries it */
};

struct cons {
	struct cons *next;
	struct xdd_cons req; /* validated */
	uint8_t uuid[16];    /* the domain's, when it was attached */
	volatile struct xencons_interface *ring;
	uint32_t local; /* our end of the channel */
	int logfd;	/* -1: not logged */
	int needts;	/* the next byte starts a line (timestamps) */
	struct reader rd[XDD_CONS_READERS];
	unsigned nrd;
	size_t inlen; /* typed, waiting for room in the ring */
	char in[XDD_CONS_INBUF];
	struct xdd_hist hist;
};

static struct cons *
find(struct xdd *d, uint32_t domid)
{
	struct cons *k;

	for (k = d->conss; k != NULL; k = k->next)
		if (k->req.domid == domid)
			return k;
	return NULL;
}

int
xdd_hv_ready(struct xdd *d)
{
	if (d->hv == NULL && hv_open(&d->hv) < 0) {
		d->hv = NULL;
		return -1;
	}
	return 0;
}

/* write all of buf, or say why not (a full disk costs the log, not us) */
static void
log_write(struct cons *k, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(k->logfd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_warn("console %u (%s): log: %s", k->req.domid,
				 k->req.name, strerror(errno));
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

static void
log_out(struct xdd *d, struct cons *k, const char *buf, size_t n)
{
	static char stamped[XDD_RING_OUT * 32];
	char ts[32];
	time_t now;
	struct tm tm;
	size_t tslen;

	if (k->logfd < 0)
		return;
	if (!d->cconf.stamp || n > XDD_RING_OUT) {
		log_write(k, buf, n);
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	tslen = strftime(ts, sizeof(ts), "[%Y-%m-%d %H:%M:%S] ", &tm);
	log_write(k, stamped,
		  xdd_stamp(buf, n, ts, tslen, &k->needts, stamped));
}

/* The log, as xenconsoled names it; -1 when guests are not logged. */
static int
log_open_file(struct xdd *d, struct cons *k)
{
	char path[PATH_MAX];
	int fd;

	if (!d->cconf.log)
		return -1;
	snprintf(path, sizeof(path), "%s/guest-%s.log", d->cconf.dir,
		 k->req.name);
	fd = open(path,
		  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY |
			  O_NOFOLLOW,
		  0644);
	if (fd < 0 && errno == ENOENT && mkdir(d->cconf.dir, 0755) == 0)
		fd = open(path,
			  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY |
				  O_NOFOLLOW,
			  0644);
	if (fd < 0) {
		log_warn("console %u (%s): %s: %s", k->req.domid, k->req.name,
			 path, strerror(errno));
		return -1;
	}
	k->needts = 1;
	k->logfd = fd;
	if (d->cconf.stamp) /* as xenconsoled marks a log it opens */
		log_out(d, k, "Logfile Opened\n", 15);
	return fd;
}

/* what the guest wrote: to the log, the history, the readers */
static void
emit(struct xdd *d, struct cons *k, const char *buf, size_t n)
{
	unsigned i;

	log_out(d, k, buf, n);
	xdd_hist_put(&k->hist, buf, n);
	for (i = 0; i < k->nrd; i++)
		ipc_reply(k->rd[i].c, XDD_CONS_OPEN, k->rd[i].id, 0, buf,
			  (uint32_t)n, NULL);
}

/* what was typed and did not fit: as much as the ring takes now */
static int
feed(struct cons *k)
{
	int n;

	if (k->inlen == 0)
		return 0;
	n = xdd_ring_write(k->ring, k->in, k->inlen);
	if (n < 0) {
		log_warn("console %u (%s): the guest's input indices are "
			 "out of range; input dropped",
			 k->req.domid, k->req.name);
		k->inlen = 0;
		return 0;
	}
	memmove(k->in, k->in + n, k->inlen - (size_t)n);
	k->inlen -= (size_t)n;
	return n > 0;
}

/* Read the ring until it is empty (or DRAIN_ROUNDS), give the guest its
 * room back and feed it what waits. */
static void
drain(struct xdd *d, struct cons *k)
{
	char buf[XDD_RING_OUT];
	int bad, moved = 0, r;
	size_t n;

	for (r = 0; r < DRAIN_ROUNDS; r++) {
		n = xdd_ring_read(k->ring, buf, sizeof(buf), &bad);
		if (bad)
			log_warn("console %u (%s): the guest's output indices "
				 "are out of range; its ring was dropped",
				 k->req.domid, k->req.name);
		if (n == 0)
			break;
		emit(d, k, buf, n);
		moved = 1;
	}
	if ((feed(k) || moved) && hv_evtchn_notify(d->hv, k->local) < 0)
		log_warn("console %u (%s): notify: %s", k->req.domid,
			 k->req.name, strerror(errno));
}

/* the end of every stream, the channel, the ring and the log */
static void
let_go(struct xdd *d, struct cons *gone, int err, const char *why)
{
	struct cons **pp;
	unsigned i;

	for (pp = &d->conss; *pp != NULL && *pp != gone; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;
	*pp = gone->next;
	d->nconss--;
	for (i = 0; i < gone->nrd; i++)
		ipc_reply(gone->rd[i].c, XDD_CONS_OPEN, gone->rd[i].id, err,
			  NULL, 0, "domain %u: %s", gone->req.domid, why);
	hv_evtchn_unbind(d->hv, gone->local);
	hv_unmap(d->hv, (void *)gone->ring, gone->req.map == XDD_CONS_GRANT);
	if (gone->logfd >= 0)
		close(gone->logfd);
	log_info("console %u (%s): %s", gone->req.domid, gone->req.name, why);
	free(gone);
}

int
xdd_finished(const struct hv_dominfo *di)
{
	return (di->flags & HV_DYING) ||
	       ((di->flags & HV_SHUTDOWN) &&
		di->shutdown_reason != HV_SHUTDOWN_SUSPEND);
}

/*
 * Map, bind, open the log and read what is there already.  0, or an
 * errno value and why (the domain is left as it was).
 */
static int
take(struct xdd *d, const struct xdd_cons *req, char *why, size_t len)
{
	struct hv_dominfo di;
	struct cons *k;
	int e;

	if (xdd_hv_ready(d) < 0) {
		e = errno;
		snprintf(why, len, "no hypervisor: %s", strerror(e));
		return e;
	}
	if (hv_domain_info(d->hv, req->domid, &di) < 0) {
		e = errno;
		snprintf(why, len, "domain %u: %s", req->domid,
			 e == ESRCH ? "no such domain" : strerror(e));
		return e;
	}
	if (xdd_finished(&di)) {
		snprintf(why, len, "domain %u is shut down", req->domid);
		return ESRCH;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(why, len, "no memory");
		return ENOMEM;
	}
	k->req = *req;
	k->logfd = -1;
	memcpy(k->uuid, di.uuid, 16);
	k->ring = req->map == XDD_CONS_GRANT
			  ? hv_map_grant(d->hv, req->domid, req->gref)
			  : hv_map_frame(d->hv, req->domid, req->frame);
	if (k->ring == NULL) {
		e = errno;
		snprintf(why, len, "cannot map the ring: %s", strerror(e));
		free(k);
		return e;
	}
	if (hv_evtchn_bind(d->hv, req->domid, req->port, &k->local) < 0) {
		e = errno;
		snprintf(why, len, "event channel %u: %s", req->port,
			 strerror(e));
		hv_unmap(d->hv, (void *)k->ring, req->map == XDD_CONS_GRANT);
		free(k);
		return e;
	}
	log_open_file(d, k);
	k->next = d->conss;
	d->conss = k;
	d->nconss++;
	drain(d, k);
	return 0;
}

void
xdd_cons_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
		const struct xdd_cons *req)
{
	struct cons *k = find(d, req->domid);
	char why[160];
	int err;

	if (k != NULL) {
		if (k->req.port == req->port && k->req.map == req->map &&
		    k->req.gref == req->gref && k->req.frame == req->frame) {
			ipc_reply(c, XDD_CONS_ATTACH, id, 0, NULL, 0, NULL);
			return;
		}
		ipc_reply(c, XDD_CONS_ATTACH, id, EBUSY, NULL, 0,
			  "console %u is served already, with port %u",
			  req->domid, k->req.port);
		return;
	}
	err = take(d, req, why, sizeof(why));
	if (err != 0) {
		log_warn("console %u (%s): %s", req->domid, req->name, why);
		ipc_reply(c, XDD_CONS_ATTACH, id, err, NULL, 0,
			  "console %u: %s", req->domid, why);
		return;
	}
	log_info("console %u (%s): served%s%s", req->domid, req->name,
		 d->cconf.log ? ", logged in " : "",
		 d->cconf.log ? d->cconf.dir : "");
	ipc_reply(c, XDD_CONS_ATTACH, id, 0, NULL, 0, NULL);
}

/* the console client c reads, if any */
static struct cons *
reader_of(struct xdd *d, const struct ipc_client *c, unsigned *at)
{
	struct cons *k;
	unsigned i;

	for (k = d->conss; k != NULL; k = k->next)
		for (i = 0; i < k->nrd; i++)
			if (k->rd[i].c == c) {
				*at = i;
				return k;
			}
	return NULL;
}

/* the console of domid, or NULL when the request got ENOENT */
static struct cons *
served(struct xdd *d, struct ipc_client *c, uint16_t type, uint32_t id,
       uint32_t domid)
{
	struct cons *k = find(d, domid);

	if (k == NULL)
		ipc_reply(c, type, id, ENOENT, NULL, 0,
			  "xendevd does not serve the console of domain %u",
			  domid);
	return k;
}

void
xdd_cons_open(struct xdd *d, struct ipc_client *c, uint32_t id,
	      const struct xdd_cons_open *req)
{
	static char hist[XDD_HIST_SIZE];
	struct cons *k = served(d, c, XDD_CONS_OPEN, id, req->domid);
	size_t n, off, part;
	unsigned at;

	if (k == NULL)
		return;
	if (reader_of(d, c, &at) != NULL) {
		ipc_reply(c, XDD_CONS_OPEN, id, EBUSY, NULL, 0,
			  "this connection reads a console already");
		return;
	}
	if (k->nrd == XDD_CONS_READERS) {
		ipc_reply(c, XDD_CONS_OPEN, id, EUSERS, NULL, 0,
			  "console %u has %d readers already", req->domid,
			  XDD_CONS_READERS);
		return;
	}
	/* what came since the last turn first: the replay is complete */
	drain(d, k);
	n = req->flags & XDD_CONS_REPLAY ? xdd_hist_get(&k->hist, hist) : 0;
	off = 0;
	do { /* at least one reply: the client knows it is attached */
		part = n - off > IPC_REPLY_BODY_MAX ? IPC_REPLY_BODY_MAX
						    : n - off;
		ipc_reply(c, XDD_CONS_OPEN, id, 0, hist + off, (uint32_t)part,
			  NULL);
		off += part;
	} while (off < n);
	k->rd[k->nrd].c = c;
	k->rd[k->nrd].id = id;
	k->nrd++;
	log_info("console %u (%s): opened by pid %d", k->req.domid, k->req.name,
		 (int)ipc_client_pid(c));
}

void
xdd_cons_input(struct xdd *d, struct ipc_client *c, uint32_t id,
	       const struct xdd_cons_input *req)
{
	struct cons *k = served(d, c, XDD_CONS_INPUT, id, req->domid);
	size_t take_n;

	if (k == NULL)
		return;
	take_n = sizeof(k->in) - k->inlen;
	if (take_n > req->len)
		take_n = req->len;
	memcpy(k->in + k->inlen, req->data, take_n);
	k->inlen += take_n;
	if (feed(k))
		hv_evtchn_notify(d->hv, k->local);
	if (take_n < req->len)
		ipc_reply(c, XDD_CONS_INPUT, id, ENOBUFS, NULL, 0,
			  "%zu of %u bytes taken: the guest reads no input",
			  take_n, req->len);
	else
		ipc_reply(c, XDD_CONS_INPUT, id, 0, NULL, 0, NULL);
}

int
xdd_cons_evtchn_fd(struct xdd *d)
{
	/* one handle for the consoles' and the noxs vifs' channels */
	return d->conss != NULL || d->nbvifs != NULL ? hv_evtchn_fd(d->hv) : -1;
}

void
xdd_cons_events(struct xdd *d)
{
	struct cons *k;
	uint32_t local;
	int i;

	for (i = 0; i < 4096; i++) {
		if (hv_evtchn_pending(d->hv, &local) < 0) {
			if (errno == EAGAIN)
				return;
			/* lost track of which fired: read every ring */
			log_warn("console events: %s; reading every ring",
				 strerror(errno));
			for (k = d->conss; k != NULL; k = k->next)
				drain(d, k);
			xdd_nb_kick_all(d);
			return;
		}
		for (k = d->conss; k != NULL; k = k->next)
			if (k->local == local)
				break;
		if (k != NULL)
			drain(d, k);
		else
			xdd_nb_event(d, local); /* a noxs vif's, or none */
	}
}

/* every domain, in domid order, into a malloc'd vector; -1 with errno */
static int
list_all(struct xdd *d, struct hv_dominfo **v, size_t *n)
{
	struct hv_dominfo *all = NULL, *bigger;
	size_t cap = 0, have = 0;
	uint32_t first = 0;
	int got;

	do {
		if (cap - have < LIST_BATCH) {
			cap += LIST_BATCH * 4;
			bigger = realloc(all, cap * sizeof(*all));
			if (bigger == NULL) {
				free(all);
				return -1;
			}
			all = bigger;
		}
		got = hv_domain_list(d->hv, first, all + have, LIST_BATCH);
		if (got < 0) {
			free(all);
			return -1;
		}
		have += (size_t)got;
		if (got > 0)
			first = all[have - 1].domid + 1;
	} while (got == LIST_BATCH);
	*v = all;
	*n = have;
	return 0;
}

static int
by_domid(const void *key, const void *elem)
{
	uint32_t a = *(const uint32_t *)key,
		 b = ((const struct hv_dominfo *)elem)->domid;

	return a < b ? -1 : a > b;
}

/* every ring read; the consoles of finished domains let go */
static void
sweep(struct xdd *d)
{
	struct hv_dominfo *all, *di;
	struct cons *k, *next;
	size_t n;
	int listed = list_all(d, &all, &n) == 0;

	if (!listed)
		log_warn("consoles: cannot list domains: %s", strerror(errno));
	for (k = d->conss; k != NULL; k = next) {
		next = k->next;
		drain(d, k);
		if (!listed)
			continue;
		di = bsearch(&k->req.domid, all, n, sizeof(*all), by_domid);
		/* the last read above came after the domain stopped writing:
		 * nothing it wrote is lost */
		if (di == NULL || memcmp(di->uuid, k->uuid, 16) != 0)
			let_go(d, k, ESRCH, "gone");
		else if (xdd_finished(di))
			let_go(d, k, ESRCH,
			       di->flags & HV_DYING ? "dying" : "shut down");
	}
	if (listed)
		free(all);
}

int
xdd_cons_reap(struct xdd *d)
{
	int64_t now = clk_now_ms();

	if (d->conss == NULL)
		return -1;
	if (now >= d->cons_sweep_ms) {
		sweep(d);
		d->cons_sweep_ms = now + SWEEP_MS;
	}
	return (int)(d->cons_sweep_ms - now);
}

void
xdd_cons_client_gone(struct xdd *d, struct ipc_client *c)
{
	struct cons *k;
	unsigned at;

	while ((k = reader_of(d, c, &at)) != NULL) {
		k->rd[at] = k->rd[k->nrd - 1];
		k->nrd--;
	}
}

void
xdd_cons_adopt(struct xdd *d)
{
	struct xdd_cons req;
	struct hv_dominfo di;
	struct reg_record r;
	uint32_t *ids;
	size_t n, i;
	char why[160];
	int err;

	/* no hypervisor (a test without Xen): nothing to take back */
	if (xdd_hv_ready(d) < 0 || reg_record_list(&ids, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (find(d, ids[i]) != NULL || reg_record_read(ids[i], &r) < 0)
			continue;
		/* chaos's record, of this very domain, still running */
		if (r.noxs && r.console_port != 0 &&
		    hv_domain_info(d->hv, r.domid, &di) == 0 &&
		    memcmp(di.uuid, r.uuid, 16) == 0 && !xdd_finished(&di)) {
			memset(&req, 0, sizeof(req));
			req.domid = r.domid;
			req.port = r.console_port;
			req.map = XDD_CONS_GRANT;
			req.gref = 0; /* GNTTAB_RESERVED_CONSOLE */
			snprintf(req.name, sizeof(req.name), "%s", r.name);
			err = take(d, &req, why, sizeof(why));
			if (err != 0)
				log_warn("console %u (%s): not taken back: %s",
					 r.domid, r.name, why);
			else
				log_info("console %u (%s): taken back", r.domid,
					 r.name);
		}
		reg_record_free(&r);
	}
	free(ids);
}

void
xdd_cons_reopen(struct xdd *d)
{
	struct cons *k;

	for (k = d->conss; k != NULL; k = k->next) {
		if (k->logfd >= 0)
			close(k->logfd);
		k->logfd = -1;
		log_open_file(d, k);
	}
}

void
xdd_cons_forget_all(struct xdd *d)
{
	while (d->conss != NULL) {
		drain(d, d->conss);
		let_go(d, d->conss, ECONNABORTED, "let go (xendevd stops)");
	}
}
