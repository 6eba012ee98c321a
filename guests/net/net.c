/*
 * net.c: Ethernet, ARP, IPv4, ICMP echo and UDP echo of our guests' stack
 * (net.h).  Frames are read byte by byte at checked offsets, never through
 * structs laid over them: every length comes from the wire.
 */
#include "net.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void
net_copy(void *d, const void *s, size_t n)
{
	uint8_t *x = d;
	const uint8_t *y = s;

	while (n--)
		*x++ = *y++;
}

static int
same(const uint8_t *a, const uint8_t *b, size_t n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

uint32_t
net_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += net_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t
net_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t
net_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	       proto + (uint32_t)len;
}

void
net_init(struct net *n, const uint8_t mac[6], uint32_t ip, uint16_t mtu,
	 net_tx_fn *tx, uint32_t isn_seed)
{
	uint8_t *p = (uint8_t *)n;
	size_t i;

	for (i = 0; i < sizeof(*n); i++)
		p[i] = 0;
	net_copy(n->mac, mac, 6);
	n->ip = ip;
	n->mtu = mtu >= 68 && mtu <= NET_MTU_MAX ? mtu : NET_MTU_MAX;
	n->tx = tx;
	n->isn = isn_seed;
}

void
net_tcp_listen(struct net *n, uint16_t port, net_line_fn *fill)
{
	n->tcp_port = port;
	n->tcp_line = fill;
}

/* send n->out's first len bytes, padded to Ethernet's minimum */
static void
eth_send(struct net *n, size_t len)
{
	while (len < NET_FRAME_MIN)
		n->out[len++] = 0;
	n->tx_count++;
	n->tx(n, n->out, len);
}

static void
eth_header(struct net *n, const uint8_t *dst_mac, uint16_t type)
{
	net_copy(n->out, dst_mac, 6);
	net_copy(n->out + 6, n->mac, 6);
	net_put16(n->out + 12, type);
}

/* ARP over Ethernet for IPv4: we answer requests for our address, to the
 * asker's MAC; we ask nothing (every reply goes to a frame's sender) */
static void
arp_input(struct net *n, const uint8_t *p, size_t len)
{
	uint8_t *o = n->out + NET_ETH_HLEN;

	if (len < 28 || net_get16(p) != 1 || net_get16(p + 2) != NET_ETH_IPV4 ||
	    p[4] != 6 || p[5] != 4 || net_get16(p + 6) != 1 ||
	    net_get32(p + 24) != n->ip || (p[8] & 1)) {
		n->dropped++;
		return;
	}
	eth_header(n, p + 8, NET_ETH_ARP);
	net_put16(o, 1);
	net_put16(o + 2, NET_ETH_IPV4);
	o[4] = 6;
	o[5] = 4;
	net_put16(o + 6, 2); /* reply */
	net_copy(o + 8, n->mac, 6);
	net_put32(o + 14, n->ip);
	net_copy(o + 18, p + 8, 10); /* the asker's MAC and address */
	eth_send(n, NET_ETH_HLEN + 28);
}

void
net_ip_start(struct net *n, const uint8_t *dst_mac)
{
	eth_header(n, dst_mac, NET_ETH_IPV4);
}

void
net_ip_send(struct net *n, uint32_t dst_ip, uint8_t proto, size_t len)
{
	uint8_t *h = n->out + NET_ETH_HLEN;

	h[0] = 0x45;
	h[1] = 0;
	net_put16(h + 2, (uint16_t)(NET_IP_HLEN + len));
	net_put16(h + 4, (uint16_t)n->tx_count); /* id */
	net_put16(h + 6, 0x4000);		 /* don't fragment */
	h[8] = 64;
	h[9] = proto;
	net_put16(h + 10, 0);
	net_put32(h + 12, n->ip);
	net_put32(h + 16, dst_ip);
	net_put16(h + 10, net_fold(net_sum(h, NET_IP_HLEN, 0)));
	eth_send(n, NET_ETH_HLEN + NET_IP_HLEN + len);
}

