/* log.c: xendevd's messages, to stderr (with a time stamp) or syslog. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "clock.h"
#include "xendevd.h"

static int use_syslog;

void
xdd_log_syslog(void)
{
	openlog("xendevd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = 1;
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
	fprintf(stderr, "xendevd[%lld.%03lld]: %s", (long long)(now / 1000),
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
