/*
 * pong: a noxs guest with a vif that answers ping (ICMP echo) and UDP
 * echo on port 7 at the config's ip=, until a power request.  Without a
 * vif (or under XenStore) it says so and only waits for the request.
 */
#include "net/serve.h"

void pv_main(start_info_t *si);

void
pv_main(start_info_t *si)
{
	net_guest(si, "pong", 0, NULL);
}
