/* monstate.c: the monitor's memory of domains and its decisions (pure). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monstate.h"

struct mon_dom *
mon_find(struct mon_set *s, uint32_t domid, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].domid == domid &&
		    memcmp(s->v[i].uuid, uuid, 16) == 0)
			return &s->v[i];
	return NULL;
}

struct mon_dom *
mon_find_local(struct mon_set *s, uint32_t local)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if ((s->v[i].flags & MON_F_NOTICE) &&
		    s->v[i].notice_local == local)
			return &s->v[i];
	return NULL;
}

struct mon_dom *
mon_add(struct mon_set *s, uint32_t domid, const uint8_t uuid[16],
	unsigned epoch)
{
	struct mon_dom *d;

	if (s->n == s->cap) {
		d = reallocarray(s->v, s->cap ? s->cap * 2 : 16, sizeof(*d));
		if (d == NULL)
			return NULL;
		s->v = d;
		s->cap = s->cap ? s->cap * 2 : 16;
	}
	d = &s->v[s->n++];
	memset(d, 0, sizeof(*d));
	d->domid = domid;
	memcpy(d->uuid, uuid, 16);
	d->epoch = epoch;
	d->flags = MON_F_SEEN;
	return d;
}

void
mon_scan_begin(struct mon_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		s->v[i].flags &= ~(unsigned)MON_F_SEEN;
}

void
mon_scan_end(struct mon_set *s, void (*drop)(struct mon_dom *, void *),
	     void *arg)
{
	size_t i, keep = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].flags & MON_F_SEEN) {
			s->v[keep++] = s->v[i];
			continue;
		}
		if (drop != NULL)
			drop(&s->v[i], arg);
	}
	s->n = keep;
}

void
mon_set_free(struct mon_set *s, void (*drop)(struct mon_dom *, void *),
	     void *arg)
{
	size_t i;

	for (i = 0; drop != NULL && i < s->n; i++)
		drop(&s->v[i], arg);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

enum mon_verdict
mon_judge(int rc, int err, const struct hv_dominfo *di, const uint8_t uuid[16],
	  const struct mon_dom *d)
{
	if (rc < 0)
		return err == ESRCH ? MON_FORGET : MON_RETRY;
	if (di->flags & HV_DYING)
		return MON_FORGET;
	if (memcmp(di->uuid, uuid, 16) != 0)
		return MON_STALE;
	if (!(di->flags & HV_SHUTDOWN) ||
	    di->shutdown_reason == HV_SHUTDOWN_SUSPEND)
		return MON_RUNNING;
	if (d != NULL && (d->flags & MON_F_HANDLED))
		return MON_DONE;
	return MON_ACT;
}

enum mon_verdict
mon_decide(struct mon_set *s, uint32_t domid, const uint8_t uuid[16],
	   unsigned epoch, int rc, int err, const struct hv_dominfo *di,
	   struct mon_dom **dp)
{
	struct mon_dom *d = mon_find(s, domid, uuid);
	enum mon_verdict v = mon_judge(rc, err, di, uuid, d);

	*dp = NULL;
	if (v == MON_FORGET || v == MON_STALE)
		return v; /* unseen: mon_scan_end drops its entry */
	if (d == NULL)
		d = mon_add(s, domid, uuid, epoch);
	if (d == NULL)
		return MON_RETRY; /* unable to remember an action: not now */
	d->flags |= MON_F_SEEN;
	if (v == MON_ACT)
		d->flags |= MON_F_HANDLED;
	if (v == MON_ACT || v == MON_DONE)
		d->hurry_until = 0; /* its shutdown is seen */
	*dp = d;
	return v;
}

void
mon_noticed(struct mon_dom *d, int64_t now)
{
	d->flags |= MON_F_NOTICED;
	d->hurry_until = now + MON_HURRY_FOR_MS;
}

/* the shorter of two sleeps, -1 being forever */
static int
shorter(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

int
mon_sleep_ms(const struct mon_set *s, enum mon_wake w, unsigned epoch,
	     int64_t now)
{
	const struct mon_dom *d;
	int t = w == MON_WAKE_NONE ? MON_POLL_MS : -1;
	size_t i;

	for (i = 0; i < s->n; i++) {
		d = &s->v[i];
		if (d->hurry_until > now)
			t = shorter(t, MON_HURRY_MS);
		if ((d->flags & MON_F_HANDLED) || w != MON_WAKE_XS)
			continue;
		if (d->flags & MON_F_NOXS)
			t = shorter(t, (d->flags & MON_F_NOTICE)
					       ? MON_FALLBACK_MS
					       : MON_POLL_MS);
		else if (d->epoch != epoch)
			t = shorter(t, MON_POLL_MS);
	}
	return t;
}

int
mon_rename_name(char *buf, size_t len, const char *name, time_t when,
		uint32_t domid)
{
	char tail[40];
	struct tm tm;
	int n, room;

	/* NAME-YYYYMMDDTHHMMZ-dDOMID: when, for people; the domid, which no
	 * other live domain has, so that no two keeps share a name */
	gmtime_r(&when, &tm);
	snprintf(tail, sizeof(tail), "-%04d%02d%02dT%02d%02dZ-d%u",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, domid);
	room = 64 - (int)strlen(tail);
	n = snprintf(buf, len, "%.*s%s", room, name, tail);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
mon_rl_allow(struct mon_rl *rl, int64_t now, unsigned *missed)
{
	if (now < rl->next) {
		rl->missed++;
		return 0;
	}
	*missed = rl->missed;
	rl->missed = 0;
	rl->next = now + MON_RL_MS;
	return 1;
}
