/*
 * test_net.c: the guests' network stack (guests/net/net.h) on the host:
 * frames in, frames out.  ARP, ICMP echo, UDP echo, a daytime-like TCP
 * exchange with its retransmits and resets, the date line, and malformed
 * frames, each handed over in a buffer of exactly its length so that
 * ASan sees any read past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net.h"

static const uint8_t our_mac[6] = {0x00, 0x16, 0x3e, 0x01, 0x02, 0x03};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
#define OUR_IP	0xc6120002u /* 198.18.0.2 */
#define PEER_IP 0xc6120001u

/* what the stack sent */
static uint8_t sent[8][NET_FRAME_MAX];
static size_t sent_len[8];
static int nsent;

static void
tx(struct net *n, const uint8_t *frame, size_t len)
{
	(void)n;
	assert_true(len >= NET_FRAME_MIN && len <= NET_FRAME_MAX);
	assert_true(nsent < 8);
	memcpy(sent[nsent], frame, len);
	sent_len[nsent++] = len;
}

static size_t
line(struct net *n, char *buf, size_t cap)
{
	(void)n;
	assert_true(cap >= 6);
	memcpy(buf, "hello\n", 6);
	return 6;
}

static struct net net;

static int
setup(void **state)
{
	(void)state;
	nsent = 0;
	net_init(&net, our_mac, OUR_IP, 1500, tx, 1234);
	net_tcp_listen(&net, 13, line);
	return 0;
}

/* the stack's input, from a heap copy of exactly len bytes */
static void
input(const uint8_t *f, size_t len, uint64_t now)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, f, len);
	net_input(&net, p, len, now);
	free(p);
}

/* a checksum of our own, independent of the stack's */
static uint16_t
csum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t
g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
g32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
p16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
p32(uint8_t *p, uint32_t v)
{
	p16(p, v >> 16);
	p16(p + 2, v);
}

static uint32_t
pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	       proto + (uint32_t)len;
}

/* an IPv4 frame from the peer to us around payload; its length */
static size_t
ip_frame(uint8_t *f, uint8_t proto, const uint8_t *payload, size_t plen)
{
	uint8_t *h = f + 14;

	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	p16(f + 12, 0x0800);
	memset(h, 0, 20);
	h[0] = 0x45;
	p16(h + 2, 20 + plen);
	h[8] = 64;
	h[9] = proto;
	p32(h + 12, PEER_IP);
	p32(h + 16, OUR_IP);
	p16(h + 10, csum(h, 20, 0));
	memcpy(h + 20, payload, plen);
	return 14 + 20 + plen;
}

/* the checks every IPv4 frame we send must pass; its payload */
static const uint8_t *
check_ip(int i, uint8_t proto, size_t *plen)
{
	const uint8_t *f = sent[i], *h = f + 14;
	size_t total;

	assert_memory_equal(f, peer_mac, 6);
	assert_memory_equal(f + 6, our_mac, 6);
	assert_int_equal(g16(f + 12), 0x0800);
	assert_int_equal(h[0], 0x45);
	assert_int_equal(h[9], proto);
	assert_int_equal(csum(h, 20, 0), 0);
	assert_int_equal(g32(h + 12), OUR_IP);
	assert_int_equal(g32(h + 16), PEER_IP);
	total = g16(h + 2);
	assert_true(total >= 20 && 14 + total <= sent_len[i]);
	*plen = total - 20;
	return h + 20;
}

