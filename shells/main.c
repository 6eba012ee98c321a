/*
 * main.c: chaos-shelld (docs/chaos-shelld.8).  Two threads share the
 * pool under one mutex.  The main thread serves the socket and watches
 * the registry's taken/ directory, where a create's take of a shell shows
 * (registry.h: the create renames the shell's record there; no round trip
 * to this daemon is on its path): the shell leaves the pool.  The worker
 * makes and destroys shells, gives back shells whose taker died before it
 * made them its own, and undoes creates whose creator died (ts_reap), so
 * that a create killed while it held a shell leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "shell.h"
#include "shelld.h"
#include "xsdom.h"

#define MAKE_RETRY_MS 1000 /* after a shell could not be made */
#define REAP_EVERY_MS 1000
/* creates count as "coming" (pool_next's busy) this long after a take */
#define SETTLE_MS 100

struct daemon {
	const char *conf_path;
	pthread_mutex_t mu;
	pthread_cond_t kick; /* the worker has something to look at */
	struct sh_pool pool;
	struct sh_shell *surplus; /* to destroy (worker) */
	int64_t last_take_ms;	  /* clk_now_ms of the last take */
	int stop;
	struct ts ts; /* the main thread's */
};

static struct daemon D = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.kick = PTHREAD_COND_INITIALIZER,
};

static void
kick(void)
{
	pthread_cond_signal(&D.kick);
}

/* ---- the worker --------------------------------------------------------- */

static void
wait_kick(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&D.kick, &D.mu, &ts);
}

/*
 * With the lock held, after pool_add: a create may have taken the shell
 * between its record's write and pool_add, and on_taken found nothing to
 * forget then.  A record gone from the pool is such a take: forget it
 * now.  1 when it was.
 */
static int
taken_meanwhile(struct sh_shell *s)
{
	struct reg_shell_id id = {s->r.domid, s->r.memory_mib, s->r.vcpus};

	if (reg_shell_ready(&id))
		return 0;
	sh_free(pool_forget(&D.pool, s->r.domid));
	D.last_take_ms = clk_now_ms();
	return 1;
}

static void
make_one(struct ts *ts, struct sh_class k)
{
	struct sh_shell *s = NULL;
	int64_t t0 = clk_now_ms();
	int rc;

	pthread_mutex_unlock(&D.mu);
	rc = sh_make(ts, &k, &s);
	if (rc < 0)
		log_warn("class %s: a shell could not be made: %s", k.name,
			 ts->err);
	pthread_mutex_lock(&D.mu);
	pool_made(&D.pool, k.memory_mib, k.vcpus, rc == 0);
	if (rc == 0) {
		if (pool_add(&D.pool, s) < 0) { /* a new config wants none */
			s->next = D.surplus;
			D.surplus = s;
		} else if (taken_meanwhile(s)) {
			log_info("class %s: shell taken as it was made",
				 k.name);
		} else {
			log_info("class %s: shell %u ready (%lld ms)", k.name,
				 s->r.domid, (long long)(clk_now_ms() - t0));
		}
	} else {
		wait_kick(MAKE_RETRY_MS);
	}
}

/* shells whose taker died before it made them its own: ready again */
static void
give_back(struct sh_shell *back)
{
	struct sh_shell *s;

	while ((s = back) != NULL) {
		back = s->next;
		pthread_mutex_lock(&D.mu);
		if (pool_add(&D.pool, s) == 0) {
			log_info("shell %u given back: its taker died",
				 s->r.domid);
			taken_meanwhile(s);
		} else {
			s->next = D.surplus;
			D.surplus = s;
		}
		pthread_mutex_unlock(&D.mu);
	}
}

