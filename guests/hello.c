/* hello: prints who it is and the devices it got, then powers off. */
#include "common.h"

void pv_main(start_info_t *si);

void
pv_main(start_info_t *si)
{
	struct guest g;

	guest_boot(si, &g,
		   NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF) |
			   NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REBOOT));
	guest_shutdown(SHUTDOWN_poweroff);
}
