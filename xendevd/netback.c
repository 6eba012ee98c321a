/*
 * netback.c: the rings of a noxs vif, served as hostile memory
 * (netback.h).  xen/io/ring.h's macros are not used, only its layout:
 * they read the shared indices as often as they like.
 */
#include <string.h>

#include "netback.h"

_Static_assert(offsetof(netif_tx_sring_t, ring) +
			       XDD_NB_RING *
				       sizeof(union netif_tx_sring_entry) <=
		       4096,
	       "TX ring fits a page");
_Static_assert(offsetof(netif_rx_sring_t, ring) +
			       XDD_NB_RING *
				       sizeof(union netif_rx_sring_entry) <=
		       4096,
	       "RX ring fits a page");

static void
fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static volatile union netif_tx_sring_entry *
tx_slot(struct xdd_nb *nb, RING_IDX i)
{
	return (volatile union netif_tx_sring_entry
			*)((volatile uint8_t *)nb->tx +
			   offsetof(netif_tx_sring_t, ring)) +
	       (i % XDD_NB_RING);
}

static volatile union netif_rx_sring_entry *
rx_slot(struct xdd_nb *nb, RING_IDX i)
{
	return (volatile union netif_rx_sring_entry
			*)((volatile uint8_t *)nb->rx +
			   offsetof(netif_rx_sring_t, ring)) +
	       (i % XDD_NB_RING);
}

/* requests the guest has made that we have not taken: its req_prod, read
 * once; -1 when it claims more than a ring holds */
static int
pending(RING_IDX prod, RING_IDX cons)
{
	RING_IDX n = prod - cons;

	return n > XDD_NB_RING ? -1 : (int)n;
}

int
xdd_nb_init(struct xdd_nb *nb, void *tx, void *rx, unsigned mtu)
{
	RING_IDX t, r;

	memset(nb, 0, sizeof(*nb));
	nb->tx = tx;
	nb->rx = rx;
	nb->mtu = mtu;
	t = nb->tx->rsp_prod;
	r = nb->rx->rsp_prod;
	fence();
	if (pending(nb->tx->req_prod, t) < 0 ||
	    pending(nb->rx->req_prod, r) < 0) {
		nb->why = "ring indices out of range";
		return -1;
	}
	nb->tx_cons = t;
	nb->rx_cons = r;
	return 0;
}

/* RING_PUSH_RESPONSES_AND_CHECK_NOTIFY on our own copy of the indices */
static void
push(volatile RING_IDX *rsp_prod, volatile RING_IDX *rsp_event, RING_IDX prod,
     int *notify)
{
	RING_IDX old = *rsp_prod, ev;

	fence(); /* the responses before the index */
	*rsp_prod = prod;
	fence(); /* the index before the guest's threshold */
	ev = *rsp_event;
	if ((RING_IDX)(prod - ev) < (RING_IDX)(prod - old))
		*notify = 1;
}

/* a TX request we will take: one whole frame inside one page */
static int
tx_ok(const struct xdd_nb *nb, const netif_tx_request_t *r)
{
	return r->flags == 0 && r->size >= XDD_NB_ETHHDR &&
	       r->size <= nb->mtu + XDD_NB_ETHHDR &&
	       (unsigned)r->offset + r->size <= 4096;
}

