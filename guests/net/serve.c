/*
 * serve.c: the loop of our network guests: netfront below, the stack
 * above, power requests beside.  One SCHEDOP_poll waits on the vif's and
 * the sysctl device's channels at once, with a timeout for TCP's timers
 * and the backend's connection.
 */
#include "serve.h"
#include "net/netfront.h"

#define CONNECT_PATIENCE_NS 10000000000ull /* before we say it is late */

static struct net net;

static void
tx(struct net *n, const uint8_t *frame, size_t len)
{
	(void)n;
	netfront_send(frame, len);
}

static void
rx(void *arg, const uint8_t *frame, size_t len)
{
	net_input(arg, frame, len, pv_now_ns() / 1000000);
}

static void
put_ip(uint32_t ip)
{
	int i;

	for (i = 24; i >= 0; i -= 8) {
		pv_putu((ip >> i) & 0xff);
		if (i)
			pv_puts(".");
	}
}

static void
say(const char *name, const char *what)
{
	pv_puts(name);
	pv_puts(": ");
	pv_puts(what);
}

/* the vif in use: the first fresh one the device page names */
struct vif {
	evtchn_port_t port; /* 0: none */
	struct noxs_dev_entry e;
	int up, late;
	uint64_t since;
};

static void
say_vif(const char *name, const struct vif *v, const char *what)
{
	say(name, "vif ");
	pv_putu(v->e.devid);
	pv_puts(what);
}

/* bring up the first vif whose block is fresh (a vif we closed is not,
 * until the toolstack adds one again); v->port 0 when there is none */
static void
vif_start(struct guest *g, const char *name, uint16_t tcp_port,
	  net_line_fn *fill, struct vif *v)
{
	struct noxs_vif_ctrl cfg;
	volatile void *block;
	unsigned i;
	uint32_t ip;

	v->port = 0;
	for (i = 0; (block = guest_device_nth(g, NOXS_DEV_VIF, i, &v->e)); i++)
		if (noxs_vif_fe_fresh(block))
			break;
	if (block == NULL)
		return;
	if (netfront_init(block, &v->e, &cfg) < 0) {
		say_vif(name, v, " unusable\n");
		return;
	}
	/* ipv4 is in network byte order: its first byte is the first */
	ip = net_get32((const uint8_t *)&cfg.ipv4);
	net_init(&net, cfg.mac, ip, cfg.mtu, tx, (uint32_t)pv_rdtsc());
	if (tcp_port != 0)
		net_tcp_listen(&net, tcp_port, fill);
	if (ip == 0)
		say_vif(name, v, " has no ip=: answering nothing\n");
	v->port = v->e.evtchn;
	v->up = v->late = 0;
	v->since = pv_now_ns();
}

/* the vif's entry is gone from the page, or names another block now */
static int
vif_removed(struct guest *g, const struct vif *v)
{
	struct noxs_dev_entry e;

	return guest_device(g, NOXS_DEV_VIF, v->e.devid, &e) == NULL ||
	       e.evtchn != v->e.evtchn || e.ctrl_offset != v->e.ctrl_offset;
}

/* where the vif stands: say when it came up or went */
static void
vif_check(const char *name, struct vif *v, uint64_t now)
{
	uint32_t st = netfront_state();

	if (!v->up && st == NOXS_STATE_CONNECTED) {
		v->up = 1;
		say(name, "up on ");
		put_ip(net.ip);
		pv_puts("\n");
	} else if (st == NOXS_STATE_CLOSING || st == NOXS_STATE_CLOSED) {
		netfront_close();
		say_vif(name, v, " closed by the backend\n");
		v->port = 0;
	} else if (!v->up && !v->late &&
		   now - v->since >= CONNECT_PATIENCE_NS) {
		v->late = 1;
		say_vif(name, v, ": the backend has not connected yet\n");
	}
}

/*
 * Serve until a power request: its SHUTDOWN_* reason.  The device page
 * may gain or lose vifs meanwhile (network-attach, -detach), which the
 * sysctl channel signals: the first fresh vif is served, one at a time.
 */
static unsigned
serve(struct guest *g, const char *name, uint16_t tcp_port, net_line_fn *fill)
{
	evtchn_port_t ports[2], power = guest_power_port(g);
	struct vif v = {0};
	uint64_t next, now;
	int reason, changed = 1;
	unsigned n;

	if (g->mode != MODE_NOXS) {
		say(name, "no vif (xenstore mode)\n");
		return guest_wait_power_request(g);
	}
	if (power == 0)
		say(name, "no sysctl device: serving until destroyed\n");
	for (;;) {
		/* clear first, then look: nothing signalled is missed */
		if (power != 0)
			pv_test_and_clear(power);
		reason = guest_take_power_request(g);
		if (reason >= 0)
			return (unsigned)reason;
		if (guest_rescan(g) > 0)
			changed = 1;
		if (changed && v.port != 0 && vif_removed(g, &v)) {
			netfront_close();
			say_vif(name, &v, " removed\n");
			v.port = 0;
		}
		if (changed && v.port == 0) {
			vif_start(g, name, tcp_port, fill, &v);
			if (v.port == 0 && v.e.type == 0)
				say(name, "no vif\n");
		}
		changed = 0;
		now = pv_now_ns();
		if (v.port != 0) {
			pv_test_and_clear(v.port);
			vif_check(name, &v, now);
		}
		if (v.port != 0 && v.up)
			netfront_poll(rx, &net);
		next = v.port != 0 ? net_tick(&net, now / 1000000) : 0;
		/* wake for the next timer, or each second while we wait for
		 * the backend */
		if (next != 0)
			next = next * 1000000 > now ? next * 1000000 - now : 1;
		else if (v.port != 0 && !v.up)
			next = 1000000000;
		n = 0;
		if (power != 0)
			ports[n++] = power;
		if (v.port != 0)
			ports[n++] = v.port;
		if (n == 0) /* no sysctl, no vif: nothing will ever come */
			return SHUTDOWN_poweroff;
		pv_wait_any(ports, n, next);
	}
}

void
net_guest(start_info_t *si, const char *name, uint16_t tcp_port,
	  net_line_fn *fill)
{
	struct guest g;
	unsigned reason;

	guest_boot(si, &g,
		   NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF) |
			   NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REBOOT));
	reason = serve(&g, name, tcp_port, fill);
	say(name, reason == SHUTDOWN_reboot ? "rebooting\n" : "powering off\n");
	guest_shutdown(reason);
}
