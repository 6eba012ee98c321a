/* shp.c: the shell daemon's protocol (shp.h): its body sizes. */
#include "shp.h"

static const uint32_t body_size[SHP_NTYPES] = {
	[SHP_HELLO] = sizeof(struct ipc_hello),
	/* list and reload take no body: a header alone is 0 bytes of one,
	 * which ipc_msg_check cannot tell from "no such type" */
	[SHP_LIST] = sizeof(uint32_t),
	[SHP_RELOAD] = sizeof(uint32_t),
};

const struct ipc_proto shp_proto = {
	.name = "chaos-shelld",
	.magic = SHP_MAGIC,
	.version = SHP_VERSION,
	.ntypes = SHP_NTYPES,
	.body_size = body_size,
};
