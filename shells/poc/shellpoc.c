/*
 * shellpoc.c: proof that libxenguest's PV builder (Xen 4.17) splits across
 * two processes: one populates a paused domain's memory ahead of time
 * ("prepare", the shell daemon's side), a later one loads the kernel into
 * it, builds start_info, page tables and the vCPU context, fills the
 * device page or XenStore and unpauses ("execute", the CLI's side).
 *
 * What crosses between them is a small text file, /run/shellpoc/DOMID:
 * the domain's size in pages, its event channels, its uuid and its p2m
 * (pfn -> mfn) as extents.  See FINDINGS.md.  Research code, not product:
 * it mirrors chaos/hv_xen.c (hv_domain_create, hv_build_pv) on purpose.
 *
 *   shellpoc prepare -m MIB [-v VCPUS]             process A: prints DOMID
 *   shellpoc execute -d DOMID -k KERNEL [-r RAMDISK] [-c CMDLINE]
 *                    [-x noxs|xenstore] [-n NAME] [-p]   process B
 *   shellpoc cold -m MIB -k KERNEL ...             today's one-shot path
 *   shellpoc m2p -d DOMID                          rewrite the shell's M2P
 *   shellpoc console -d DOMID [-t SECONDS]         print a noxs console
 *   shellpoc destroy -d DOMID
 *   shellpoc noop | xcopen                         process start costs
 *
 * -V: libxenguest's own log on stderr.  -q: no timings.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xencall.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xenguest.h>
#include <xenstore.h>
#include <xentoollog.h>
#include <xen/io/console.h>

#include "domcfg.h"
#include "noxs.h"
#include "xsdom.h"

#define SHELL_DIR "/run/shellpoc"
#define MAX_EXTENTS 65536

/* ---- timing ------------------------------------------------------------ */

static struct timespec t_main;
static int quiet;

static double
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* one phase: prints "T name ms" and restarts the phase clock */
static void
phase(struct timespec *t, const char *name)
{
	if (!quiet)
		printf("T %-12s %9.3f ms\n", name, ms_since(t));
	clock_gettime(CLOCK_MONOTONIC, t);
}

/*
 * Under emulation dom0's vCPUs see skewed clocks (pvclock then holds time
 * still, phases read 0.000 ms); one vCPU for the whole run avoids it.
 */
