/* diag.c: formatting of parser diagnostics. */
#include <stdio.h>

#include "diag.h"

void
diag_vmsg(struct diag *d, enum diag_level level, const char *source, int line,
	  int col, const char *fmt, va_list ap)
{
	char msg[512];

	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->report == NULL)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (source == NULL)
		source = d->source ? d->source : "<input>";
	d->report(d->arg, level, source, line, col, msg);
}

void
diag_error(struct diag *d, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vmsg(d, DIAG_ERROR, NULL, line, col, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct diag *d, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vmsg(d, DIAG_WARNING, NULL, line, col, fmt, ap);
	va_end(ap);
}

void
diag_error_at(struct diag *d, const char *source, int line, int col,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vmsg(d, DIAG_ERROR, source, line, col, fmt, ap);
	va_end(ap);
}

void
diag_warn_at(struct diag *d, const char *source, int line, int col,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vmsg(d, DIAG_WARNING, source, line, col, fmt, ap);
	va_end(ap);
}

void
diag_print_stderr(void *arg, enum diag_level level, const char *source,
		  int line, int col, const char *msg)
{
	const char *kind = level == DIAG_WARNING ? "warning: " : "";

	(void)arg;
	if (line > 0 && col > 0)
		fprintf(stderr, "%s:%d:%d: %s%s\n", source, line, col, kind,
			msg);
	else if (line > 0)
		fprintf(stderr, "%s:%d: %s%s\n", source, line, kind, msg);
	else
		fprintf(stderr, "%s: %s%s\n", source, kind, msg);
}
