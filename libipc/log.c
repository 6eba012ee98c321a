/*
 * log.c: a daemon's messages (xendevd, chaos-shelld), to stderr with a
 * time stamp, or to syslog.  Safe to call from several threads.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "clock.h"
#include "daemon.h"

/*
 * Warnings are limited per call site, told apart by their format string:
 * WARN_BURST of one site in WARN_PERIOD_MS are logged, the rest counted and
 * the count logged when the period is over.  A peer that repeats a bad
 * request, or a condition that lasts (no descriptors left), costs a few
 * lines, not a flood.  The last slot is shared by sites beyond the table.
 */
#define WARN_BURST     5
#define WARN_PERIOD_MS 10000
#define WARN_SITES     32

static struct warn_site {
	const char *fmt; /* NULL: free */
	int64_t since;	 /* the start of the current period */
	unsigned logged; /* in this period */
	unsigned left_out;
} sites[WARN_SITES];

static int use_syslog;
static const char *ident = "daemon";
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

void
log_open(const char *name, int to_syslog)
{
	ident = name;
	if (to_syslog)
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = to_syslog;
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	int64_t now;

	if (use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	/* boot time, the clock the e2e scenarios and benchmarks stamp with */
	now = clk_now_ms();
	fprintf(stderr, "%s[%lld.%03lld]: %s", ident, (long long)(now / 1000),
		(long long)(now % 1000),
		prio == LOG_WARNING ? "warning: " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&mu);
	vlog(LOG_INFO, fmt, ap);
	pthread_mutex_unlock(&mu);
	va_end(ap);
}

/* vlog with its own arguments (a summary line) */
static void
plog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

static struct warn_site *
site_of(const char *fmt)
{
	int i;

	for (i = 0; i < WARN_SITES - 1; i++) {
		if (sites[i].fmt == fmt)
			return &sites[i];
		if (sites[i].fmt == NULL) {
			sites[i].fmt = fmt;
			return &sites[i];
		}
	}
	sites[i].fmt = "(other warnings)";
	return &sites[i];
}

/* the period is over: say how many were left out, start another */
static void
period_end(struct warn_site *s, int64_t now)
{
	if (s->left_out)
		plog(LOG_WARNING,
		     "%u more like \"%s\" not logged (%d per %d s at most)",
		     s->left_out, s->fmt, WARN_BURST, WARN_PERIOD_MS / 1000);
	s->since = now;
	s->logged = 0;
	s->left_out = 0;
}

void
log_warn(const char *fmt, ...)
{
	struct warn_site *s;
	int64_t now = clk_now_ms();
	va_list ap;

	pthread_mutex_lock(&mu);
	s = site_of(fmt);
	if (now - s->since >= WARN_PERIOD_MS)
		period_end(s, now);
	if (s->logged >= WARN_BURST) {
		s->left_out++;
	} else {
		s->logged++;
		va_start(ap, fmt);
		vlog(LOG_WARNING, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&mu);
}

int
log_tick(void)
{
	int64_t now = clk_now_ms(), left, soonest = -1;
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < WARN_SITES && sites[i].fmt != NULL; i++) {
		if (sites[i].left_out == 0)
			continue;
		left = sites[i].since + WARN_PERIOD_MS - now;
		if (left <= 0)
			period_end(&sites[i], now);
		else if (soonest < 0 || left < soonest)
			soonest = left;
	}
	pthread_mutex_unlock(&mu);
	return (int)soonest;
}

void
log_flush(void)
{
	int i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < WARN_SITES; i++)
		if (sites[i].fmt != NULL)
			period_end(&sites[i], clk_now_ms());
	pthread_mutex_unlock(&mu);
}