static void
pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("shellpoc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, " (%s)", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

/* ---- the shell: what crosses from A to B ------------------------------- */

struct extent {
	uint64_t pfn, mfn, count;
};

struct shell {
	uint32_t domid;
	uint8_t uuid[16];
	uint64_t pages;
	unsigned vcpus;
	uint32_t console_port, store_port, sysctl_port;
	size_t next;
	struct extent ext[MAX_EXTENTS];
};

static struct shell sh;

static void
shell_path(char *buf, size_t len, uint32_t domid, const char *suffix)
{
	snprintf(buf, len, "%s/%u%s", SHELL_DIR, domid, suffix);
}

/* the p2m as runs of consecutive mfns (2 MiB superpages: few runs) */
static void
p2m_to_extents(const xen_pfn_t *p2m, uint64_t n)
{
	uint64_t pfn;

	sh.next = 0;
	for (pfn = 0; pfn < n; pfn++) {
		struct extent *e = sh.next ? &sh.ext[sh.next - 1] : NULL;

		if (e && e->pfn + e->count == pfn &&
		    e->mfn + e->count == p2m[pfn]) {
			e->count++;
			continue;
		}
		if (sh.next == MAX_EXTENTS)
			fail("p2m too fragmented");
		sh.ext[sh.next++] = (struct extent){pfn, p2m[pfn], 1};
	}
}

static void
shell_write(void)
{
	char path[128], tmp[140];
	FILE *f;
	size_t i;

	shell_path(path, sizeof(path), sh.domid, "");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		fail("%s", tmp);
	fprintf(f, "shellpoc 1\ndomid %u\npages %llu\nvcpus %u\n", sh.domid,
		(unsigned long long)sh.pages, sh.vcpus);
	fprintf(f, "console_port %u\nstore_port %u\nsysctl_port %u\nuuid ",
		sh.console_port, sh.store_port, sh.sysctl_port);
	for (i = 0; i < 16; i++)
		fprintf(f, "%02x", sh.uuid[i]);
	fprintf(f, "\nextents %zu\n", sh.next);
	for (i = 0; i < sh.next; i++)
		fprintf(f, "%llx %llx %llx\n", (unsigned long long)sh.ext[i].pfn,
			(unsigned long long)sh.ext[i].mfn,
			(unsigned long long)sh.ext[i].count);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		fail("%s", path);
}

static void
shell_read(uint32_t domid)
{
	char path[128], u[33];
	unsigned long long pages, a, b, c;
	unsigned v, i;
	FILE *f;
	size_t n;

	shell_path(path, sizeof(path), domid, "");
	f = fopen(path, "r");
	if (f == NULL)
		fail("no shell %s", path);
	if (fscanf(f,
		   "shellpoc 1 domid %u pages %llu vcpus %u console_port %u "
		   "store_port %u sysctl_port %u uuid %32s extents %zu",
		   &sh.domid, &pages, &sh.vcpus, &sh.console_port,
		   &sh.store_port, &sh.sysctl_port, u, &n) != 8 ||
	    sh.domid != domid || n > MAX_EXTENTS)
		fail("%s: malformed", path);
	sh.pages = pages;
	for (i = 0; i < 16; i++) {
		sscanf(u + 2 * i, "%2x", &v);
		sh.uuid[i] = (uint8_t)v;
	}
	for (sh.next = 0; sh.next < n; sh.next++) {
		if (fscanf(f, "%llx %llx %llx", &a, &b, &c) != 3)
			fail("%s: malformed extent", path);
		sh.ext[sh.next] = (struct extent){a, b, c};
	}
	fclose(f);
}

/* ---- hypervisor -------------------------------------------------------- */

static xc_interface *xch;
static xentoollog_logger_stdiostream *xlog;

static void
xc_open(int verbose)
{
	xlog = xtl_createlogger_stdiostream(stderr,
					    verbose ? XTL_DEBUG : XTL_ERROR, 0);
	xch = xc_interface_open((xentoollog_logger *)xlog,
				(xentoollog_logger *)xlog, 0);
	if (xch == NULL)
		fail("cannot open the hypervisor");
}

/* as chaos/hv_xen.c hv_domain_create, plus the shell's event channels */
static void
domain_create(uint64_t mib, unsigned vcpus)
{
	struct xen_domctl_createdomain cfg = {
		.max_vcpus = vcpus,
		.max_evtchn_port = 1023,
		.max_grant_frames = -1,
		.max_maptrack_frames = -1,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
	};
	uint32_t d = 0;
	int p;

	if (getrandom(sh.uuid, 16, 0) != 16)
		fail("getrandom");
	sh.uuid[6] = (sh.uuid[6] & 0x0f) | 0x40;
	sh.uuid[8] = (sh.uuid[8] & 0x3f) | 0x80;
	memcpy(cfg.handle, sh.uuid, 16);
	if (xc_domain_create(xch, &d, &cfg) < 0)
		fail("xc_domain_create");
	sh.domid = d;
	sh.vcpus = vcpus;
	sh.pages = mib << 8;
	if (xc_domain_max_vcpus(xch, d, vcpus) < 0 ||
	    xc_domain_setmaxmem(xch, d, mib * 1024 + 1024) < 0 ||
	    xc_domain_set_memmap_limit(xch, d, mib * 1024) < 0 ||
	    xc_domain_set_tsc_info(xch, d, 0, 0, 0, 0) < 0 ||
	    xc_cpuid_apply_policy(xch, d, false, NULL, 0, true, false, false,
				  NULL, NULL) < 0) {
		xc_domain_destroy(xch, d);
		fail("set up domain %u", d);
	}
	if ((p = xc_evtchn_alloc_unbound(xch, d, 0)) < 0)
		goto bad;
	sh.store_port = (uint32_t)p;
	if ((p = xc_evtchn_alloc_unbound(xch, d, 0)) < 0)
		goto bad;
	sh.console_port = (uint32_t)p;
	if ((p = xc_evtchn_alloc_unbound(xch, d, 0)) < 0)
		goto bad;
	sh.sysctl_port = (uint32_t)p;
	return;
bad:
	xc_domain_destroy(xch, d);
	fail("event channels of %u", d);
}

/*
 * Process A's populate: libxenguest's own meminit (meminit_pv: address
 * size, 2 MiB superpages first, then 4 KiB pages), run on an image that
 * has no kernel.  Only the guest type is needed to pick the x86_64 hooks.
 */
static void
populate(void)
{
	struct xc_dom_image *dom;

	dom = xc_dom_allocate(xch, NULL, NULL);
	if (dom == NULL)
		fail("xc_dom_allocate");
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->guest_type = "xen-3.0-x86_64";
	if (xc_dom_boot_xen_init(dom, xch, sh.domid) != 0 ||
	    xc_dom_mem_init(dom, (unsigned)(sh.pages >> 8)) != 0 ||
	    xc_dom_boot_mem_init(dom) != 0)
		fail("populate domain %u", sh.domid);
	p2m_to_extents(dom->pv_p2m, dom->p2m_size);
	xc_dom_release(dom); /* frees the p2m copy; the memory stays */
}

/* ---- B: meminit that populates nothing --------------------------------- */

static struct xc_dom_arch shell_hooks;

/*
 * Replaces meminit_pv: the memory is there (A populated it, and Xen set
 * the M2P to A's pfns then); only the builder's p2m array is rebuilt.
 */
static int
shell_meminit(struct xc_dom_image *dom)
{
	uint64_t pfn, k, covered = 0;
	size_t i;

	if (dom->total_pages != sh.pages)
		return errno = EINVAL, -1;
	dom->p2m_size = dom->total_pages;
	dom->pv_p2m = xc_dom_malloc(dom, sizeof(xen_pfn_t) * dom->p2m_size);
	if (dom->pv_p2m == NULL)
		return -1;
	for (pfn = 0; pfn < dom->p2m_size; pfn++)
		dom->pv_p2m[pfn] = INVALID_MFN;
	for (i = 0; i < sh.next; i++) {
		const struct extent *e = &sh.ext[i];

		if (e->pfn >= dom->p2m_size ||
		    e->count > dom->p2m_size - e->pfn)
			return errno = EINVAL, -1;
		for (k = 0; k < e->count; k++)
			dom->pv_p2m[e->pfn + k] = e->mfn + k;
		covered += e->count;
	}
	if (covered != dom->p2m_size)
		return errno = EINVAL, -1;
	return 0;
}

struct image {
	const char *kernel, *ramdisk, *cmdline, *name;
	int noxs;
	int paused;
};

struct built {
	uint64_t console_mfn, store_mfn;
};

/*
 * The builder, as hv_build_pv.  pooled: memory is already there, so
 * meminit is ours; otherwise libxenguest populates (today's path).
 */
static void
build(const struct image *im, int pooled, struct built *out,
      struct timespec *t)
{
	struct xc_dom_image *dom;

	dom = xc_dom_allocate(xch, im->cmdline, NULL);
	if (dom == NULL)
		fail("xc_dom_allocate");
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->flags = 0;
	dom->console_evtchn = sh.console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = sh.store_port;
	dom->xenstore_domid = 0;
	dom->max_vcpus = sh.vcpus;
	if (xc_dom_kernel_file(dom, im->kernel) != 0)
		fail("kernel %s", im->kernel);
	if (im->ramdisk != NULL &&
	    xc_dom_module_file(dom, im->ramdisk, NULL) != 0)
		fail("ramdisk %s", im->ramdisk);
	if (xc_dom_boot_xen_init(dom, xch, sh.domid) != 0 ||
	    xc_dom_parse_image(dom) != 0 ||
	    xc_dom_mem_init(dom, (unsigned)(sh.pages >> 8)) != 0)
		fail("parse %s", im->kernel);
	phase(t, "parse");
	if (pooled) {
		if (strcmp(dom->guest_type, "xen-3.0-x86_64") != 0)
			fail("guest type %s: the shell is x86_64",
			     dom->guest_type);
		shell_hooks = *dom->arch_hooks;
		shell_hooks.meminit = shell_meminit;
		dom->arch_hooks = &shell_hooks;
	}
	if (xc_dom_boot_mem_init(dom) != 0)
		fail("meminit");
	phase(t, pooled ? "p2m" : "populate");
	if (xc_dom_build_image(dom) != 0)
		fail("build_image");
	phase(t, "build_image");
	if (xc_dom_boot_image(dom) != 0)
		fail("boot_image");
	phase(t, "boot_image");
	if (xc_dom_gnttab_init(dom) != 0)
		fail("gnttab_init");
	phase(t, "gnttab");
	out->console_mfn = xc_dom_p2m(dom, dom->console_pfn);
	out->store_mfn = xc_dom_p2m(dom, dom->xenstore_pfn);
	if (!pooled)
		p2m_to_extents(dom->pv_p2m, dom->p2m_size);
	xc_dom_release(dom);
}

/* as chaos/toolstack.c noxs_setup: console (grant 0) + sysctl in page */
static void
noxs_fill(uint64_t store_mfn)
{
	struct noxs_dev_entry cons = {
		.type = NOXS_DEV_CONSOLE,
		.flags = NOXS_F_GUEST_GRANT,
		.ctrl_gref = 0,
		.evtchn = sh.console_port,
	};
	struct noxs_dev_entry sys = {
		.type = NOXS_DEV_SYSCTL,
		.flags = NOXS_F_IN_DEVPAGE,
		.evtchn = sh.sysctl_port,
	};
	xenforeignmemory_handle *fm;
	xen_pfn_t frame = store_mfn;
	volatile struct noxs_sysctl *block;
	void *page;
	int off, err = 0;

	fm = xenforeignmemory_open(NULL, 0);
	if (fm == NULL)
		fail("foreignmemory");
	page = xenforeignmemory_map(fm, sh.domid, PROT_READ | PROT_WRITE, 1,
				    &frame, &err);
	if (page == NULL || err)
		fail("map device page");
	noxs_page_init(page, sh.domid);
	off = noxs_page_alloc_block(page, &sys, sizeof(*block));
	if (off < 0 || noxs_page_add(page, &cons) < 0)
		fail("device page");
	sys.ctrl_offset = (uint32_t)off;
	block = (volatile struct noxs_sysctl *)((uint8_t *)page + off);
	block->be_state = NOXS_STATE_CONNECTED;
	if (noxs_page_add(page, &sys) < 0)
		fail("device page: sysctl");
	xenforeignmemory_unmap(fm, page, 1);
	xenforeignmemory_close(fm);
}

static void
xenstore_fill(const struct image *im, const struct built *b)
{
	struct domcfg dc = {
		.name = (char *)im->name,
		.kernel = (char *)im->kernel,
		.ramdisk = (char *)im->ramdisk,
		.cmdline = (char *)im->cmdline,
		.memory = sh.pages >> 8,
		.maxmem = sh.pages >> 8,
		.vcpus = sh.vcpus,
		.maxvcpus = sh.vcpus,
	};
	struct xsdom x = {
		.domid = sh.domid,
		.dc = &dc,
		.uuid = sh.uuid,
		.store_port = sh.store_port,
		.console_port = sh.console_port,
		.store_mfn = b->store_mfn,
		.console_mfn = b->console_mfn,
	};
	struct xs_handle *xs = xs_open(0);

	if (xs == NULL || xsdom_write(xs, &x) < 0)
		fail("xenstore");
	xs_close(xs);
}

/* what the console reader and destroy need afterwards */
static void
booted_write(const struct built *b, int noxs)
{
	char path[128];
	FILE *f;

	shell_path(path, sizeof(path), sh.domid, ".booted");
	f = fopen(path, "w");
	if (f == NULL)
		fail("%s", path);
	fprintf(f, "%llx %u %d\n", (unsigned long long)b->console_mfn,
		sh.console_port, noxs);
	fclose(f);
}

/*
 * B trusts A's file only for the domain it was written for: a domid is
 * reused once its domain is gone, and the p2m of a dead shell could then
 * name frames of a live domain.  The uuid (Xen's handle) and the page
 * count must match.  One getinfo hypercall.
 */
static void
shell_check(void)
{
	xc_domaininfo_t di;

	if (xc_domain_getinfolist(xch, sh.domid, 1, &di) != 1 ||
	    di.domain != sh.domid)
		fail("shell %u: no such domain", sh.domid);
	if (memcmp(di.handle, sh.uuid, 16) != 0)
		fail("shell %u: not the domain A made (uuid differs)",
		     sh.domid);
	if (di.tot_pages != sh.pages || !(di.flags & XEN_DOMINF_paused) ||
	    (di.flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown)))
		fail("shell %u: %llu pages, flags %#x: not a ready shell",
		     sh.domid, (unsigned long long)di.tot_pages, di.flags);
}

