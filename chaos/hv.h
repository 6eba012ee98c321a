/*
 * hv.h: the hypervisor as chaos uses it.
 *
 * A small backend-neutral interface; hv_xen.c implements it over
 * libxenctrl and libxenguest.  Every function returns 0 (or a count) on
 * success and -1 with errno set on failure; hv_last_error() then has the
 * hypervisor library's own words when it gave any.  Nothing here prints
 * or exits.
 */
#ifndef CHAOS_HV_H
#define CHAOS_HV_H

#include <stddef.h>
#include <stdint.h>

struct hv; /* an open connection to the hypervisor */

/* Open the hypervisor (needs privcmd: root in dom0). */
int hv_open(struct hv **hvp);

/* Close it; hv may be NULL. */
void hv_close(struct hv *hv);

/* The last error message of the hypervisor libraries, or "". */
const char *hv_last_error(const struct hv *hv);

struct hv_physinfo {
	unsigned nr_cpus;
	unsigned max_cpu_id;
	unsigned threads_per_core, cores_per_socket, nr_nodes;
	unsigned cpu_khz;
	uint64_t total_kib, free_kib;
	unsigned xen_major, xen_minor;
	char xen_extra[16];
	char xen_caps[1024];
	char xen_commandline[1024];
};

/* The host: CPUs, memory, Xen version. */
int hv_physinfo(struct hv *hv, struct hv_physinfo *pi);

#define HV_DYING    0x01
#define HV_SHUTDOWN 0x02
#define HV_PAUSED   0x04
#define HV_BLOCKED  0x08
#define HV_RUNNING  0x10
#define HV_HVM	    0x20

/* Shutdown reasons, as SHUTDOWN_* in xen/sched.h. */
enum hv_shutdown {
	HV_SHUTDOWN_POWEROFF = 0,
	HV_SHUTDOWN_REBOOT = 1,
	HV_SHUTDOWN_SUSPEND = 2,
	HV_SHUTDOWN_CRASH = 3,
	HV_SHUTDOWN_WATCHDOG = 4,
	HV_SHUTDOWN_SOFT_RESET = 5,
};

struct hv_dominfo {
	uint32_t domid;
	uint8_t uuid[16];
	unsigned flags;		  /* HV_* */
	unsigned shutdown_reason; /* when HV_SHUTDOWN */
	uint64_t mem_kib;	  /* current allocation */
	uint64_t max_kib;	  /* maximum allocation */
	unsigned online_vcpus;
	unsigned max_vcpu_id;
	uint64_t cpu_time_ns;
	uint32_t cpupool; /* the CPU pool it runs in */
};

/* One domain; -1 with errno ESRCH when it surely does not exist, any
 * other errno when the hypervisor could not be asked (try again). */
int hv_domain_info(struct hv *hv, uint32_t domid, struct hv_dominfo *di);

/* Up to max domains in domid order from first; returns how many. */
int hv_domain_list(struct hv *hv, uint32_t first, struct hv_dominfo *di,
		   size_t max);

/* A domain's grant and event channel limits. */
struct hv_limits {
	int max_grant_frames;	 /* -1: Xen's default */
	int max_maptrack_frames; /* -1: Xen's default */
	uint32_t max_evtchn_port;
};

/* What a new domain looks like before any image is loaded. */
struct hv_shape {
	uint32_t domid; /* 0: Xen picks one */
	uint8_t uuid[16];
	unsigned max_vcpus;
	uint64_t maxmem_kib;
	unsigned tsc_mode;   /* 0 default, 1 always emulate, 2 native */
	int pvh;	     /* an HVM container with hardware paging */
	uint64_t paging_kib; /* PVH: its paging pool; 0: libxl's default */
	const struct hv_limits *limits; /* NULL: libxl's defaults */
	int itsc;			/* CPUID: the TSC is invariant */
	int msr_relaxed;		/* Xen's relaxed MSR policy */
	int32_t time_offset;		/* seconds added to its wallclock */
};

/*
 * Create a paused PV (or PVH) domain of that shape: the domain, its vCPU
 * count, its memory limit, its CPUID policy, TSC mode and wallclock
 * offset; a PVH domain also gets libxl's HVM parameters and a paging
 * pool.  On failure nothing is left behind.
 */
int hv_domain_create(struct hv *hv, const struct hv_shape *s, uint32_t *domid);

/* Give a domain another handle (uuid): a shell changing hands. */
int hv_domain_sethandle(struct hv *hv, uint32_t domid, const uint8_t uuid[16]);

/* A PV domain's memory as runs of consecutive frames: pfn .. pfn+count-1
 * are mfn .. mfn+count-1. */
struct hv_p2m_run {
	uint64_t pfn, mfn, count;
};

