/* console.h: chaos's own console client, for guests xenconsoled does not
 * serve (noxs guests have no XenStore nodes for it to find). */
#ifndef CHAOS_CONSOLE_H
#define CHAOS_CONSOLE_H

#include <stdint.h>

#include "toolstack.h"

/*
 * Relay domid's console ring (its grant ref 0, event channel port) to
 * stdout and stdin until the domain dies or Ctrl-] is typed.  The
 * terminal goes raw while attached when stdin is one.  0 or -1 (ts->err).
 */
int console_attach(struct ts *ts, uint32_t domid, uint32_t port, int unpause);

/* With unpause set, the domain is unpaused once the client is attached,
 * so a paused-created guest loses none of its output. */

#endif
