/*
 * monstate.h: the monitor's memory of the domains it watches, and the
 * decisions it takes from that memory.  Pure (no hypervisor, no files, no
 * clock of its own), so that tests/unit/test_monstate.c can drive it.
 */
#ifndef CHAOS_MONSTATE_H
#define CHAOS_MONSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hv.h"

/*
 * One domain instance: a domid and the uuid Xen holds for it.  A domid
 * that a new domain reuses is a new instance, so nothing decided about the
 * old one carries over.
 */
struct mon_dom {
	uint32_t domid;
	uint8_t uuid[16];
	unsigned flags;	       /* MON_F_* */
	unsigned epoch;	       /* the xenstored connection it was first seen
				* under (see mon_sleep_ms) */
	uint32_t notice_local; /* our end of its notice channel */
	int64_t hurry_until;   /* ms; its notice fired, no shutdown seen yet */
};

#define MON_F_SEEN	    0x01 /* looked at in the current scan */
#define MON_F_HANDLED	    0x02 /* its shutdown was acted on, or kept as is */
#define MON_F_NOXS	    0x04 /* made in noxs mode: xenstored never hears of it */
#define MON_F_NOTICE	    0x08 /* notice_local is bound */
#define MON_F_NOTICE_FAILED 0x10 /* binding its notice channel failed once */
#define MON_F_NOTICED	    0x20 /* its notice fired since it was last acted on */

/* The domains the monitor knows; grows as needed. */
struct mon_set {
	struct mon_dom *v;
	size_t n, cap;
};

/* The entry of this instance, or NULL. */
struct mon_dom *mon_find(struct mon_set *s, uint32_t domid,
			 const uint8_t uuid[16]);

/* The entry whose notice channel is our port local, or NULL. */
struct mon_dom *mon_find_local(struct mon_set *s, uint32_t local);

/* A new entry (flags 0 but MON_F_SEEN); NULL with errno when out of memory.
 * Pointers to entries are valid until the next mon_add or mon_scan_end. */
struct mon_dom *mon_add(struct mon_set *s, uint32_t domid,
			const uint8_t uuid[16], unsigned epoch);

/* Start a scan: every entry unseen. */
void mon_scan_begin(struct mon_set *s);

/* End a scan: every entry not seen since mon_scan_begin is a domain that
 * no longer exists; drop(d, arg) (may be NULL) runs for each, then it
 * goes. */
void mon_scan_end(struct mon_set *s, void (*drop)(struct mon_dom *, void *),
		  void *arg);

/* Drop everything (drop as for mon_scan_end) and free the set. */
void mon_set_free(struct mon_set *s, void (*drop)(struct mon_dom *, void *),
		  void *arg);

enum mon_verdict {
	MON_FORGET,  /* gone or dying: clear its registry entries */
	MON_STALE,   /* the domid names another domain now: the record is
		      * of a dead one; drop the record, touch nothing else */
	MON_RETRY,   /* could not tell: say so (rate-limited), look again */
	MON_RUNNING, /* alive, not shut down (or suspended: a save owns it) */
	MON_ACT,     /* shut down and not yet acted on: act, once */
	MON_DONE,    /* shut down and already acted on: nothing */
};

/*
 * What to do about a registry record of domid whose uuid is uuid, given
 * what hv_domain_info said (rc, and errno as err when rc < 0; di when 0)
 * and the monitor's entry for it (d, or NULL).
 */
enum mon_verdict mon_judge(int rc, int err, const struct hv_dominfo *di,
			   const uint8_t uuid[16], const struct mon_dom *d);

/*
 * The monitor's whole decision on one registry record in a scan: the
 * entry of (domid, uuid) is found or added (epoch: the monitor's current
 * one) and marked seen, then judged; an ACT is remembered as handled
 * before the action runs, whatever its outcome.  *dp gets the entry, or
 * NULL when the verdict is FORGET or STALE.
 */
enum mon_verdict mon_decide(struct mon_set *s, uint32_t domid,
			    const uint8_t uuid[16], unsigned epoch, int rc,
			    int err, const struct hv_dominfo *di,
			    struct mon_dom **dp);

/* Its notice channel fired at now (ms): look again soon, in case the
 * guest's shutdown is not yet visible, until MON_HURRY_FOR_MS pass. */
void mon_noticed(struct mon_dom *d, int64_t now);

/* What wakes the monitor when a domain shuts down. */
enum mon_wake {
	MON_WAKE_VIRQ, /* VIRQ_DOM_EXC, bound by the monitor: every domain */
	MON_WAKE_XS,   /* xenstored's @releaseDomain: the domains introduced
			* to this xenstored (epoch), never noxs guests */
	MON_WAKE_NONE, /* xenstored has gone: nothing (VIRQ_DOM_EXC is left
			* free, for xenstored cannot start without it) */
};

#define MON_POLL_MS 250 /* what no event covers, looked at this often */
#define MON_FALLBACK_MS                                                        \
	1000		   /* noxs guests with a notice channel: for           \
			    * crashes, which send no notice */
#define MON_HURRY_MS	 2 /* a notice fired, its shutdown not yet seen */
#define MON_HURRY_FOR_MS 200

/*
 * How long the monitor may sleep before its next scan, in ms (-1: until
 * an event), woken as w says, epoch being its current xenstored
 * connection and now the time in ms.  Without xenstored it looks every
 * MON_POLL_MS (and asks whether xenstored is back); with it, as long as a
 * live domain is not covered by @releaseDomain: noxs guests, and those
 * made under an earlier xenstored, which the present one does not know.
 */
int mon_sleep_ms(const struct mon_set *s, enum mon_wake w, unsigned epoch,
		 int64_t now);

/*
 * The name a rename-restart gives the domain it keeps: name, a UTC
 * timestamp of when, and its domid (a live domain's domid is unique, so
 * two keeps never collide), cut to fit dc_check_name's 64 characters.
 * 0, or -1 when buf is too small.
 */
int mon_rename_name(char *buf, size_t len, const char *name, time_t when,
		    uint32_t domid);

/* A rate limit for a log line: at most one per MON_RL_MS. */
#define MON_RL_MS 10000
struct mon_rl {
	int64_t next; /* ms before which nothing is logged */
	unsigned missed;
};

/* 1 when a line may be logged at now (ms); *missed then says how many
 * were held back since the last one. */
int mon_rl_allow(struct mon_rl *rl, int64_t now, unsigned *missed);

#endif
