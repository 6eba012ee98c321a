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

/* bring the vif up; the channel to wait on, or 0 */
static evtchn_port_t
vif_init(struct guest *g, const char *name, uint16_t tcp_port,
	 net_line_fn *fill)
{
	struct noxs_dev_entry e;
	struct noxs_vif_ctrl cfg;
	volatile void *block = guest_device(g, NOXS_DEV_VIF, 0, &e);
	uint32_t ip;

	if (block == NULL) {
		say(name, g->mode == MODE_NOXS ? "no vif\n"
					       : "no vif (xenstore mode)\n");
		return 0;
	}
	if (netfront_init(block, &e, &cfg) < 0) {
		say(name, "vif 0 unusable\n");
		return 0;
	}
	/* ipv4 is in network byte order: its first byte is the first */
	ip = net_get32((const uint8_t *)&cfg.ipv4);
	net_init(&net, cfg.mac, ip, cfg.mtu, tx, (uint32_t)pv_rdtsc());
	if (tcp_port != 0)
		net_tcp_listen(&net, tcp_port, fill);
	if (ip == 0)
		say(name, "vif 0 has no ip=: answering nothing\n");
	return e.evtchn;
}

/* serve until a power request: its SHUTDOWN_* reason */
static unsigned
serve(struct guest *g, const char *name, uint16_t tcp_port, net_line_fn *fill)
{
	evtchn_port_t ports[2];
	unsigned n = 0;
	uint64_t start = pv_now_ns(), next, now;
	uint32_t st;
	int up = 0, late = 0, gone = 0, reason;
	evtchn_port_t vif = vif_init(g, name, tcp_port, fill);

	if (vif == 0)
		return guest_wait_power_request(g);
	ports[n++] = vif;
	if (guest_power_port(g) != 0)
		ports[n++] = guest_power_port(g);
	else
		say(name, "no sysctl device: serving until destroyed\n");
	for (;;) {
		reason = guest_take_power_request(g);
		if (reason >= 0)
			return (unsigned)reason;
		pv_test_and_clear(vif);
		now = pv_now_ns();
		st = netfront_state();
		if (!up && !gone && st == NOXS_STATE_CONNECTED) {
			up = 1;
			say(name, "up on ");
			put_ip(net.ip);
			pv_puts("\n");
		} else if (!gone && st == NOXS_STATE_CLOSED) {
			gone = 1;
			say(name, "the backend closed vif 0\n");
		} else if (!up && !late && now - start >= CONNECT_PATIENCE_NS) {
			late = 1;
			say(name, "the backend has not connected vif 0 yet\n");
		}
		if (up && !gone)
			netfront_poll(rx, &net);
		next = net_tick(&net, now / 1000000);
		/* wake for the next timer, or each second while we wait for
		 * the backend */
		if (next != 0)
			next = next * 1000000 > now ? next * 1000000 - now : 1;
		else if (!up)
			next = 1000000000;
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
