/* log.c: xendevd's messages, to stderr (with a time stamp) or syslog. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "xendevd.h"

static int use_syslog;

void
xdd_log_syslog(void)
{
	openlog("xendevd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = 1;
}

int64_t
xdd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	struct timespec ts;

	if (use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	/* boot time, the clock the e2e scenarios and benchmarks stamp with */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	fprintf(stderr, "xendevd[%lld.%03ld]: %s", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, prio == LOG_WARNING ? "warning: " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}
