/* cfgfile.h: read an xl.cfg file plus command-line overrides. */
#ifndef CHAOS_CFGFILE_H
#define CHAOS_CFGFILE_H

#include "diag.h"
#include "domcfg.h"

#define CFGFILE_MAX (1 << 20) /* larger files are refused */

/* The whole file (at most CFGFILE_MAX bytes), malloc'd, in buf and len;
 * -1 with errno (EISDIR, EFBIG, ...). */
int cfgfile_read(const char *path, char **buf, size_t *len);

/*
 * Read path, apply each of the noverrides `KEY=VALUE` strings as an xl.cfg
 * line after it (as `xl create FILE KEY=VALUE` does), and interpret the
 * result into dc.  Messages name path, or "command line" for overrides.
 * When text is not NULL it gets the file and the overrides as one xl.cfg
 * text (malloc'd, length in *len), from which the domain can be made again.
 * Returns 0; -1 on an unreadable file, a syntax or a semantic error.
 */
int cfgfile_load(struct domcfg *dc, const char *path, int noverrides,
		 char *const *overrides, struct diag *d, char **text,
		 size_t *len);

#endif
