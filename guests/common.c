/*
 * common.c: boot of chaos's tiny guests.  Devices reach a guest either
 * through a real XenStore ring (under xl, or chaos in xenstore mode) or a
 * noxs device page in the same slot; the guest tells them apart by the
 * page's magic, so one image boots under both toolstacks.
 */
#include "common.h"
#include "noxs.h"
#include "pv/xs.h"

static struct noxs_device_page devpage; /* our checked copy */
static volatile struct noxs_sysctl *sysctl;
static evtchn_port_t sysctl_port;
static evtchn_port_t notice_port; /* signalled before we shut down; 0 none */

/* the highest port of the 2-level event channel ABI (64-bit) */
#define MAX_PORT 4095

static const char *const type_names[] = {"?", "console", "sysctl", "vif",
					 "vbd"};

/* value of key=VALUE in the kernel command line, or "" */
static void
cmdline_value(const char *cmdline, const char *key, char *out, size_t cap)
{
	size_t klen = pv_strlen(key), n;
	const char *p = cmdline;

	out[0] = '\0';
	while (*p) {
		while (*p == ' ')
			p++;
		if (pv_memcmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			for (n = 0; p[n] && p[n] != ' ' && n + 1 < cap; n++)
				out[n] = p[n];
			out[n] = '\0';
			return;
		}
		while (*p && *p != ' ')
			p++;
	}
}

static unsigned long
parse_ulong(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

/* noxs: where the sysctl block is, its port, and the notice port the
 * toolstack gave us (docs/noxs.md, section 4) */
static void
noxs_find_sysctl(void)
{
	const struct noxs_dev_entry *e;

	e = noxs_find(&devpage, NOXS_DEV_SYSCTL, 0);
	if (e == NULL || e->flags != NOXS_F_IN_DEVPAGE)
		return;
	sysctl = (volatile struct noxs_sysctl
			  *)((volatile uint8_t *)pv_mfn_to_virt(
				     pv_start_info->store_mfn) +
			     e->ctrl_offset);
	sysctl_port = e->evtchn;
	notice_port = noxs_sysctl_fe_notice(sysctl, MAX_PORT);
}

void
guest_boot(start_info_t *si, struct guest *g)
{
	char buf[32];
	volatile void *shared;
	uint32_t i;

	pv_init(si);
	pv_memset(g, 0, sizeof(*g));
	cmdline_value((const char *)si->cmd_line, "marker", g->marker,
		      sizeof(g->marker));
	/* a device page or a XenStore ring sits at store_mfn */
	shared = pv_mfn_to_virt(si->store_mfn);
	if (noxs_page_read(shared, &devpage) == 0) {
		g->mode = MODE_NOXS;
		g->domid = devpage.domid;
		/* nobody may be reading a noxs console: do not linger */
		pv_console_patience_ms = 20;
	} else {
		g->mode = MODE_XENSTORE;
		/* XenStore names a console backend (xenconsoled), which may
		 * attach only after we started: give it time */
		pv_console_patience_ms = 2000;
		xs_init(si);
		if (xs_read("domid", buf, sizeof(buf)) > 0)
			g->domid = parse_ulong(buf);
		xs_write("control/feature-poweroff", "1");
		xs_write("control/feature-reboot", "1");
	}
	if (g->mode == MODE_NOXS)
		noxs_find_sysctl();
	pv_puts("hello from domain ");
	pv_putu(g->domid);
	if (g->mode == MODE_NOXS) {
		pv_puts(" (noxs), devices:");
		for (i = 0; i < devpage.ndevices; i++) {
			pv_puts(i ? ", " : " ");
			pv_puts(type_names[devpage.devices[i].type]);
			pv_puts(" ");
			pv_putu(devpage.devices[i].devid);
		}
		pv_puts("\n");
	} else {
		pv_puts(" (xenstore), devices: console\n");
	}
	if (g->marker[0]) {
		pv_puts("XENBOX_MARKER ");
		pv_puts(g->marker);
		pv_puts("\n");
	}
}

/* noxs: connect the sysctl device and wait on its event channel */
static unsigned
noxs_wait_power_request(void)
{
	uint32_t req;

	if (sysctl == NULL) {
		pv_puts("idle: no sysctl device to wait on\n");
		return SHUTDOWN_poweroff;
	}
	noxs_sysctl_fe_connect(sysctl,
			       NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF) |
				       NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REBOOT));
	for (;;) {
		req = noxs_sysctl_fe_take(sysctl);
		if (req == NOXS_SYSCTL_POWEROFF)
			return SHUTDOWN_poweroff;
		if (req == NOXS_SYSCTL_REBOOT)
			return SHUTDOWN_reboot;
		pv_wait(sysctl_port, 0);
	}
}

unsigned
guest_wait_power_request(struct guest *g)
{
	char req[32];

	if (g->mode == MODE_NOXS)
		return noxs_wait_power_request();
	if (xs_watch("control/shutdown", "power") < 0)
		return SHUTDOWN_crash;
	for (;;) {
		xs_wait_event();
		if (xs_read("control/shutdown", req, sizeof(req)) <= 0)
			continue;
		xs_write("control/shutdown", ""); /* acknowledged, as Linux */
		if (pv_memcmp(req, "poweroff", 9) == 0 ||
		    pv_memcmp(req, "halt", 5) == 0)
			return SHUTDOWN_poweroff;
		if (pv_memcmp(req, "reboot", 7) == 0)
			return SHUTDOWN_reboot;
	}
}

void
guest_shutdown(unsigned reason)
{
	pv_console_flush();
	/* tell the toolstack, then go at once: it may look any moment now
	 * (a second console flush here could wait out its patience) */
	if (notice_port != 0)
		pv_notify(notice_port);
	pv_shutdown_now(reason);
}
