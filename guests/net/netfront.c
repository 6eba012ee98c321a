/*
 * netfront.c: the guest's side of a noxs vif (docs/noxs.md, section 8).
 * The rings are Xen's netif rings (xen/io/netif.h's layout); the ring
 * macros of xen/io/ring.h are not used, only its structs: the indices
 * live in shared memory the backend writes, so each is read once and
 * checked against what we have outstanding before anything is touched.
 * Grants stay in place for the guest's life: the backend copies, never
 * maps, buffers, and a stale grant of a buffer not posted is harmless.
 * One vif at a time: netfront_close lets it go (a detach), and a later
 * netfront_init starts afresh on another block, which the toolstack
 * publishes only once the backend has unmapped the old rings.
 */
#include "netfront.h"
#include "net/net.h"

#include <xen/grant_table.h>
#include <xen/io/netif.h>

#define RING_SLOTS 256 /* entries of a one-page netif ring */
#define NRX	   64  /* RX buffers, one page each */
#define NTX	   32  /* TX buffers */

_Static_assert(sizeof(netif_tx_sring_t) - sizeof(union netif_tx_sring_entry) +
			       RING_SLOTS *
				       sizeof(union netif_tx_sring_entry) <=
		       4096,
	       "TX ring fits a page");
_Static_assert(sizeof(netif_rx_sring_t) - sizeof(union netif_rx_sring_entry) +
			       RING_SLOTS *
				       sizeof(union netif_rx_sring_entry) <=
		       4096,
	       "RX ring fits a page");

/* grant refs: 0..7 are reserved (0, 1 the builder's) */
#define GREF_TX_RING 8
#define GREF_RX_RING 9
#define GREF_RX_BUF  10
#define GREF_TX_BUF  (GREF_RX_BUF + NRX)

#define PAGE __attribute__((aligned(4096)))
static uint8_t tx_page[4096] PAGE;
static uint8_t rx_page[4096] PAGE;
static uint8_t rx_buf[NRX][4096] PAGE;
static uint8_t tx_buf[NTX][4096] PAGE;

static volatile netif_tx_sring_t *txs;
static volatile netif_rx_sring_t *rxs;
static volatile void *ctrl;
static evtchn_port_t port;
static uint16_t mtu;
static int broken;

/* our side of each ring: next request slot, next response to take */
static RING_IDX tx_req, tx_rsp, rx_req, rx_rsp;
static uint8_t tx_busy[NTX];	     /* a request names it */
static uint8_t rx_posted[NRX];	     /* likewise */
static uint8_t frame[NET_FRAME_MAX]; /* an RX frame, copied out */

static void
mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* the backend broke the protocol: stop using the vif, and say so */
static void
give_up(const char *why)
{
	volatile struct noxs_vif_ctrl *v = ctrl;

	if (broken)
		return;
	broken = 1;
	pv_puts("netfront: ");
	pv_puts(why);
	pv_puts(": vif closed\n");
	v->fe_state = NOXS_STATE_CLOSED;
	pv_notify(port);
}

/* make requests up to prod visible; notify when the backend asked to be
 * told (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY's rule) */
static void
push(volatile RING_IDX *req_prod, volatile RING_IDX *req_event, RING_IDX prod)
{
	RING_IDX old = *req_prod;

	barrier(); /* the requests before the index (x86 keeps store order) */
	*req_prod = prod;
	mb(); /* the index before we read req_event */
	if ((RING_IDX)(prod - *req_event) < (RING_IDX)(prod - old))
		pv_notify(port);
}

static void
post_rx(uint16_t id)
{
	volatile netif_rx_request_t *r = &rxs->ring[rx_req % RING_SLOTS].req;

	r->id = id;
	r->gref = GREF_RX_BUF + id;
	rx_posted[id] = 1;
	rx_req++;
}

int
netfront_init(volatile void *block, const struct noxs_dev_entry *e,
	      struct noxs_vif_ctrl *cfg)
{
	uint16_t be = e->backend_domid, i;

	if (noxs_vif_fe_read(block, cfg) < 0) {
		pv_puts("netfront: malformed control block\n");
		return -1;
	}
	/* afresh: indices, buffers, both ring pages */
	tx_req = tx_rsp = rx_req = rx_rsp = 0;
	pv_memset(tx_busy, 0, sizeof(tx_busy));
	pv_memset(rx_posted, 0, sizeof(rx_posted));
	pv_memset(tx_page, 0, sizeof(tx_page));
	pv_memset(rx_page, 0, sizeof(rx_page));
	broken = 0;
	if (!(cfg->be_features & NOXS_VIF_F_RX_COPY)) {
		pv_puts("netfront: the backend does not offer RX_COPY\n");
		return -1;
	}
	if (pv_gnttab_init() < 0) {
		pv_puts("netfront: no grant table\n");
		return -1;
	}
	ctrl = block;
	port = e->evtchn;
	mtu = cfg->mtu;
	/* SHARED_RING_INIT and FRONT_RING_INIT: .bss is zero, so only the
	 * event thresholds: tell us of the first response */
	txs = (volatile netif_tx_sring_t *)tx_page;
	rxs = (volatile netif_rx_sring_t *)rx_page;
	txs->req_event = txs->rsp_event = 1;
	rxs->req_event = rxs->rsp_event = 1;
	pv_grant(GREF_TX_RING, be, tx_page, 0);
	pv_grant(GREF_RX_RING, be, rx_page, 0);
	for (i = 0; i < NRX; i++)
		pv_grant(GREF_RX_BUF + i, be, rx_buf[i], 0);
	for (i = 0; i < NTX; i++)
		pv_grant(GREF_TX_BUF + i, be, tx_buf[i], 1);
	for (i = 0; i < NRX; i++)
		post_rx(i);
	barrier();
	rxs->req_prod = rx_req;
	noxs_vif_fe_connect(block, GREF_TX_RING, GREF_RX_RING,
			    NOXS_VIF_F_RX_COPY);
	pv_notify(port);
	return 0;
}

