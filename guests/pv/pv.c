/* pv.c: console ring, event channels, shutdown and suspend for our PV
 * guests. */
#include "pv.h"

start_info_t *pv_start_info;
static struct xencons_interface *cons;
static evtchn_port_t cons_port;
static shared_info_t *shared;
/* a page of our own image, remapped onto the shared_info frame */
static char shared_page[4096] __attribute__((aligned(4096)));

#define M2P ((const unsigned long *)0xFFFF800000000000UL)

/*
 * The p2m frame-list tree that libxenguest walks to save a PV guest
 * (xg_sr_save_x86_pv.c, map_p2m_tree): shared_info's
 * arch.pfn_to_mfn_frame_list_list is the MFN of a page of frame-list MFNs,
 * each frame list a page of the MFNs of the p2m's pages (start_info's
 * mfn_list).  One frame list covers 512 p2m pages, 1 GiB of guest: plenty
 * for these guests; a bigger one publishes no tree and cannot be saved.
 */
#define MFNS_PER_PAGE (4096 / sizeof(xen_pfn_t))
static xen_pfn_t p2m_fll[MFNS_PER_PAGE] __attribute__((aligned(4096)));
static xen_pfn_t p2m_fl[MFNS_PER_PAGE] __attribute__((aligned(4096)));

size_t
pv_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int
pv_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

void *
pv_memcpy(void *d, const void *s, size_t n)
{
	unsigned char *x = d;
	const unsigned char *y = s;

	while (n--)
		*x++ = *y++;
	return d;
}

void *
pv_memset(void *d, int c, size_t n)
{
	unsigned char *x = d;

	while (n--)
		*x++ = (unsigned char)c;
	return d;
}

/* gcc may emit calls to these for struct copies */
void *memcpy(void *d, const void *s, size_t n)
	__attribute__((alias("pv_memcpy")));
void *memset(void *d, int c, size_t n) __attribute__((alias("pv_memset")));

void *
pv_mfn_to_virt(xen_pfn_t mfn)
{
	if (pv_translated) /* PVH: a guest frame, identity-mapped */
		return (void *)(mfn << 12);
	return (void *)(M2P[mfn] << 12);
}

void
pv_notify(evtchn_port_t port)
{
	struct evtchn_send send = {.port = port};

	hypercall3(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
		   (unsigned long)&send, 0);
}

/* The MFN behind one of our VAs, from the p2m (VA == pfn << 12). */
static xen_pfn_t
virt_to_mfn(const void *va)
{
	const xen_pfn_t *p2m = (const xen_pfn_t *)pv_start_info->mfn_list;

	return p2m[(unsigned long)va >> 12];
}

xen_pfn_t
pv_virt_to_frame(const void *va)
{
	if (pv_translated)
		return (unsigned long)va >> 12;
	return virt_to_mfn(va);
}

/* Fill the frame lists and tell the toolstack where they are (through
 * shared_info, so again after each resume: the MFNs change in a new
 * domain, and a restore zeroes the frame-list-list field). */
static void
p2m_publish(void)
{
	unsigned long n = pv_start_info->nr_pages, i;
	unsigned long pages = (n + MFNS_PER_PAGE - 1) / MFNS_PER_PAGE;
	const char *p2m = (const char *)pv_start_info->mfn_list;

	if (shared == NULL || pages > MFNS_PER_PAGE)
		return;
	for (i = 0; i < pages; i++) /* the builder's p2m is page-aligned */
		p2m_fl[i] = virt_to_mfn(p2m + i * 4096);
	p2m_fll[0] = virt_to_mfn(p2m_fl);
	shared->arch.max_pfn = n; /* the save takes max_pfn - 1 as the last */
	shared->arch.p2m_cr3 = 0; /* the tree, not the virtual linear list */
	barrier();
	shared->arch.pfn_to_mfn_frame_list_list = virt_to_mfn(p2m_fll);
}

void
pv_init(start_info_t *si)
{
	pv_start_info = si;
	cons = pv_mfn_to_virt(si->console.domU.mfn);
	cons_port = si->console.domU.evtchn;
	if (pv_translated) { /* PVH: no p2m to publish, no suspend */
		if (pv_map_shared_info(shared_page) == 0)
			shared = (shared_info_t *)shared_page;
		return;
	}
	/* shared_info is given as a machine address */
	if (hypercall3(__HYPERVISOR_update_va_mapping,
		       (unsigned long)shared_page, si->shared_info | 3,
		       UVMF_INVLPG) == 0)
		shared = (shared_info_t *)shared_page;
	p2m_publish();
}

int
pv_suspend(void)
{
	start_info_t *si = pv_start_info;
	const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
	struct sched_shutdown sd = {.reason = SHUTDOWN_suspend};
	long rc;

	if (pv_translated) /* PVH guests do not suspend (guest_boot) */
		return 1;
	/* every present PTE must map a frame of ours (the save turns each
	 * into a PFN): give shared_page its own frame back */
	shared = NULL;
	hypercall3(__HYPERVISOR_update_va_mapping, (unsigned long)shared_page,
		   virt_to_mfn(shared_page) << 12 | 3, UVMF_INVLPG);
	/* the restore reads these two as PFNs and writes the new MFNs */
	si->store_mfn = M2P[si->store_mfn];
	si->console.domU.mfn = M2P[si->console.domU.mfn];
	rc = hypercall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			(unsigned long)&sd, virt_to_mfn(si));
	if (rc != 0) { /* cancelled (1) or refused: the same frames */
		si->store_mfn = p2m[si->store_mfn];
		si->console.domU.mfn = p2m[si->console.domU.mfn];
	}
	pv_init(si);
	return rc != 0;
}

