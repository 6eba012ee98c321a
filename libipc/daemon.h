/*
 * daemon.h: what xendevd and chaos-shelld share beside their sockets: the
 * log (log.c: stderr with a time stamp, or syslog; safe from any thread)
 * and the pidfile (pidfile.c).
 */
#ifndef DAEMON_H
#define DAEMON_H

/* Open path and lock it for the daemon's life (one daemon per socket),
 * with the pid in it: its descriptor, kept open; -1 with errno EALREADY
 * when another process holds it. */
int daemon_pidfile(const char *path);

/* Name the daemon in its messages; to_syslog: syslog, not stderr. */
void log_open(const char *name, int to_syslog);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Rate-limited per call site (its format string): a few per period, then
 * a count of those left out. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log the counts of warnings left out whose period is over; ms until the
 * next one is due, or -1.  An event loop calls it on every turn. */
int log_tick(void);

/* Log every count left out now (at exit). */
void log_flush(void);

#endif