static void *
worker(void *arg)
{
	struct ts ts;
	struct hv_physinfo pi;
	struct sh_shell *s, *back;
	struct sh_class *cls;
	uint64_t mib;
	unsigned vcpus;
	int64_t next_reap = 0, now, quiet;
	unsigned reaped, bad;
	int was_holding = 0, r;

	(void)arg;
	/* dom0's CPUs go to creates first: the refill runs when they idle */
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE,
				  &(struct sched_param){0}) != 0)
		log_warn("worker: cannot run at idle priority");
	if (ts_open(&ts) < 0) {
		log_warn("worker: %s", ts.err);
		return NULL;
	}
	pthread_mutex_lock(&D.mu);
	while (!D.stop) {
		if ((s = D.surplus) != NULL) {
			D.surplus = s->next;
			pthread_mutex_unlock(&D.mu);
			mib = s->r.memory_mib;
			vcpus = s->r.vcpus;
			log_info("shell %u destroyed: no class wants it",
				 s->r.domid);
			if (sh_destroy(&ts, s) < 0)
				log_warn("%s", ts.err);
			pthread_mutex_lock(&D.mu);
			if (pool_class_of(&D.pool, mib, vcpus) == NULL)
				reg_shape_close(mib, vcpus);
			continue;
		}
		pthread_mutex_unlock(&D.mu);
		now = clk_now_ms();
		if (now >= next_reap) {
			if (ts_reap(&ts, &reaped, &bad) >= 0 && reaped > 0)
				log_info("undid %u create(s) whose creator "
					 "died",
					 reaped);
			if (sh_sweep_taken(&ts, &back) > 0)
				give_back(back);
			next_reap = now + REAP_EVERY_MS;
		}
		r = hv_physinfo(ts.hv, &pi);
		pthread_mutex_lock(&D.mu);
		if (r < 0 || D.stop) {
			wait_kick(REAP_EVERY_MS);
			continue;
		}
		quiet = clk_now_ms() - D.last_take_ms;
		r = pool_next(&D.pool, pi.free_kib, quiet < SETTLE_MS, &cls);
		if (r == 1) {
			make_one(&ts, *cls);
			continue;
		}
		if (r < 0 && !was_holding)
			log_info("holding back: a class is short but the host "
				 "has %llu MiB free and the reserve is %llu "
				 "MiB",
				 (unsigned long long)(pi.free_kib / 1024),
				 (unsigned long long)D.pool.conf.reserve_mib);
		if (r == 0 && was_holding)
			log_info("no longer holding back");
		was_holding = r < 0;
		/* short classes wait for the creates to pause */
		wait_kick(r == 0 && quiet < SETTLE_MS && pool_short(&D.pool)
				  ? SETTLE_MS - quiet
				  : REAP_EVERY_MS);
	}
	pthread_mutex_unlock(&D.mu);
	ts_close(&ts);
	return NULL;
}

/* ---- the socket --------------------------------------------------------- */

/*
 * A create took a shell: its record moved to taken/ (name: DOMID.PID.
 * START.METHOD).  Out of the pool; a noxs guest has no XenStore presence,
 * so the shell's name goes (the create never touches XenStore).
 */
static void
on_taken(const char *name)
{
	struct reg_taken t;
	struct sh_shell *s;

	if (reg_taken_parse(name, &t) < 0)
		return;
	pthread_mutex_lock(&D.mu);
	s = pool_forget(&D.pool, t.domid);
	D.last_take_ms = clk_now_ms();
	pthread_mutex_unlock(&D.mu);
	kick(); /* refill, if the class is low */
	/* also when the pool did not hold it yet (taken_meanwhile counts
	 * that take): the name is the shell's either way */
	if (t.noxs && D.ts.xs != NULL)
		xsdom_remove(D.ts.xs, t.domid, NULL);
	sh_free(s);
}

/* the shells of the pool whose record is gone from shells/ (taken while
 * the watch lost events): out of the pool */
static void
resync(void)
{
	struct reg_shell_id *ids;
	struct sh_shell *s, *gone = NULL, *g;
	size_t n, bad, k;
	unsigned c;

	if (reg_shell_list(&ids, &n, &bad) < 0)
		return;
	pthread_mutex_lock(&D.mu);
	for (c = 0; c < D.pool.conf.nclasses; c++) {
		for (s = D.pool.conf.cls[c].ready; s != NULL;) {
			for (k = 0; k < n && ids[k].domid != s->r.domid; k++)
				;
			g = s;
			s = s->next;
			if (k < n)
				continue;
			g = pool_forget(&D.pool, g->r.domid);
			g->next = gone;
			gone = g;
		}
	}
	pthread_mutex_unlock(&D.mu);
	free(ids);
	while ((g = gone) != NULL) {
		gone = g->next;
		sh_free(g);
	}
	kick();
}

static void
on_watch(int fd)
{
	union {
		struct inotify_event e;
		char b[4096];
	} buf;
	const struct inotify_event *e;
	ssize_t n;
	char *p;

	n = read(fd, buf.b, sizeof(buf.b));
	for (p = buf.b; n > 0 && p < buf.b + n; p += sizeof(*e) + e->len) {
		e = (const struct inotify_event *)p;
		if (e->mask & IN_Q_OVERFLOW)
			resync();
		else if (e->len > 0)
			on_taken(e->name);
	}
}