/* B's work on a shell, or all of today's create when !pooled */
static void
execute(const struct image *im, int pooled)
{
	struct timespec t, whole;
	struct built b;

	clock_gettime(CLOCK_MONOTONIC, &t);
	whole = t;
	build(im, pooled, &b, &t);
	if (im->noxs)
		noxs_fill(b.store_mfn);
	else
		xenstore_fill(im, &b);
	phase(&t, im->noxs ? "devpage" : "xenstore");
	if (!im->paused && xc_domain_unpause(xch, sh.domid) != 0)
		fail("unpause");
	phase(&t, "unpause");
	if (!quiet)
		printf("T %-12s %9.3f ms\n",
		       pooled ? "execute" : "build+dev", ms_since(&whole));
	booted_write(&b, im->noxs);
}

/* ---- M2P rewrite: what B would pay if it chose its own pfn order ------ */

/*
 * One MMU_MACHPHYS_UPDATE per page, batched like libxc (1024 a call),
 * with foreigndom = the shell.  It writes the values Xen already holds,
 * so the shell stays bootable; the figure is the cost of the hypercalls.
 */
static void
m2p_rewrite(void)
{
	enum { BATCH = 1024 };
	xencall_handle *xc;
	struct mmu_update *req;
	struct timespec t;
	uint64_t done = 0, k;
	size_t i, n = 0;
	unsigned calls = 0;

	xc = xencall_open(NULL, 0);
	if (xc == NULL)
		fail("xencall");
	req = xencall_alloc_buffer(xc, BATCH * sizeof(*req));
	if (req == NULL)
		fail("hypercall buffer");
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < sh.next; i++) {
		for (k = 0; k < sh.ext[i].count; k++) {
			req[n].ptr = ((sh.ext[i].mfn + k) << XC_PAGE_SHIFT) |
				     MMU_MACHPHYS_UPDATE;
			req[n].val = sh.ext[i].pfn + k;
			if (++n == BATCH || (i + 1 == sh.next &&
					     k + 1 == sh.ext[i].count)) {
				if (xencall4(xc, __HYPERVISOR_mmu_update,
					     (uint64_t)(uintptr_t)req, n, 0,
					     sh.domid) != 0)
					fail("mmu_update");
				done += n;
				n = 0;
				calls++;
			}
		}
	}
	printf("T %-12s %9.3f ms (%llu pages, %u hypercalls)\n", "m2p",
	       ms_since(&t), (unsigned long long)done, calls);
	xencall_free_buffer(xc, req);
	xencall_close(xc);
}