static void
t_arp(void **state)
{
	uint8_t f[42], *a = f + 14;

	(void)state;
	memset(f, 0xff, 6);
	memcpy(f + 6, peer_mac, 6);
	p16(f + 12, 0x0806);
	p16(a, 1);
	p16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	p16(a + 6, 1);
	memcpy(a + 8, peer_mac, 6);
	p32(a + 14, PEER_IP);
	memset(a + 18, 0, 6);
	p32(a + 24, OUR_IP);
	input(f, sizeof(f), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_len[0], 60);
	assert_memory_equal(sent[0], peer_mac, 6);
	a = sent[0] + 14;
	assert_int_equal(g16(a + 6), 2);
	assert_memory_equal(a + 8, our_mac, 6);
	assert_int_equal(g32(a + 14), OUR_IP);
	assert_memory_equal(a + 18, peer_mac, 6);
	assert_int_equal(g32(a + 24), PEER_IP);

	/* someone else's address: no answer; nor to a truncated request */
	p32(f + 14 + 24, OUR_IP + 1);
	input(f, sizeof(f), 0);
	p32(f + 14 + 24, OUR_IP);
	input(f, sizeof(f) - 1, 0);
	assert_int_equal(nsent, 1);
}

static size_t
echo_request(uint8_t *f, size_t dlen)
{
	uint8_t m[64];
	size_t i;

	m[0] = 8;
	m[1] = 0;
	p16(m + 2, 0);
	p16(m + 4, 0x1234);
	p16(m + 6, 7);
	for (i = 0; i < dlen; i++)
		m[8 + i] = (uint8_t)i;
	p16(m + 2, csum(m, 8 + dlen, 0));
	return ip_frame(f, 1, m, 8 + dlen);
}

static void
t_icmp_echo(void **state)
{
	uint8_t f[128];
	const uint8_t *r;
	size_t len = echo_request(f, 33), plen;

	(void)state;
	input(f, len, 0);
	assert_int_equal(nsent, 1);
	r = check_ip(0, 1, &plen);
	assert_int_equal(plen, 8 + 33);
	assert_int_equal(r[0], 0);
	assert_int_equal(csum(r, plen, 0), 0);
	assert_memory_equal(r + 4, f + 34 + 4, 4 + 33);

	/* a bad ICMP checksum, a bad IP checksum: dropped */
	f[34 + 10] ^= 1;
	input(f, len, 0);
	f[34 + 10] ^= 1;
	f[14 + 8] ^= 1; /* TTL, under the header checksum */
	input(f, len, 0);
	assert_int_equal(nsent, 1);
}

static size_t
udp_frame(uint8_t *f, uint16_t dport, const char *data, int with_sum)
{
	uint8_t u[64];
	size_t dlen = strlen(data), ulen = 8 + dlen;

	p16(u, 40000);
	p16(u + 2, dport);
	p16(u + 4, ulen);
	p16(u + 6, 0);
	memcpy(u + 8, data, dlen);
	if (with_sum)
		p16(u + 6, csum(u, ulen, pseudo(PEER_IP, OUR_IP, 17, ulen)));
	return ip_frame(f, 17, u, ulen);
}

static void
t_udp_echo(void **state)
{
	uint8_t f[128];
	const uint8_t *u;
	size_t len, plen;

	(void)state;
	len = udp_frame(f, 7, "ping pong", 1);
	input(f, len, 0);
	assert_int_equal(nsent, 1);
	u = check_ip(0, 17, &plen);
	assert_int_equal(plen, 17);
	assert_int_equal(g16(u), 7);
	assert_int_equal(g16(u + 2), 40000);
	assert_int_equal(g16(u + 4), 17);
	assert_int_equal(csum(u, plen, pseudo(OUR_IP, PEER_IP, 17, plen)), 0);
	assert_memory_equal(u + 8, "ping pong", 9);

	/* no checksum from the sender: still echoed, with one */
	len = udp_frame(f, 7, "x", 0);
	input(f, len, 0);
	assert_int_equal(nsent, 2);
	u = check_ip(1, 17, &plen);
	assert_int_not_equal(g16(u + 6), 0);

	/* another port, a wrong checksum, a UDP length past the packet */
	len = udp_frame(f, 9, "x", 1);
	input(f, len, 0);
	len = udp_frame(f, 7, "abc", 1);
	f[34 + 8] ^= 0x40;
	input(f, len, 0);
	f[34 + 8] ^= 0x40;
	p16(f + 34 + 4, 12);
	input(f, len, 0);
	assert_int_equal(nsent, 2);
}