static void
on_list(struct ipc_client *c, const struct ipc_hdr *h)
{
	static uint8_t buf[IPC_REPLY_BODY_MAX];
	size_t n;

	pthread_mutex_lock(&D.mu);
	n = pool_list(&D.pool, (struct shp_list *)buf, sizeof(buf));
	pthread_mutex_unlock(&D.mu);
	ipc_reply(c, h->type, h->id, 0, buf, (uint32_t)n, NULL);
}

/* first error of a config, for the reply and the log */
static void
keep_first(void *arg, enum diag_level level, const char *source, int line,
	   int col, const char *msg)
{
	char *out = arg;

	(void)col;
	if (level != DIAG_ERROR || out[0] != '\0')
		return;
	if (line > 0)
		snprintf(out, 180, "%s:%d: %s", source, line, msg);
	else
		snprintf(out, 180, "%s: %s", source, msg);
}

/* Read the config again; 0, or -1 with why. */
static int
reload(char why[180])
{
	struct diag d = {.report = keep_first, .arg = why};
	struct sh_conf c;
	struct sh_shell *surplus, *last;
	unsigned i;

	why[0] = '\0';
	if (sh_conf_load(&c, D.conf_path, &d) < 0)
		return -1;
	for (i = 0; i < c.nclasses; i++)
		if (reg_shape_open(c.cls[i].memory_mib, c.cls[i].vcpus) < 0) {
			snprintf(why, 180, "%s/shells: %s", reg_dir(),
				 strerror(errno));
			return -1;
		}
	pthread_mutex_lock(&D.mu);
	pool_reconf(&D.pool, &c, &surplus);
	if (surplus != NULL) {
		for (last = surplus; last->next != NULL; last = last->next)
			;
		last->next = D.surplus;
		D.surplus = surplus;
	}
	pthread_mutex_unlock(&D.mu);
	kick();
	log_info("config %s: %u class(es)", D.conf_path, c.nclasses);
	return 0;
}

static void
on_request(void *arg, struct ipc_client *c, const struct ipc_hdr *h,
	   const void *body)
{
	char why[180];

	(void)arg;
	(void)body;
	switch (h->type) {
	case SHP_LIST: on_list(c, h); break;
	case SHP_RELOAD:
		if (reload(why) < 0) {
			log_warn("reload: %s", why);
			ipc_reply(c, h->type, h->id, EINVAL, NULL, 0, "%s",
				  why);
		} else {
			ipc_reply(c, h->type, h->id, 0, NULL, 0, NULL);
		}
		break;
	default:
		ipc_reply(c, h->type, h->id, EOPNOTSUPP, NULL, 0,
			  "request type %u is not served", h->type);
	}
}

static const struct ipc_ops ops = {.request = on_request};

/* ---- start and stop ----------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: chaos-shelld [-f] [-S] [-c CONFIG] [-s SOCKET] "
		   "[-p PIDFILE]\n"
		   "  -f  stay in the foreground\n"
		   "  -S  log to syslog, not stderr\n"
		   "  -c  the config (default " SHELLD_CONF ")\n"
		   "  -s  the socket (default " SHP_SOCKET ")\n"
		   "  -p  the pidfile (default /run/chaos-shelld.pid)\n");
}

/* shells of a killed daemon: adopted into the pool, or destroyed */
static void
adopt(void)
{
	struct sh_shell *found, *s;
	unsigned dropped, kept = 0, extra = 0;

	if (sh_adopt(&D.ts, &found, &dropped) < 0) {
		log_warn("%s", D.ts.err);
		return;
	}
	while ((s = found) != NULL) {
		found = s->next;
		if (pool_add(&D.pool, s) == 0) {
			kept++;
			continue;
		}
		extra++;
		if (sh_destroy(&D.ts, s) < 0)
			log_warn("%s", D.ts.err);
	}
	if (kept || extra || dropped)
		log_info("adopted %u shell(s), destroyed %u no class wants, "
			 "dropped %u gone or half-made",
			 kept, extra, dropped);
}

static void
stop_all(int keep)
{
	struct sh_shell *s, *all;
	unsigned n = 0, i;

	pthread_mutex_lock(&D.mu);
	all = pool_drain(&D.pool);
	while ((s = D.surplus) != NULL) {
		D.surplus = s->next;
		s->next = all;
		all = s;
	}
	pthread_mutex_unlock(&D.mu);
	while ((s = all) != NULL) {
		all = s->next;
		if (keep) {
			sh_free(s);
			continue;
		}
		if (sh_destroy(&D.ts, s) < 0)
			log_warn("%s", D.ts.err);
		n++;
	}
	/* empty shape directories go: no class, no take */
	for (i = 0; !keep && i < D.pool.conf.nclasses; i++)
		reg_shape_close(D.pool.conf.cls[i].memory_mib,
				D.pool.conf.cls[i].vcpus);
	if (!keep)
		log_info("stopped: %u shell(s) destroyed", n);
	else
		log_info("stopped: ready shells kept for the next start");
}

