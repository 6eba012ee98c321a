/*
 * proto.c: xendevd's protocol (xdd.h) as libipc checks it, for the daemon
 * and its clients alike.
 */
#include "xdd.h"

/* the exact body size of each request type (0: no such request) */
static const uint32_t body_size[XDD_NTYPES] = {
	[XDD_HELLO] = sizeof(struct ipc_hello),
	[XDD_VIF_ATTACH] = sizeof(struct xdd_vif),
	[XDD_VIF_DETACH] = sizeof(struct xdd_vif),
	[XDD_VIF_LIST] = sizeof(struct xdd_list),
	[XDD_VBD_ATTACH] = sizeof(struct xdd_vbd),
	[XDD_VBD_DETACH] = sizeof(struct xdd_vbd),
	[XDD_CONS_ATTACH] = sizeof(struct xdd_cons),
	[XDD_CONS_OPEN] = sizeof(struct xdd_cons_open),
	[XDD_CONS_INPUT] = sizeof(struct xdd_cons_input),
};

const struct ipc_proto xdd_proto = {
	.name = "xendevd",
	.magic = XDD_MAGIC,
	.version = XDD_VERSION,
	.ntypes = XDD_NTYPES,
	.body_size = body_size,
};
