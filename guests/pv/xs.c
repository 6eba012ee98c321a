/*
 * xs.c: a minimal XenStore client for our PV guests (xenstore mode only):
 * one request at a time on the shared ring, as io/xs_wire.h describes.
 * Watch events that arrive between replies are remembered, not lost.
 */
#include "xs.h"

#include <xen/io/xs_wire.h>

static struct xenstore_domain_interface *ring;
static evtchn_port_t port;
static int events_pending;
static uint32_t next_id = 1;

void
xs_init(start_info_t *si)
{
	ring = pv_mfn_to_virt(si->store_mfn);
	port = si->store_evtchn;
}

void
xs_resume(start_info_t *si)
{
	xs_init(si);
	/* every request of ours was answered before we suspended, so the
	 * request ring is quiet and nothing unread is for us */
	barrier();
	ring->rsp_cons = ring->rsp_prod;
	events_pending = 0;
}

static void
ring_write(const void *data, size_t n)
{
	const char *p = data;
	XENSTORE_RING_IDX prod;

	while (n > 0) {
		barrier();
		prod = ring->req_prod;
		if (prod - ring->req_cons >= XENSTORE_RING_SIZE) {
			pv_wait(port, 0);
			continue;
		}
		ring->req[MASK_XENSTORE_IDX(prod)] = *p++;
		barrier();
		ring->req_prod = prod + 1;
		n--;
	}
	pv_notify(port);
}

static void
ring_read(void *data, size_t n)
{
	char *p = data;
	XENSTORE_RING_IDX cons;

	while (n > 0) {
		barrier();
		cons = ring->rsp_cons;
		if (ring->rsp_prod == cons) {
			pv_wait(port, 0);
			continue;
		}
		*p++ = ring->rsp[MASK_XENSTORE_IDX(cons)];
		barrier();
		ring->rsp_cons = cons + 1;
		n--;
	}
	pv_notify(port);
}

/* Send one request; copy the reply payload (at most cap bytes) to reply. */
static int
request(uint32_t type, const char *a, size_t alen, const char *b, size_t blen,
	char *reply, size_t cap)
{
	struct xsd_sockmsg m = {.type = type,
				.req_id = next_id++,
				.len = (uint32_t)(alen + blen)};
	char junk[64];
	uint32_t left;
	size_t n;

	ring_write(&m, sizeof(m));
	ring_write(a, alen);
	if (blen)
		ring_write(b, blen);
	for (;;) {
		ring_read(&m, sizeof(m));
		if (m.len > XENSTORE_PAYLOAD_MAX)
			return -1; /* a broken store: give up */
		if (m.type == XS_WATCH_EVENT) {
			events_pending++;
			for (left = m.len; left; left -= (uint32_t)n) {
				n = left < sizeof(junk) ? left : sizeof(junk);
				ring_read(junk, n);
			}
			continue;
		}
		n = m.len < cap ? m.len : cap;
		ring_read(reply, n);
		for (left = m.len - (uint32_t)n; left; left -= (uint32_t)n) {
			n = left < sizeof(junk) ? left : sizeof(junk);
			ring_read(junk, n);
		}
		if (m.type == XS_ERROR)
			return -1;
		return (int)(m.len < cap ? m.len : (uint32_t)cap);
	}
}

int
xs_read(const char *path, char *buf, size_t cap)
{
	int n = request(XS_READ, path, pv_strlen(path) + 1, NULL, 0, buf,
			cap - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int
xs_write(const char *path, const char *value)
{
	char ok[8];

	return request(XS_WRITE, path, pv_strlen(path) + 1, value,
		       pv_strlen(value), ok, sizeof(ok)) < 0
		       ? -1
		       : 0;
}

int
xs_watch(const char *path, const char *token)
{
	char buf[256], ok[8];
	size_t a = pv_strlen(path) + 1, b = pv_strlen(token) + 1;

	if (a + b > sizeof(buf))
		return -1;
	pv_memcpy(buf, path, a);
	pv_memcpy(buf + a, token, b);
	return request(XS_WATCH, buf, a + b, NULL, 0, ok, sizeof(ok)) < 0 ? -1
									  : 0;
}

void
xs_wait_event(void)
{
	struct xsd_sockmsg m;
	char junk[64];
	uint32_t left;
	size_t n;

	if (events_pending > 0) {
		events_pending--;
		return;
	}
	for (;;) {
		ring_read(&m, sizeof(m));
		if (m.len > XENSTORE_PAYLOAD_MAX)
			return;
		for (left = m.len; left; left -= (uint32_t)n) {
			n = left < sizeof(junk) ? left : sizeof(junk);
			ring_read(junk, n);
		}
		if (m.type == XS_WATCH_EVENT)
			return;
	}
}
