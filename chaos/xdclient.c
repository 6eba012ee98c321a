/* xdclient.c: chaos's connection to xendevd, on libipc. */
#include <stdlib.h>

#include "xdclient.h"

const char *
xdc_path(void)
{
	const char *p = getenv("XENDEVD_SOCKET");

	return p && *p ? p : XDD_SOCKET;
}

int
xdc_open(struct ipc_conn *c, const char *path)
{
	return ipc_open(c, &xdd_proto, path);
}