/* one batch: take up to XDD_NB_BATCH requests, copy, send, answer */
static int
tx_batch(struct xdd_nb *nb, const struct xdd_nb_ops *ops, void *arg, int n,
	 int *notify)
{
	static uint8_t buf[XDD_NB_BATCH][XDD_NB_FRAME];
	struct hv_gcopy seg[XDD_NB_BATCH];
	netif_tx_request_t req[XDD_NB_BATCH];
	int16_t status[XDD_NB_BATCH];
	volatile union netif_tx_sring_entry *e;
	size_t nseg = 0, s;
	int i;

	for (i = 0; i < n; i++) {
		e = tx_slot(nb, nb->tx_cons + (RING_IDX)i);
		/* one copy of the request: the guest may change it */
		req[i].gref = e->req.gref;
		req[i].offset = e->req.offset;
		req[i].flags = e->req.flags;
		req[i].id = e->req.id;
		req[i].size = e->req.size;
		status[i] = NETIF_RSP_ERROR;
		if (!tx_ok(nb, &req[i]))
			continue;
		seg[nseg] = (struct hv_gcopy){.local = buf[i],
					      .ref = req[i].gref,
					      .offset = req[i].offset,
					      .len = req[i].size};
		nseg++;
	}
	if (nseg > 0 && ops->copy(arg, seg, nseg) < 0)
		for (s = 0; s < nseg; s++)
			seg[s].status = -1;
	for (i = 0, s = 0; i < n; i++) {
		if (!tx_ok(nb, &req[i])) {
			nb->tx_err++;
			continue;
		}
		if (seg[s].status == 0) {
			ops->send(arg, buf[i], req[i].size);
			status[i] = NETIF_RSP_OKAY;
			nb->tx_ok++;
		} else {
			nb->tx_err++;
		}
		s++;
	}
	/* the responses, in the slots of the requests just taken */
	for (i = 0; i < n; i++) {
		e = tx_slot(nb, nb->tx_cons + (RING_IDX)i);
		e->rsp.id = req[i].id;
		e->rsp.status = status[i];
	}
	nb->tx_cons += (RING_IDX)n;
	push(&nb->tx->rsp_prod, &nb->tx->rsp_event, nb->tx_cons, notify);
	return 0;
}

int
xdd_nb_tx(struct xdd_nb *nb, const struct xdd_nb_ops *ops, void *arg,
	  unsigned max, int *notify)
{
	unsigned round;
	int n;

	for (round = 0; round < max; round++) {
		n = pending(nb->tx->req_prod, nb->tx_cons);
		fence(); /* the index before the requests */
		if (n < 0) {
			nb->why = "TX requests out of range";
			return -1;
		}
		if (n == 0) {
			/* RING_FINAL_CHECK_FOR_REQUESTS: ask for an event on
			 * the next request, then look once more */
			nb->tx->req_event = nb->tx_cons + 1;
			fence();
			n = pending(nb->tx->req_prod, nb->tx_cons);
			fence();
			if (n < 0) {
				nb->why = "TX requests out of range";
				return -1;
			}
			if (n == 0)
				return 0;
		}
		if (n > XDD_NB_BATCH)
			n = XDD_NB_BATCH;
		tx_batch(nb, ops, arg, n, notify);
	}
	return 1;
}

int
xdd_nb_rx(struct xdd_nb *nb, const struct xdd_nb_ops *ops, void *arg,
	  uint8_t *const *frames, const size_t *lens, size_t n, int *notify)
{
	struct hv_gcopy seg[XDD_NB_BATCH];
	uint16_t id[XDD_NB_BATCH];
	volatile union netif_rx_sring_entry *e;
	size_t i, k = 0;
	int posted, delivered = 0;

	posted = pending(nb->rx->req_prod, nb->rx_cons);
	fence();
	if (posted < 0) {
		nb->why = "RX requests out of range";
		return -1;
	}
	for (i = 0; i < n && k < XDD_NB_BATCH; i++) {
		if (lens[i] < XDD_NB_ETHHDR ||
		    lens[i] > nb->mtu + XDD_NB_ETHHDR || (int)k >= posted) {
			nb->rx_drop++;
			continue;
		}
		e = rx_slot(nb, nb->rx_cons + (RING_IDX)k);
		id[k] = e->req.id; /* echoed, never used */
		seg[k] = (struct hv_gcopy){.local = frames[i],
					   .ref = e->req.gref,
					   .len = (uint16_t)lens[i],
					   .to_guest = 1};
		k++;
	}
	nb->rx_drop += n - i; /* more than a batch: the rest is dropped */
	if (k == 0)
		return 0;
	if (ops->copy(arg, seg, k) < 0)
		for (i = 0; i < k; i++)
			seg[i].status = -1;
	for (i = 0; i < k; i++) {
		e = rx_slot(nb, nb->rx_cons + (RING_IDX)i);
		e->rsp.id = id[i];
		e->rsp.offset = 0;
		e->rsp.flags = 0;
		if (seg[i].status == 0) {
			e->rsp.status = (int16_t)seg[i].len;
			nb->rx_ok++;
			delivered++;
		} else {
			e->rsp.status = NETIF_RSP_ERROR;
			nb->rx_drop++;
		}
	}
	nb->rx_cons += (RING_IDX)k;
	push(&nb->rx->rsp_prod, &nb->rx->rsp_event, nb->rx_cons, notify);
	return delivered;
}
