/* shp.c: the shell daemon's protocol (shp.h): sizes and checks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shp.h"

static const uint32_t body_size[SHP_NTYPES] = {
	[SHP_HELLO] = sizeof(struct ipc_hello),
	[SHP_TAKE] = sizeof(struct shp_take),
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

int
shp_take_check(const struct shp_take *t, char *why, size_t whylen)
{
	static const uint8_t zero[16];

	if (t->memory_mib == 0 || t->memory_mib > SHP_MIB_MAX ||
	    t->vcpus == 0 || t->vcpus > SHP_VCPUS_MAX) {
		snprintf(why, whylen,
			 "a take needs 1 to %d MiB and 1 to %d vCPUs",
			 SHP_MIB_MAX, SHP_VCPUS_MAX);
		return EINVAL;
	}
	if (t->flags & ~SHP_TAKE_XENSTORE) {
		snprintf(why, whylen, "unknown take flags 0x%x", t->flags);
		return EINVAL;
	}
	if (memcmp(t->uuid, zero, 16) == 0) {
		snprintf(why, whylen, "a take needs the guest's uuid");
		return EINVAL;
	}
	return 0;
}