/* a TCP segment from the peer */
static size_t
tcp_frame(uint8_t *f, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
	  const char *data)
{
	uint8_t t[64];
	size_t dlen = data ? strlen(data) : 0, len = 20 + dlen;

	memset(t, 0, 20);
	p16(t, 50000);
	p16(t + 2, dport);
	p32(t + 4, seq);
	p32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	p16(t + 14, 8192);
	memcpy(t + 20, data ? data : "", dlen);
	p16(t + 16, csum(t, len, pseudo(PEER_IP, OUR_IP, 6, len)));
	return ip_frame(f, 6, t, len);
}

/* the TCP segment we sent as frame i: its header; data length in dlen */
static const uint8_t *
check_tcp(int i, size_t *dlen)
{
	size_t plen;
	const uint8_t *t = check_ip(i, 6, &plen);

	assert_true(plen >= 20);
	assert_int_equal(csum(t, plen, pseudo(OUR_IP, PEER_IP, 6, plen)), 0);
	assert_int_equal(t[12] >> 4, 5);
	*dlen = plen - 20;
	return t;
}

/* SYN to port 13 with seq 1000: the SYN-ACK's sequence number */
static uint32_t
connect13(void)
{
	uint8_t f[128];
	const uint8_t *t;
	size_t dlen;

	input(f, tcp_frame(f, 13, 1000, 0, 0x02, NULL), 0);
	assert_int_equal(nsent, 1);
	t = check_tcp(0, &dlen);
	assert_int_equal(t[13], 0x12);
	assert_int_equal(g16(t), 13);
	assert_int_equal(g16(t + 2), 50000);
	assert_int_equal(g32(t + 8), 1001);
	assert_int_equal(dlen, 0);
	return g32(t + 4);
}

static void
t_tcp_daytime(void **state)
{
	uint8_t f[128];
	const uint8_t *t;
	uint32_t iss;
	size_t dlen;

	(void)state;
	iss = connect13();
	input(f, tcp_frame(f, 13, 1001, iss + 1, 0x10, NULL), 10);
	assert_int_equal(nsent, 2);
	t = check_tcp(1, &dlen);
	assert_int_equal(t[13], 0x19); /* PSH|ACK|FIN */
	assert_int_equal(g32(t + 4), iss + 1);
	assert_int_equal(dlen, 6);
	assert_memory_equal(t + 20, "hello\n", 6);
	assert_int_equal(net.conn.state, NET_TCP_SENT);
	/* the peer acks line and FIN, then sends its FIN */
	input(f, tcp_frame(f, 13, 1001, iss + 8, 0x10, NULL), 20);
	assert_int_equal(net.conn.state, NET_TCP_FIN_WAIT_2);
	assert_int_equal(nsent, 2);
	input(f, tcp_frame(f, 13, 1001, iss + 8, 0x11, NULL), 30);
	assert_int_equal(nsent, 3);
	t = check_tcp(2, &dlen);
	assert_int_equal(t[13], 0x10);
	assert_int_equal(g32(t + 8), 1002);
	assert_int_equal(net.conn.state, NET_TCP_CLOSED);
	/* a late FIN: nobody's segment now */
	input(f, tcp_frame(f, 13, 1001, iss + 8, 0x11, NULL), 40);
	assert_int_equal(nsent, 4);
	t = check_tcp(3, &dlen);
	assert_int_equal(t[13], 0x04);
	assert_int_equal(g32(t + 4), iss + 8);
}