/* ---- console reader for noxs guests ------------------------------------ */

static int
drain(volatile struct xencons_interface *r)
{
	XENCONS_RING_IDX cons = r->out_cons, prod = r->out_prod, n, i;
	char buf[sizeof(r->out)];

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	n = prod - cons;
	if (n > sizeof(r->out))
		n = sizeof(r->out);
	for (i = 0; i < n; i++)
		buf[i] = r->out[MASK_XENCONS_IDX(cons + i, r->out)];
	fwrite(buf, 1, n, stdout);
	fflush(stdout);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->out_cons = cons + n;
	return (int)n;
}

static int
console(uint32_t domid, int seconds)
{
	char path[128];
	unsigned long long mfn;
	unsigned port;
	int noxs, err = 0, i;
	xenforeignmemory_handle *fm;
	xen_pfn_t frame;
	volatile struct xencons_interface *r;
	xc_domaininfo_t di;
	FILE *f;

	shell_path(path, sizeof(path), domid, ".booted");
	f = fopen(path, "r");
	if (f == NULL || fscanf(f, "%llx %u %d", &mfn, &port, &noxs) != 3)
		fail("%s", path);
	fclose(f);
	fm = xenforeignmemory_open(NULL, 0);
	frame = mfn;
	r = fm ? xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1,
				      &frame, &err)
	       : NULL;
	if (r == NULL || err)
		fail("map console of %u", domid);
	for (i = 0; i < seconds * 100; i++) {
		drain(r);
		if (xc_domain_getinfolist(xch, domid, 1, &di) != 1 ||
		    di.domain != domid ||
		    (di.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)))
			break;
		usleep(10000);
	}
	drain(r);
	xenforeignmemory_unmap(fm, (void *)r, 1);
	xenforeignmemory_close(fm);
	return 0;
}

