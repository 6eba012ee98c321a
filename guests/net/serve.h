/* serve.h: the service loop of our network guests (pong, daytime). */
#ifndef CHAOS_GUEST_SERVE_H
#define CHAOS_GUEST_SERVE_H

#include "common.h"
#include "net/net.h"

/*
 * Bring up vif 0 (noxs only) and answer ARP, ping and UDP echo on port 7,
 * and, when tcp_port is not 0, TCP on that port with fill's line, while
 * waiting for a power request we obey; returns its SHUTDOWN_* reason.
 * Says "NAME: up on IP/PREFIX" once the backend connects, and what went
 * wrong when there is no vif or it fails (then it only waits for the
 * power request).
 */
unsigned net_serve(struct guest *g, const char *name, uint16_t tcp_port,
		   net_line_fn *fill);

#endif