void
pv_write(const char *s, size_t n)
{
	XENCONS_RING_IDX prod = cons->out_prod;
	size_t i = 0;

	while (i < n) {
		barrier();
		if (prod - cons->out_cons >= sizeof(cons->out)) {
			cons->out_prod = prod;
			pv_notify(cons_port);
			hypercall3(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0);
			continue;
		}
		cons->out[MASK_XENCONS_IDX(prod, cons->out)] = s[i++];
		prod++;
	}
	barrier(); /* the bytes before the index (x86 keeps store order) */
	cons->out_prod = prod;
	pv_notify(cons_port);
}

void
pv_puts(const char *s)
{
	pv_write(s, pv_strlen(s));
}

void
pv_putu(unsigned long v)
{
	char buf[24];
	int i = sizeof(buf);

	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pv_puts(buf + i);
}

static uint64_t now_ns(void);

unsigned pv_console_patience_ms = 20;

/*
 * Give the console reader time to take what we wrote: a reader
 * (xenconsoled, chaos console) signals as it consumes, which ends each wait
 * early.  How long to wait is the guest's call (common.c).
 */
void
pv_console_flush(void)
{
	uint64_t end;

	if (shared == NULL)
		return;
	end = now_ns() + (uint64_t)pv_console_patience_ms * 1000000;
	for (;;) {
		barrier();
		if (cons->out_cons == cons->out_prod || now_ns() >= end)
			return;
		pv_wait(cons_port, 1000000); /* or until the reader signals */
	}
}

int
pv_test_and_clear(evtchn_port_t port)
{
	xen_ulong_t *word, bit;

	if (shared == NULL)
		return 0;
	word = &shared->evtchn_pending[port / (sizeof(xen_ulong_t) * 8)];
	bit = (xen_ulong_t)1 << (port % (sizeof(xen_ulong_t) * 8));
	return (__atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

/*
 * Xen system time now, in ns: the vcpu_time_info snapshot advanced by the
 * TSC ticks since it was taken (system_time alone is only as fresh as
 * Xen's last update, which a busy loop does not trigger).
 */
static uint64_t
now_ns(void)
{
	volatile struct vcpu_time_info *t = &shared->vcpu_info[0].time;
	uint32_t ver;
	uint64_t delta, ns;

	do {
		ver = t->version;
		barrier();
		delta = pv_rdtsc() - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta *
						  t->tsc_to_system_mul) >>
						 32);
		barrier();
	} while ((ver & 1) || ver != t->version);
	return ns;
}

uint64_t
pv_now_ns(void)
{
	return shared != NULL ? now_ns() : 0;
}

uint64_t
pv_wallclock(void)
{
	volatile shared_info_t *s = shared;
	uint32_t ver, nsec;
	uint64_t sec;

	if (s == NULL)
		return 0;
	do {
		ver = s->wc_version;
		barrier();
		sec = (uint64_t)s->xen_wc_sec_hi << 32 | s->wc_sec;
		nsec = s->wc_nsec;
		barrier();
	} while ((ver & 1) || ver != s->wc_version);
	/* the wallclock at system time 0, plus the system time */
	return sec + (nsec + now_ns()) / 1000000000;
}

static int
pending(evtchn_port_t port)
{
	const volatile xen_ulong_t *word;

	word = &shared->evtchn_pending[port / (sizeof(xen_ulong_t) * 8)];
	return (*word >> (port % (sizeof(xen_ulong_t) * 8))) & 1;
}

void
pv_wait_any(const evtchn_port_t *ports, unsigned n, uint64_t timeout_ns)
{
	struct sched_poll poll = {.nr_ports = n};
	evtchn_port_t list[8];
	unsigned i;

	if (shared == NULL || n == 0 || n > 8)
		return;
	for (i = 0; i < n; i++) {
		if (pending(ports[i]))
			return;
		list[i] = ports[i];
	}
	if (timeout_ns)
		poll.timeout = now_ns() + timeout_ns;
	set_xen_guest_handle(poll.ports, list);
	hypercall3(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll,
		   0);
}

int
pv_wait(evtchn_port_t port, uint64_t timeout_ns)
{
	struct sched_poll poll = {.nr_ports = 1};
	uint64_t deadline = 0;

	if (pv_test_and_clear(port))
		return 1;
	if (timeout_ns && shared != NULL)
		deadline = now_ns() + timeout_ns;
	set_xen_guest_handle(poll.ports, &port);
	poll.timeout = deadline;
	hypercall3(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll,
		   0);
	return pv_test_and_clear(port);
}

void
pv_shutdown_now(unsigned reason)
{
	struct sched_shutdown sd = {.reason = reason};

	for (;;)
		hypercall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			   (unsigned long)&sd, 0);
}

void
pv_shutdown(unsigned reason)
{
	pv_console_flush();
	pv_shutdown_now(reason);
}
