/* msg.c: xendevd's request parser (msg.h): libipc's checks, then its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "noxs.h"

/* A string field must end within its array and be a usable name. */
static int
bad_name(const char *s, int may_be_empty)
{
	size_t n = strnlen(s, XDD_NAME_MAX), i;

	if (n == XDD_NAME_MAX)
		return 1;
	if (n == 0)
		return !may_be_empty;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] > '~')
			return 1;
	return 0;
}

static int
zeros(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++ != 0)
			return 0;
	return 1;
}

/* a noxs vif: where its control block is, and a TAP's shape */
static int
check_noxs(const struct xdd_vif *v, char *why, size_t whylen)
{
	if (v->flags != 0 || v->bridge[0] == '\0' || v->domid == 0 ||
	    v->domid > XDD_DOMID_MAX || v->devid > 0xffff ||
	    (v->mtu != 0 && (v->mtu < XDD_MTU_MIN || v->mtu > 1500)) ||
	    v->timeout_ms > XDD_TIMEOUT_MAX_MS) {
		snprintf(why, whylen,
			 "a noxs vif needs no flags, a bridge, a guest's "
			 "domid (1..%u), a devid below 65536 and an MTU in "
			 "%d..1500",
			 XDD_DOMID_MAX, XDD_MTU_MIN);
		return EINVAL;
	}
	if (v->frame == 0 || v->port == 0 ||
	    v->ctrl_offset < NOXS_ENTRIES_END ||
	    v->ctrl_offset > NOXS_PAGE_SIZE - sizeof(struct noxs_vif_ctrl) ||
	    v->ctrl_offset % 64 != 0 || !zeros(v->pad, sizeof(v->pad))) {
		snprintf(why, whylen,
			 "a noxs vif needs its device page, a port and a "
			 "control block inside the page's area, 64-aligned");
		return EINVAL;
	}
	return 0;
}

static int
check_vif(uint16_t type, const struct xdd_vif *v, char *why, size_t whylen)
{
	if (bad_name(v->ifname, 1) || bad_name(v->bridge, 1) ||
	    bad_name(v->vifname, 1)) {
		snprintf(why, whylen,
			 "an interface name is unterminated, too long or "
			 "holds a forbidden character");
		return EINVAL;
	}
	if (type != XDD_VIF_ATTACH) {
		if (v->timeout_ms > XDD_TIMEOUT_MAX_MS) {
			snprintf(why, whylen, "a detach waits at most %d ms",
				 XDD_TIMEOUT_MAX_MS);
			return EINVAL;
		}
		return 0;
	}
	if (v->backend == XDD_BE_NOXS)
		return check_noxs(v, why, whylen);
	if (v->backend != XDD_BE_NETBACK) {
		snprintf(why, whylen,
			 "backend kind %u is not served by this xendevd",
			 v->backend);
		return EOPNOTSUPP;
	}
	if (v->frame != 0 || v->ctrl_offset != 0 || v->port != 0 ||
	    !zeros(v->mac, sizeof(v->mac)) || !zeros(v->pad, sizeof(v->pad))) {
		snprintf(why, whylen, "a netback vif has no noxs fields");
		return EINVAL;
	}
	if (v->bridge[0] == '\0' ||
	    (v->ifname[0] == '\0' && !(v->flags & XDD_VIF_XENSTORE)) ||
	    (v->flags & ~XDD_VIF_XENSTORE) || v->mtu > XDD_MTU_MAX ||
	    (v->mtu != 0 && v->mtu < XDD_MTU_MIN) ||
	    v->timeout_ms > XDD_TIMEOUT_MAX_MS) {
		snprintf(why, whylen,
			 "attach needs a bridge, an interface (or XenStore "
			 "ids), an MTU in %d..%d and at most %d ms",
			 XDD_MTU_MIN, XDD_MTU_MAX, XDD_TIMEOUT_MAX_MS);
		return EINVAL;
	}
	return 0;
}

