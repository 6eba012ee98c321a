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

int
guest_flag(const start_info_t *si, const char *word)
{
	const char *p = (const char *)si->cmd_line;
	size_t n = pv_strlen(word);

	while (*p) {
		while (*p == ' ')
			p++;
		if (pv_memcmp(p, word, n) == 0 && (p[n] == ' ' || !p[n]))
			return 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
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

/* noxs: take our copy of the device page at store_mfn and find sysctl
 * (at boot, and again in a new domain: the toolstack rebuilds the page,
 * with a new domid and new ports); -1 when there is no valid page */
static int
noxs_attach(struct guest *g)
{
	const volatile void *page = pv_mfn_to_virt(pv_start_info->store_mfn);
	uint64_t end = pv_now_ns() + 1000000000ull;
	int rc;

	sysctl = NULL;
	sysctl_port = 0;
	notice_port = 0;
	/* a network-attach may be rewriting the entries right now: wait
	 * for a whole copy (a XenStore ring fails on its magic at once) */
	while ((rc = noxs_page_read_stable(page, &devpage)) == -NOXS_EAGAIN &&
	       pv_now_ns() < end)
		__builtin_ia32_pause();
	if (rc < 0)
		return -1;
	g->domid = devpage.domid;
	noxs_find_sysctl();
	return 0;
}

static const char *const feature_nodes[NOXS_SYSCTL_REQ_MAX + 1] = {
	[NOXS_SYSCTL_POWEROFF] = "control/feature-poweroff",
	[NOXS_SYSCTL_REBOOT] = "control/feature-reboot",
	[NOXS_SYSCTL_SUSPEND] = "control/feature-suspend",
};

/* xenstore: who we are, and the requests we obey (at boot, and again in a
 * new domain: the toolstack wrote its nodes afresh) */
static void
xs_attach(struct guest *g)
{
	char buf[32];
	uint32_t r;

	if (xs_read("domid", buf, sizeof(buf)) > 0)
		g->domid = parse_ulong(buf);
	for (r = 1; r <= NOXS_SYSCTL_REQ_MAX; r++)
		if (g->features & NOXS_SYSCTL_FEATURE(r))
			xs_write(feature_nodes[r], "1");
}

void
guest_boot(start_info_t *si, struct guest *g, uint32_t features)
{
	uint32_t i;

	pv_init(si);
	pv_memset(g, 0, sizeof(*g));
	/* a PVH guest has no p2m for a save to walk: it does not suspend */
	if (pv_translated)
		features &= ~NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_SUSPEND);
	g->features = features;
	cmdline_value((const char *)si->cmd_line, "marker", g->marker,
		      sizeof(g->marker));
	/* a device page or a XenStore ring sits at store_mfn */
	if (noxs_attach(g) == 0) {
		g->mode = MODE_NOXS;
		/* nobody may be reading a noxs console: do not linger */
		pv_console_patience_ms = 20;
	} else {
		g->mode = MODE_XENSTORE;
		/* XenStore names a console backend (xenconsoled), which may
		 * attach only after we started: give it time */
		pv_console_patience_ms = 2000;
		xs_init(si);
		xs_attach(g);
	}
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

/* the SHUTDOWN_* reason of a request (NOXS_SYSCTL_*), or -1 when it is
 * none or one we did not announce */
static int
power_reason(const struct guest *g, uint32_t req)
{
	static const unsigned reasons[NOXS_SYSCTL_REQ_MAX + 1] = {
		[NOXS_SYSCTL_POWEROFF] = SHUTDOWN_poweroff,
		[NOXS_SYSCTL_REBOOT] = SHUTDOWN_reboot,
		[NOXS_SYSCTL_SUSPEND] = SHUTDOWN_suspend,
	};

	if (req == NOXS_SYSCTL_NONE || req > NOXS_SYSCTL_REQ_MAX ||
	    !(g->features & NOXS_SYSCTL_FEATURE(req)))
		return -1;
	return (int)reasons[req];
}

/* noxs: connect the sysctl device and wait on its event channel */
static unsigned
noxs_wait_power_request(struct guest *g)
{
	int reason;

	if (sysctl == NULL) {
		pv_puts("idle: no sysctl device to wait on\n");
		return SHUTDOWN_poweroff;
	}
	if (!g->listening) {
		noxs_sysctl_fe_connect(sysctl, g->features);
		g->listening = 1;
	}
	for (;;) {
		/* taking a request acknowledges it */
		reason = power_reason(g, noxs_sysctl_fe_take(sysctl));
		if (reason >= 0)
			return (unsigned)reason;
		pv_wait(sysctl_port, 0);
	}
}

evtchn_port_t
guest_power_port(struct guest *g)
{
	if (g->mode != MODE_NOXS || sysctl == NULL)
		return 0;
	if (!g->listening) {
		noxs_sysctl_fe_connect(sysctl, g->features);
		g->listening = 1;
	}
	return sysctl_port;
}

int
guest_take_power_request(struct guest *g)
{
	if (guest_power_port(g) == 0)
		return -1;
	return power_reason(g, noxs_sysctl_fe_take(sysctl));
}

int
guest_rescan(struct guest *g)
{
	const volatile void *page;
	static struct noxs_device_page fresh;

	if (g->mode != MODE_NOXS)
		return 0;
	page = pv_mfn_to_virt(pv_start_info->store_mfn);
	if (noxs_page_generation(page) == devpage.generation)
		return 0;
	if (noxs_page_read_stable(page, &fresh) < 0 ||
	    fresh.domid != devpage.domid)
		return -1; /* being rewritten, or not one to take: later */
	devpage = fresh;
	noxs_find_sysctl(); /* the same place, from the toolstack's record */
	return 1;
}

volatile void *
guest_device_nth(const struct guest *g, uint16_t type, unsigned nth,
		 struct noxs_dev_entry *e)
{
	uint32_t i;

	if (g->mode != MODE_NOXS)
		return NULL;
	for (i = 0; i < devpage.ndevices; i++)
		if (devpage.devices[i].type == type && nth-- == 0)
			return guest_device(g, type, devpage.devices[i].devid,
					    e);
	return NULL;
}

volatile void *
guest_device(const struct guest *g, uint16_t type, uint16_t devid,
	     struct noxs_dev_entry *e)
{
	const struct noxs_dev_entry *d;

	if (g->mode != MODE_NOXS)
		return NULL;
	d = noxs_find(&devpage, type, devid);
	if (d == NULL || d->flags != NOXS_F_IN_DEVPAGE)
		return NULL;
	*e = *d;
	/* the offset was checked (inside the area, 64-aligned) by
	 * noxs_page_read, on our copy */
	return (volatile uint8_t *)pv_mfn_to_virt(pv_start_info->store_mfn) +
	       d->ctrl_offset;
}

/* the noxs request a control/shutdown value names, or NOXS_SYSCTL_NONE */
static uint32_t
xs_request(const char *v)
{
	if (pv_memcmp(v, "poweroff", 9) == 0 || pv_memcmp(v, "halt", 5) == 0)
		return NOXS_SYSCTL_POWEROFF;
	if (pv_memcmp(v, "reboot", 7) == 0)
		return NOXS_SYSCTL_REBOOT;
	if (pv_memcmp(v, "suspend", 8) == 0)
		return NOXS_SYSCTL_SUSPEND;
	return NOXS_SYSCTL_NONE;
}

unsigned
guest_wait_power_request(struct guest *g)
{
	char req[32];
	int reason;

	if (g->mode == MODE_NOXS)
		return noxs_wait_power_request(g);
	if (!g->listening) {
		if (xs_watch("control/shutdown", "power") < 0)
			return SHUTDOWN_crash;
		g->listening = 1;
	}
	for (;;) {
		xs_wait_event();
		if (xs_read("control/shutdown", req, sizeof(req)) <= 0)
			continue;
		xs_write("control/shutdown", ""); /* acknowledged, as Linux */
		reason = power_reason(g, xs_request(req));
		if (reason >= 0)
			return (unsigned)reason;
	}
}

int
guest_suspend(struct guest *g)
{
	/* no console flush: what the reader has not taken yet stays in the
	 * ring, which is our memory and comes through the save (a noxs
	 * guest, whose console nobody may read, would wait out its patience:
	 * 20 of the 24 ms its suspend took in bench/run save-restore) */
	/* cancelled: our watch or sysctl connection is still there */
	if (pv_suspend())
		return 1;
	/* a new domain: new domid, a new store page or device page, new
	 * ports; xenstored forgot our watch, the device page our connection */
	g->listening = 0;
	if (g->mode == MODE_NOXS) {
		noxs_attach(g); /* none: the next wait says so, powers off */
	} else {
		xs_resume(pv_start_info);
		xs_attach(g);
	}
	return 0;
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
