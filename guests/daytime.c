/*
 * daytime: a noxs guest with a vif that serves TCP daytime (RFC 867) on
 * port 13: each connection gets one line with the date and time by Xen's
 * wallclock, then is closed.  It answers ping and UDP echo as pong does.
 */
#include "net/serve.h"

void pv_main(start_info_t *si);

static size_t
now_line(struct net *n, char *buf, size_t cap)
{
	(void)n;
	return net_format_date(pv_wallclock(), buf, cap);
}

void
pv_main(start_info_t *si)
{
	net_guest(si, "daytime", 13, now_line);
}
