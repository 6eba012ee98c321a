/* netlink.c: rtnetlink requests and link events through libmnl. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink.h"

/* A dump packs messages up to 32 KiB; a smaller buffer truncates them. */
#define NL_BUF 32768

struct xdd_nl {
	struct mnl_socket *req; /* requests and their replies */
	struct mnl_socket *ev;	/* RTMGRP_LINK events, or NULL */
	unsigned portid;
	unsigned seq;
	char buf[NL_BUF];
};

int
xdd_nl_open(struct xdd_nl **out, int events)
{
	struct xdd_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, rcv = 1 << 20, e;

	if (nl == NULL)
		return -1;
	nl->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->req == NULL || mnl_socket_bind(nl->req, 0, MNL_SOCKET_AUTOPID))
		goto fail;
	/* the kernel's own words on a refused request, where it has some */
	mnl_socket_setsockopt(nl->req, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->req);
	nl->seq = (unsigned)time(NULL);
	if (events) {
		nl->ev = mnl_socket_open2(NETLINK_ROUTE,
					  SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (nl->ev == NULL ||
		    mnl_socket_bind(nl->ev, RTMGRP_LINK, MNL_SOCKET_AUTOPID))
			goto fail;
		/* a burst of guests makes a burst of events: room for it */
		setsockopt(mnl_socket_get_fd(nl->ev), SOL_SOCKET, SO_RCVBUF,
			   &rcv, sizeof(rcv));
	}
	*out = nl;
	return 0;
fail:
	e = errno;
	xdd_nl_close(nl);
	errno = e;
	return -1;
}

void
xdd_nl_close(struct xdd_nl *nl)
{
	if (nl == NULL)
		return;
	if (nl->req != NULL)
		mnl_socket_close(nl->req);
	if (nl->ev != NULL)
		mnl_socket_close(nl->ev);
	free(nl);
}

int
xdd_nl_event_fd(const struct xdd_nl *nl)
{
	return nl->ev ? mnl_socket_get_fd(nl->ev) : -1;
}

static int
link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_MTU:
	case IFLA_MASTER:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_OK;
		break;
	default: break;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

static int
info_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **kind = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
	    mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
		*kind = a;
	return MNL_CB_OK;
}

/* A link message into l; -1 when it is not a plain link message. */
static int
parse_link(const struct nlmsghdr *nlh, struct xdd_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0}, *kind = NULL;
	const struct ifinfomsg *ifi;
	size_t n;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	/* bridge port notices (AF_BRIDGE) repeat what AF_UNSPEC says */
	if (ifi->ifi_family != AF_UNSPEC)
		return -1;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr, tb) < 0 ||
	    tb[IFLA_IFNAME] == NULL)
		return -1;
	memset(l, 0, sizeof(*l));
	l->ifindex = (uint32_t)ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	snprintf(l->name, sizeof(l->name), "%s",
		 mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		l->master = mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO] &&
	    mnl_attr_parse_nested(tb[IFLA_LINKINFO], info_attr, &kind) >= 0 &&
	    kind != NULL) {
		n = mnl_attr_get_payload_len(kind);
		if (n >= sizeof(l->kind))
			n = sizeof(l->kind) - 1;
		memcpy(l->kind, mnl_attr_get_payload(kind), n);
		l->kind[n] = '\0';
	}
	return 0;
}

struct walk {
	struct xdd_link *one; /* a get: the answer goes here */
	struct xdd_link *all; /* a dump: every link, collected first */
	size_t n, cap;
	int nomem;
	int got;
};

static int
walk_msg(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	struct xdd_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK || parse_link(nlh, &l) < 0)
		return MNL_CB_OK;
	w->got++;
	if (w->one != NULL) {
		*w->one = l;
		return MNL_CB_OK;
	}
	if (w->n == w->cap) {
		struct xdd_link *m;

		w->cap = w->cap ? w->cap * 2 : 64;
		m = realloc(w->all, w->cap * sizeof(*m));
		if (m == NULL) {
			w->nomem = 1;
			return MNL_CB_OK; /* read to the end of the dump */
		}
		w->all = m;
	}
	w->all[w->n++] = l;
	return MNL_CB_OK;
}

