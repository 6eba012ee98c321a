/* common.h: what hello and idle share: boot, marker, power requests. */
#ifndef CHAOS_GUEST_COMMON_H
#define CHAOS_GUEST_COMMON_H

#include "pv/pv.h"

enum guest_mode { MODE_XENSTORE, MODE_NOXS };

struct guest {
	enum guest_mode mode;
	unsigned long domid;
	char marker[64]; /* marker= on the command line, or "" */
};

/* Set up the console, find out how devices reach us, print who we are
 * and the marker.  Returns with g filled. */
void guest_boot(start_info_t *si, struct guest *g);

/* Block until a power request arrives; its SHUTDOWN_* reason. */
unsigned guest_wait_power_request(struct guest *g);

/* Shut down for reason (SHUTDOWN_*): under noxs, signal the notice
 * channel first, right before SCHEDOP_shutdown.  Does not return. */
__attribute__((noreturn)) void guest_shutdown(unsigned reason);

#endif
