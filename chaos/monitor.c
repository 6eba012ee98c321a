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
#include "monitor.h"
#include "monstate.h"
#include "registry.h"
#include "toolstack.h"

/* The monitor: its connections and its memory of the domains. */
struct mon {
	struct ts ts;
	struct mon_set set; /* every domain of the registry it has seen */
	unsigned epoch;	    /* counts xenstored connections */
	struct mon_rl rl;   /* for "cannot tell" lines */
};

static void __attribute__((format(printf, 1, 2))) logmsg(const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	struct timespec boot;
	va_list ap;

	/* wall clock for people, boot clock in ms for measurements */
	clock_gettime(CLOCK_BOOTTIME, &boot);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(stderr, "%s [%lld] chaos-monitor: ", when,
		(long long)boot.tv_sec * 1000 + boot.tv_nsec / 1000000);
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
act(struct ts *ts, const struct reg_record *r, unsigned reason)
{
	static const char *const why[] = {"powered off", "rebooted",
					  "suspended",	 "crashed",
					  "watchdog",	 "soft reset"};
	struct domcfg dc;
	enum dc_action a = DC_ACT_DESTROY;

	logmsg("%s (domain %u) %s", r->name, r->domid,
	       reason < 6 ? why[reason] : "shut down");
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
	switch (a) {
	case DC_ACT_PRESERVE: break; /* mon_decide remembers it */
	case DC_ACT_RESTART:
	case DC_ACT_COREDUMP_RESTART: restart(ts, r, &dc, 0); break;
	case DC_ACT_RENAME_RESTART: restart(ts, r, &dc, 1); break;
	default: /* destroy; chaos writes no core dumps */
		if (ts_destroy(ts, r->domid) < 0)
			logmsg("%s", ts->err);
		break;
	}
	domcfg_free(&dc);
}

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * A record whose domid Xen now gives to a domain of another uuid: the
 * domain it described died unseen.  Its record and name go; XenStore is
 * left alone, its nodes under that domid are the new domain's.
 */
static void
forget_stale(const struct reg_record *r)
{
	uint32_t bound;

	if (reg_lookup(r->name, &bound) == 0 && bound == r->domid)
		reg_release(r->name);
	reg_record_remove(r->domid);
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
	int rc, e, acted = 0;

	if (reg_record_read(domid, &r) < 0) {
		/* unreadable: forget it once its domain is surely gone */
		rc = hv_domain_info(m->ts.hv, domid, &di);
		if ((rc < 0 && errno == ESRCH) ||
		    (rc == 0 && (di.flags & HV_DYING)))
			ts_forget(&m->ts, domid);
		return 0;
	}
	rc = hv_domain_info(m->ts.hv, domid, &di);
	e = errno;
	v = mon_decide(&m->set, domid, r.uuid, m->epoch, rc, e, &di, &d);
	if (d != NULL && r.noxs)
		d->flags |= MON_F_NOXS;
	switch (v) {
	case MON_FORGET: ts_forget(&m->ts, domid); break;
	case MON_STALE:
		logmsg("%s (domain %u) died unseen; the domid is another "
		       "domain's now",
		       r.name, domid);
		forget_stale(&r);
		break;
	case MON_RETRY:
		if (mon_rl_allow(&m->rl, now_ms(), &missed))
			logmsg("%s (domain %u): cannot tell its state: %s; "
			       "looking again (%u such lines held back)",
			       r.name, domid, strerror(e), missed);
		break;
	case MON_ACT:
		act(&m->ts, &r, di.shutdown_reason);
		acted = 1;
		break;
	default: break;
	}
	reg_record_free(&r);
	return acted;
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
	mon_scan_end(&m->set, NULL, NULL);
	return acted;
}

/* Live noxs guests not yet acted on: xenstored does not report them. */
static int
noxs_live(const struct mon *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < m->set.n; i++)
		n += (m->set.v[i].flags & (MON_F_NOXS | MON_F_HANDLED)) ==
		     MON_F_NOXS;
	return n;
}

/*
 * What wakes the monitor.  With xenstored: its @releaseDomain watch, which
 * covers the guests introduced to it; noxs guests are not, so while any
 * live, the monitor also looks every 250 ms.  Without xenstored (a host of
 * noxs guests only) the monitor binds VIRQ_DOM_EXC itself.
 */
static void
wake(int sig)
{
	(void)sig;
}

int
monitor_run(void)
{
	static struct mon m;
	char path[PATH_MAX], **ev, pidbuf[24];
	struct sigaction sa;
	struct pollfd pfd;
	uint32_t virq = 0, fired;
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
		if (!xs_watch(m.ts.xs, "@releaseDomain", "chaos")) {
			logmsg("cannot watch @releaseDomain: %s",
			       strerror(errno));
			ts_close(&m.ts);
			return 1;
		}
		pfd.fd = xs_fileno(m.ts.xs);
	} else if (hv_bind_dom_exc(m.ts.hv, &virq) == 0) {
		pfd.fd = hv_evtchn_fd(m.ts.hv);
	} else {
		logmsg("no xenstored, and VIRQ_DOM_EXC: %s", strerror(errno));
		ts_close(&m.ts);
		return 1;
	}
	pfd.events = POLLIN;
	logmsg("started (pid %ld), woken by %s", (long)getpid(),
	       m.ts.xs ? "@releaseDomain" : "VIRQ_DOM_EXC");
	for (;;) {
		acted = scan(&m);
		/* what it did may have made domains (restarts): look again */
		timeout = acted > 0			 ? 0
			  : noxs_live(&m) > 0 && m.ts.xs ? 250
							 : -1;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
			logmsg("poll: %s", strerror(errno));
			break;
		}
		if (!(pfd.revents & POLLIN))
			continue;
		if (m.ts.xs == NULL) {
			while (hv_evtchn_pending(m.ts.hv, &fired) == 0 &&
			       fired != virq)
				;
			continue;
		}
		while ((ev = xs_check_watch(m.ts.xs)) != NULL)
			free(ev);
		if (errno != EAGAIN) {
			logmsg("xenstore connection lost: %s", strerror(errno));
			break;
		}
	}
	mon_set_free(&m.set, NULL, NULL);
	ts_close(&m.ts);
	return 1;
}