static int
check_vbd(uint16_t type, const struct xdd_vbd *v, char *why, size_t whylen)
{
	size_t n = strnlen(v->target, XDD_PATH_MAX), i;

	if (v->flags & ~(uint32_t)(XDD_VBD_XENSTORE | XDD_VBD_RO)) {
		snprintf(why, whylen, "unknown vbd flags 0x%x", v->flags);
		return EINVAL;
	}
	if (n == XDD_PATH_MAX) {
		snprintf(why, whylen, "the target is unterminated");
		return EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)v->target[i] < ' ' || v->target[i] == 0x7f) {
			snprintf(why, whylen,
				 "the target holds a control character");
			return EINVAL;
		}
	}
	if (type != XDD_VBD_ATTACH)
		return 0;
	if (v->kind != XDD_VBD_FILE && v->kind != XDD_VBD_PHY) {
		snprintf(why, whylen, "vbd kind %u is not served", v->kind);
		return EOPNOTSUPP;
	}
	if (v->target[0] != '/') {
		snprintf(why, whylen, "the target must be an absolute path");
		return EINVAL;
	}
	return 0;
}

/* a domain's name, for a file name: 1..XDD_DOMNAME_MAX-1 printable
 * bytes, no '/' */
static int
bad_domname(const char *s)
{
	size_t n = strnlen(s, XDD_DOMNAME_MAX), i;

	if (n == 0 || n == XDD_DOMNAME_MAX)
		return 1;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] < ' ' || s[i] > '~')
			return 1;
	return 0;
}

static int
check_cons(const struct xdd_cons *c, char *why, size_t whylen)
{
	if (bad_domname(c->name)) {
		snprintf(why, whylen,
			 "the domain's name is empty, unterminated or holds "
			 "'/' or a control character");
		return EINVAL;
	}
	if (c->map != XDD_CONS_GRANT && c->map != XDD_CONS_FRAME) {
		snprintf(why, whylen, "ring kind %u is not served", c->map);
		return EOPNOTSUPP;
	}
	if (c->domid == 0 || c->domid > XDD_DOMID_MAX || c->port == 0) {
		snprintf(why, whylen,
			 "a console needs a guest's domid (1..%u) and port",
			 XDD_DOMID_MAX);
		return EINVAL;
	}
	return 0;
}

int
xdd_req_check(const struct ipc_hdr *h, const void *body, struct xdd_req *req,
	      char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	req->h = *h;
	memset(&req->u, 0, sizeof(req->u));
	/* ipc_msg_check held the body to its type's size: it fits req->u */
	memcpy(&req->u, body, xdd_proto.body_size[h->type]);
	switch (h->type) {
	case XDD_VIF_ATTACH:
	case XDD_VIF_DETACH:
		return check_vif(h->type, &req->u.vif, why, whylen);
	case XDD_VBD_ATTACH:
	case XDD_VBD_DETACH:
		return check_vbd(h->type, &req->u.vbd, why, whylen);
	case XDD_CONS_ATTACH: return check_cons(&req->u.cons, why, whylen);
	case XDD_CONS_OPEN:
		if (req->u.cons_open.flags & ~(uint32_t)XDD_CONS_REPLAY) {
			snprintf(why, whylen, "unknown console flags 0x%x",
				 req->u.cons_open.flags);
			return EINVAL;
		}
		return 0;
	case XDD_CONS_INPUT:
		if (req->u.cons_input.len == 0 ||
		    req->u.cons_input.len > XDD_CONS_INPUT_MAX) {
			snprintf(why, whylen, "input of %u bytes (1..%d)",
				 req->u.cons_input.len, XDD_CONS_INPUT_MAX);
			return EINVAL;
		}
		return 0;
	default: return 0;
	}
}

int
xdd_msg_parse(const uint8_t *msg, size_t len, struct xdd_req *req, char *why,
	      size_t whylen)
{
	struct ipc_hdr h;
	int err;

	memset(req, 0, sizeof(*req));
	err = ipc_msg_check(&xdd_proto, msg, len, &h, why, whylen);
	if (err != 0) {
		req->h = h;
		return err;
	}
	return xdd_req_check(&h, msg + sizeof(h), req, why, whylen);
}
