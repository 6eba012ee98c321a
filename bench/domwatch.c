/*
 * domwatch: print "MS DOMID shutdown" and "MS DOMID gone" as domains shut
 * down and disappear, MS being CLOCK_BOOTTIME in milliseconds (the clock
 * of /proc/uptime).  It is woken, never polls: by XenStore's
 * @releaseDomain (xenstored relays VIRQ_DOM_EXC for the domains it knows)
 * and @introduceDomain
 * with --xenstore, or by binding VIRQ_DOM_EXC itself with --virq (only
 * possible when no xenstored runs).  --poll MS looks every MS ms instead,
 * woken by nothing: the clock for guests that neither wakes (noxs guests
 * under xenstored).  A benchmark tool, not part of chaos.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "clock.h"
#include "hv.h"

#define MAXDOM 4096

static unsigned char state[MAXDOM]; /* 0 unseen, 1 running, 2 shut, 3 gone */
static size_t maxlook = MAXDOM;	    /* domains asked for per look */

static void
look(struct hv *hv)
{
	static struct hv_dominfo di[MAXDOM];
	static unsigned char seen[MAXDOM];
	long long t = (long long)clk_now_ms();
	int n, i;

	memset(seen, 0, sizeof(seen));
	n = hv_domain_list(hv, 1, di, maxlook);
	for (i = 0; i < n; i++) {
		uint32_t d = di[i].domid;

		if (d >= MAXDOM)
			continue;
		seen[d] = 1;
		if (state[d] != 2 && (di[i].flags & (HV_SHUTDOWN | HV_DYING))) {
			printf("%lld %u shutdown\n", t, d);
			state[d] = 2;
		} else if (state[d] == 0 || state[d] == 3) {
			state[d] = 1;
		}
	}
	for (i = 1; i < MAXDOM; i++) {
		if ((state[i] == 1 || state[i] == 2) && !seen[i]) {
			if (state[i] == 1)
				printf("%lld %d shutdown\n", t, i);
			printf("%lld %d gone\n", t, i);
			state[i] = 3;
		}
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct xs_handle *xs = NULL;
	struct pollfd pfd = {.events = POLLIN};
	struct hv *hv;
	uint32_t virq, fired;
	int period = -1;
	char **ev;

	if (argc == 3 && strcmp(argv[1], "--poll") == 0)
		period = atoi(argv[2]);
	if ((argc != 2 && period <= 0) ||
	    (argc == 2 && strcmp(argv[1], "--xenstore") &&
	     strcmp(argv[1], "--virq"))) {
		fprintf(stderr,
			"usage: domwatch --xenstore | --virq | --poll MS\n");
		return 2;
	}
	if (hv_open(&hv) < 0) {
		perror("domwatch: hypervisor");
		return 1;
	}
	if (period > 0) {
		pfd.fd = -1;
		maxlook = 64; /* a look every ms: keep it small */
	} else if (strcmp(argv[1], "--xenstore") == 0) {
		/* @introduceDomain too: a guest must be seen while it runs,
		 * or one destroyed before our look would leave no line */
		xs = xs_open(0);
		if (xs == NULL || !xs_watch(xs, "@releaseDomain", "w") ||
		    !xs_watch(xs, "@introduceDomain", "w")) {
			perror("domwatch: @releaseDomain");
			return 1;
		}
		pfd.fd = xs_fileno(xs);
	} else {
		if (hv_bind_dom_exc(hv, &virq) < 0) {
			perror("domwatch: VIRQ_DOM_EXC");
			return 1;
		}
		pfd.fd = hv_evtchn_fd(hv);
	}
	printf("%lld 0 ready\n", (long long)clk_now_ms());
	look(hv);
	for (;;) {
		if (poll(&pfd, 1, period) < 0 && errno != EINTR)
			return 1;
		if (period > 0) {
			/* nothing to drain */
		} else if (xs != NULL) {
			while ((ev = xs_check_watch(xs)) != NULL)
				free(ev);
		} else {
			while (hv_evtchn_pending(hv, &fired) == 0)
				;
		}
		look(hv);
	}
}
