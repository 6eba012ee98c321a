/*
 * consconf.h: whether xendevd logs noxs guests' consoles, where, and with
 * timestamps: xenconsoled's setting for xenstore-mode guests, so that one
 * setting covers every guest of the host (docs/xendevd.8).
 */
#ifndef XDD_CONSCONF_H
#define XDD_CONSCONF_H

#include <stddef.h>

#define XDD_LOG_DIR "/var/log/xen/console" /* xenconsoled's default */

struct xdd_cons_conf {
	int log;       /* write guest-NAME.log */
	int stamp;     /* "[YYYY-mm-dd HH:MM:SS] " before each line */
	char dir[256]; /* the logs' directory */
	char from[64]; /* where the setting came from, for the log */
};

/* No logging, xenconsoled's directory, no timestamps. */
void xdd_cons_conf_init(struct xdd_cons_conf *c);

/*
 * A value of xenconsoled's --log (which: 'l') or --timestamp ('t'):
 * "none", "guest", "hv" or "all".  0, or -1 with errno EINVAL for any
 * other value (nothing changed).
 */
int xdd_cons_conf_value(struct xdd_cons_conf *c, int which, const char *v);

/*
 * xenconsoled's command line, argv[0..argc) with or without its program
 * name: --log=X or --log X, --log-dir=D or --log-dir D, --timestamp=X,
 * --timestamp X, -t X or -tX.  Other words are skipped; a bad value
 * leaves its setting alone.  Pure.
 */
void xdd_cons_conf_args(struct xdd_cons_conf *c, int argc, char *const *argv);

/*
 * A shell defaults file (/etc/default/xencommons, /etc/default/xen) of
 * len bytes: the assignments XENCONSOLED_TRACE=X, XENCONSOLED_LOG_DIR=D
 * and XENCONSOLED_ARGS="..." (words split at blanks, quotes removed),
 * each at the start of a line, optionally quoted; comments and other
 * lines are skipped.  Returns how many of the three it found.  Pure.
 */
int xdd_cons_conf_defaults(struct xdd_cons_conf *c, const char *text,
			   size_t len);

/*
 * The host's setting: the running xenconsoled's command line
 * (/proc/PID/cmdline) if one runs, else /etc/default/xencommons, else
 * /etc/default/xen (Debian's), else none (no logging).  c->from says which.
 */
void xdd_cons_conf_load(struct xdd_cons_conf *c);

#endif
