/*
 * pong: a noxs guest with a vif that answers ping (ICMP echo) and UDP
 * echo on port 7 at the config's ip=, until a power request.  Without a
 * vif (or under XenStore) it says so and only waits for the request.
 */
#include "common.h"
#include "net/serve.h"

void pv_main(start_info_t *si);

void
pv_main(start_info_t *si)
{
	struct guest g;
	unsigned reason;

	guest_boot(si, &g,
		   NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF) |
			   NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REBOOT));
	reason = net_serve(&g, "pong", 0, NULL);
	pv_puts(reason == SHUTDOWN_reboot ? "pong: rebooting\n"
					  : "pong: powering off\n");
	guest_shutdown(reason);
}
