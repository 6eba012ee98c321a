/*
 * netback.h: the rings of a noxs vif as xendevd's user-space netback
 * serves them (docs/noxs.md section 8).  Pure: the rings are pages the
 * guest can write at any time, so each index and each request is read
 * once into a copy and checked before use (never more than a ring's
 * worth outstanding, ids only echoed back); data moves through ops (a
 * grant copy and the TAP), so the unit tests and the fuzzer run exactly
 * this on rings in plain memory.
 */
#ifndef XDD_NETBACK_H
#define XDD_NETBACK_H

#include <stddef.h>
#include <stdint.h>

/* before Xen's public headers, whose xen.h defines console_mfn */
#include "hv.h"

#include <xen/xen.h>

#include <xen/io/netif.h>

#define XDD_NB_RING   256 /* slots of a one-page netif ring */
#define XDD_NB_BATCH  64  /* requests taken per grant copy */
#define XDD_NB_ETHHDR 14
#define XDD_NB_FRAME  (1500 + XDD_NB_ETHHDR) /* the largest frame */

struct xdd_nb_ops {
	/* copy n segments with the guest's grants (hv_grant_copy); each
	 * segment's status set; -1 when nothing could be copied */
	int (*copy)(void *arg, struct hv_gcopy *segs, size_t n);
	/* a frame the guest sent, to the TAP */
	void (*send)(void *arg, const uint8_t *frame, size_t len);
};

struct xdd_nb {
	volatile netif_tx_sring_t *tx;
	volatile netif_rx_sring_t *rx;
	unsigned mtu;
	/* ours: the next request to take (= the next response: every
	 * request taken is answered in the same call) */
	RING_IDX tx_cons, rx_cons;
	const char *why; /* set when the guest broke the ring */
	uint64_t tx_ok, tx_err, rx_ok, rx_drop;
};

/*
 * Serve the rings at tx and rx (one page each), whose requests up to
 * their rsp_prod were answered (a fresh ring: 0; after a restart of
 * xendevd: where the last one stopped).  -1 (nb->why) when the indices
 * are out of range.
 */
int xdd_nb_init(struct xdd_nb *nb, void *tx, void *rx, unsigned mtu);

/*
 * Take the guest's TX requests (up to XDD_NB_BATCH per grant copy, at
 * most max batches), send each good packet and answer every request:
 * OKAY, or ERROR for flags, a size outside 14..mtu+14, a page crossed or
 * a failed copy.  *notify is set when the guest wants an event.
 * Returns 1 when requests are left (call again), 0 when the ring is
 * drained (and the guest asked to signal the next), -1 when the guest
 * broke the ring (nb->why; stop serving it).
 */
int xdd_nb_tx(struct xdd_nb *nb, const struct xdd_nb_ops *ops, void *arg,
	      unsigned max, int *notify);

/*
 * Give n frames (frames[i], lens[i] bytes) to the guest, each into the
 * next RX buffer it posted, at offset 0, answered {id, 0, 0, len}; a
 * frame outside 14..mtu+14 bytes, or with no buffer posted, is dropped;
 * a failed copy is answered with NETIF_RSP_ERROR.  Returns the frames
 * delivered, or -1 when the guest broke the ring (nb->why).
 */
int xdd_nb_rx(struct xdd_nb *nb, const struct xdd_nb_ops *ops, void *arg,
	      uint8_t *const *frames, const size_t *lens, size_t n,
	      int *notify);

#endif
