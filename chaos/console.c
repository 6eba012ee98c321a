/*
 * console.c: a noxs guest's console on this terminal.  When xendevd serves
 * the console (it logs it), through xendevd's stream, which starts with
 * what the guest wrote before the attach; else by relaying the ring
 * itself.  The ring is shared with the guest, so its indices are hostile
 * (ring.h checks them before any byte is copied).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <stdint.h>

#include "console.h"
#include "ring.h"

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

/* copy what the guest wrote to stdout (ring.h: the indices are checked);
 * bytes moved */
static size_t
drain(volatile struct xencons_interface *r)
{
	char buf[XDD_RING_OUT];
	size_t n;
	int bad;

	n = xdd_ring_read(r, buf, sizeof(buf), &bad);
	if (n > 0 && write(1, buf, n) < 0)
		return 0;
	return n;
}

/* the terminal raw while attached (when stdin is one) */
static int
raw_tty(struct termios *saved)
{
	struct termios raw;

	if (!isatty(0) || tcgetattr(0, saved) < 0)
		return 0;
	raw = *saved;
	cfmakeraw(&raw);
	tcsetattr(0, TCSANOW, &raw);
	return 1;
}

/* what was typed up to Ctrl-] (then *quit is set); -1 at end of input */
static ssize_t
typed(char *in, size_t cap, int *quit)
{
	ssize_t got = read(0, in, cap);
	char *q;

	if (got <= 0)
		return -1;
	q = memchr(in, CTRL_RIGHT_BRACKET, (size_t)got);
	if (q != NULL) {
		*quit = 1;
		got = q - in;
	}
	return got;
}

/* the bytes typed, to xendevd, which alone writes the ring */
static int
send_input(struct ipc_conn *c, uint32_t domid, const char *in, size_t n)
{
	struct xdd_cons_input r = {.domid = domid};
	size_t part;

	while (n > 0) {
		part = n > sizeof(r.data) ? sizeof(r.data) : n;
		r.len = (uint32_t)part;
		memcpy(r.data, in, part);
		if (ipc_send(c, XDD_CONS_INPUT, &r, sizeof(r), NULL) < 0)
			return -1;
		in += part;
		n -= part;
	}
	return 0;
}

/*
 * The console as xendevd's stream (xdd.h: XDD_CONS_OPEN), with what it
 * read before the attach first.  1 when xendevd does not run or does not
 * serve this console (the caller maps the ring itself), else 0 or -1.
 */
static int
via_xendevd(struct ts *ts, uint32_t domid, int unpause)
{
	struct xdd_cons_open o = {.domid = domid, .flags = XDD_CONS_REPLAY};
	static char body[IPC_MSG_MAX];
	struct ipc_conn c;
	struct ipc_status st;
	struct ipc_hdr h;
	struct termios saved;
	struct pollfd pfd[2];
	uint32_t id, len;
	int tty = 0, quit = 0, rc = 0, stdin_open = 1, attached = 0;
	char in[256];
	ssize_t got;

	if (xdc_open(&c, xdc_path()) < 0)
		return 1;
	if (ipc_send(&c, XDD_CONS_OPEN, &o, sizeof(o), &id) < 0) {
		ipc_close(&c);
		return 1;
	}
	pfd[0] = (struct pollfd){.fd = c.fd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = 0, .events = POLLIN};
	while (!quit) {
		if (poll(pfd, attached && stdin_open ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = ts_fail(ts, "console", "poll: %s",
				     strerror(errno));
			break;
		}
		if (pfd[0].revents) {
			if (ipc_recv(&c, 0, &h, &st, body, sizeof(body), &len) <
			    0) {
				rc = ts_fail(ts, "console", "xendevd: %s",
					     errno == ECONNRESET
						     ? "it went away"
						     : strerror(errno));
				break;
			}
			if (h.id != id) /* an input's answer: nothing to do */
				continue;
			if (st.err == ENOENT && !attached) {
				ipc_close(&c);
				return 1;
			}
			if (st.err != 0) {
				/* ESRCH: the domain is gone, its output all
				 * came; anything else cuts it short */
				if (st.err != ESRCH)
					rc = ts_fail(ts, "console",
						     "xendevd: %s", st.msg);
				break;
			}
			if (len > 0 && write(1, body, len) < 0)
				break;
			if (!attached) {
				attached = 1;
				tty = raw_tty(&saved);
				if (unpause &&
				    hv_domain_unpause(ts->hv, domid) < 0) {
					rc = ts_fail(ts, "console",
						     "unpause: %s",
						     strerror(errno));
					break;
				}
			}
		}
		if (attached && stdin_open &&
		    (pfd[1].revents & (POLLIN | POLLHUP))) {
			got = typed(in, sizeof(in), &quit);
			if (got < 0)
				stdin_open = 0; /* keep printing */
			else if (send_input(&c, domid, in, (size_t)got) < 0)
				rc = ts_fail(ts, "console", "xendevd: %s",
					     strerror(errno));
		}
		pfd[0].revents = pfd[1].revents = 0;
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	ipc_close(&c);
	return rc;
}

int
console_attach(struct ts *ts, uint32_t domid, uint32_t port, int unpause)
{
	volatile struct xencons_interface *r;
	struct termios saved;
	struct pollfd pfd[2];
	uint32_t local, fired;
	int tty, quit = 0, rc, stdin_open = 1;
	char in[64];
	ssize_t got;

	/* xendevd reads the ring when it serves the console: only it may */
	rc = via_xendevd(ts, domid, unpause);
	if (rc != 1)
		return rc;
	rc = 0;
	r = hv_map_grant(ts->hv, domid, 0);
	if (r == NULL)
		return ts_fail(ts, "console", "cannot map the ring: %s",
			       strerror(errno));
	if (hv_evtchn_bind(ts->hv, domid, port, &local) < 0) {
		hv_unmap(ts->hv, (void *)r, 1);
		return ts_fail(ts, "console", "event channel %u: %s", port,
			       strerror(errno));
	}
	tty = raw_tty(&saved);
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
			got = typed(in, sizeof(in), &quit);
			if (got < 0) {
				stdin_open = 0; /* keep printing */
				continue;
			}
			xdd_ring_write(r, in, (size_t)got);
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
