/*
 * main.c: xendevd, the device daemon (docs/xendevd.8).  One flat poll loop
 * over the listening socket, its clients, the rtnetlink event socket, the
 * deadlines of pending attaches and the look for vbds of dead domains.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <xenstore.h>

#include "xendevd.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: xendevd [-f] [-S] [-X] [-s SOCKET] [-p PIDFILE]\n"
		   "  -f  stay in the foreground\n"
		   "  -S  log to syslog, not stderr\n"
		   "  -X  no XenStore: netlink only (tests)\n"
		   "  -s  the socket (default " XDD_SOCKET ")\n"
		   "  -p  the pidfile (default /run/xendevd.pid)\n");
}

static void
loop(struct xdd *d)
{
	struct pollfd *pfd = NULL;
	size_t n, cap = 0;
	int timeout, t;

	while (!stop) {
		n = 2 + ipc_server_nclients(d->srv);
		if (n > cap) {
			cap = n * 2;
			pfd = realloc(pfd, cap * sizeof(*pfd));
			if (pfd == NULL) {
				log_warn("out of memory");
				exit(1);
			}
		}
		timeout = xdd_vif_expire(d);
		t = log_tick();
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		t = xdd_vbd_reap(d);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		pfd[0] = (struct pollfd){.fd = xdd_nl_event_fd(d->nl),
					 .events = POLLIN};
		/* the socket and its clients (libipc), after the events */
		n = 1 + ipc_server_pollfds(d->srv, pfd + 1, &timeout);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll: %s", strerror(errno));
			break;
		}
		/* events first: an attach may be waiting for one of them */
		if (pfd[0].revents &&
		    xdd_nl_events(d->nl, xdd_vif_event, d) < 0) {
			log_warn("link events: %s; looking at every link",
				 strerror(errno));
			xdd_vif_rescan(d);
		}
		ipc_server_serve(d->srv, pfd + 1, n - 1);
	}
	free(pfd);
}

int
main(int argc, char **argv)
{
	const char *sock = XDD_SOCKET, *pid = "/run/xendevd.pid";
	struct xdd d = {.use_xs = 1};
	struct sigaction sa = {.sa_handler = on_signal};
	int fg = 0, sys = 0, opt, pfd;

	while ((opt = getopt(argc, argv, "fSXs:p:h")) != -1) {
		switch (opt) {
		case 'f': fg = 1; break;
		case 'S': sys = 1; break;
		case 'X': d.use_xs = 0; break;
		case 's': sock = optarg; break;
		case 'p': pid = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!fg && daemon(0, 0) < 0) {
		fprintf(stderr, "xendevd: daemon: %s\n", strerror(errno));
		return 1;
	}
	log_open("xendevd", sys || !fg);
	pfd = daemon_pidfile(pid);
	if (pfd < 0) {
		log_warn("pidfile %s: %s", pid,
			 errno == EALREADY ? "another xendevd holds it"
					   : strerror(errno));
		return 1;
	}
	if (xdd_nl_open(&d.nl, 1) < 0) {
		log_warn("netlink: %s", strerror(errno));
		return 1;
	}
	if (xdd_server_open(&d, sock) < 0) {
		log_warn("socket %s: %s", sock, strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (d.use_xs && xdd_xs_ready(&d) < 0)
		log_warn("xenstored does not answer yet: %s", strerror(errno));
	/* the interfaces that exist already, wired or waiting */
	xdd_vif_rescan(&d);
	/* and the disks it backed before a restart */
	xdd_vbd_adopt(&d);
	log_info("ready on %s (%u vifs, %u vbds found)", sock, d.nvifs,
		 d.nvbds);
	loop(&d);
	log_flush();
	log_info("stopping");
	ipc_server_close(d.srv); /* and its socket's file */
	xdd_vif_forget_all(&d);
	xdd_vbd_forget_all(&d);
	unlink(pid);
	if (d.xs != NULL)
		xs_close(d.xs);
	xdd_nl_close(d.nl);
	return 0;
}
