/* idle: prints its marker, then waits for a power request and obeys it. */
#include "common.h"

void pv_main(start_info_t *si);

void
pv_main(start_info_t *si)
{
	struct guest g;
	unsigned reason;

	guest_boot(si, &g);
	reason = guest_wait_power_request(&g);
	pv_puts(reason == SHUTDOWN_reboot ? "idle: rebooting\n"
					  : "idle: powering off\n");
	guest_shutdown(reason);
}
