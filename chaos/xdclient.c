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

int
xdc_vbd_attach(struct ipc_conn *c, const struct xdd_vbd *req, int timeout_ms,
	       struct ipc_status *st, struct xdd_vbd_info *info)
{
	return ipc_call(c, XDD_VBD_ATTACH, req, sizeof(*req), timeout_ms, st,
			info, sizeof(*info), NULL);
}

int
xdc_vbd_detach(struct ipc_conn *c, const struct xdd_vbd *req, int timeout_ms,
	       struct ipc_status *st)
{
	return ipc_call(c, XDD_VBD_DETACH, req, sizeof(*req), timeout_ms, st,
			NULL, 0, NULL);
}

int
xdc_cons_attach(struct ipc_conn *c, const struct xdd_cons *req, int timeout_ms,
		struct ipc_status *st)
{
	return ipc_call(c, XDD_CONS_ATTACH, req, sizeof(*req), timeout_ms, st,
			NULL, 0, NULL);
}