/*
 * Populate all memory_mib MiB of a paused PV domain that has none yet, as
 * the builder would (superpages first), without any kernel: a shell's
 * memory.  *runs (malloc'd, *nruns of them) is the only record of where
 * it is: Xen 4.17 has no call that lists a PV domain's frames to dom0.
 */
int hv_populate_pv(struct hv *hv, uint32_t domid, uint64_t memory_mib,
		   struct hv_p2m_run **runs, size_t *nruns);

/* Destroy a domain (any state). */
int hv_domain_destroy(struct hv *hv, uint32_t domid);

int hv_domain_pause(struct hv *hv, uint32_t domid);
int hv_domain_unpause(struct hv *hv, uint32_t domid);

/* One vCPU's state (vcpu-list). */
struct hv_vcpu {
	int online, running, blocked;
	unsigned cpu; /* where it runs or last ran */
	uint64_t time_ns;
};
int hv_vcpu_info(struct hv *hv, uint32_t domid, unsigned vcpu,
		 struct hv_vcpu *v);

/* Hard and soft affinity of a vCPU as bitmaps of nbits CPUs (64 a word);
 * set: NULL leaves that one as it is. */
int hv_vcpu_getaffinity(struct hv *hv, uint32_t domid, unsigned vcpu,
			uint64_t *hard, uint64_t *soft, unsigned nbits);
int hv_vcpu_setaffinity(struct hv *hv, uint32_t domid, unsigned vcpu,
			const uint64_t *hard, const uint64_t *soft,
			unsigned nbits);

/* Xen's schedulers, as it numbers them (XEN_SCHEDULER_*). */
enum hv_sched {
	HV_SCHED_CREDIT = 5,
	HV_SCHED_CREDIT2 = 6,
	HV_SCHED_ARINC653 = 7,
	HV_SCHED_RTDS = 8,
	HV_SCHED_NULL = 9,
};

/* The first CPU pool whose id is poolid or above: its id and scheduler
 * (HV_SCHED_*); -1 with ENOENT when there is none. */
int hv_pool_next(struct hv *hv, uint32_t poolid, uint32_t *id, unsigned *sched);

/*
 * A domain's weight and cap under scheduler sched (credit or credit2),
 * which must be its pool's: Xen refuses any other with EINVAL.  set
 * writes both as given; read them first to change one.
 */
int hv_sched_get(struct hv *hv, uint32_t domid, unsigned sched,
		 unsigned *weight, unsigned *cap);
int hv_sched_set(struct hv *hv, uint32_t domid, unsigned sched, unsigned weight,
		 unsigned cap);

/* A pool's parameters of credit (all three) or credit2 (ratelimit_us
 * only; the others read 0 and are not written). */
struct hv_sched_pool {
	unsigned tslice_ms, ratelimit_us, migr_delay_us;
};
int hv_sched_pool_get(struct hv *hv, uint32_t poolid, unsigned sched,
		      struct hv_sched_pool *p);
int hv_sched_pool_set(struct hv *hv, uint32_t poolid, unsigned sched,
		      const struct hv_sched_pool *p);

/* Read Xen's console ring (xl dmesg): up to *n bytes into buf, *n set to
 * what came; incremental: from *index on, which is advanced; clear:
 * empty the ring after reading. */
int hv_console_read(struct hv *hv, char *buf, unsigned *n, int clear,
		    int incremental, uint32_t *index);

/* Write a core file of domid's memory and vCPUs (xl dump-core). */
int hv_dump_core(struct hv *hv, uint32_t domid, const char *path);

/* The most memory the domain may have, in KiB (no slack added). */
int hv_domain_setmaxmem(struct hv *hv, uint32_t domid, uint64_t kib);

/* An unbound event channel in domid that remote may bind; its port. */
int hv_evtchn_alloc(struct hv *hv, uint32_t domid, uint32_t remote,
		    uint32_t *port);

/* What to load into a PV or PVH domain. */
struct hv_pv_image {
	int pvh;	     /* entered at its PHYS32_ENTRY, with ACPI tables */
	const char *kernel;  /* ELF (or compressed) PV kernel */
	const char *ramdisk; /* or NULL */
	const char *cmdline; /* or NULL */
	uint64_t memory_mib; /* populated at boot */
	uint64_t maxmem_mib; /* PVH: the RAM it sees (above memory: PoD) */
	unsigned max_vcpus;
	unsigned vcpus; /* PVH: online at boot (ACPI's MADT) */
	uint32_t console_port, console_domid;
	uint32_t store_port, store_domid;
	/* memory populated already (a shell): its p2m, every pfn below
	 * memory_mib MiB exactly once; NULL: the builder populates */
	const struct hv_p2m_run *p2m;
	size_t np2m;
};