static int
serve(struct ipc_server *srv, int sigfd, int watch)
{
	struct signalfd_siginfo si;
	struct pollfd *pfd = NULL, *np;
	size_t n, cap = 0;
	char why[180];
	int timeout;

	for (;;) {
		n = 3 + ipc_server_nclients(srv);
		if (n > cap) {
			np = realloc(pfd, n * 2 * sizeof(*pfd));
			if (np == NULL) {
				log_warn("out of memory");
				free(pfd);
				return -1;
			}
			pfd = np;
			cap = n * 2;
		}
		timeout = log_tick();
		pfd[0] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = watch, .events = POLLIN};
		n = 2 + ipc_server_pollfds(srv, pfd + 2, &timeout);
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll: %s", strerror(errno));
			free(pfd);
			return -1;
		}
		if (pfd[0].revents &&
		    read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP) {
				free(pfd);
				return 0;
			}
			if (reload(why) < 0)
				log_warn("SIGHUP: %s (the old config stays)",
					 why);
		}
		/* takes first: a list after them counts them */
		if (pfd[1].revents)
			on_watch(watch);
		ipc_server_serve(srv, pfd + 2, n - 2);
	}
}

int
main(int argc, char **argv)
{
	const char *sock = SHP_SOCKET, *pidpath = "/run/chaos-shelld.pid";
	struct ipc_server *srv = NULL;
	pthread_condattr_t ca;
	pthread_t th;
	sigset_t set;
	char why[180], taken[PATH_MAX];
	int opt, fg = 0, use_syslog = 0, pidfd, sigfd, watch = -1, rc = 1;

	D.conf_path = SHELLD_CONF;
	/* the worker's waits are timed on the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&D.kick, &ca);
	while ((opt = getopt(argc, argv, "fSc:s:p:h")) != -1) {
		switch (opt) {
		case 'f': fg = 1; break;
		case 'S': use_syslog = 1; break;
		case 'c': D.conf_path = optarg; break;
		case 's': sock = optarg; break;
		case 'p': pidpath = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_open("chaos-shelld", use_syslog);
	ipc_set_warn(log_warn);
	if (reload(why) < 0) {
		fprintf(stderr, "chaos-shelld: %s\n", why);
		return 1;
	}
	if (!fg && daemon(0, 0) < 0) {
		fprintf(stderr, "chaos-shelld: daemon: %s\n", strerror(errno));
		return 1;
	}
	pidfd = daemon_pidfile(pidpath);
	if (pidfd < 0) {
		log_warn("%s: %s", pidpath,
			 errno == EALREADY ? "another chaos-shelld runs"
					   : strerror(errno));
		return 1;
	}
	if (ts_open(&D.ts) < 0) {
		log_warn("%s", D.ts.err);
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* blocked before the worker starts, so that it inherits the mask */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	/* before adopting: a take from now on is seen */
	snprintf(taken, sizeof(taken), "%s/taken", reg_dir());
	watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (watch < 0 ||
	    inotify_add_watch(watch, taken, IN_MOVED_TO | IN_CREATE) < 0) {
		log_warn("%s: %s", taken, strerror(errno));
		goto out;
	}
	adopt();
	if (sigfd < 0 ||
	    ipc_server_open(&srv, sock, &shp_proto, &ops, NULL, 256, 8) < 0) {
		log_warn("%s: %s", sock, strerror(errno));
		goto out;
	}
	if (pthread_create(&th, NULL, worker, NULL) != 0) {
		log_warn("worker: %s", strerror(errno));
		goto out;
	}
	log_info("serving %s", sock);
	rc = serve(srv, sigfd, watch) < 0;
	pthread_mutex_lock(&D.mu);
	D.stop = 1;
	pthread_mutex_unlock(&D.mu);
	kick();
	pthread_join(th, NULL);
	ipc_server_close(srv);
	srv = NULL;
	stop_all(D.pool.conf.keep);
out:
	if (srv != NULL)
		ipc_server_close(srv);
	ts_close(&D.ts);
	log_flush();
	unlink(pidpath);
	close(pidfd);
	return rc;
}
