/*
 * msg.c: the checks every message of every protocol passes (ipc.h) before
 * anything is copied out of it.  Pure: the daemons' fuzzers run it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipc.h"

/* the body a request type takes: 0 when there is no such request */
static uint32_t
body_of(const struct ipc_proto *p, uint16_t type)
{
	if (type == IPC_HELLO)
		return sizeof(struct ipc_hello);
	return type < p->ntypes ? p->body_size[type] : 0;
}

int
ipc_msg_check(const struct ipc_proto *p, const uint8_t *msg, size_t len,
	      struct ipc_hdr *h, char *why, size_t whylen)
{
	struct ipc_hello hello;
	uint32_t body;

	memset(h, 0, sizeof(*h));
	if (whylen)
		why[0] = '\0';
	if (len >= sizeof(*h))
		memcpy(h, msg, sizeof(*h));
	if (len > IPC_MSG_MAX) {
		snprintf(why, whylen, "message of %zu bytes; at most %d", len,
			 IPC_MSG_MAX);
		return EMSGSIZE;
	}
	if (len < sizeof(*h) || h->magic != p->magic) {
		h->type = 0;
		snprintf(why, whylen, "not a %s message (%zu bytes)", p->name,
			 len);
		return EBADMSG;
	}
	if (h->version != p->version) {
		snprintf(why, whylen, "message version %u; this %s speaks %u",
			 h->version, p->name, p->version);
		return EPROTONOSUPPORT;
	}
	if (h->len != len) {
		snprintf(why, whylen,
			 "header says %u bytes, the message has %zu", h->len,
			 len);
		return EBADMSG;
	}
	body = body_of(p, h->type);
	if (body == 0) {
		snprintf(why, whylen, "unknown request type %u", h->type);
		return EOPNOTSUPP;
	}
	if (len - sizeof(*h) != body) {
		snprintf(why, whylen,
			 "request type %u takes %u bytes of body, not %zu",
			 h->type, body, len - sizeof(*h));
		return EBADMSG;
	}
	if (h->type == IPC_HELLO) {
		memcpy(&hello, msg + sizeof(*h), sizeof(hello));
		if (hello.version < 1) {
			snprintf(why, whylen,
				 "protocol version %u is not spoken here",
				 hello.version);
			return EPROTONOSUPPORT;
		}
	}
	return 0;
}
