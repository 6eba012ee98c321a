/*
 * main.c: chaos-shelld (docs/chaos-shelld.8).  Two threads share the
 * pool under one mutex: the main thread serves the socket (a take is a
 * list operation and two hypercalls, never a wait for a shell being made)
 * and the worker makes and destroys shells and undoes creates whose
 * creator died (ts_reap), so that a create killed while it held a shell
 * leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
		} else {
			log_info("class %s: shell %u ready (%lld ms)", k.name,
				 s->r.domid, (long long)(clk_now_ms() - t0));
		}
	} else {
		wait_kick(MAKE_RETRY_MS);
	}
}

static void *
worker(void *arg)
{
	struct ts ts;
	struct hv_physinfo pi;
	struct sh_shell *s;
	struct sh_class *cls;
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
			log_info("shell %u destroyed: no class wants it",
				 s->r.domid);
			if (sh_destroy(&ts, s) < 0)
				log_warn("%s", ts.err);
			pthread_mutex_lock(&D.mu);
			continue;
		}
		pthread_mutex_unlock(&D.mu);
		now = clk_now_ms();
		if (now >= next_reap) {
			if (ts_reap(&ts, &reaped, &bad) >= 0 && reaped > 0)
				log_info("undid %u create(s) whose creator "
					 "died",
					 reaped);
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

/* A shell taken from the pool, checked once more: still the shell? */
static int
usable(const struct sh_shell *s)
{
	struct hv_dominfo di;

	return hv_domain_info(D.ts.hv, s->r.domid, &di) == 0 &&
	       memcmp(di.uuid, s->r.uuid, 16) == 0 && (di.flags & HV_PAUSED) &&
	       !(di.flags & (HV_DYING | HV_SHUTDOWN));
}

static void
reply_shell(struct ipc_client *c, const struct ipc_hdr *h,
	    const struct sh_shell *s)
{
	static uint8_t buf[IPC_REPLY_BODY_MAX];
	struct shp_shell *o = (struct shp_shell *)buf;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->domid = s->r.domid;
	o->vcpus = s->r.vcpus;
	o->memory_mib = s->r.memory_mib;
	o->store_port = s->r.store_port;
	o->console_port = s->r.console_port;
	o->sysctl_port = s->r.sysctl_port;
	o->notice_port = s->r.notice_port;
	memcpy(o->class_name, s->r.cls, sizeof(o->class_name));
	o->nruns = (uint32_t)s->r.nruns;
	for (i = 0; i < s->r.nruns; i++)
		o->run[i] = (struct shp_run){s->r.runs[i].pfn, s->r.runs[i].mfn,
					     s->r.runs[i].count};
	ipc_reply(c, h->type, h->id, 0, buf,
		  (uint32_t)(sizeof(*o) + s->r.nruns * sizeof(o->run[0])),
		  NULL);
}

static void
on_take(struct ipc_client *c, const struct ipc_hdr *h, const void *body)
{
	struct shp_take t;
	struct sh_shell *s;
	struct sh_class *cls;
	char why[160];
	int err;

	memcpy(&t, body, sizeof(t));
	err = shp_take_check(&t, why, sizeof(why));
	if (err != 0) {
		ipc_reply(c, h->type, h->id, err, NULL, 0, "%s", why);
		return;
	}
	for (;;) {
		pthread_mutex_lock(&D.mu);
		s = pool_take(&D.pool, t.memory_mib, t.vcpus, &cls);
		err = errno;
		D.last_take_ms = clk_now_ms();
		pthread_mutex_unlock(&D.mu);
		kick(); /* refill, if the class is low */
		if (s == NULL) {
			if (err == ENOENT)
				ipc_reply(c, h->type, h->id, ENOENT, NULL, 0,
					  "no class of %llu MiB and %u vCPUs",
					  (unsigned long long)t.memory_mib,
					  t.vcpus);
			else
				ipc_reply(c, h->type, h->id, EAGAIN, NULL, 0,
					  "class %s has no shell ready",
					  cls->name);
			return;
		}
		if (usable(s))
			break;
		log_warn("shell %u is no longer a shell: forgotten",
			 s->r.domid);
		reg_shell_remove(s->r.domid);
		sh_free(s);
	}
	/*
	 * The handover: from the new handle on, the domain is the create's
	 * (its intent names this uuid); the reply, then the record goes.  A
	 * daemon killed in between finds a record whose handle changed and
	 * drops it (sh_adopt).
	 */
	if (hv_domain_sethandle(D.ts.hv, s->r.domid, t.uuid) < 0) {
		ipc_reply(c, h->type, h->id, EIO, NULL, 0,
			  "shell %u: cannot hand it over: %s", s->r.domid,
			  hv_last_error(D.ts.hv));
		sh_destroy(&D.ts, s);
		return;
	}
	reply_shell(c, h, s);
	reg_shell_remove(s->r.domid);
	/* a noxs guest has no XenStore presence: the shell's name goes,
	 * after the reply (the create does not wait for it) */
	if (!(t.flags & SHP_TAKE_XENSTORE) && D.ts.xs != NULL)
		xsdom_remove(D.ts.xs, s->r.domid, NULL);
	sh_free(s);
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

	why[0] = '\0';
	if (sh_conf_load(&c, D.conf_path, &d) < 0)
		return -1;
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
	switch (h->type) {
	case SHP_TAKE: on_take(c, h, body); break;
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
	unsigned n = 0;

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
	if (!keep)
		log_info("stopped: %u shell(s) destroyed", n);
	else
		log_info("stopped: ready shells kept for the next start");
}

static int
serve(struct ipc_server *srv, int sigfd)
{
	struct signalfd_siginfo si;
	struct pollfd *pfd = NULL, *np;
	size_t n, cap = 0;
	char why[180];
	int timeout;

	for (;;) {
		n = 2 + ipc_server_nclients(srv);
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
		n = 1 + ipc_server_pollfds(srv, pfd + 1, &timeout);
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
		ipc_server_serve(srv, pfd + 1, n - 1);
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
	char why[180];
	int opt, fg = 0, use_syslog = 0, pidfd, sigfd, rc = 1;

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
	rc = serve(srv, sigfd) < 0;
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
