/* monitor.c: the per-host process that acts on domain shutdowns. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "clock.h"
#include "monitor.h"
#include "monstate.h"
#include "registry.h"
#include "toolstack.h"
#include "xsdom.h"
#include "xswatch.h"

/* The monitor: its connections and its memory of the domains. */
struct mon {
	struct ts ts;
	struct mon_set set; /* every domain of the registry it has seen */
	enum mon_wake wake; /* what tells it of shutdowns */
	unsigned epoch;	    /* counts xenstored connections */
	struct xsw watch;   /* @releaseDomain on a connection of its own,
			     * which reads end-of-file when xenstored dies
			     * (MON_WAKE_XS) */
	int creating;	    /* creates under way, whose creators may die */
	uint32_t virq;	    /* our VIRQ_DOM_EXC port (MON_WAKE_VIRQ) */
	struct mon_rl rl;   /* for "cannot tell" lines */
};

static void __attribute__((format(printf, 1, 2))) logmsg(const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	va_list ap;

	/* wall clock for people, boot clock in ms for measurements */
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(stderr, "%s [%lld] chaos-monitor: ", when,
		(long long)clk_now_ms());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
lock_path(char *buf, size_t len)
{
	return snprintf(buf, len, "%s/monitor.lock", reg_dir()) < (int)len ? 0
									   : -1;
}

int
monitor_ensure(void)
{
	char path[PATH_MAX], pidbuf[24] = "";
	pid_t pid;
	int fd, busy;

	if (lock_path(path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		busy = errno == EWOULDBLOCK;
		/* one runs: tell it to look, there may be a new noxs guest,
		 * of which xenstored will not tell it */
		if (busy && read(fd, pidbuf, sizeof(pidbuf) - 1) > 0) {
			pid = (pid_t)strtol(pidbuf, NULL, 10);
			if (pid > 1)
				kill(pid, SIGUSR1);
		}
		close(fd);
		return busy ? 0 : -1;
	}
	close(fd); /* the monitor takes the lock itself */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return 0;
	}
	/* child: detach twice so the monitor is nobody's child */
	setsid();
	if (fork() != 0)
		_exit(0);
	snprintf(path, sizeof(path), "%s/monitor.log", reg_dir());
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	/* a process of its own name, so ps shows what it is */
	execl("/proc/self/exe", "chaos", "monitor", (char *)NULL);
	_exit(monitor_run());
}

/* The config the domain was made from, parsed again. */
static int
load_record(const struct reg_record *r, struct domcfg *dc)
{
	struct diag d = {.source = r->name};
	struct cfg cfg = {0};
	int rc = -1;

	if (cfg_parse(&cfg, r->config, r->config_len, &d) == 0 &&
	    domcfg_from_cfg(dc, &cfg, &d) == 0) {
		free(dc->name); /* it may have been renamed since */
		dc->name = strdup(r->name);
		rc = dc->name != NULL ? 0 : -1;
		if (rc < 0)
			domcfg_free(dc);
	}
	cfg_free(&cfg);
	return rc;
}

static void
restart(struct ts *ts, const struct reg_record *r, struct domcfg *dc,
	int rename_old)
{
	char newname[96];
	uint32_t domid;

	if (rename_old) {
		if (mon_rename_name(newname, sizeof(newname), r->name,
				    time(NULL), r->domid) < 0 ||
		    ts_rename(ts, r->domid, newname) < 0) {
			logmsg("%s: kept, not restarted: %s", r->name, ts->err);
			return;
		}
		logmsg("%s: kept as %s", r->name, newname);
	} else if (ts_destroy(ts, r->domid) < 0) {
		logmsg("%s: not restarted: %s", r->name, ts->err);
		return;
	}
	if (ts_create(ts, dc, r->config, r->config_len, 0, &domid) < 0)
		logmsg("%s: restart failed: %s", r->name, ts->err);
	else
		logmsg("%s: restarted as domain %u", r->name, domid);
}

/* Carry out what the config says for this shutdown.  Called once per
 * shutdown of a domain (mon_decide); a failure is logged, not retried. */
static void
act(struct ts *ts, const struct reg_record *r, unsigned reason, int noticed)
{
	static const char *const why[] = {"powered off", "rebooted",
					  "suspended",	 "crashed",
					  "watchdog",	 "soft reset"};
	struct domcfg dc;
	enum dc_action a = DC_ACT_DESTROY;

	logmsg("%s (domain %u) %s%s", r->name, r->domid,
	       reason < 6 ? why[reason] : "shut down",
	       noticed ? " (its notice woke us)" : "");
	if (load_record(r, &dc) < 0) {
		logmsg("%s: cannot read its config; destroying it", r->name);
		if (ts_destroy(ts, r->domid) < 0)
			logmsg("%s", ts->err);
		return;
	}
	if (reason == HV_SHUTDOWN_POWEROFF)
		a = dc.on_poweroff;
	else if (reason == HV_SHUTDOWN_REBOOT)
		a = dc.on_reboot;
	else if (reason == HV_SHUTDOWN_CRASH)
		a = dc.on_crash;
	else if (reason == HV_SHUTDOWN_WATCHDOG)
		a = dc.on_watchdog;
	else if (reason == HV_SHUTDOWN_SOFT_RESET)
		a = dc.on_soft_reset;
	switch (a) {
	case DC_ACT_PRESERVE: break; /* mon_decide remembers it */
	case DC_ACT_RESTART:
	case DC_ACT_COREDUMP_RESTART: restart(ts, r, &dc, 0); break;
	case DC_ACT_RENAME_RESTART: restart(ts, r, &dc, 1); break;
	default: /* destroy; chaos writes no core dumps and cannot
		  * soft-reset a guest */
		if (ts_destroy(ts, r->domid) < 0)
			logmsg("%s", ts->err);
		break;
	}
	domcfg_free(&dc);
}

/*
 * A record whose domid Xen now gives to a domain of another uuid: the
 * domain it described died unseen.  Its record and name go; XenStore is
 * left alone, its nodes under that domid are the new domain's.
 */
static void
forget_stale(const struct reg_record *r)
{
	reg_release(r->name, r->domid); /* only if bound to it, decided
					 * under the registry lock */
	reg_record_remove(r->domid);
}

/*
 * A noxs guest's notice channel, bound for the rest of its life (its port
 * comes from our record, never from its page).  Bound before its state is
 * read: a notice sent before the binding is lost, but the shutdown right
 * after it is then what the read sees (or, in a narrow race, the slow
 * poll).  1 when bound (*local).
 */
static int
bind_notice(struct mon *m, const struct reg_record *r, uint32_t *local)
{
	struct mon_dom *d = mon_find(&m->set, r->domid, r->uuid);

	if (!r->noxs || r->notice_port == 0 ||
	    (d != NULL &&
	     (d->flags & (MON_F_NOTICE | MON_F_NOTICE_FAILED | MON_F_HANDLED))))
		return 0;
	return hv_evtchn_bind(m->ts.hv, r->domid, r->notice_port, local) == 0;
}

/* An entry leaves the monitor's memory: give its channel back. */
static void
drop(struct mon_dom *d, void *arg)
{
	struct mon *m = arg;

	if (d->flags & MON_F_NOTICE)
		hv_evtchn_unbind(m->ts.hv, d->notice_local);
}

/* One registry record; 1 when it acted on a shutdown. */
static int
look(struct mon *m, uint32_t domid)
{
	struct hv_dominfo di;
	struct reg_record r;
	struct mon_dom *d;
	enum mon_verdict v;
	unsigned missed;
	uint32_t local = 0;
	int rc, e, ie, bound, acted = 0;

	if (reg_record_read(domid, &r) < 0) {
		/* unreadable: forget it once its domain is surely gone */
		rc = hv_domain_info(m->ts.hv, domid, &di);
		if ((rc < 0 && errno == ESRCH) ||
		    (rc == 0 && (di.flags & HV_DYING)))
			ts_forget(&m->ts, domid);
		return 0;
	}
	bound = bind_notice(m, &r, &local);
	e = errno; /* the bind's, for the log below */
	rc = hv_domain_info(m->ts.hv, domid, &di);
	ie = errno;
	v = mon_decide(&m->set, domid, r.uuid, m->epoch, rc, ie, &di, &d);
	if (d != NULL && r.noxs)
		d->flags |= MON_F_NOXS;
	if (bound && d != NULL) {
		d->flags |= MON_F_NOTICE;
		d->notice_local = local;
	} else if (bound) {
		hv_evtchn_unbind(m->ts.hv, local);
	} else if (d != NULL && v == MON_RUNNING && r.noxs && r.notice_port &&
		   !(d->flags & (MON_F_NOTICE | MON_F_NOTICE_FAILED))) {
		d->flags |= MON_F_NOTICE_FAILED; /* said once, polled */
		logmsg("%s (domain %u): cannot bind its notice channel: %s; "
		       "looking every %d ms instead",
		       r.name, domid, strerror(e), MON_POLL_MS);
	}
	switch (v) {
	case MON_FORGET: ts_forget(&m->ts, domid); break;
	case MON_STALE:
		logmsg("%s (domain %u) died unseen; the domid is another "
		       "domain's now",
		       r.name, domid);
		forget_stale(&r);
		break;
	case MON_RETRY:
		if (mon_rl_allow(&m->rl, clk_now_ms(), &missed))
			logmsg("%s (domain %u): cannot tell its state: %s; "
			       "looking again (%u such lines held back)",
			       r.name, domid, strerror(ie), missed);
		break;
	case MON_ACT:
		act(&m->ts, &r, di.shutdown_reason,
		    (d->flags & MON_F_NOTICED) != 0);
		acted = 1;
		break;
	default: break;
	}
	reg_record_free(&r);
	return acted;
}

/* Undo creates whose creator died half-way (killed, crashed); how many
 * are still under way (their creators' deaths send no event). */
static int
reap(struct ts *ts)
{
	static unsigned last_bad;
	unsigned reaped, bad = last_bad;
	int waiting;

	waiting = ts_reap(ts, &reaped, &bad);
	if (waiting < 0)
		logmsg("%s", ts->err);
	if (reaped > 0)
		logmsg("undid %u create%s whose creator died", reaped,
		       reaped == 1 ? "" : "s");
	if (bad != last_bad && bad > 0) /* once, not every scan */
		logmsg("%s/creating: %u corrupt entr%s skipped", reg_dir(), bad,
		       bad == 1 ? "y" : "ies");
	last_bad = bad;
	return waiting > 0 ? waiting : 0;
}

/* Every record in the registry; -1 when they cannot be listed. */
static int
look_at_records(struct mon *m)
{
	uint32_t *ids;
	size_t n, i;
	int acted = 0;

	if (reg_record_list(&ids, &n) < 0) {
		logmsg("cannot list %s/doms: %s", reg_dir(), strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		acted += look(m, ids[i]);
	free(ids);
	return acted;
}

/*
 * One look at everything the monitor answers for, one call per pass (so
 * that another pass, say over half-made domains, drops in beside them);
 * what the passes did not see no longer exists and is dropped from its
 * memory.  Returns how many shutdowns it acted on.
 */
static int
scan(struct mon *m)
{
	int acted;

	mon_scan_begin(&m->set);
	acted = look_at_records(m);
	if (acted < 0)
		return 0; /* saw nothing: forget nothing */
	m->creating = reap(&m->ts);
	mon_scan_end(&m->set, drop, m);
	return acted;
}

/*
 * What wakes the monitor (docs/architecture.md, "One monitor").
 *
 * With xenstored: its @releaseDomain watch, which covers the guests
 * introduced to it.  noxs guests are not; each signals its notice channel
 * (bound here) right before it shuts itself down, and a slow poll catches
 * their crashes.  A silent second connection to xenstored reads
 * end-of-file when xenstored dies (libxenstore tells its watchers
 * nothing): the monitor says so, looks at every domain each MON_POLL_MS
 * and asks each time whether xenstored is back, then watches again.  It
 * does not bind VIRQ_DOM_EXC meanwhile: xenstored cannot start while
 * another process holds it.
 *
 * Without xenstored when it starts (a host of noxs guests only), the
 * monitor binds VIRQ_DOM_EXC itself.
 */
static void
wake(int sig)
{
	(void)sig;
}

/* Watch @releaseDomain (m->ts.xs open for requests), which also tells
 * of xenstored's end. */
static int
xs_attach(struct mon *m)
{
	if (xsw_open(&m->watch, "@releaseDomain", "chaos") < 0) {
		logmsg("cannot watch @releaseDomain: %s", strerror(errno));
		return -1;
	}
	m->wake = MON_WAKE_XS;
	return 0;
}

static void
xs_detach(struct mon *m)
{
	if (m->ts.xs != NULL)
		xs_close(m->ts.xs);
	xsw_close(&m->watch);
	m->ts.xs = NULL;
	m->wake = MON_WAKE_NONE;
}

static void
xs_lost(struct mon *m, const char *why)
{
	xs_detach(m);
	logmsg("xenstored is gone (%s): looking at every domain each %d ms "
	       "until it answers again; VIRQ_DOM_EXC stays free for it",
	       why, MON_POLL_MS);
}

/* Without xenstored: is it back?  Then watch it again. */
static void
xs_try_return(struct mon *m)
{
	if (!xsdom_daemon_answers() || (m->ts.xs = xs_open(0)) == NULL)
		return;
	if (xs_attach(m) < 0) {
		xs_detach(m);
		return;
	}
	m->epoch++;
	logmsg("xenstored answers again: woken by @releaseDomain; guests "
	       "made before it came back are looked at every %d ms",
	       MON_POLL_MS);
}

/* Drain the event channels that fired: VIRQ_DOM_EXC or notices. */
static void
take_events(struct mon *m)
{
	struct mon_dom *d;
	uint32_t fired;

	while (hv_evtchn_pending(m->ts.hv, &fired) == 0) {
		if (m->wake == MON_WAKE_VIRQ && fired == m->virq)
			continue;
		d = mon_find_local(&m->set, fired);
		if (d != NULL)
			mon_noticed(d, clk_now_ms());
	}
}

/* Wait for what wakes the monitor, at most timeout ms; -1 on failure. */
static int
wait_events(struct mon *m, int timeout)
{
	struct pollfd pfd[2] = {
		{.fd = m->wake == MON_WAKE_XS ? m->watch.fd : -1,
		 .events = POLLIN},
		{.fd = hv_evtchn_fd(m->ts.hv), .events = POLLIN},
	};

	if (poll(pfd, 2, timeout) < 0)
		return errno == EINTR ? 0 : -1;
	if (pfd[1].revents & POLLIN)
		take_events(m);
	if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
	    xsw_read(&m->watch) < 0)
		xs_lost(m,
			errno == ECONNRESET ? "it hung up" : strerror(errno));
	return 0;
}

int
monitor_run(void)
{
	static struct mon m = {.watch = {.fd = -1}};
	char path[PATH_MAX], pidbuf[24];
	struct sigaction sa;
	int fd, timeout, acted;

	if (lock_path(path, sizeof(path)) < 0)
		return 1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		logmsg("another monitor runs (%s)", path);
		return 0;
	}
	/* our pid, so creates can wake us (SIGUSR1 interrupts poll) */
	snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, pidbuf, strlen(pidbuf)) < 0)
		logmsg("cannot write %s: %s", path, strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake; /* no SA_RESTART: poll returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	if (ts_open(&m.ts) < 0) {
		logmsg("%s", m.ts.err);
		return 1;
	}
	if (m.ts.xs != NULL) {
		if (xs_attach(&m) < 0) {
			xs_detach(&m);
			ts_close(&m.ts);
			return 1;
		}
	} else if (hv_bind_dom_exc(m.ts.hv, &m.virq) == 0) {
		m.wake = MON_WAKE_VIRQ;
	} else {
		logmsg("no xenstored, and VIRQ_DOM_EXC: %s", strerror(errno));
		ts_close(&m.ts);
		return 1;
	}
	logmsg("started (pid %ld), woken by %s", (long)getpid(),
	       m.wake == MON_WAKE_XS ? "@releaseDomain and noxs guests' "
				       "notices"
				     : "VIRQ_DOM_EXC");
	for (;;) {
		acted = scan(&m);
		/* what it did may have made domains (restarts): look again */
		timeout = acted > 0 ? 0
				    : mon_sleep_ms(&m.set, m.wake, m.epoch,
						   clk_now_ms());
		/* a creator killed outright sends no event: look each second
		 * while a create is under way */
		if (m.creating > 0 && (timeout < 0 || timeout > 1000))
			timeout = 1000;
		if (wait_events(&m, timeout) < 0) {
			logmsg("poll: %s", strerror(errno));
			break;
		}
		if (m.wake == MON_WAKE_NONE)
			xs_try_return(&m);
	}
	mon_set_free(&m.set, drop, &m);
	xs_detach(&m);
	ts_close(&m.ts);
	return 1;
}
