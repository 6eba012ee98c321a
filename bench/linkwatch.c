/*
 * linkwatch: print "MS NAME new|del master=IFINDEX up|down" for every
 * rtnetlink link event, MS being CLOCK_BOOTTIME milliseconds.  The vif
 * benchmark reads from it when netback's interface appeared and when it
 * was an up port of its bridge, the same way for xl's vif-bridge script
 * and for xendevd.  It uses xendevd's netlink code; a benchmark tool.
 */
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "netlink.h"

static void
event(enum xdd_nl_event ev, const struct xdd_link *l, void *arg)
{
	(void)arg;
	printf("%lld %s %s master=%u %s\n", (long long)clk_now_ms(), l->name,
	       ev == XDD_NL_NEW ? "new" : "del", l->master,
	       l->flags & IFF_UP ? "up" : "down");
	fflush(stdout);
}

int
main(void)
{
	struct xdd_nl *nl;
	struct pollfd p;

	if (xdd_nl_open(&nl, 1) < 0) {
		perror("linkwatch: netlink");
		return 1;
	}
	p = (struct pollfd){.fd = xdd_nl_event_fd(nl), .events = POLLIN};
	for (;;) {
		if (poll(&p, 1, -1) < 0)
			continue;
		if (xdd_nl_events(nl, event, NULL) < 0)
			printf("%lld lost-events\n", (long long)clk_now_ms());
	}
}