static void
t_tcp_peer_fin_first(void **state)
{
	uint8_t f[128];
	const uint8_t *t;
	uint32_t iss;
	size_t dlen;

	(void)state;
	iss = connect13();
	input(f, tcp_frame(f, 13, 1001, iss + 1, 0x10, NULL), 10);
	/* data and FIN from the peer before it acks ours */
	input(f, tcp_frame(f, 13, 1001, iss + 1, 0x11, "bye"), 20);
	assert_int_equal(nsent, 3);
	t = check_tcp(2, &dlen);
	assert_int_equal(g32(t + 8), 1001 + 3 + 1);
	assert_int_equal(net.conn.state, NET_TCP_CLOSING);
	input(f, tcp_frame(f, 13, 1005, iss + 8, 0x10, NULL), 30);
	assert_int_equal(net.conn.state, NET_TCP_CLOSED);
}

static void
t_tcp_retransmit(void **state)
{
	uint8_t f[128];
	const uint8_t *t;
	uint32_t iss;
	size_t dlen;
	int i;

	(void)state;
	iss = connect13();
	assert_int_equal(net_tick(&net, 500), 1000);
	assert_int_equal(nsent, 1);
	assert_int_equal(net_tick(&net, 1000), 3000);
	assert_int_equal(nsent, 2);
	t = check_tcp(1, &dlen);
	assert_int_equal(t[13], 0x12);
	assert_int_equal(g32(t + 4), iss);
	/* the peer's SYN again: the SYN-ACK again */
	input(f, tcp_frame(f, 13, 1000, 0, 0x02, NULL), 1100);
	assert_int_equal(nsent, 3);
	/* now established, and the line is lost until we give up */
	input(f, tcp_frame(f, 13, 1001, iss + 1, 0x10, NULL), 1200);
	assert_int_equal(nsent, 4);
	nsent = 0;
	for (i = 0; i < 4; i++) {
		net_tick(&net, net.conn.deadline_ms);
		t = check_tcp(i, &dlen);
		assert_int_equal(t[13], 0x19);
	}
	assert_int_equal(net_tick(&net, net.conn.deadline_ms), 0);
	assert_int_equal(net.conn.state, NET_TCP_CLOSED);
}

static void
t_tcp_resets(void **state)
{
	uint8_t f[128];
	const uint8_t *t;
	size_t dlen;

	(void)state;
	/* a SYN to a closed port: RST|ACK acknowledging it */
	input(f, tcp_frame(f, 80, 5000, 0, 0x02, NULL), 0);
	assert_int_equal(nsent, 1);
	t = check_tcp(0, &dlen);
	assert_int_equal(t[13], 0x14);
	assert_int_equal(g32(t + 4), 0);
	assert_int_equal(g32(t + 8), 5001);
	assert_int_equal(g16(t), 80);
	/* an ACK to the listener with no connection: RST at its ack */
	input(f, tcp_frame(f, 13, 5000, 777, 0x10, NULL), 0);
	assert_int_equal(nsent, 2);
	t = check_tcp(1, &dlen);
	assert_int_equal(t[13], 0x04);
	assert_int_equal(g32(t + 4), 777);
	/* a RST is never answered */
	input(f, tcp_frame(f, 80, 5000, 0, 0x04, NULL), 0);
	assert_int_equal(nsent, 2);
	/* an in-window RST ends a connection; a wild one does not */
	nsent = 0;
	connect13();
	input(f, tcp_frame(f, 13, 999999, 0, 0x04, NULL), 0);
	assert_int_equal(net.conn.state, NET_TCP_SYN_RCVD);
	input(f, tcp_frame(f, 13, 1001, 0, 0x04, NULL), 0);
	assert_int_equal(net.conn.state, NET_TCP_CLOSED);
}

/* recompute the IP header checksum of frame f (a 20-byte header) */
static void
reseal(uint8_t *f)
{
	p16(f + 14 + 10, 0);
	p16(f + 14 + 10, csum(f + 14, 20, 0));
}

