/*
 * netfront.h: the guest's side of a noxs vif (docs/noxs.md, section 8):
 * Xen's netif TX and RX rings in pages of ours, granted to the backend,
 * one page a packet, the backend copying (RX_COPY).  One vif at a time.
 */
#ifndef CHAOS_GUEST_NETFRONT_H
#define CHAOS_GUEST_NETFRONT_H

#include "noxs.h"
#include "pv/pv.h"

/* Set up the vif whose control block is block and entry e: grant table,
 * rings, RX buffers posted, refs published, fe_state CONNECTED, the
 * channel signalled.  The backend's half of the block, checked, goes to
 * *cfg.  0, or -1 (said on the console) when the vif cannot be used. */
int netfront_init(volatile void *block, const struct noxs_dev_entry *e,
		  struct noxs_vif_ctrl *cfg);

/* Stop using the vif (the backend asked, or its entry went): fe_state
 * CLOSED, the channel signalled, the vif forgotten; netfront_init may
 * set up another.  Nothing when there is none. */
void netfront_close(void);

/* The backend's state now (NOXS_STATE_*); CLOSED too once we found the
 * rings broken. */
uint32_t netfront_state(void);

/* Send one Ethernet frame (14..mtu + 14 bytes); dropped when every TX
 * buffer stays busy. */
void netfront_send(const uint8_t *frame, size_t len);

/* Hand each received frame to deliver (a private copy, checked against
 * the ring's promises), re-post its buffer, until the ring is empty. */
typedef void netfront_rx_fn(void *arg, const uint8_t *frame, size_t len);
void netfront_poll(netfront_rx_fn *deliver, void *arg);

#endif