/* Send nlh and run its replies through cb until the ack or the dump's end. */
static int
request(struct xdd_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	ssize_t n;
	int rc;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->req, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -1;
		rc = mnl_cb_run(nl->buf, (size_t)n, nlh->nlmsg_seq, nl->portid,
				cb, arg);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -1 : 0;
}

static struct nlmsghdr *
link_msg(char *buf, uint16_t type, uint32_t ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	return nlh;
}

int
xdd_nl_get(struct xdd_nl *nl, const char *name, uint32_t ifindex,
	   struct xdd_link *out)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, ifindex);
	struct walk w = {.one = out};

	if (name != NULL) {
		if (*name == '\0' || strlen(name) >= IFNAMSIZ)
			return errno = EINVAL, -1;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	}
	if (request(nl, nlh, walk_msg, &w) < 0)
		return -1;
	return w.got ? 0 : (errno = ENODEV, -1);
}

int
xdd_nl_dump(struct xdd_nl *nl, int (*cb)(const struct xdd_link *l, void *arg),
	    void *arg)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0);
	struct walk w = {0};
	size_t i;
	int rc = 0;

	/* callbacks run after the dump: they may make requests themselves,
	 * which must not mix with the dump's messages on this socket */
	nlh->nlmsg_flags = NLM_F_DUMP;
	if (request(nl, nlh, walk_msg, &w) < 0 || w.nomem) {
		free(w.all);
		return w.nomem ? (errno = ENOMEM, -1) : -1;
	}
	for (i = 0; i < w.n && rc == 0; i++)
		rc = cb(&w.all[i], arg);
	free(w.all);
	return rc;
}

int
xdd_nl_wire(struct xdd_nl *nl, uint32_t ifindex, uint32_t master, uint32_t mtu)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	if (mtu != 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	return request(nl, nlh, NULL, NULL);
}

int
xdd_nl_unwire(struct xdd_nl *nl, uint32_t ifindex)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = 0;
	mnl_attr_put_u32(nlh, IFLA_MASTER, 0);
	return request(nl, nlh, NULL, NULL);
}

int
xdd_nl_rename(struct xdd_nl *nl, uint32_t ifindex, const char *name)
{
	char buf[256];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, ifindex);

	if (*name == '\0' || strlen(name) >= IFNAMSIZ)
		return errno = EINVAL, -1;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return request(nl, nlh, NULL, NULL);
}

struct evwalk {
	void (*cb)(enum xdd_nl_event ev, const struct xdd_link *l, void *arg);
	void *arg;
};

static int
event_msg(const struct nlmsghdr *nlh, void *data)
{
	struct evwalk *w = data;
	struct xdd_link l;

	if ((nlh->nlmsg_type != RTM_NEWLINK &&
	     nlh->nlmsg_type != RTM_DELLINK) ||
	    parse_link(nlh, &l) < 0)
		return MNL_CB_OK;
	w->cb(nlh->nlmsg_type == RTM_NEWLINK ? XDD_NL_NEW : XDD_NL_DEL, &l,
	      w->arg);
	return MNL_CB_OK;
}

int
xdd_nl_events(struct xdd_nl *nl,
	      void (*cb)(enum xdd_nl_event ev, const struct xdd_link *l,
			 void *arg),
	      void *arg)
{
	struct evwalk w = {.cb = cb, .arg = arg};
	ssize_t n;

	if (nl->ev == NULL)
		return errno = EINVAL, -1;
	for (;;) {
		n = mnl_socket_recvfrom(nl->ev, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		/* events carry sequence 0 and the kernel's port id, 0 */
		if (mnl_cb_run(nl->buf, (size_t)n, 0, 0, event_msg, &w) < 0 &&
		    errno == ENOBUFS)
			return -1;
	}
}