/* The builder's steps, timed (chaos create -T). */
enum hv_build_step {
	HV_BUILD_PARSE,	 /* read and parse the kernel (and ramdisk) */
	HV_BUILD_MEMORY, /* populate the domain's memory (a shell: its p2m) */
	HV_BUILD_IMAGE,	 /* load the image, page tables, start_info */
	HV_BUILD_BOOT,	 /* vCPU context, grant table entries */
	HV_BUILD_STEPS
};

/* Where the builder put the shared rings, and how long each step took.
 * For a PVH domain the "mfns" are guest frame numbers: what its grant
 * entries, hv_map_frame and XenStore's introduce take for it. */
struct hv_pv_result {
	uint64_t console_mfn;
	uint64_t store_mfn;
	int64_t step_us[HV_BUILD_STEPS];
};

/*
 * Load img into the (paused, empty) domain: parse the kernel, populate
 * memory (unless img->p2m says where it is already), build start_info and
 * page tables, set up vCPU 0 and seed the grant table's console and store
 * entries.  The domain stays paused.  Not thread-safe with img->p2m.
 */
int hv_build_pv(struct hv *hv, uint32_t domid, const struct hv_pv_image *img,
		struct hv_pv_result *res);

/* Map one frame of domid (a PV guest's MFN) read-write; unmap it with
 * hv_unmap. */
void *hv_map_frame(struct hv *hv, uint32_t domid, uint64_t mfn);

/* Map grant ref of domid read-write (e.g. its console ring, ref 0). */
void *hv_map_grant(struct hv *hv, uint32_t domid, uint32_t ref);

/* One segment of a grant copy: len bytes between local memory and the
 * page domid granted to us as ref, at offset (offset + len <= 4096). */
struct hv_gcopy {
	void *local;
	uint32_t ref;
	uint16_t offset, len;
	int to_guest;	/* 1: local into the grant; 0: the grant into local */
	int16_t status; /* set by hv_grant_copy: 0, or Xen's GNTST_* (< 0) */
};

/* Copy n segments with domid's grants (gntdev's grant copy, batched);
 * each segment's status says whether it was done.  -1 with errno when
 * the copy could not be asked at all. */
int hv_grant_copy(struct hv *hv, uint32_t domid, struct hv_gcopy *segs,
		  size_t n);

/* Undo hv_map_frame (grant 0) or hv_map_grant (grant 1). */
void hv_unmap(struct hv *hv, void *page, int grant);

/* Signal port of domid once (bind from dom0, notify, unbind). */
int hv_notify_remote(struct hv *hv, uint32_t domid, uint32_t port);

/* A lasting binding to port of domid: *local is our end.  hv_evtchn_fd
 * becomes readable when a bound port fires; hv_evtchn_pending then
 * returns it (re-armed), -1 with EAGAIN when none fired. */
int hv_evtchn_bind(struct hv *hv, uint32_t domid, uint32_t port,
		   uint32_t *local);
int hv_evtchn_fd(struct hv *hv);
int hv_evtchn_pending(struct hv *hv, uint32_t *local);
int hv_evtchn_notify(struct hv *hv, uint32_t local);
void hv_evtchn_unbind(struct hv *hv, uint32_t local);

/*
 * Save a PV domain non-live into fd: libxenguest's migration stream.
 * When the stream needs the domain suspended it calls suspend(arg), which
 * returns 0 once the domain has shut down with reason suspend, -1 when it
 * could not (the save then fails and the domain runs on).  On failure
 * after the suspend the domain stays suspended: hv_domain_resume it.
 */
int hv_save(struct hv *hv, uint32_t domid, int fd, int (*suspend)(void *),
	    void *arg);

/* What a restore needs and gives back. */
struct hv_restore {
	uint32_t store_port, console_port; /* the new domain's, made before */
	uint64_t store_mfn, console_mfn;   /* where the rings are now */
};

/*
 * Read a migration stream from fd into domid, made empty and paused with
 * its event channels: memory, page tables, vCPUs, start_info (rewritten
 * for the new rings and ports).  The domain stays paused.
 */
int hv_restore(struct hv *hv, uint32_t domid, int fd, struct hv_restore *r);

/* Let a domain that suspended go on where it was, told that its suspend
 * was cancelled (libxenguest's cooperative resume). */
int hv_domain_resume(struct hv *hv, uint32_t domid);

/* Have Xen signal port (of domid, bound by us) when domid suspends. */
int hv_subscribe_suspend(struct hv *hv, uint32_t domid, uint32_t port);

/* Bind VIRQ_DOM_EXC (a domain shut down or died).  Only one process in
 * dom0 can: -1 with EEXIST when xenstored holds it. */
int hv_bind_dom_exc(struct hv *hv, uint32_t *local);

#endif
