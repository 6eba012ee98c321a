/*
 * tcp.c: enough TCP for a server that sends each client one line and
 * closes (daytime, RFC 867): SYN, SYN-ACK, the line with our FIN in one
 * segment, the peer's ACK and FIN; retransmits on a timeout; RST to
 * segments for ports nobody listens on.  One connection at a time; what
 * the peer sends is acknowledged and discarded.
 */
#include "net.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define WINDOW	    1024 /* we advertise (and discard what comes in) */
#define RTO_MS	    1000 /* the first retransmit; doubled each time */
#define MAX_RETRIES 4
#define LINGER_MS   10000 /* for the peer's FIN once ours is acked */

struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	size_t dlen; /* data bytes */
};

/* a segment from us (n->tcp_port or the port the peer asked) */
static void
send_seg(struct net *n, const uint8_t *mac, uint32_t dst, uint16_t sport,
	 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
	 const char *data, size_t dlen)
{
	uint8_t *t = n->out + NET_ETH_HLEN + NET_IP_HLEN;
	size_t len = NET_TCP_HLEN + dlen;

	net_ip_start(n, mac);
	net_put16(t, sport);
	net_put16(t + 2, dport);
	net_put32(t + 4, seq);
	net_put32(t + 8, ack);
	t[12] = (NET_TCP_HLEN / 4) << 4;
	t[13] = flags;
	net_put16(t + 14, WINDOW);
	net_put16(t + 16, 0);
	net_put16(t + 18, 0);
	net_copy(t + NET_TCP_HLEN, data, dlen);
	net_put16(t + 16,
		  net_fold(net_sum(
			  t, len,
			  net_pseudo_sum(n->ip, dst, NET_PROTO_TCP, len))));
	net_ip_send(n, dst, NET_PROTO_TCP, len);
}

/* what a segment nobody takes gets (RFC 793, "reset generation") */
static void
send_rst(struct net *n, const struct net_ip *ip, const struct seg *s)
{
	uint32_t len =
		(uint32_t)s->dlen + !!(s->flags & SYN) + !!(s->flags & FIN);

	if (s->flags & RST)
		return;
	if (s->flags & ACK)
		send_seg(n, ip->src_mac, ip->src, s->dport, s->sport, s->ack, 0,
			 RST, NULL, 0);
	else
		send_seg(n, ip->src_mac, ip->src, s->dport, s->sport, 0,
			 s->seq + len, RST | ACK, NULL, 0);
}

static void
conn_send(struct net *n, uint32_t seq, uint8_t flags, const char *data,
	  size_t dlen)
{
	struct net_tcp_conn *c = &n->conn;

	send_seg(n, c->peer_mac, c->peer_ip, n->tcp_port, c->peer_port, seq,
		 c->rcv_nxt, flags, data, dlen);
}

static void
send_synack(struct net *n)
{
	conn_send(n, n->conn.iss, SYN | ACK, NULL, 0);
}

/* the line and our FIN, from the first byte (a retransmit resends it
 * all: the peer drops what it has) */
static void
send_line(struct net *n)
{
	struct net_tcp_conn *c = &n->conn;

	conn_send(n, c->iss + 1, PSH | ACK | FIN, c->line, c->len);
}

static void
arm(struct net *n, uint64_t ms)
{
	n->conn.deadline_ms = n->now_ms + ms;
}

static void
accept_syn(struct net *n, const struct net_ip *ip, const struct seg *s)
{
	struct net_tcp_conn *c = &n->conn;
	size_t len;

	c->state = NET_TCP_SYN_RCVD;
	net_copy(c->peer_mac, ip->src_mac, 6);
	c->peer_ip = ip->src;
	c->peer_port = s->sport;
	n->isn += 0x1000003u + (uint32_t)n->now_ms * 250;
	c->iss = n->isn;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->rcv_nxt = s->seq + 1;
	c->retries = 0;
	len = n->tcp_line(n, c->line, sizeof(c->line));
	c->len = len <= sizeof(c->line) ? len : sizeof(c->line);
	send_synack(n);
	arm(n, RTO_MS);
}

/* the ACK field of a segment on our connection; 0 to go on with it,
 * -1 when it was dealt with */
