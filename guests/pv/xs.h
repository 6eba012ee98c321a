/* xs.h: a minimal XenStore client over the ring start_info points at. */
#ifndef CHAOS_GUEST_XS_H
#define CHAOS_GUEST_XS_H

#include "pv.h"

/* Use the store ring and channel of start_info. */
void xs_init(start_info_t *si);

/* The same after a resume in a new domain: the ring page is a copy of the
 * old domain's, so responses the old xenstored left unread (a watch event,
 * say) are dropped, as Linux's xb_init_comms does.  Watches are gone too:
 * xenstored knows nothing of the new domain's. */
void xs_resume(start_info_t *si);

/* Read path (relative paths are under our /local/domain/D) into buf as a
 * string; its length, or -1. */
int xs_read(const char *path, char *buf, size_t cap);

/* Write a string value; 0 or -1. */
int xs_write(const char *path, const char *value);

/* Watch path; events are then awaited with xs_wait_event(). */
int xs_watch(const char *path, const char *token);

/* Block until a watch event arrives. */
void xs_wait_event(void);

#endif