static int
destroy(uint32_t domid)
{
	char path[128];
	struct xs_handle *xs;
	int i;

	xc_domain_pause(xch, domid);
	for (i = 0; i < 100; i++)
		if (xc_domain_destroy(xch, domid) == 0 || errno != EAGAIN)
			break;
	shell_read(domid);
	xs = xs_open(0);
	if (xs != NULL) {
		xsdom_remove(xs, domid, sh.uuid);
		xs_close(xs);
	}
	shell_path(path, sizeof(path), domid, "");
	unlink(path);
	shell_path(path, sizeof(path), domid, ".booted");
	unlink(path);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct image im = {.noxs = 1, .name = "shellpoc"};
	struct timespec t;
	uint64_t mib = 4;
	unsigned vcpus = 1;
	uint32_t domid = 0;
	int verbose = 0, seconds = 30, c;
	const char *mode;

	clock_gettime(CLOCK_MONOTONIC, &t_main);
	if (argc < 2)
		fail("usage: see shellpoc.c");
	mode = argv[1];
	if (strcmp(mode, "noop") == 0)
		return 0;
	optind = 2;
	while ((c = getopt(argc, argv, "m:v:d:k:r:c:x:n:t:pVq")) != -1) {
		switch (c) {
		case 'm': mib = strtoull(optarg, NULL, 10); break;
		case 'v': vcpus = (unsigned)atoi(optarg); break;
		case 'd': domid = (uint32_t)atoi(optarg); break;
		case 'k': im.kernel = optarg; break;
		case 'r': im.ramdisk = optarg; break;
		case 'c': im.cmdline = optarg; break;
		case 'x': im.noxs = strcmp(optarg, "xenstore") != 0; break;
		case 'n': im.name = optarg; break;
		case 't': seconds = atoi(optarg); break;
		case 'p': im.paused = 1; break;
		case 'V': verbose = 1; break;
		case 'q': quiet = 1; break;
		default: fail("bad option");
		}
	}
	mkdir(SHELL_DIR, 0700);
	pin_cpu0();
	errno = 0;
	xc_open(verbose);
	if (!quiet && strcmp(mode, "execute") == 0)
		printf("T %-12s %9.3f ms\n", "xc_open", ms_since(&t_main));
	if (strcmp(mode, "xcopen") == 0) {
		xc_interface_close(xch);
		return 0;
	}
	if (strcmp(mode, "prepare") == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		domain_create(mib, vcpus);
		phase(&t, "create");
		populate();
		phase(&t, "populate");
		shell_write();
		phase(&t, "write");
		if (!quiet)
			printf("T %-12s %9.3f ms\n", "A-main", ms_since(&t_main));
		printf("domid %u extents %zu\n", sh.domid, sh.next);
	} else if (strcmp(mode, "execute") == 0) {
		if (im.kernel == NULL)
			fail("execute needs -k");
		clock_gettime(CLOCK_MONOTONIC, &t);
		shell_read(domid);
		shell_check();
		phase(&t, "read-shell");
		execute(&im, 1);
		if (!quiet)
			printf("T %-12s %9.3f ms\n", "B-main", ms_since(&t_main));
	} else if (strcmp(mode, "cold") == 0) {
		if (im.kernel == NULL)
			fail("cold needs -k");
		clock_gettime(CLOCK_MONOTONIC, &t);
		domain_create(mib, vcpus);
		phase(&t, "create");
		execute(&im, 0);
		shell_write(); /* for destroy and the console reader */
		if (!quiet)
			printf("T %-12s %9.3f ms\n", "cold-main",
			       ms_since(&t_main));
		printf("domid %u extents %zu\n", sh.domid, sh.next);
	} else if (strcmp(mode, "m2p") == 0) {
		shell_read(domid);
		m2p_rewrite();
	} else if (strcmp(mode, "console") == 0) {
		console(domid, seconds);
	} else if (strcmp(mode, "destroy") == 0) {
		destroy(domid);
	} else {
		fail("unknown mode %s", mode);
	}
	xc_interface_close(xch);
	return 0;
}