static int
conn_ack(struct net *n, const struct net_ip *ip, const struct seg *s)
{
	struct net_tcp_conn *c = &n->conn;

	/* acceptable: snd_una <= ack <= snd_nxt, modulo 2^32 */
	if (s->ack - c->snd_una > c->snd_nxt - c->snd_una) {
		if (c->state == NET_TCP_SYN_RCVD)
			send_rst(n, ip, s);
		else
			conn_send(n, c->snd_nxt, ACK, NULL, 0);
		return -1;
	}
	c->snd_una = s->ack;
	if (c->state == NET_TCP_SYN_RCVD) {
		if (c->snd_una != c->iss + 1)
			return -1;
		/* established: all we have to say, and goodbye */
		c->snd_nxt = c->iss + 1 + (uint32_t)c->len + 1;
		c->state = NET_TCP_SENT;
		c->retries = 0;
		send_line(n);
		arm(n, RTO_MS);
		return 0;
	}
	if (c->snd_una != c->snd_nxt)
		return 0;
	/* our FIN is acknowledged */
	if (c->state == NET_TCP_CLOSING) {
		c->state = NET_TCP_CLOSED;
		return -1;
	}
	if (c->state == NET_TCP_SENT) {
		c->state = NET_TCP_FIN_WAIT_2;
		arm(n, LINGER_MS);
	}
	return 0;
}

static void
conn_input(struct net *n, const struct net_ip *ip, const struct seg *s)
{
	struct net_tcp_conn *c = &n->conn;
	int fin = (s->flags & FIN) != 0;

	if (s->flags & RST) {
		/* only a reset inside our window counts (RFC 5961's spirit) */
		if (s->seq - c->rcv_nxt < WINDOW)
			c->state = NET_TCP_CLOSED;
		return;
	}
	if (s->flags & SYN) {
		/* our SYN-ACK was lost: the peer sent its SYN again */
		if (c->state == NET_TCP_SYN_RCVD && s->seq + 1 == c->rcv_nxt)
			send_synack(n);
		return;
	}
	if (!(s->flags & ACK) || conn_ack(n, ip, s) < 0)
		return;
	if (s->dlen == 0 && !fin)
		return;
	if (s->seq != c->rcv_nxt) { /* out of order or again: say where */
		conn_send(n, c->snd_nxt, ACK, NULL, 0);
		return;
	}
	c->rcv_nxt += (uint32_t)s->dlen + (uint32_t)fin;
	conn_send(n, c->snd_nxt, ACK, NULL, 0);
	if (!fin)
		return;
	if (c->state == NET_TCP_FIN_WAIT_2)
		c->state =
			NET_TCP_CLOSED; /* no TIME-WAIT: a late FIN gets RST */
	else if (c->state == NET_TCP_SENT)
		c->state = NET_TCP_CLOSING;
}

void
net_tcp_input(struct net *n, const struct net_ip *ip)
{
	const uint8_t *t = ip->payload;
	struct net_tcp_conn *c = &n->conn;
	struct seg s;
	size_t doff;

	if (ip->len < NET_TCP_HLEN)
		goto drop;
	doff = (size_t)(t[12] >> 4) * 4;
	if (doff < NET_TCP_HLEN || doff > ip->len)
		goto drop;
	if (net_fold(net_sum(t, ip->len,
			     net_pseudo_sum(ip->src, ip->dst, NET_PROTO_TCP,
					    ip->len))) != 0)
		goto drop;
	s.sport = net_get16(t);
	s.dport = net_get16(t + 2);
	s.seq = net_get32(t + 4);
	s.ack = net_get32(t + 8);
	s.flags = t[13];
	s.dlen = ip->len - doff;
	if (s.sport == 0)
		goto drop;
	if (n->tcp_port == 0 || s.dport != n->tcp_port) {
		send_rst(n, ip, &s);
		return;
	}
	if (c->state != NET_TCP_CLOSED && c->peer_ip == ip->src &&
	    c->peer_port == s.sport) {
		conn_input(n, ip, &s);
		return;
	}
	/* the listener */
	if (s.flags & RST)
		return;
	if (s.flags & ACK) {
		send_rst(n, ip, &s);
		return;
	}
	if (!(s.flags & SYN) || (s.flags & FIN))
		goto drop;
	if (c->state != NET_TCP_CLOSED)
		return; /* busy: the peer retries */
	accept_syn(n, ip, &s);
	return;
drop:
	n->dropped++;
}

uint64_t
net_tick(struct net *n, uint64_t now_ms)
{
	struct net_tcp_conn *c = &n->conn;

	n->now_ms = now_ms;
	if (c->state == NET_TCP_CLOSED)
		return 0;
	if (now_ms < c->deadline_ms)
		return c->deadline_ms;
	if (c->state == NET_TCP_FIN_WAIT_2 || ++c->retries > MAX_RETRIES) {
		c->state = NET_TCP_CLOSED;
		return 0;
	}
	if (c->state == NET_TCP_SYN_RCVD)
		send_synack(n);
	else
		send_line(n);
	arm(n, (uint64_t)RTO_MS << c->retries);
	return c->deadline_ms;
}
