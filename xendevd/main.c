/*
 * main.c: xendevd, the device daemon (docs/xendevd.8).  One flat poll loop
 * over the listening socket, its clients, the rtnetlink event socket, the
 * consoles' event channels, the deadlines of pending attaches and the
 * looks for vbds and consoles of dead domains.
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

static volatile sig_atomic_t stop, reopen;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: xendevd [-f] [-S] [-X] [-l LOG] [-L DIR] [-t STAMP] "
		   "[-s SOCKET] [-p PIDFILE]\n"
		   "  -f  stay in the foreground\n"
		   "  -S  log to syslog, not stderr\n"
		   "  -X  no XenStore: netlink only (tests)\n"
		   "  -l  log noxs guests' consoles: none|guest|hv|all, as "
		   "xenconsoled's --log\n"
		   "      (default: xenconsoled's setting)\n"
		   "  -L  their directory (default " XDD_LOG_DIR ")\n"
		   "  -t  timestamps: none|guest|hv|all, as xenconsoled's -t\n"
		   "  -s  the socket (default " XDD_SOCKET ")\n"
		   "  -p  the pidfile (default /run/xendevd.pid)\n");
}

static void
loop(struct xdd *d)
{
	struct pollfd *pfd = NULL;
	size_t n, k, cap = 0;
	int timeout, t;

	while (!stop) {
		n = 3 + d->nnbvifs + ipc_server_nclients(d->srv);
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
		t = xdd_cons_reap(d);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		t = xdd_nb_reap(d);
		if (t >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		pfd[0] = (struct pollfd){.fd = xdd_nl_event_fd(d->nl),
					 .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = xdd_cons_evtchn_fd(d),
					 .events = POLLIN};
		/* the noxs vifs' TAPs, then the socket and its clients
		 * (libipc), after the events */
		k = xdd_nb_pollfds(d, pfd + 2, &timeout);
		n = 2 + k + ipc_server_pollfds(d->srv, pfd + 2 + k, &timeout);
		if (reopen) {
			reopen = 0;
			log_info("SIGHUP: opening the console logs again");
			xdd_cons_reopen(d);
		}
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
		if (pfd[1].revents)
			xdd_cons_events(d);
		xdd_nb_serve(d, pfd + 2, k);
		ipc_server_serve(d->srv, pfd + 2 + k, n - 2 - k);
	}
	free(pfd);
}

int
main(int argc, char **argv)
{
	const char *sock = XDD_SOCKET, *pid = "/run/xendevd.pid";
	struct xdd d = {.use_xs = 1};
	struct sigaction sa = {.sa_handler = on_signal};
	struct xdd_cons_conf given;
	int fg = 0, sys = 0, opt, pfd, set = 0;

	xdd_cons_conf_init(&given);

	while ((opt = getopt(argc, argv, "fSXl:L:t:s:p:h")) != -1) {
		switch (opt) {
		case 'f': fg = 1; break;
		case 'S': sys = 1; break;
		case 'X': d.use_xs = 0; break;
		case 'l':
		case 't':
			if (xdd_cons_conf_value(&given, opt, optarg) < 0) {
				usage(stderr);
				return 2;
			}
			set |= opt == 'l' ? 1 : 2;
			break;
		case 'L':
			if (*optarg != '/' ||
			    strlen(optarg) >= sizeof(given.dir)) {
				usage(stderr);
				return 2;
			}
			snprintf(given.dir, sizeof(given.dir), "%s", optarg);
			set |= 4;
			break;
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
	sigaction(SIGHUP, &sa, NULL);
	/* noxs guests' consoles are logged as xenconsoled logs the others,
	 * unless the options say otherwise */
	xdd_cons_conf_load(&d.cconf);
	if (set & 1)
		d.cconf.log = given.log;
	if (set & 2)
		d.cconf.stamp = given.stamp;
	if (set & 4)
		snprintf(d.cconf.dir, sizeof(d.cconf.dir), "%s", given.dir);
	if (set)
		snprintf(d.cconf.from, sizeof(d.cconf.from), "options");
	signal(SIGPIPE, SIG_IGN);
	if (d.use_xs && xdd_xs_ready(&d) < 0)
		log_warn("xenstored does not answer yet: %s", strerror(errno));
	/* the interfaces that exist already, wired or waiting */
	xdd_vif_rescan(&d);
	/* and the disks it backed before a restart */
	xdd_vbd_adopt(&d);
	/* and the consoles and vifs of noxs guests */
	xdd_cons_adopt(&d);
	xdd_nb_adopt(&d);
	log_info("ready on %s (%u vifs, %u noxs vifs, %u vbds, %u consoles "
		 "found); noxs consoles %s%s%s (setting from %s)",
		 sock, d.nvifs, d.nnbvifs, d.nvbds, d.nconss,
		 d.cconf.log ? "logged in " : "not logged",
		 d.cconf.log ? d.cconf.dir : "",
		 d.cconf.log && d.cconf.stamp ? " with timestamps" : "",
		 d.cconf.from);
	loop(&d);
	log_flush();
	log_info("stopping");
	ipc_server_close(d.srv); /* and its socket's file */
	xdd_vif_forget_all(&d);
	xdd_nb_forget_all(&d);
	xdd_cons_forget_all(&d); /* before the vbds close the hypervisor */
	xdd_vbd_forget_all(&d);
	unlink(pid);
	if (d.xs != NULL)
		xs_close(d.xs);
	xdd_nl_close(d.nl);
	return 0;
}
