/*
 * console.c: relay a guest's console ring.  The ring is shared with the
 * guest, so its indices are hostile: only their difference is used, and it
 * is bounded by the ring size before any byte is copied.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <stdint.h>

#include <xen/io/console.h>

#include "console.h"

#define CTRL_RIGHT_BRACKET 0x1d

/* running: not dying and not shut down (then it writes no more), or
 * suspended for a save, which may resume it (save -c, a failed save) */
static int
alive(struct ts *ts, uint32_t domid)
{
	struct hv_dominfo di;

	return hv_domain_info(ts->hv, domid, &di) == 0 &&
	       !(di.flags & HV_DYING) &&
	       (!(di.flags & HV_SHUTDOWN) ||
		di.shutdown_reason == HV_SHUTDOWN_SUSPEND);
}

/* copy what the guest wrote to stdout; bytes moved */
static size_t
drain(volatile struct xencons_interface *r)
{
	char buf[sizeof(r->out)];
	XENCONS_RING_IDX cons = r->out_cons, prod = r->out_prod, n, i;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	n = prod - cons;
	if (n > sizeof(r->out)) /* a guest lying about its indices */
		n = sizeof(r->out);
	for (i = 0; i < n; i++)
		buf[i] = r->out[MASK_XENCONS_IDX(cons + i, r->out)];
	if (n > 0 && write(1, buf, n) < 0)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->out_cons = cons + n;
	return n;
}

/* put what the user typed into the guest's input ring */
static void
feed(volatile struct xencons_interface *r, const char *s, size_t n)
{
	XENCONS_RING_IDX prod = r->in_prod;
	size_t i;

	for (i = 0; i < n && prod - r->in_cons < sizeof(r->in); i++)
		r->in[MASK_XENCONS_IDX(prod++, r->in)] = s[i];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->in_prod = prod;
}

int
console_attach(struct ts *ts, uint32_t domid, uint32_t port, int unpause)
{
	volatile struct xencons_interface *r;
	struct termios saved, raw;
	struct pollfd pfd[2];
	uint32_t local, fired;
	int tty = isatty(0), quit = 0, rc = 0, stdin_open = 1;
	char in[64];
	ssize_t got;

	r = hv_map_grant(ts->hv, domid, 0);
	if (r == NULL)
		return ts_fail(ts, "console", "cannot map the ring: %s",
			       strerror(errno));
	if (hv_evtchn_bind(ts->hv, domid, port, &local) < 0) {
		hv_unmap(ts->hv, (void *)r, 1);
		return ts_fail(ts, "console", "event channel %u: %s", port,
			       strerror(errno));
	}
	if (tty && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	} else {
		tty = 0;
	}
	if (unpause && hv_domain_unpause(ts->hv, domid) < 0)
		rc = ts_fail(ts, "console", "unpause: %s", strerror(errno));
	pfd[0].fd = hv_evtchn_fd(ts->hv);
	pfd[0].events = POLLIN;
	pfd[1].fd = 0;
	pfd[1].events = POLLIN;
	while (!quit && rc == 0) {
		if (drain(r) > 0)
			hv_evtchn_notify(ts->hv, local);
		if (!alive(ts, domid))
			break;
		if (poll(pfd, stdin_open ? 2 : 1, 200) < 0 && errno != EINTR) {
			rc = ts_fail(ts, "console", "poll: %s",
				     strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN)
			hv_evtchn_pending(ts->hv, &fired);
		if (stdin_open && (pfd[1].revents & (POLLIN | POLLHUP))) {
			got = read(0, in, sizeof(in));
			if (got <= 0) {
				stdin_open = 0; /* keep printing */
				continue;
			}
			if (memchr(in, CTRL_RIGHT_BRACKET, (size_t)got)) {
				quit = 1;
				got = (char *)memchr(in, CTRL_RIGHT_BRACKET,
						     (size_t)got) -
				      in;
			}
			feed(r, in, (size_t)got);
			hv_evtchn_notify(ts->hv, local);
		}
	}
	drain(r);
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	hv_evtchn_unbind(ts->hv, local);
	hv_unmap(ts->hv, (void *)r, 1);
	return rc;
}