/* every prefix of good frames, and fields that lie about lengths */
static void
t_malformed(void **state)
{
	uint8_t f[256], g[256];
	size_t len, i;

	(void)state;
	len = echo_request(f, 40);
	for (i = 0; i < len; i++)
		input(f, i, 0);
	len = tcp_frame(f, 13, 1000, 0, 0x02, "data");
	for (i = 0; i < len; i++)
		input(f, i, 0);
	len = udp_frame(f, 7, "hello", 1);
	for (i = 0; i < len; i++)
		input(f, i, 0);
	assert_int_equal(nsent, 0);

	/* header lengths and totals past the frame */
	len = echo_request(f, 8);
	memcpy(g, f, len);
	g[14] = 0x4f; /* 60-byte header */
	reseal(g);
	input(g, len, 0);
	memcpy(g, f, len);
	p16(g + 14 + 2, 0xffff);
	reseal(g);
	input(g, len, 0);
	/* a fragment */
	memcpy(g, f, len);
	p16(g + 14 + 6, 0x2000);
	reseal(g);
	input(g, len, 0);
	/* IPv6 version nibble, another destination */
	memcpy(g, f, len);
	g[14] = 0x65;
	reseal(g);
	input(g, len, 0);
	memcpy(g, f, len);
	g[14 + 19] ^= 1;
	reseal(g);
	input(g, len, 0);
	/* a TCP data offset past the segment */
	len = tcp_frame(f, 13, 1000, 0, 0x02, NULL);
	f[34 + 12] = 0xf0;
	input(f, len, 0);
	/* longer than the MTU */
	memset(g, 0, sizeof(g));
	net.mtu = 100;
	input(g, 14 + 101, 0);
	assert_int_equal(nsent, 0);
}

static void
t_options_skipped(void **state)
{
	uint8_t f[128], m[16];
	size_t plen;

	(void)state;
	/* an echo request behind a header with 4 bytes of options */
	m[0] = 8;
	m[1] = 0;
	p16(m + 2, 0);
	p32(m + 4, 0x00010002);
	p16(m + 2, csum(m, 8, 0));
	ip_frame(f, 1, m, 8);
	memmove(f + 38, f + 34, 8);
	memset(f + 34, 1, 4); /* NOPs */
	f[14] = 0x46;
	p16(f + 14 + 2, 32);
	p16(f + 14 + 10, 0);
	p16(f + 14 + 10, csum(f + 14, 24, 0)); /* with the options */
	input(f, 46, 0);
	assert_int_equal(nsent, 1);
	check_ip(0, 1, &plen);
	assert_int_equal(plen, 8);
}

static void
t_date(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(net_format_date(1795810500, buf, sizeof(buf)), 40);
	assert_string_equal(buf, "Friday, November 27, 2026 20:15:00-UTC\r\n");
	net_format_date(0, buf, sizeof(buf));
	assert_string_equal(buf, "Thursday, January 1, 1970 00:00:00-UTC\r\n");
	net_format_date(1709164800, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Thursday, February 29, 2024 00:00:00-UTC\r\n");
	net_format_date(4102444799, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Thursday, December 31, 2099 23:59:59-UTC\r\n");
	assert_int_equal(net_format_date(0, buf, 10), 0);
	assert_string_equal(buf, "");
	assert_true(net_format_date(UINT64_MAX, buf, sizeof(buf)) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(t_arp, setup),
		cmocka_unit_test_setup(t_icmp_echo, setup),
		cmocka_unit_test_setup(t_udp_echo, setup),
		cmocka_unit_test_setup(t_tcp_daytime, setup),
		cmocka_unit_test_setup(t_tcp_peer_fin_first, setup),
		cmocka_unit_test_setup(t_tcp_retransmit, setup),
		cmocka_unit_test_setup(t_tcp_resets, setup),
		cmocka_unit_test_setup(t_malformed, setup),
		cmocka_unit_test_setup(t_options_skipped, setup),
		cmocka_unit_test_setup(t_date, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
