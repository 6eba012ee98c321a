/* msg.c: xendevd's request parser (msg.h): checks before any copy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

/* the exact body size of each request type (0: no such request) */
static const uint32_t body_size[XDD_NTYPES] = {
	[XDD_HELLO] = sizeof(struct ipc_hello),
	[XDD_VIF_ATTACH] = sizeof(struct xdd_vif),
	[XDD_VIF_DETACH] = sizeof(struct xdd_vif),
	[XDD_VIF_LIST] = sizeof(struct xdd_list),
};

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
check_vif(uint16_t type, const struct xdd_vif *v, char *why, size_t whylen)
{
	if (bad_name(v->ifname, 1) || bad_name(v->bridge, 1) ||
	    bad_name(v->vifname, 1)) {
		snprintf(why, whylen,
			 "an interface name is unterminated, too long or "
			 "holds a forbidden character");
		return EINVAL;
	}
	if (type != XDD_VIF_ATTACH)
		return 0;
	if (v->backend != XDD_BE_NETBACK) {
		snprintf(why, whylen,
			 "backend kind %u is not served by this xendevd",
			 v->backend);
		return EOPNOTSUPP;
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

int
xdd_msg_parse(const uint8_t *msg, size_t len, struct xdd_req *req, char *why,
	      size_t whylen)
{
	struct ipc_hdr *h = &req->h;
	uint32_t body;

	memset(req, 0, sizeof(*req));
	if (whylen)
		why[0] = '\0';
	if (len >= sizeof(*h))
		memcpy(h, msg, sizeof(*h));
	if (len > IPC_MSG_MAX) {
		snprintf(why, whylen, "message of %zu bytes; at most %d", len,
			 IPC_MSG_MAX);
		return EMSGSIZE;
	}
	if (len < sizeof(*h) || h->magic != XDD_MAGIC) {
		h->type = 0;
		snprintf(why, whylen, "not a xendevd message (%zu bytes)", len);
		return EBADMSG;
	}
	if (h->version != XDD_VERSION) {
		snprintf(why, whylen,
			 "message version %u; this xendevd speaks %d",
			 h->version, XDD_VERSION);
		return EPROTONOSUPPORT;
	}
	if (h->len != len) {
		snprintf(why, whylen,
			 "header says %u bytes, the message has %zu", h->len,
			 len);
		return EBADMSG;
	}
	if (h->type >= XDD_NTYPES || body_size[h->type] == 0) {
		snprintf(why, whylen, "unknown request type %u", h->type);
		return EOPNOTSUPP;
	}
	body = body_size[h->type];
	if (len - sizeof(*h) != body) {
		snprintf(why, whylen,
			 "request type %u takes %u bytes of body, not %zu",
			 h->type, body, len - sizeof(*h));
		return EBADMSG;
	}
	/* the size is checked: the body fits req->u */
	memcpy(&req->u, msg + sizeof(*h), body);
	switch (h->type) {
	case XDD_HELLO:
		if (req->u.hello.version < 1) {
			snprintf(why, whylen,
				 "protocol version %u is not spoken here",
				 req->u.hello.version);
			return EPROTONOSUPPORT;
		}
		return 0;
	case XDD_VIF_ATTACH:
	case XDD_VIF_DETACH:
		return check_vif(h->type, &req->u.vif, why, whylen);
	default: return 0;
	}
}
