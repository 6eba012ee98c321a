/* common.h: what hello and idle share: boot, marker, power requests. */
#ifndef CHAOS_GUEST_COMMON_H
#define CHAOS_GUEST_COMMON_H

#include "noxs.h"
#include "pv/pv.h"

enum guest_mode { MODE_XENSTORE, MODE_NOXS };

struct guest {
	enum guest_mode mode;
	unsigned long domid;
	uint32_t features; /* NOXS_SYSCTL_FEATURE() bits of what we obey */
	int listening;	   /* watch set (xenstore), sysctl connected (noxs) */
	char marker[64];   /* marker= on the command line, or "" */
};

/* Set up the console, find out how devices reach us, announce the power
 * requests we obey (features: NOXS_SYSCTL_FEATURE() bits; under XenStore
 * as control/feature-*), print who we are and the marker.  Returns with g
 * filled. */
void guest_boot(start_info_t *si, struct guest *g, uint32_t features);

/* 1 when word stands alone on the kernel command line. */
int guest_flag(const start_info_t *si, const char *word);

/* Block until a power request we obey arrives, acknowledge it and return
 * its SHUTDOWN_* reason (SHUTDOWN_suspend: call guest_suspend). */
unsigned guest_wait_power_request(struct guest *g);

/* noxs: the sysctl device's port, connected with our features on the
 * first call; 0 when there is none (and in xenstore mode, where power
 * requests come by watch: use guest_wait_power_request). */
evtchn_port_t guest_power_port(struct guest *g);

/* noxs: a pending power request we obey, acknowledged: its SHUTDOWN_*
 * reason; -1 when none is pending. */
int guest_take_power_request(struct guest *g);

/* noxs: the control block of device (type, devid) when it lives in the
 * device page (IN_DEVPAGE), with its entry copied into *e; NULL when
 * there is none, it lives elsewhere, or in xenstore mode. */
volatile void *guest_device(const struct guest *g, uint16_t type,
			    uint16_t devid, struct noxs_dev_entry *e);

/* noxs: look at the device page again when its generation moved (a
 * network-attach or -detach, docs/noxs.md section 9): 1 when a new copy
 * was taken (guest_device answers from it), 0 when nothing changed, -1
 * when the page is being rewritten or does not check (look again on the
 * next event). */
int guest_rescan(struct guest *g);

/* noxs: the nth device of type in the page's order, as guest_device. */
volatile void *guest_device_nth(const struct guest *g, uint16_t type,
				unsigned nth, struct noxs_dev_entry *e);

/* Suspend for a save, at once (no console flush, no notice: the domain
 * lives on), and return once resumed: 1 when the save was cancelled (same
 * domain, still listening), 0 in a new domain, whose devices have been
 * found again (g->domid is the new one); the next guest_wait_power_request
 * listens again with the same features. */
int guest_suspend(struct guest *g);

/* Shut down for reason (SHUTDOWN_*): under noxs, signal the notice
 * channel first, right before SCHEDOP_shutdown.  Does not return. */
__attribute__((noreturn)) void guest_shutdown(unsigned reason);

#endif
