/*
 * fuzz_xdd.c: libFuzzer target for xendevd's request parser (msg.h:
 * libipc's checks, then xendevd's own), what every client packet goes
 * through.  Whatever the bytes, it must not crash
 * or read past them; what it refuses gets a known errno and a terminated
 * reason; what it accepts must hold the promises msg.h makes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "noxs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* terminated within its array, printable, no '/', ':' or space */
static int
name_ok(const char *s, int may_be_empty)
{
	const char *end = memchr(s, '\0', XDD_NAME_MAX);
	const char *p;

	if (end == NULL)
		return 0;
	if (end == s)
		return may_be_empty;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (p = s; p < end; p++)
		if (*p <= ' ' || *p > '~' || *p == '/' || *p == ':')
			return 0;
	return 1;
}

static void
check_refused(int err, const char *why, size_t whylen)
{
	switch (err) {
	case EMSGSIZE:
	case EBADMSG:
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
	case EINVAL: break;
	default: abort();
	}
	if (memchr(why, '\0', whylen) == NULL || why[0] == '\0')
		abort();
}

static void
check_accepted(const struct xdd_req *r, const uint8_t *data, size_t size)
{
	static const size_t body[XDD_NTYPES] = {
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
	const struct xdd_vif *v = &r->u.vif;
	const struct xdd_cons *k = &r->u.cons;
	const struct xdd_vbd *b = &r->u.vbd;
	const char *end;

	if (size > IPC_MSG_MAX || r->h.len != size || r->h.magic != XDD_MAGIC ||
	    r->h.version != XDD_VERSION || r->h.type == 0 ||
	    r->h.type >= XDD_NTYPES || size != sizeof(r->h) + body[r->h.type])
		abort();
	/* a copy of what came, nothing more, nothing less */
	if (memcmp(&r->h, data, sizeof(r->h)) != 0 ||
	    memcmp(&r->u, data + sizeof(r->h), body[r->h.type]) != 0)
		abort();
	switch (r->h.type) {
	case XDD_HELLO:
		if (r->u.hello.version < 1)
			abort();
		break;
	case XDD_VIF_ATTACH:
		/* a noxs vif: its block inside the device page's area */
		if (v->backend == XDD_BE_NOXS &&
		    (v->flags != 0 || v->bridge[0] == '\0' || v->domid == 0 ||
		     v->domid > XDD_DOMID_MAX || v->frame == 0 ||
		     v->port == 0 || v->ctrl_offset < NOXS_ENTRIES_END ||
		     v->ctrl_offset > NOXS_PAGE_SIZE - 64 ||
		     v->ctrl_offset % 64 != 0 || v->mtu > 1500 ||
		     (v->mtu != 0 && v->mtu < XDD_MTU_MIN)))
			abort();
		if (v->backend == XDD_BE_NOXS)
			goto names;
		if (v->backend != XDD_BE_NETBACK || v->frame != 0 ||
		    v->ctrl_offset != 0 || v->port != 0 ||
		    (v->flags & ~XDD_VIF_XENSTORE) || v->bridge[0] == '\0' ||
		    (v->ifname[0] == '\0' && !(v->flags & XDD_VIF_XENSTORE)) ||
		    (v->mtu != 0 &&
		     (v->mtu < XDD_MTU_MIN || v->mtu > XDD_MTU_MAX)) ||
		    v->timeout_ms > XDD_TIMEOUT_MAX_MS)
			abort();
		/* fall through: the names */
	case XDD_VIF_DETACH:
		/* a detach waits for its frontend a bounded time */
		if (v->timeout_ms > XDD_TIMEOUT_MAX_MS)
			abort();
	names:
		if (!name_ok(v->ifname, 1) || !name_ok(v->bridge, 1) ||
		    !name_ok(v->vifname, 1))
			abort();
		break;
	case XDD_VBD_ATTACH:
		if ((b->kind != XDD_VBD_FILE && b->kind != XDD_VBD_PHY) ||
		    b->target[0] != '/')
			abort();
		/* fall through: the flags and the path */
	case XDD_VBD_DETACH:
		end = memchr(b->target, '\0', XDD_PATH_MAX);
		if (end == NULL ||
		    (b->flags & ~(uint32_t)(XDD_VBD_XENSTORE | XDD_VBD_RO)))
			abort();
		for (; end > b->target; end--)
			if ((unsigned char)end[-1] < ' ' || end[-1] == 0x7f)
				abort();
		break;
	case XDD_CONS_ATTACH:
		/* the name goes into a file name: no '/', nothing unprintable
		 */
		end = memchr(k->name, '\0', XDD_DOMNAME_MAX);
		if (end == NULL || end == k->name ||
		    (k->map != XDD_CONS_GRANT && k->map != XDD_CONS_FRAME) ||
		    k->domid == 0 || k->domid > XDD_DOMID_MAX || k->port == 0)
			abort();
		for (; end > k->name; end--)
			if (end[-1] == '/' || end[-1] < ' ' || end[-1] > '~')
				abort();
		break;
	case XDD_CONS_OPEN:
		if (r->u.cons_open.flags & ~(uint32_t)XDD_CONS_REPLAY)
			abort();
		break;
	case XDD_CONS_INPUT:
		if (r->u.cons_input.len == 0 ||
		    r->u.cons_input.len > XDD_CONS_INPUT_MAX)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t big[IPC_MSG_MAX];
	struct xdd_req r;
	char why[160];
	int err;

	err = xdd_msg_parse(data, size, &r, why, sizeof(why));
	if (err != 0)
		check_refused(err, why, sizeof(why));
	else
		check_accepted(&r, data, size);

	/* the same bytes as the head of a packet recv truncated: refused for
	 * its size, whatever its header says */
	memset(big, 0, sizeof(big));
	memcpy(big, data, size < sizeof(big) ? size : sizeof(big));
	err = xdd_msg_parse(big, IPC_MSG_MAX + 1 + (size ? data[0] : 0), &r,
			    why, sizeof(why));
	if (err != EMSGSIZE)
		abort();
	check_refused(err, why, sizeof(why));
	return 0;
}
