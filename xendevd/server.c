/*
 * server.c: xendevd's socket API (xdd.h) on libipc, which checks every
 * message against xdd_proto and answers the hello; here a request's
 * fields are checked (xdd_req_check) and it goes to its handler.
 */
#include <errno.h>

#include "msg.h"
#include "xendevd.h"

/*
 * Replies a client's socket did not take wait in libipc, and meanwhile
 * xendevd reads no request of that client; what can still join the
 * queue is the answer to each attach it has waiting, at most
 * XDD_WAITS_MAX.  OUT_MAX is a guard beyond that.
 */
#define OUT_MAX (XDD_WAITS_MAX + 8)

typedef void handler_fn(struct xdd *d, struct ipc_client *c,
			const struct xdd_req *r);

static void
on_vif(struct xdd *d, struct ipc_client *c, const struct xdd_req *r)
{
	if (r->h.type == XDD_VIF_ATTACH)
		xdd_vif_attach(d, c, r->h.id, &r->u.vif);
	else
		xdd_vif_detach(d, c, r->h.id, &r->u.vif);
}

static void
on_vbd(struct xdd *d, struct ipc_client *c, const struct xdd_req *r)
{
	if (r->h.type == XDD_VBD_ATTACH)
		xdd_vbd_attach(d, c, r->h.id, &r->u.vbd);
	else
		xdd_vbd_detach(d, c, r->h.id, &r->u.vbd);
}

static void
on_cons(struct xdd *d, struct ipc_client *c, const struct xdd_req *r)
{
	if (r->h.type == XDD_CONS_ATTACH)
		xdd_cons_attach(d, c, r->h.id, &r->u.cons);
	else if (r->h.type == XDD_CONS_OPEN)
		xdd_cons_open(d, c, r->h.id, &r->u.cons_open);
	else
		xdd_cons_input(d, c, r->h.id, &r->u.cons_input);
}

static void
on_list(struct xdd *d, struct ipc_client *c, const struct xdd_req *r)
{
	xdd_vif_list(d, c, r->h.id, r->u.list.offset);
}

/* handlers by type (libipc answers the hello); proto.c knows the body
 * each takes */
static handler_fn *const handlers[XDD_NTYPES] = {
	[XDD_VIF_ATTACH] = on_vif, [XDD_VIF_DETACH] = on_vif,
	[XDD_VIF_LIST] = on_list,  [XDD_VBD_ATTACH] = on_vbd,
	[XDD_VBD_DETACH] = on_vbd, [XDD_CONS_ATTACH] = on_cons,
	[XDD_CONS_OPEN] = on_cons, [XDD_CONS_INPUT] = on_cons,
};

static void
on_request(void *arg, struct ipc_client *c, const struct ipc_hdr *h,
	   const void *body)
{
	struct xdd_req r;
	char why[160];
	int err;

	err = xdd_req_check(h, body, &r, why, sizeof(why));
	if (err != 0)
		ipc_reply(c, h->type, h->id, err, NULL, 0, "%s", why);
	else if (handlers[h->type] == NULL) /* proto.c and the table disagree */
		ipc_reply(c, h->type, h->id, EOPNOTSUPP, NULL, 0,
			  "request type %u is not served", h->type);
	else
		handlers[h->type](arg, c, &r);
}

static void
on_gone(void *arg, struct ipc_client *c)
{
	xdd_vif_client_gone(arg, c);
	xdd_nb_client_gone(arg, c);
	xdd_cons_client_gone(arg, c);
}

static const struct ipc_ops ops = {.request = on_request, .gone = on_gone};

int
xdd_server_open(struct xdd *d, const char *path)
{
	ipc_set_warn(log_warn);
	return ipc_server_open(&d->srv, path, &xdd_proto, &ops, d,
			       XDD_CLIENTS_MAX, OUT_MAX);
}
