/*
 * noxs.c: helpers for the noxs ABI.  Freestanding (no libc) so that guests
 * link it too; the toolstack and backends use the same code.
 */
#include "noxs.h"

#define BARRIER() __asm__ __volatile__("" ::: "memory")

static void
zero(void *d, size_t n)
{
	volatile uint8_t *p = d;

	while (n--)
		*p++ = 0;
}

/* one pass of volatile byte reads: the source may change under us */
static void
copy_in(void *d, const volatile void *s, size_t n)
{
	const volatile uint8_t *src = s;
	uint8_t *dst = d;

	while (n--)
		*dst++ = *src++;
}

static int
valid_entry(const struct noxs_dev_entry *e)
{
	uint16_t f = e->flags;

	if (e->type < 1 || e->type > NOXS_DEV_TYPE_MAX)
		return 0;
	if (f == 0 || (f & ~NOXS_F_MASK) || (f & (f - 1)))
		return 0; /* exactly one placement flag */
	if (e->reserved[0] | e->reserved[1] | e->reserved[2])
		return 0;
	if (f == NOXS_F_IN_DEVPAGE) {
		if (e->ctrl_offset < NOXS_ENTRIES_END ||
		    e->ctrl_offset > NOXS_PAGE_SIZE - 64 || e->ctrl_offset % 64)
			return 0;
	} else if (e->ctrl_offset != 0) {
		return 0;
	}
	return 1;
}

void
noxs_page_init(void *page, uint32_t domid)
{
	struct noxs_device_page *p = page;

	zero(p, sizeof(*p));
	p->version = NOXS_VERSION;
	p->header_size = NOXS_HEADER_SIZE;
	p->domid = domid;
	p->entry_size = sizeof(struct noxs_dev_entry);
	BARRIER();
	p->magic = NOXS_MAGIC; /* last: a half-written page has no magic */
}

int
noxs_page_alloc_block(const void *page, const struct noxs_dev_entry *e,
		      size_t n)
{
	const struct noxs_device_page *p = page;
	uint32_t off = NOXS_ENTRIES_END, i;

	(void)e;
	if (n == 0 || n > 64)
		return -NOXS_EINVAL;
	/* first 64-byte slot no existing IN_DEVPAGE device uses */
	for (; off <= NOXS_PAGE_SIZE - 64; off += 64) {
		for (i = 0; i < p->ndevices && i < NOXS_MAX_DEVICES; i++)
			if (p->devices[i].flags == NOXS_F_IN_DEVPAGE &&
			    p->devices[i].ctrl_offset == off)
				break;
		if (i == p->ndevices || i == NOXS_MAX_DEVICES)
			return (int)off;
	}
	return -NOXS_ENOSPC;
}

int
noxs_page_add(void *page, const struct noxs_dev_entry *e)
{
	struct noxs_device_page *p = page;
	uint32_t i;

	if (!valid_entry(e))
		return -NOXS_EINVAL;
	if (p->ndevices >= NOXS_MAX_DEVICES)
		return -NOXS_ENOSPC;
	for (i = 0; i < p->ndevices; i++)
		if (p->devices[i].type == e->type &&
		    p->devices[i].devid == e->devid)
			return -NOXS_EINVAL;
	p->devices[p->ndevices] = *e;
	BARRIER();
	p->ndevices++;
	return 0;
}

int
noxs_page_read(const volatile void *shared, struct noxs_device_page *out)
{
	uint32_t i, j;

	copy_in(out, shared, sizeof(*out));
	if (out->magic != NOXS_MAGIC || out->version != NOXS_VERSION ||
	    out->header_size != NOXS_HEADER_SIZE ||
	    out->entry_size != sizeof(struct noxs_dev_entry) ||
	    out->ndevices > NOXS_MAX_DEVICES)
		return -NOXS_EINVAL;
	for (i = 0; i < 10; i++)
		if (out->reserved[i])
			return -NOXS_EINVAL;
	for (i = 0; i < out->ndevices; i++) {
		if (!valid_entry(&out->devices[i]))
			return -NOXS_EINVAL;
		for (j = 0; j < i; j++) {
			if (out->devices[j].type == out->devices[i].type &&
			    out->devices[j].devid == out->devices[i].devid)
				return -NOXS_EINVAL;
			if (out->devices[i].flags == NOXS_F_IN_DEVPAGE &&
			    out->devices[j].flags == NOXS_F_IN_DEVPAGE &&
			    out->devices[j].ctrl_offset ==
				    out->devices[i].ctrl_offset)
				return -NOXS_EINVAL;
		}
	}
	return 0;
}

