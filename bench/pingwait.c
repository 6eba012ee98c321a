/*
 * pingwait ADDR [TIMEOUT_MS]: send an ICMP echo request to ADDR every
 * 10 ms until the first reply; print "MS" (CLOCK_BOOTTIME milliseconds,
 * the clock of /proc/uptime) when it came and exit 0, or exit 1 at the
 * timeout (default 120 s).  busybox's ping waits a second between tries,
 * too coarse for timing a guest's first reply.  A benchmark tool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

static uint16_t
csum(const void *p, size_t n)
{
	const uint16_t *w = p;
	uint32_t s = 0;

	for (; n > 1; n -= 2)
		s += *w++;
	if (n)
		s += *(const uint8_t *)w;
	s = (s >> 16) + (s & 0xffff);
	s += s >> 16;
	return (uint16_t)~s;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	long long end, timeout = argc > 2 ? atoll(argv[2]) : 120000;
	uint16_t id = (uint16_t)getpid(), seq = 0;
	unsigned char buf[1500];
	struct icmphdr req, *rep;
	struct iphdr *ip;
	struct pollfd p;
	ssize_t n;
	int fd;

	if (argc < 2 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: pingwait IPV4ADDR [TIMEOUT_MS]\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0) {
		perror("pingwait: socket");
		return 2;
	}
	end = (long long)clk_now_ms() + timeout;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	while ((long long)clk_now_ms() < end) {
		memset(&req, 0, sizeof(req));
		req.type = ICMP_ECHO;
		req.un.echo.id = id;
		req.un.echo.sequence = htons(++seq);
		req.checksum = csum(&req, sizeof(req));
		/* no route or no neighbour yet: keep trying */
		sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		       sizeof(to));
		while (poll(&p, 1, 10) > 0) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n < (ssize_t)sizeof(*ip))
				continue;
			ip = (struct iphdr *)buf;
			if ((size_t)n < ip->ihl * 4u + sizeof(*rep) ||
			    ip->saddr != to.sin_addr.s_addr)
				continue;
			rep = (struct icmphdr *)(buf + ip->ihl * 4);
			if (rep->type == ICMP_ECHOREPLY &&
			    rep->un.echo.id == id) {
				printf("%lld\n", (long long)clk_now_ms());
				return 0;
			}
		}
	}
	return 1;
}
