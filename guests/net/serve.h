/* serve.h: the service loop of our network guests (pong, daytime). */
#ifndef CHAOS_GUEST_SERVE_H
#define CHAOS_GUEST_SERVE_H

#include "common.h"
#include "net/net.h"

/*
 * The whole of a network guest NAME: boot (guest_boot, obeying poweroff
 * and reboot), bring up vif 0 (noxs only) and answer ARP, ping and UDP
 * echo on port 7, and, when tcp_port is not 0, TCP on that port with
 * fill's line, until a power request, which it obeys.  Says "NAME: up on
 * IP" once the backend connects, and what went wrong when there is no vif
 * or it fails (then it only waits for the power request).
 */
__attribute__((noreturn)) void net_guest(start_info_t *si, const char *name,
					 uint16_t tcp_port, net_line_fn *fill);

#endif