void
netfront_close(void)
{
	if (ctrl == NULL)
		return;
	if (!broken) {
		noxs_vif_fe_set_state(ctrl, NOXS_STATE_CLOSED);
		pv_notify(port);
	}
	ctrl = NULL;
	broken = 0;
}

uint32_t
netfront_state(void)
{
	if (ctrl == NULL || broken)
		return NOXS_STATE_CLOSED;
	return noxs_vif_fe_be_state(ctrl);
}

/* take TX responses: their buffers are free again */
static void
reap_tx(void)
{
	RING_IDX prod = txs->rsp_prod;
	uint16_t id;

	barrier(); /* the index before the responses */
	/* responses only to requests we made */
	if ((RING_IDX)(prod - tx_rsp) > (RING_IDX)(tx_req - tx_rsp)) {
		give_up("TX response index out of range");
		return;
	}
	for (; tx_rsp != prod; tx_rsp++) {
		id = txs->ring[tx_rsp % RING_SLOTS].rsp.id;
		if (id >= NTX || !tx_busy[id]) {
			give_up("TX response for no request");
			return;
		}
		tx_busy[id] = 0; /* a status of error costs only the packet */
	}
}

static int
free_tx(void)
{
	int i;

	reap_tx();
	for (i = 0; i < NTX && !broken; i++)
		if (!tx_busy[i])
			return i;
	return -1;
}

void
netfront_send(const uint8_t *data, size_t len)
{
	volatile netif_tx_request_t *r;
	int id, tries;

	if (ctrl == NULL || broken || len < NET_ETH_HLEN ||
	    len > (size_t)NET_ETH_HLEN + mtu)
		return;
	/* every buffer in flight: give the backend a moment (up to 10 ms;
	 * the caller looks at the rings again before it sleeps) */
	for (tries = 0; (id = free_tx()) < 0 && tries < 10 && !broken;
	     tries++) {
		pv_notify(port);
		pv_wait(port, 1000000);
	}
	if (id < 0)
		return;
	pv_memcpy(tx_buf[id], data, len);
	r = &txs->ring[tx_req % RING_SLOTS].req;
	r->gref = GREF_TX_BUF + (uint32_t)id;
	r->offset = 0;
	r->flags = 0;
	r->id = (uint16_t)id;
	r->size = (uint16_t)len;
	tx_busy[id] = 1;
	tx_req++;
	push(&txs->req_prod, &txs->req_event, tx_req);
}

/* one RX response, copied and checked: the frame to the stack, its
 * buffer posted again; -1 when the ring is broken */
static int
take_rx(RING_IDX i, netfront_rx_fn *deliver, void *arg)
{
	volatile netif_rx_response_t *r = &rxs->ring[i % RING_SLOTS].rsp;
	uint16_t id = r->id, off = r->offset, flags = r->flags;
	int16_t status = r->status;

	if (id >= NRX || !rx_posted[id]) {
		give_up("RX response for no request");
		return -1;
	}
	rx_posted[id] = 0;
	/* one whole packet in one page, no extra slots */
	if (status >= NET_ETH_HLEN &&
	    (unsigned)status <= (unsigned)NET_ETH_HLEN + mtu &&
	    off <= 4096 - (unsigned)status &&
	    (flags & ~NETRXF_data_validated) == 0) {
		/* a private copy: the page stays writable to the backend */
		pv_memcpy(frame, rx_buf[id] + off, (size_t)status);
		deliver(arg, frame, (size_t)status);
	}
	post_rx(id);
	return 0;
}

void
netfront_poll(netfront_rx_fn *deliver, void *arg)
{
	RING_IDX prod;

	if (ctrl == NULL || broken)
		return;
	do {
		prod = rxs->rsp_prod;
		barrier();
		if ((RING_IDX)(prod - rx_rsp) > (RING_IDX)(rx_req - rx_rsp)) {
			give_up("RX response index out of range");
			return;
		}
		while (rx_rsp != prod)
			if (take_rx(rx_rsp++, deliver, arg) < 0)
				return;
		push(&rxs->req_prod, &rxs->req_event, rx_req);
		reap_tx();
		/* RING_FINAL_CHECK_FOR_RESPONSES: ask to be told of the
		 * next one, then look once more */
		rxs->rsp_event = rx_rsp + 1;
		mb();
	} while (!broken && rxs->rsp_prod != rx_rsp);
}