/* echo request: the same identifier, sequence and data back */
static void
icmp_input(struct net *n, const struct net_ip *ip)
{
	uint8_t *o = n->out + NET_ETH_HLEN + NET_IP_HLEN;

	if (ip->len < 8 || ip->payload[0] != 8 || ip->payload[1] != 0 ||
	    net_fold(net_sum(ip->payload, ip->len, 0)) != 0) {
		n->dropped++;
		return;
	}
	net_ip_start(n, ip->src_mac);
	net_copy(o, ip->payload, ip->len);
	o[0] = 0; /* echo reply */
	net_put16(o + 2, 0);
	net_put16(o + 2, net_fold(net_sum(o, ip->len, 0)));
	net_ip_send(n, ip->src, NET_PROTO_ICMP, ip->len);
}

/* UDP: echo on port 7 (RFC 862); everything else is dropped */
static void
udp_input(struct net *n, const struct net_ip *ip)
{
	const uint8_t *u = ip->payload;
	uint8_t *o = n->out + NET_ETH_HLEN + NET_IP_HLEN;
	size_t ulen;
	uint16_t sum;

	if (ip->len < 8) {
		n->dropped++;
		return;
	}
	ulen = net_get16(u + 4);
	if (ulen < 8 || ulen > ip->len ||
	    net_get16(u + 2) != NET_UDP_ECHO_PORT || net_get16(u) == 0) {
		n->dropped++;
		return;
	}
	/* a checksum of 0 means none was computed */
	if (net_get16(u + 6) != 0 &&
	    net_fold(net_sum(u, ulen,
			     net_pseudo_sum(ip->src, ip->dst, NET_PROTO_UDP,
					    ulen))) != 0) {
		n->dropped++;
		return;
	}
	net_ip_start(n, ip->src_mac);
	net_copy(o, u, ulen);
	net_put16(o, NET_UDP_ECHO_PORT);
	net_put16(o + 2, net_get16(u));
	net_put16(o + 6, 0);
	sum = net_fold(net_sum(
		o, ulen, net_pseudo_sum(n->ip, ip->src, NET_PROTO_UDP, ulen)));
	net_put16(o + 6, sum ? sum : 0xffff);
	net_ip_send(n, ip->src, NET_PROTO_UDP, ulen);
}

/* a unicast or limited-broadcast address we may answer: not 0, not
 * multicast (224/4) or above */
static int
answerable(uint32_t a)
{
	return a != 0 && (a >> 28) < 14;
}

static void
ipv4_input(struct net *n, const uint8_t *frame, const uint8_t *p, size_t len)
{
	struct net_ip ip;
	size_t hlen, total;

	if (len < NET_IP_HLEN || (p[0] >> 4) != 4)
		goto drop;
	hlen = (size_t)(p[0] & 0xf) * 4;
	total = net_get16(p + 2);
	/* the header inside the packet, the packet inside the frame (what
	 * follows total is Ethernet's padding) */
	if (hlen < NET_IP_HLEN || hlen > total || total > len)
		goto drop;
	if (net_fold(net_sum(p, hlen, 0)) != 0)
		goto drop;
	/* no fragments: neither more to come nor an offset */
	if (net_get16(p + 6) & 0x3fff)
		goto drop;
	ip.src = net_get32(p + 12);
	ip.dst = net_get32(p + 16);
	if (ip.dst != n->ip || !answerable(ip.src) || ip.src == 0xffffffffu)
		goto drop;
	ip.src_mac = frame + 6;
	ip.payload = p + hlen; /* options skipped */
	ip.len = total - hlen;
	switch (p[9]) {
	case NET_PROTO_ICMP: icmp_input(n, &ip); return;
	case NET_PROTO_UDP: udp_input(n, &ip); return;
	case NET_PROTO_TCP: net_tcp_input(n, &ip); return;
	}
drop:
	n->dropped++;
}

void
net_input(struct net *n, const uint8_t *frame, size_t len, uint64_t now_ms)
{
	n->now_ms = now_ms;
	n->rx++;
	if (n->ip == 0 || len < NET_ETH_HLEN ||
	    len > (size_t)NET_ETH_HLEN + n->mtu || (frame[6] & 1)) {
		n->dropped++; /* too short, too long, or from a group MAC */
		return;
	}
	if (!same(frame, n->mac, 6) && !same(frame, bcast, 6)) {
		n->dropped++;
		return;
	}
	switch (net_get16(frame + 12)) {
	case NET_ETH_ARP:
		arp_input(n, frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
		return;
	case NET_ETH_IPV4:
		ipv4_input(n, frame, frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
		return;
	}
	n->dropped++;
}
