/*
 * udpecho: a UDP echo server and a client that measures it, for the noxs
 * vif benchmark and scenario (a benchmark tool, not part of chaos; built
 * static so that it also runs in the Linux test guest's initramfs).
 *
 *   udpecho -l PORT
 *	echo every datagram back to its sender, forever
 *   udpecho [-n COUNT] [-s SIZE] [-w WINDOW] [-t MS] HOST PORT
 *	send COUNT datagrams of SIZE bytes to HOST:PORT, keeping at most
 *	WINDOW of them unanswered (1: one round trip at a time); when no
 *	echo comes for MS ms the unanswered ones are counted lost; each
 *	echo must carry the bytes sent.  Prints one line:
 *	"sent N echoed E lost L secs S rtt_us R per_sec P mbit_s M"
 *	(R: the median round trip with WINDOW 1, else 0; M: echoed payload
 *	bits per second).  Exits 0 when every datagram came back, 1 when
 *	some were lost, 2 on bad arguments or a socket error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 1472 /* one Ethernet frame at MTU 1500 */

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static long
number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || end == s || v < min || v > max) {
		fprintf(stderr, "udpecho: '%s' is not a number in %ld..%ld\n",
			s, min, max);
		exit(2);
	}
	return v;
}

static int
serve(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	struct sockaddr_in from;
	socklen_t flen;
	char buf[65536];
	ssize_t n;
	int s;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udpecho: bind");
		return 2;
	}
	for (;;) {
		flen = sizeof(from);
		n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			continue;
		sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
	}
}

/* the payload of datagram seq: its number, then a pattern */
static void
fill(unsigned char *p, size_t size, uint32_t seq)
{
	size_t i;

	memcpy(p, &seq, sizeof(seq));
	for (i = sizeof(seq); i < size; i++)
		p[i] = (unsigned char)(seq * 31 + i);
}

int
main(int argc, char **argv)
{
	long count = 1000, size = 64, window = 1, timeout_ms = 1000;
	unsigned char out[MAX_SIZE], in[MAX_SIZE + 1], want[MAX_SIZE];
	struct sockaddr_in a = {.sin_family = AF_INET};
	int64_t *sent_at, *rtt, t0, last, secs_us;
	long next = 0, echoed = 0, lost = 0, nrtt = 0, i;
	struct pollfd pfd;
	uint32_t seq;
	ssize_t n;
	int c, s;

	while ((c = getopt(argc, argv, "l:n:s:w:t:")) != -1) {
		switch (c) {
		case 'l': return serve((int)number(optarg, 1, 65535));
		case 'n': count = number(optarg, 1, 10000000); break;
		case 's':
			size = number(optarg, (long)sizeof(seq), MAX_SIZE);
			break;
		case 'w': window = number(optarg, 1, 1024); break;
		case 't': timeout_ms = number(optarg, 1, 600000); break;
		default: return 2;
		}
	}
	if (argc - optind != 2 ||
	    inet_pton(AF_INET, argv[optind], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: udpecho -l PORT | udpecho [-n COUNT] "
				"[-s SIZE] [-w WINDOW] [-t MS] HOST PORT\n");
		return 2;
	}
	a.sin_port = htons((uint16_t)number(argv[optind + 1], 1, 65535));
	sent_at = calloc((size_t)count, sizeof(*sent_at));
	rtt = calloc((size_t)count, sizeof(*rtt));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (sent_at == NULL || rtt == NULL || s < 0 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udpecho");
		return 2;
	}
	pfd.fd = s;
	pfd.events = POLLIN;
	t0 = last = now_us();
	while (echoed + lost < count) {
		while (next < count && next - echoed - lost < window) {
			fill(out, (size_t)size, (uint32_t)next);
			sent_at[next] = now_us();
			if (send(s, out, (size_t)size, 0) < 0 &&
			    errno != ECONNREFUSED) {
				perror("udpecho: send");
				return 2;
			}
			next++;
		}
		c = poll(&pfd, 1, (int)timeout_ms);
		if (c ==
		    0) { /* no echo for a while: the outstanding are lost */
			for (i = 0; i < next; i++)
				if (sent_at[i] != 0) {
					sent_at[i] = 0;
					lost++;
				}
			continue;
		}
		n = recv(s, in, sizeof(in), 0);
		if (n != size)
			continue;
		memcpy(&seq, in, sizeof(seq));
		if (seq >= (uint32_t)next || sent_at[seq] == 0)
			continue;
		fill(want, (size_t)size, seq);
		if (memcmp(in, want, (size_t)size) != 0)
			continue;
		last = now_us();
		rtt[nrtt++] = last - sent_at[seq];
		sent_at[seq] = 0; /* a duplicate echo counts once */
		echoed++;
	}
	secs_us = last - t0;
	if (secs_us <= 0)
		secs_us = 1;
	qsort(rtt, (size_t)nrtt, sizeof(*rtt), cmp64);
	printf("sent %ld echoed %ld lost %ld secs %.3f rtt_us %lld per_sec "
	       "%.1f mbit_s %.3f\n",
	       next, echoed, lost, secs_us / 1e6,
	       window == 1 && nrtt ? (long long)rtt[nrtt / 2] : 0LL,
	       echoed * 1e6 / secs_us, echoed * size * 8.0 / secs_us);
	return echoed == count ? 0 : 1;
}