/* loads in program order (x86 keeps them; this keeps the compiler too) */
#define ACQUIRE() __atomic_thread_fence(__ATOMIC_ACQUIRE)

uint32_t
noxs_page_generation(const volatile void *shared)
{
	const volatile struct noxs_device_page *p = shared;

	return p->generation;
}

int
noxs_page_read_stable(const volatile void *shared, struct noxs_device_page *out)
{
	uint32_t before = noxs_page_generation(shared);
	int rc;

	if (before & 1)
		return -NOXS_EAGAIN;
	ACQUIRE();
	rc = noxs_page_read(shared, out);
	ACQUIRE();
	if (noxs_page_generation(shared) != before || out->generation != before)
		return -NOXS_EAGAIN;
	return rc;
}

int
noxs_page_publish(volatile void *page, uint32_t domid,
		  const struct noxs_dev_entry *entries, size_t n)
{
	volatile struct noxs_device_page *p = page;
	const volatile uint8_t *src;
	volatile uint8_t *dst;
	uint32_t gen, i, j;

	if (n > NOXS_MAX_DEVICES)
		return -NOXS_EINVAL;
	for (i = 0; i < n; i++) {
		if (!valid_entry(&entries[i]))
			return -NOXS_EINVAL;
		for (j = 0; j < i; j++)
			if ((entries[j].type == entries[i].type &&
			     entries[j].devid == entries[i].devid) ||
			    (entries[i].flags == NOXS_F_IN_DEVPAGE &&
			     entries[j].flags == NOXS_F_IN_DEVPAGE &&
			     entries[j].ctrl_offset == entries[i].ctrl_offset))
				return -NOXS_EINVAL;
	}
	/* the guest may have written it: only our own parity counts */
	gen = (p->generation | 1u) + 1u; /* the next even value */
	p->generation = gen - 1u;	 /* odd: being rewritten */
	BARRIER();
	p->version = NOXS_VERSION;
	p->header_size = NOXS_HEADER_SIZE;
	p->domid = domid;
	p->entry_size = sizeof(struct noxs_dev_entry);
	for (i = 0; i < 10; i++)
		p->reserved[i] = 0;
	p->ndevices = (uint32_t)n;
	dst = (volatile uint8_t *)p->devices;
	src = (const volatile uint8_t *)entries;
	for (i = 0; i < n * sizeof(*entries); i++)
		dst[i] = src[i];
	for (; i < sizeof(p->devices); i++)
		dst[i] = 0;
	p->magic = NOXS_MAGIC;
	BARRIER();
	p->generation = gen;
	return 0;
}

const struct noxs_dev_entry *
noxs_find(const struct noxs_device_page *p, uint16_t type, uint16_t devid)
{
	uint32_t i;

	for (i = 0; i < p->ndevices && i < NOXS_MAX_DEVICES; i++)
		if (p->devices[i].type == type && p->devices[i].devid == devid)
			return &p->devices[i];
	return NULL;
}

int
noxs_sysctl_read(const volatile void *shared, struct noxs_sysctl *out)
{
	uint32_t i;

	copy_in(out, shared, sizeof(*out));
	if (out->be_state > NOXS_STATE_MAX || out->fe_state > NOXS_STATE_MAX ||
	    out->request > NOXS_SYSCTL_REQ_MAX)
		return -NOXS_EPROTO;
	if (out->features & ~((NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REQ_MAX) << 1) -
			      NOXS_SYSCTL_FEATURE(1)))
		return -NOXS_EPROTO;
	for (i = 0; i < 9; i++)
		if (out->reserved[i])
			return -NOXS_EPROTO;
	return 0;
}

int
noxs_sysctl_post(volatile void *shared, uint32_t req)
{
	volatile struct noxs_sysctl *s = shared;
	struct noxs_sysctl c;
	uint32_t seq;

	if (req < 1 || req > NOXS_SYSCTL_REQ_MAX)
		return -NOXS_EINVAL;
	if (noxs_sysctl_read(shared, &c) < 0)
		return -NOXS_EPROTO;
	if (c.fe_state != NOXS_STATE_CONNECTED ||
	    !(c.features & NOXS_SYSCTL_FEATURE(req)))
		return -NOXS_EAGAIN;
	seq = c.request_seq + 1;
	if (seq == 0 || seq > 0x7fffffff)
		seq = 1; /* stays a positive int */
	s->request = req;
	BARRIER();
	s->request_seq = seq;
	return (int)seq;
}

int
noxs_sysctl_acked(const volatile void *shared, uint32_t seq)
{
	const volatile struct noxs_sysctl *s = shared;

	return s->ack_seq == seq;
}

