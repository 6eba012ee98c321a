/*
 * fuzz_net.c: libFuzzer target for the guests' network stack
 * (guests/net/net.h): arbitrary frames, as a backend or anyone on the
 * bridge can send them.  The first byte picks the listener's state (a
 * connection half-open or not) and a clock; the rest is the frame, in a
 * buffer of exactly its length.  Whatever comes in, nothing is read past
 * the frame and what goes out is a well-sized frame from our MAC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x01, 0x02, 0x03};

static void
tx(struct net *n, const uint8_t *frame, size_t len)
{
	if (len < NET_FRAME_MIN || len > NET_FRAME_MAX ||
	    (len > NET_FRAME_MIN && len > (size_t)NET_ETH_HLEN + n->mtu) ||
	    memcmp(frame + 6, mac, 6) != 0)
		abort();
}

static size_t
line(struct net *n, char *buf, size_t cap)
{
	(void)n;
	memset(buf, 'x', cap);
	return cap + 1000; /* more than asked: the stack must cut it */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct net n;
	uint8_t *frame;

	if (size < 1)
		return 0;
	/* state persists between inputs only as far as byte 0 allows */
	if (data[0] & 1 || n.tx == NULL) {
		net_init(&n, mac, 0xc6120002u, (uint16_t)(68 + data[0] * 6), tx,
			 data[0]);
		net_tcp_listen(&n, 13, line);
	}
	frame = malloc(size - 1 ? size - 1 : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 1, size - 1);
	net_input(&n, frame, size - 1, (uint64_t)data[0] * 300);
	free(frame);
	net_tick(&n, (uint64_t)data[0] * 400);
	return 0;
}
