/*
 * net.h: the small network stack of chaos's guests: Ethernet, ARP, IPv4
 * (no fragments; options skipped), ICMP echo, UDP echo on port 7 and a TCP
 * server that answers each connection on one port with one line, then
 * closes.  Freestanding (only <stddef.h> and <stdint.h>), so the unit tests
 * and the fuzzer build it on the host.  Every frame is hostile: each
 * length and offset read from it is checked before it is used.
 */
#ifndef CHAOS_GUEST_NET_H
#define CHAOS_GUEST_NET_H

#include <stddef.h>
#include <stdint.h>

#define NET_ETH_HLEN  14
#define NET_MTU_MAX   1500
#define NET_FRAME_MAX (NET_ETH_HLEN + NET_MTU_MAX)
#define NET_FRAME_MIN 60 /* we pad what we send to Ethernet's minimum */
#define NET_LINE_MAX  128

#define NET_UDP_ECHO_PORT 7

/* The one TCP connection (RFC 793's states, the few a server that sends
 * one line and closes goes through). */
enum net_tcp_state {
	NET_TCP_CLOSED = 0, /* free (the listener answers SYNs) */
	NET_TCP_SYN_RCVD,   /* SYN-ACK sent, waiting for its ACK */
	NET_TCP_SENT,	    /* the line and our FIN sent, not all acked */
	NET_TCP_FIN_WAIT_2, /* all acked, waiting for the peer's FIN */
	NET_TCP_CLOSING,    /* the peer's FIN came first: waiting for our
			     * FIN's ACK */
};

struct net_tcp_conn {
	enum net_tcp_state state;
	uint8_t peer_mac[6];
	uint32_t peer_ip;
	uint16_t peer_port;
	uint32_t iss;	  /* our initial sequence number */
	uint32_t snd_una; /* oldest unacknowledged of ours */
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint64_t deadline_ms; /* retransmit or give up at */
	unsigned retries;
	size_t len; /* of line */
	char line[NET_LINE_MAX];
};

struct net;

/* Send one Ethernet frame (len NET_FRAME_MIN..NET_FRAME_MAX). */
typedef void net_tx_fn(struct net *n, const uint8_t *frame, size_t len);

/* The line to send on a new TCP connection, into buf (at most cap
 * bytes); its length. */
typedef size_t net_line_fn(struct net *n, char *buf, size_t cap);

struct net {
	uint8_t mac[6];
	uint32_t ip; /* host byte order; 0: none, we answer nothing */
	uint16_t mtu;
	net_tx_fn *tx;
	void *ctx;	   /* the caller's */
	uint16_t tcp_port; /* 0: no listener, RST to every SYN */
	net_line_fn *tcp_line;
	uint32_t isn; /* advanced for each connection */
	uint64_t now_ms;
	struct net_tcp_conn conn;
	/* counters */
	unsigned long rx, tx_count, dropped;
	uint8_t out[NET_FRAME_MAX]; /* the frame being built */
};

/* Set up n for our mac and ip (host byte order) and an MTU of 68..1500
 * (anything else is taken as 1500); tx sends what we answer.  isn_seed
 * seeds TCP's initial sequence numbers (a clock reading will do). */
void net_init(struct net *n, const uint8_t mac[6], uint32_t ip, uint16_t mtu,
	      net_tx_fn *tx, uint32_t isn_seed);

/* Serve TCP on port with the line fill writes (one connection at a
 * time: a SYN while one is open is ignored, and the peer retries). */
void net_tcp_listen(struct net *n, uint16_t port, net_line_fn *fill);

/* One frame received at now_ms: answered (through n->tx) or dropped.  A
 * frame longer than the MTU allows is dropped. */
void net_input(struct net *n, const uint8_t *frame, size_t len,
	       uint64_t now_ms);

/* Retransmit or give up what is due at now_ms; the next time anything is
 * due (0: nothing). */
uint64_t net_tick(struct net *n, uint64_t now_ms);

/* "Friday, November 27, 2026 20:15:00-UTC\r\n" for secs since 1970 (UTC),
 * at most cap bytes with a NUL; its length without the NUL, or 0 when
 * cap is too small. */
size_t net_format_date(uint64_t secs, char *buf, size_t cap);

/* --- inside the stack (net.c, tcp.c) ----------------------------------- */

#define NET_ETH_IPV4   0x0800
#define NET_ETH_ARP    0x0806
#define NET_PROTO_ICMP 1
#define NET_PROTO_TCP  6
#define NET_PROTO_UDP  17
#define NET_IP_HLEN    20
#define NET_TCP_HLEN   20

/* What net.c parsed of an IPv4 packet for the protocol handlers. */
struct net_ip {
	const uint8_t *src_mac; /* the frame's source */
	uint32_t src, dst;	/* host byte order */
	const uint8_t *payload; /* after the header and its options */
	size_t len;		/* of payload, from the header's total */
};

static inline uint16_t
net_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
net_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
net_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
net_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void net_copy(void *d, const void *s, size_t n);

/* The ones'-complement sum of p[0..len) added to sum, not folded. */
uint32_t net_sum(const uint8_t *p, size_t len, uint32_t sum);

/* Fold and complement: the checksum field's value (0 when a sum that
 * includes the field checks out). */
uint16_t net_fold(uint32_t sum);

/* The pseudo-header's sum for TCP and UDP. */
uint32_t net_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len);

/* Start an IPv4 packet to dst_ip at dst_mac in n->out; the payload goes
 * at n->out + NET_ETH_HLEN + NET_IP_HLEN.  net_ip_send finishes the
 * header for len bytes of payload and sends. */
void net_ip_start(struct net *n, const uint8_t *dst_mac);
void net_ip_send(struct net *n, uint32_t dst_ip, uint8_t proto, size_t len);

/* TCP segment of ip (tcp.c). */
void net_tcp_input(struct net *n, const struct net_ip *ip);

#endif
