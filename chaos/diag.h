/* diag.h: where parsers send errors and warnings; libraries never print. */
#ifndef CHAOS_DIAG_H
#define CHAOS_DIAG_H

#include <stdarg.h>

enum diag_level { DIAG_WARNING, DIAG_ERROR };

/*
 * A sink for messages about one input (a file, or the command line).
 * line and col are 1-based; 0 means "not known" and is left out of the
 * printed prefix.  report() may be NULL: messages are then only counted.
 */
struct diag {
	const char *source;
	void (*report)(void *arg, enum diag_level level, const char *source,
		       int line, int col, const char *msg);
	void *arg;
	int errors;
	int warnings;
};

void diag_error(struct diag *d, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_warn(struct diag *d, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same, for a message about another input than d->source (NULL: it). */
void diag_error_at(struct diag *d, const char *source, int line, int col,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_warn_at(struct diag *d, const char *source, int line, int col,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void diag_vmsg(struct diag *d, enum diag_level level, const char *source,
	       int line, int col, const char *fmt, va_list ap);

/* The CLI's report(): "SOURCE:LINE:COL: [warning: ]MSG" on stderr. */
void diag_print_stderr(void *arg, enum diag_level level, const char *source,
		       int line, int col, const char *msg);

#endif
