/*
 * fuzz_netback.c: xendevd's netback for noxs vifs (xendevd/netback.c,
 * the block checks of libnoxs) against a hostile frontend: the input is
 * a vif control block, both rings' indices and requests, and a script of
 * what happens next: TX turns, frames to deliver, and the guest writing
 * its indices at any moment, even in the middle of a grant copy.  The
 * copy is a fake that checks every segment it is given and fails some.
 *
 * Input: 64 bytes of control block, 2 of MTU, 16 of TX indices, a count
 * and that many 12-byte TX requests, 16 of RX indices, a count and that
 * many 8-byte RX requests, then the script.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netback.h"
#include "noxs.h"

struct fz {
	const uint8_t *p, *end;
	netif_tx_sring_t *tx;
	netif_rx_sring_t *rx;
	unsigned mtu;
};

static uint8_t
take8(struct fz *f)
{
	return f->p < f->end ? *f->p++ : 0;
}

static uint32_t
take32(struct fz *f)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | take8(f);
	return v;
}

static void
fill(struct fz *f, void *dst, size_t n)
{
	size_t k = (size_t)(f->end - f->p) < n ? (size_t)(f->end - f->p) : n;

	memcpy(dst, f->p, k);
	f->p += k;
}

/* the guest writes an index while we work */
static void
meddle(struct fz *f)
{
	uint8_t b = take8(f);

	if (b & 1)
		f->tx->req_prod = take32(f);
	if (b & 2)
		f->rx->req_prod = take32(f);
	if (b & 4)
		f->tx->rsp_event = take32(f);
	if (b & 8)
		f->rx->rsp_prod = take32(f); /* ours: the guest lies */
}

static int
fz_copy(void *arg, struct hv_gcopy *segs, size_t n)
{
	struct fz *f = arg;
	volatile uint8_t sink = 0;
	size_t i, j;

	if (n == 0 || n > XDD_NB_BATCH)
		abort();
	for (i = 0; i < n; i++) {
		struct hv_gcopy *s = &segs[i];

		/* within one page, never more than a frame */
		if ((unsigned)s->offset + s->len > 4096 ||
		    s->len < XDD_NB_ETHHDR || s->len > f->mtu + XDD_NB_ETHHDR)
			abort();
		if (s->to_guest && s->offset != 0)
			abort();
		/* touch every byte of the local side (ASan checks it) */
		if (s->to_guest)
			for (j = 0; j < s->len; j++)
				sink ^= ((uint8_t *)s->local)[j];
		else
			memset(s->local, 0xab, s->len);
		s->status = (take8(f) & 7) == 7 ? -3 : 0; /* GNTST_bad_gntref */
	}
	(void)sink;
	meddle(f);
	return (take8(f) & 0x3f) == 0x3f ? -1 : 0;
}

static void
fz_send(void *arg, const uint8_t *frame, size_t len)
{
	struct fz *f = arg;
	volatile uint8_t sink = 0;
	size_t j;

	if (len < XDD_NB_ETHHDR || len > f->mtu + XDD_NB_ETHHDR)
		abort();
	for (j = 0; j < len; j++)
		sink ^= frame[j];
	(void)sink;
}

static const struct xdd_nb_ops ops = {.copy = fz_copy, .send = fz_send};

static void
check_block(const uint8_t *raw)
{
	struct noxs_vif_ctrl c;

	if (noxs_vif_be_read(raw, &c) < 0)
		return;
	if (c.be_state > NOXS_STATE_MAX || c.fe_state > NOXS_STATE_MAX)
		abort();
	if (c.fe_state == NOXS_STATE_CONNECTED &&
	    (c.fe_features != NOXS_VIF_F_RX_COPY ||
	     c.tx_ring_ref == c.rx_ring_ref || c.tx_ring_ref < 2 ||
	     c.rx_ring_ref < 2))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t tx_page[4096] __attribute__((aligned(4096)));
	static uint8_t rx_page[4096] __attribute__((aligned(4096)));
	static uint8_t frame_buf[40][2048];
	uint8_t *frames[40], block[64];
	size_t lens[40], k, i;
	struct fz f = {data, data + size, (netif_tx_sring_t *)tx_page,
		       (netif_rx_sring_t *)rx_page, 0};
	union netif_rx_sring_entry *rx_ents =
		(union netif_rx_sring_entry *)(rx_page +
					       offsetof(netif_rx_sring_t,
							ring));
	struct xdd_nb nb;
	RING_IDX before;
	int notify, rc, steps;

	memset(block, 0, sizeof(block));
	fill(&f, block, sizeof(block));
	check_block(block);
	f.mtu = 68 + (take8(&f) << 8 | take8(&f)) % (1500 - 68 + 1);
	memset(tx_page, 0, sizeof(tx_page));
	memset(rx_page, 0, sizeof(rx_page));
	fill(&f, tx_page, 16);
	fill(&f, tx_page + offsetof(netif_tx_sring_t, ring),
	     (size_t)take8(&f) * sizeof(union netif_tx_sring_entry));
	fill(&f, rx_page, 16);
	fill(&f, rx_page + offsetof(netif_rx_sring_t, ring),
	     (size_t)take8(&f) * sizeof(union netif_rx_sring_entry));
	if (xdd_nb_init(&nb, tx_page, rx_page, f.mtu) < 0) {
		if (nb.why == NULL)
			abort();
		return 0;
	}
	for (steps = 0; steps < 64 && f.p < f.end; steps++) {
		uint8_t op = take8(&f);

		notify = 0;
		switch (op % 3) {
		case 0:
			before = nb.tx_cons;
			rc = xdd_nb_tx(&nb, &ops, &f, 1 + op / 3 % 4, &notify);
			if (rc < -1 || rc > 1 || (rc < 0 && nb.why == NULL))
				abort();
			if (rc < 0)
				return 0;
			/* every request taken is answered at once, and no
			 * more than a ring's worth per batch */
			if (f.tx->rsp_prod != nb.tx_cons ||
			    nb.tx_cons - before > 4 * XDD_NB_RING)
				abort();
			break;
		case 1:
			k = take8(&f) % 41;
			for (i = 0; i < k; i++) {
				frames[i] = frame_buf[i];
				lens[i] = (take8(&f) << 8 | take8(&f)) % 2049;
				memset(frame_buf[i], (int)i, lens[i]);
			}
			before = nb.rx_cons;
			rc = xdd_nb_rx(&nb, &ops, &f, frames, lens, k, &notify);
			if (rc < -1 || rc > (int)k ||
			    (rc < 0 && nb.why == NULL))
				abort();
			if (rc < 0)
				return 0;
			if (nb.rx_cons - before > XDD_NB_RING ||
			    (nb.rx_cons != before &&
			     f.rx->rsp_prod != nb.rx_cons))
				abort();
			/* the responses made: offset 0, no flag, a length
			 * in range or an error */
			for (; before != nb.rx_cons; before++) {
				netif_rx_response_t *r =
					&rx_ents[before % XDD_NB_RING].rsp;

				if (r->offset != 0 || r->flags != 0 ||
				    (r->status != NETIF_RSP_ERROR &&
				     (r->status < XDD_NB_ETHHDR ||
				      r->status >
					      (int)(f.mtu + XDD_NB_ETHHDR))))
					abort();
			}
			break;
		default: meddle(&f); break;
		}
	}
	return 0;
}
