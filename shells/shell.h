/*
 * shell.h: making, destroying and adopting shells (shell.c), through the
 * toolstack's hypervisor and XenStore handles.  Each returns 0 or -1 with
 * ts->err saying why.
 */
#ifndef SHELLS_SHELL_H
#define SHELLS_SHELL_H

#include "shelld.h"
#include "toolstack.h"

/* Make one shell of cls; on failure nothing of it is left. */
int sh_make(struct ts *ts, const struct sh_class *cls, struct sh_shell **out);

/* Destroy a shell's domain, its XenStore name and record, if the record
 * is still there to remove (else a create took it first: the domain is
 * the create's); frees s. */
int sh_destroy(struct ts *ts, struct sh_shell *s);

/*
 * Takes whose taker died (taken/): a shell the taker had not made its own
 * yet goes back to the pool (*back, a list) or, if it is no shell any
 * more, is dropped; the entries go.  Returns how many were looked at.
 */
int sh_sweep_taken(struct ts *ts, struct sh_shell **back);

/* Free a shell's memory only (its domain is someone else's now). */
void sh_free(struct sh_shell *s);

/*
 * After a restart: every shell the registry names that is still that
 * shell goes to *found; records of shells gone or handed over are
 * dropped, half-made shells destroyed; *dropped counts both.
 */
int sh_adopt(struct ts *ts, struct sh_shell **found, unsigned *dropped);

#endif