void
noxs_sysctl_fe_connect(volatile void *shared, uint32_t features)
{
	volatile struct noxs_sysctl *s = shared;

	s->features = features;
	s->ack_seq = s->request_seq; /* nothing from before we listened */
	BARRIER();
	s->fe_state = NOXS_STATE_CONNECTED;
}

uint32_t
noxs_sysctl_fe_take(volatile void *shared)
{
	volatile struct noxs_sysctl *s = shared;
	uint32_t seq = s->request_seq, req;

	BARRIER();
	if (seq == s->ack_seq)
		return NOXS_SYSCTL_NONE;
	req = s->request;
	s->ack_seq = seq;
	return req <= NOXS_SYSCTL_REQ_MAX ? req : NOXS_SYSCTL_NONE;
}

uint32_t
noxs_sysctl_fe_notice(const volatile void *shared, uint32_t max_port)
{
	const volatile struct noxs_sysctl *s = shared;
	uint32_t port = s->notice_evtchn; /* one read: it may change */

	return port <= max_port ? port : 0;
}

int
noxs_vif_fe_read(const volatile void *shared, struct noxs_vif_ctrl *out)
{
	uint32_t i;

	copy_in(out, shared, sizeof(*out));
	if (out->be_state > NOXS_STATE_MAX || out->fe_state > NOXS_STATE_MAX ||
	    out->mtu < 68 || out->mtu > 1500 || out->prefix > 32)
		return -NOXS_EPROTO;
	for (i = 0; i < 6; i++)
		if (out->reserved[i])
			return -NOXS_EPROTO;
	return 0;
}

void
noxs_vif_fe_connect(volatile void *shared, uint32_t tx_ring_ref,
		    uint32_t rx_ring_ref, uint32_t features)
{
	volatile struct noxs_vif_ctrl *v = shared;

	v->tx_ring_ref = tx_ring_ref;
	v->rx_ring_ref = rx_ring_ref;
	v->fe_features = features;
	BARRIER(); /* x86 keeps the order of stores */
	v->fe_state = NOXS_STATE_CONNECTED;
}

uint32_t
noxs_vif_fe_be_state(const volatile void *shared)
{
	const volatile struct noxs_vif_ctrl *v = shared;
	uint32_t st = v->be_state; /* one read: it may change */

	return st <= NOXS_STATE_MAX ? st : NOXS_STATE_CLOSED;
}

int
noxs_vif_fe_fresh(const volatile void *shared)
{
	const volatile struct noxs_vif_ctrl *v = shared;
	uint32_t be = v->be_state, fe = v->fe_state; /* one read each */

	return be == NOXS_STATE_INITWAIT && fe <= NOXS_STATE_INITIALISING;
}

void
noxs_vif_fe_set_state(volatile void *shared, uint32_t state)
{
	volatile struct noxs_vif_ctrl *v = shared;

	BARRIER(); /* what came before (the rings' indices) first */
	v->fe_state = state;
}

void
noxs_vif_be_init(volatile void *shared, const uint8_t mac[6], uint16_t mtu,
		 uint32_t ipv4, uint32_t prefix)
{
	volatile struct noxs_vif_ctrl *v = shared;
	uint32_t i;

	zero((void *)v, sizeof(*v));
	for (i = 0; i < 6; i++)
		v->mac[i] = mac[i];
	v->mtu = mtu;
	v->be_features = NOXS_VIF_F_RX_COPY;
	v->ipv4 = ipv4;
	v->prefix = prefix;
	BARRIER();
	v->be_state = NOXS_STATE_INITWAIT;
}

int
noxs_vif_be_read(const volatile void *shared, struct noxs_vif_ctrl *out)
{
	uint32_t i;

	copy_in(out, shared, sizeof(*out));
	if (out->be_state > NOXS_STATE_MAX || out->fe_state > NOXS_STATE_MAX)
		return -NOXS_EPROTO;
	for (i = 0; i < 6; i++)
		if (out->reserved[i])
			return -NOXS_EPROTO;
	if (out->fe_state != NOXS_STATE_CONNECTED)
		return 0;
	/* what the frontend connected with: our one mode, two distinct
	 * rings, neither of them the builder's grants (0 and 1) */
	if (out->fe_features != NOXS_VIF_F_RX_COPY ||
	    out->tx_ring_ref == out->rx_ring_ref || out->tx_ring_ref < 2 ||
	    out->rx_ring_ref < 2)
		return -NOXS_EPROTO;
	return 0;
}

void
noxs_vif_be_set_state(volatile void *shared, uint32_t state)
{
	volatile struct noxs_vif_ctrl *v = shared;

	BARRIER(); /* what came before (the rings' indices) first */
	v->be_state = state;
}
