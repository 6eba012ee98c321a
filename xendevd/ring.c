/*
 * ring.c: console rings read and written as hostile memory (ring.h), the
 * output kept for late readers, log timestamps.
 */
#include <string.h>

#include "ring.h"

size_t
xdd_ring_read(volatile struct xencons_interface *r, char *buf, size_t cap,
	      int *bad)
{
	XENCONS_RING_IDX cons = r->out_cons, prod = r->out_prod, n, i;

	*bad = 0;
	/* the bytes are read after the index that says they are there */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	n = prod - cons;
	if (n > XDD_RING_OUT) {
		*bad = 1;
		r->out_cons = prod;
		return 0;
	}
	if (n > cap)
		n = (XENCONS_RING_IDX)cap;
	for (i = 0; i < n; i++)
		buf[i] = r->out[MASK_XENCONS_IDX(cons + i, r->out)];
	/* and copied before the guest may write over them */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->out_cons = cons + n;
	return n;
}

int
xdd_ring_write(volatile struct xencons_interface *r, const char *data, size_t n)
{
	XENCONS_RING_IDX cons = r->in_cons, prod = r->in_prod, used;
	size_t i;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	used = prod - cons;
	if (used > XDD_RING_IN)
		return -1;
	if (n > XDD_RING_IN - used)
		n = XDD_RING_IN - used;
	for (i = 0; i < n; i++)
		r->in[MASK_XENCONS_IDX(prod + i, r->in)] = data[i];
	/* the bytes are there before the index that says so */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->in_prod = prod + (XENCONS_RING_IDX)n;
	return (int)n;
}

void
xdd_hist_put(struct xdd_hist *h, const char *data, size_t n)
{
	size_t at, first;

	if (n > XDD_HIST_SIZE) { /* only the last ones stay */
		h->total += n - XDD_HIST_SIZE;
		data += n - XDD_HIST_SIZE;
		n = XDD_HIST_SIZE;
	}
	at = h->total % XDD_HIST_SIZE;
	first = XDD_HIST_SIZE - at < n ? XDD_HIST_SIZE - at : n;
	memcpy(h->buf + at, data, first);
	memcpy(h->buf, data + first, n - first);
	h->total += n;
}

size_t
xdd_hist_get(const struct xdd_hist *h, char *out)
{
	size_t at = h->total % XDD_HIST_SIZE;

	if (h->total < XDD_HIST_SIZE) {
		memcpy(out, h->buf, at);
		return at;
	}
	memcpy(out, h->buf + at, XDD_HIST_SIZE - at);
	memcpy(out + XDD_HIST_SIZE - at, h->buf, at);
	return XDD_HIST_SIZE;
}

size_t
xdd_stamp(const char *in, size_t n, const char *ts, size_t tslen, int *needts,
	  char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		/* the '\r's at a line's start: the stamp stands for them */
		if (*needts && in[i] == '\r')
			continue;
		if (*needts) {
			memcpy(out + o, ts, tslen);
			o += tslen;
			*needts = 0;
		}
		out[o++] = in[i];
		*needts = in[i] == '\n';
	}
	return o;
}
