/*
 * idle: prints its marker, then waits for power requests and obeys them
 * (with "nosuspend" on its command line it does not take suspends, to
 * test a save of a guest that will not suspend).
 * A suspend (for a save) comes back here, in the same domain when the save
 * was cancelled or in a new one after a restore; the nonce taken at boot
 * and the count of resumes show that memory came through.
 */
#include "common.h"

void pv_main(start_info_t *si);

static void
put_state(uint64_t nonce, unsigned long resumes)
{
	pv_puts(" (nonce ");
	pv_putu(nonce);
	pv_puts(", resumes ");
	pv_putu(resumes);
	pv_puts(")\n");
}

void
pv_main(start_info_t *si)
{
	struct guest g;
	uint64_t nonce = pv_rdtsc(); /* differs from boot to boot */
	unsigned long resumes = 0;
	unsigned reason;

	uint32_t features = NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF) |
			    NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REBOOT) |
			    NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_SUSPEND);

	if (guest_flag(si, "nosuspend"))
		features &= ~NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_SUSPEND);
	guest_boot(si, &g, features);
	pv_puts("idle: nonce ");
	pv_putu(nonce);
	pv_puts("\n");
	while ((reason = guest_wait_power_request(&g)) == SHUTDOWN_suspend) {
		pv_puts("idle: suspending\n");
		if (guest_suspend(&g)) {
			pv_puts("idle: suspend cancelled");
		} else {
			pv_puts("idle: resumed in domain ");
			pv_putu(g.domid);
		}
		put_state(nonce, ++resumes);
	}
	pv_puts(reason == SHUTDOWN_reboot ? "idle: rebooting\n"
					  : "idle: powering off\n");
	guest_shutdown(reason);
}
