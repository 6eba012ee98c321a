/* shclient.c: take a shell from chaos-shelld (shclient.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shclient.h"
#include "shp.h"

/* a take is two hypercalls in the daemon: anything slower is a daemon in
 * trouble, and the create had better go cold */
#define TAKE_TIMEOUT_MS 2000

const char *
shc_path(void)
{
	const char *p = getenv("CHAOS_SHELLD_SOCKET");

	return p && *p ? p : SHP_SOCKET;
}

/* the reply, checked: its size, its shape, its runs */
static int
check(const struct shp_shell *o, uint32_t len, const struct domcfg *dc)
{
	return len >= sizeof(*o) && o->nruns > 0 && o->nruns <= SHP_RUNS_MAX &&
	       len == sizeof(*o) + o->nruns * sizeof(o->run[0]) &&
	       o->memory_mib == dc->memory && o->vcpus == dc->maxvcpus &&
	       o->domid > 0 && o->domid < 0x7ff0 && o->store_port &&
	       o->console_port && o->sysctl_port && o->notice_port;
}

int
shc_take(const struct domcfg *dc, const uint8_t uuid[16], int xenstore,
	 struct shc_shell *s, char *why, size_t whylen)
{
	static uint8_t buf[IPC_REPLY_BODY_MAX];
	const struct shp_shell *o = (const struct shp_shell *)buf;
	struct shp_take t = {
		.memory_mib = dc->memory,
		.vcpus = dc->maxvcpus,
		.flags = xenstore ? SHP_TAKE_XENSTORE : 0,
	};
	struct ipc_conn c;
	struct ipc_status st;
	const char *path = shc_path();
	uint32_t len, i;

	memset(s, 0, sizeof(*s));
	if (strcmp(path, "none") == 0)
		return snprintf(why, whylen, "the pool is turned off"), 0;
	/* a shell has exactly its memory: a guest that may balloon up
	 * needs the room a cold create gives it */
	if (dc->maxmem != dc->memory)
		return snprintf(why, whylen, "maxmem is above memory"), 0;
	memcpy(t.uuid, uuid, 16);
	/* the hello goes with the take: one round trip */
	if (ipc_connect(&c, &shp_proto, path) < 0)
		return snprintf(why, whylen, "no shell daemon (%s: %s)", path,
				strerror(errno)),
		       0;
	if (ipc_call(&c, SHP_TAKE, &t, sizeof(t), TAKE_TIMEOUT_MS, &st, buf,
		     sizeof(buf), &len) < 0) {
		snprintf(why, whylen, "shell daemon: %s", strerror(errno));
		ipc_close(&c);
		return -1;
	}
	ipc_close(&c);
	if (st.err != 0)
		return snprintf(why, whylen, "%s", st.msg), 0;
	if (!check(o, len, dc))
		return snprintf(why, whylen,
				"the shell daemon's reply does not check out"),
		       -1;
	s->p2m = calloc(o->nruns, sizeof(*s->p2m));
	if (s->p2m == NULL)
		return snprintf(why, whylen, "%s", strerror(errno)), 0;
	for (i = 0; i < o->nruns; i++)
		s->p2m[i] = (struct hv_p2m_run){o->run[i].pfn, o->run[i].mfn,
						o->run[i].count};
	s->np2m = o->nruns;
	s->domid = o->domid;
	s->store_port = o->store_port;
	s->console_port = o->console_port;
	s->sysctl_port = o->sysctl_port;
	s->notice_port = o->notice_port;
	memcpy(s->cls, o->class_name, sizeof(s->cls));
	s->cls[sizeof(s->cls) - 1] = '\0';
	return 1;
}
