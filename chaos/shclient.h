/*
 * shclient.h: chaos create's side of the shell daemon (shells/shp.h): take
 * a shell of the shape a config needs.
 */
#ifndef CHAOS_SHCLIENT_H
#define CHAOS_SHCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "domcfg.h"
#include "hv.h"

struct shc_shell {
	uint32_t domid;
	uint32_t store_port, console_port, sysctl_port, notice_port;
	char cls[32];
	struct hv_p2m_run *p2m; /* malloc'd */
	size_t np2m;
};

/* The socket: $CHAOS_SHELLD_SOCKET, else SHP_SOCKET ("none": no pool). */
const char *shc_path(void);

/*
 * Ask the daemon for a shell of dc's shape, to become the domain of uuid
 * (xenstore: the create writes XenStore nodes).  1 and *s filled: the
 * domain is this create's; 0: none (why says so: no daemon, no class of
 * that shape, none ready), the create goes cold.  -1: the take was sent
 * but no answer that checks out came (why says so): the daemon may have
 * handed a domain of that uuid over, which the create must destroy before
 * it goes cold.
 */
int shc_take(const struct domcfg *dc, const uint8_t uuid[16], int xenstore,
	     struct shc_shell *s, char *why, size_t whylen);

#endif
