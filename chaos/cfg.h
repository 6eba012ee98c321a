/*
 * cfg.h: the xl.cfg syntax (xl.cfg(5), "Syntax"), parsed into settings.
 *
 * This layer knows nothing about domains: it turns text into a list of
 * `key = value` / `key += value` settings whose values are atoms (strings
 * and bare numbers, both kept as text, as xl does) or lists of values.
 * domcfg.c gives the keys their meaning.
 */
#ifndef CHAOS_CFG_H
#define CHAOS_CFG_H

#include <stddef.h>

#include "diag.h"

enum cfg_type { CFG_ATOM, CFG_LIST };

struct cfg_value {
	enum cfg_type type;
	const char *source;	  /* d->source at parse time; not owned */
	int line, col;		  /* where the value starts */
	int quoted;		  /* atom was a string literal, not a number */
	char *atom;		  /* CFG_ATOM: NUL-terminated, may hold UTF-8 */
	struct cfg_value **items; /* CFG_LIST */
	size_t nitems;
};

struct cfg_setting {
	char *key;
	const char *source; /* d->source at parse time; not owned */
	int line, col;	    /* of the key */
	int append;	    /* the last assignment was `+=` */
	struct cfg_value *value;
	struct cfg_setting *next;
};

/* Settings in file order; a repeated key keeps only its last value. */
struct cfg {
	struct cfg_setting *head;
};

/*
 * Parse len bytes of xl.cfg text and merge them into cfg (which may already
 * hold settings from an earlier call: later text overrides, as xl's
 * command-line `key=value` overrides do).  `key = v` replaces an earlier
 * value of key; `key += v` appends v to it (strings are joined, lists
 * concatenated).  Reports the first syntax error to d and returns -1; on
 * success returns 0.  The text need not be NUL-terminated.  Settings and
 * values remember d->source, which must outlive cfg.
 */
int cfg_parse(struct cfg *cfg, const char *text, size_t len, struct diag *d);

/* The setting for key, or NULL. */
const struct cfg_setting *cfg_get(const struct cfg *cfg, const char *key);

void cfg_free(struct cfg *cfg);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
int cfg_utf8_valid(const unsigned char *s, size_t n);

#endif
