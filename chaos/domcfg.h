/*
 * domcfg.h: the domain chaos builds, as described by an xl.cfg file.
 *
 * domcfg_from_cfg() gives the parsed settings their xl meaning, applies
 * xl's defaults and checks the result; it is pure (no file or hypervisor
 * access), so the whole path from text to struct is golden-tested.
 */
#ifndef CHAOS_DOMCFG_H
#define CHAOS_DOMCFG_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "diag.h"

enum dc_type { DC_TYPE_PV, DC_TYPE_PVH };

enum dc_action {
	DC_ACT_DESTROY,
	DC_ACT_RESTART,
	DC_ACT_RENAME_RESTART,
	DC_ACT_PRESERVE,
	DC_ACT_COREDUMP_DESTROY,
	DC_ACT_COREDUMP_RESTART,
	DC_ACT_SOFT_RESET,
};

/* How devices reach the guest (docs/noxs.md). */
enum dc_method { DC_METHOD_AUTO, DC_METHOD_NOXS, DC_METHOD_XENSTORE };

/* tsc_mode, as Xen numbers its TSC modes */
enum dc_tsc { DC_TSC_DEFAULT, DC_TSC_ALWAYS_EMULATE, DC_TSC_NATIVE };

/* A set of physical CPUs; CPUs are numbered below DC_MAX_CPUS. */
#define DC_MAX_CPUS 4096
struct dc_cpuset {
	uint64_t bits[DC_MAX_CPUS / 64];
};

struct dc_vif {
	unsigned devid;
	int has_mac;
	uint8_t mac[6];
	char *bridge; /* default "xenbr0", as libxl */
	char *ip;     /* space-separated addresses, or NULL */
	char *vifname;
	char *model;
	char *script;  /* accepted, never run */
	char *backend; /* backend domain name or id; NULL: dom0 */
	char *gatewaydev;
	unsigned mtu; /* 0: backend default */
	int has_rate;
	uint64_t rate_bytes; /* bytes per second */
	uint32_t rate_interval_us;
};

enum dc_disk_format {
	DC_FMT_RAW,
	DC_FMT_QCOW,
	DC_FMT_QCOW2,
	DC_FMT_VHD,
	DC_FMT_QED,
	DC_FMT_EMPTY,
};
enum dc_disk_backend {
	DC_BK_AUTO,
	DC_BK_PHY,
	DC_BK_QDISK,
	DC_BK_TAP,
	DC_BK_STANDALONE
};

struct dc_disk {
	char *target; /* NULL only for an empty cdrom drive */
	enum dc_disk_format format;
	char *vdev;
	int readonly;
	int cdrom;
	enum dc_disk_backend backendtype;
	char *script; /* accepted, never run */
	char *backend;
	int discard; /* -1 unset, 0 no-discard, 1 discard */
};

struct domcfg {
	char *name;
	int has_uuid;
	uint8_t uuid[16];
	enum dc_type type;
	char *kernel;
	char *ramdisk;
	char *cmdline;	 /* cmdline, or root= and extra joined */
	uint64_t memory; /* MiB */
	uint64_t maxmem; /* MiB */
	unsigned vcpus;
	unsigned maxvcpus;
	/* cpus: NULL when unset or "all"; one set shared by every vCPU, or one
	 * per vCPU when given as a list (ncpusets == list length) */
	struct dc_cpuset *cpusets;
	size_t ncpusets;
	int cpus_per_vcpu;
	/* cpus_soft: soft affinity, in the same forms as cpus */
	struct dc_cpuset *softsets;
	size_t nsoftsets;
	int soft_per_vcpu;
	enum dc_action on_poweroff, on_reboot, on_crash;
	enum dc_action on_watchdog, on_soft_reset;
	enum dc_method method;
	enum dc_tsc tsc_mode;
	uint64_t shadow_memory; /* MiB of PVH paging pool; 0: libxl's size */
	/* domain limits; -1: Xen's default (libxl's) */
	long long max_grant_frames, max_maptrack_frames;
	uint32_t max_event_channels; /* libxl's default 1023 */
	int nomigrate;		     /* the CPUID says the TSC is invariant */
	int localtime;		     /* the wallclock is dom0's local time */
	int32_t rtc_timeoffset;	     /* seconds added to the wallclock */
	int msr_relaxed;	     /* Xen's relaxed MSR policy */
	unsigned cpu_weight;	     /* 1 to 65535; 0: the scheduler's (256) */
	int cap;		     /* percent of one CPU; -1: none set */
	struct dc_vif *vifs;
	size_t nvifs;
	struct dc_disk *disks;
	size_t ndisks;
	/* bootloader: a program (pygrub) that finds the kernel on the first
	 * disk at create time (bootloader.c); kernel, ramdisk and cmdline
	 * are then what it is given, not what boots.  NULL: none. */
	char *bootloader;
	char **bootloader_args; /* its own arguments, nbootloader_args */
	size_t nbootloader_args;
};

/*
 * Fill dc from parsed settings.  Warnings (unknown keys, keys chaos
 * accepts but ignores) and errors go to d, each naming the line of the
 * setting.  Returns 0, or -1 when any error was reported; dc is then
 * freed.  d->source names the file in messages.
 */
int domcfg_from_cfg(struct domcfg *dc, const struct cfg *cfg, struct diag *d);

void domcfg_free(struct domcfg *dc);

/* Names of enum values as written in xl.cfg. */
const char *dc_action_name(enum dc_action a);
const char *dc_method_name(enum dc_method m);
const char *dc_tsc_name(enum dc_tsc t);
const char *dc_format_name(enum dc_disk_format f);
const char *dc_backend_name(enum dc_disk_backend b);

/* Where a spec came from, for messages (source NULL: d->source). */
struct dc_loc {
	const char *source;
	int line, col;
};

/* Device-spec parsers (devspec.c), also used by network-attach later.
 * spec is one list item; at locates it for messages. */
int dc_parse_vif(struct dc_vif *vif, unsigned index, const char *spec,
		 const struct dc_loc *at, struct diag *d);
int dc_parse_disk(struct dc_disk *disk, const char *spec,
		  const struct dc_loc *at, struct diag *d);
void dc_vif_free(struct dc_vif *vif);

/* v as a vif spec that dc_parse_vif reads back as v (devid and MAC
 * explicit): malloc'd, or NULL with errno. */
char *dc_vif_format(const struct dc_vif *v);
/* k as a disk spec (keywords, target last) that dc_parse_disk reads
 * back as k: malloc'd, or NULL with errno. */
char *dc_disk_format(const struct dc_disk *k);
void dc_disk_free(struct dc_disk *disk);

/* Small parsers shared with tests: 0 on success, -1 with *why set. */
int dc_parse_mac(const char *s, uint8_t mac[6], const char **why);
int dc_parse_uuid(const char *s, uint8_t uuid[16], const char **why);
int dc_parse_cpuset(const char *s, struct dc_cpuset *set, const char **why);
int dc_parse_rate(const char *s, uint64_t *bytes, uint32_t *interval_us,
		  const char **why);
int dc_check_name(const char *name, const char **why);

static inline int
dc_cpuset_has(const struct dc_cpuset *s, unsigned cpu)
{
	return cpu < DC_MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

#endif
