/*
 * ring.h: a guest's console ring (xen/io/console.h) read and written as
 * hostile memory, for xendevd and chaos's own console client alike; the
 * last output kept for a late reader; xenconsoled's log timestamps.
 * Pure: no Xen call, so the unit tests run them on a ring in memory.
 */
#ifndef XDD_RING_H
#define XDD_RING_H

#include <stddef.h>
#include <stdint.h>

#include <xen/io/console.h>

#define XDD_RING_OUT sizeof(((struct xencons_interface *)0)->out)
#define XDD_RING_IN  sizeof(((struct xencons_interface *)0)->in)

/*
 * Move up to cap bytes the guest wrote (out) into buf and give their room
 * back (out_cons).  The indices are copied once; when out_prod - out_cons
 * exceeds the ring the guest lied: nothing is read, out_cons is set to
 * the copied out_prod (what the ring held is dropped) and *bad is set.
 * Returns the bytes moved.
 */
size_t xdd_ring_read(volatile struct xencons_interface *r, char *buf,
		     size_t cap, int *bad);

/*
 * Put up to n bytes of data into the guest's input side (in), as far as
 * it has room.  Returns the bytes taken, or -1 when in_prod - in_cons
 * exceeds the ring (the guest lied; nothing is written).
 */
int xdd_ring_write(volatile struct xencons_interface *r, const char *data,
		   size_t n);

/* The last XDD_HIST_SIZE bytes of a console's output. */
#define XDD_HIST_SIZE 16384

struct xdd_hist {
	uint64_t total; /* bytes ever put */
	char buf[XDD_HIST_SIZE];
};

void xdd_hist_put(struct xdd_hist *h, const char *data, size_t n);
/* The bytes kept, oldest first, into out (XDD_HIST_SIZE bytes); how many. */
size_t xdd_hist_get(const struct xdd_hist *h, char *out);

/*
 * xenconsoled's --timestamp=guest: the stamp ts (tslen bytes) before each
 * line, and the '\r's at a line's start dropped.  *needts says that
 * the next byte starts a line (1 for a new log).  out must hold
 * n * (tslen + 1) bytes; returns the bytes written there.
 */
size_t xdd_stamp(const char *in, size_t n, const char *ts, size_t tslen,
		 int *needts, char *out);

#endif
