/*
 * domcfg.c: xl.cfg settings -> struct domcfg, with xl's defaults and checks.
 *
 * Every key xl knows falls in one of three classes, listed in the tables
 * below and in docs/chaos.cfg.5: supported, accepted with a warning (a
 * tunable chaos does not apply yet; the guest still boots as configured),
 * or rejected (a device or boot method chaos cannot provide, where going
 * on would build a different guest than the file describes).  Unknown
 * keys get a warning, as a typo should not go unnoticed.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg.h"

#define MAX_MEMORY_MIB (16ULL << 20) /* 16 TiB */
#define MAX_VCPUS      512

/* keys that change nothing for a PV or PVH guest under xl either */
#define HVM_ONLY                                                               \
	"has no effect on a PV or PVH guest (xl uses it for HVM "              \
	"guests only)"
#define NOT_XL "is not an xl.cfg setting (xl ignores it too)"
static const struct {
	const char *key, *why;
} noeffect_keys[] = {
	{"acpi", "has no effect on a PV or PVH guest (xl 4.17 uses it for "
		 "HVM guests only; a PVH guest always gets ACPI tables)"},
	{"apic", HVM_ONLY},
	{"boot", HVM_ONLY},
	{"gfx_passthru", HVM_ONLY},
	{"keymap", HVM_ONLY},
	{"nographic", HVM_ONLY},
	{"opengl", HVM_ONLY},
	{"pae", HVM_ONLY},
	{"sdl", HVM_ONLY},
	{"serial", HVM_ONLY},
	{"videoram", HVM_ONLY},
	{"vnc", HVM_ONLY},
	{"vnclisten", HVM_ONLY},
	{"vncpasswd", HVM_ONLY},
	{"vncunused", HVM_ONLY},
	{"claim_mode", "has no effect here (xl reads it from xl.conf, not "
		       "from a guest's config)"},
	{"sched", "is not an xl.cfg setting (xl reads it in cpupool configs "
		  "only and ignores it here too)"},
	{"bootargs", NOT_XL},
	{"vif_rate", NOT_XL},
	{"vm_trace_buf", NOT_XL},
	{NULL, NULL},
};

static const char *const rejected_keys[] = {
	"pci",
	"vtpm",
	"vfb",
	"vkb",
	"channel",
	"p9",
	"usb",
	"usbctrl",
	"usbdev",
	"usbdevice",
	"vdispl",
	"vsnd",
	"dtdev",
	"device_tree",
	"iomem",
	"ioports",
	"irqs",
	"pvcalls",
	"vscsi",
	"vnuma",
	"rdm",
	"device_model_version",
	"device_model_override",
	"stubdomain_kernel",
	"firmware",
	"firmware_override",
	"virtio",
	"cpuid",
	"seclabel",
	"init_seclabel",
	NULL,
};

struct ctx {
	const struct cfg *cfg;
	struct diag *d;
};

static int
in_list(const char *const *list, const char *key)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

/* An error about the setting of key (which must be set). */
static void __attribute__((format(printf, 3, 4)))
key_error(struct ctx *c, const char *key, const char *fmt, ...)
{
	const struct cfg_setting *s = cfg_get(c->cfg, key);
	va_list ap;

	va_start(ap, fmt);
	diag_vmsg(c->d, DIAG_ERROR, s ? s->source : NULL, s ? s->line : 0, 0,
		  fmt, ap);
	va_end(ap);
}

/* The atom for key, NULL when unset; *err set when it is not an atom. */
static const struct cfg_setting *
get_atom(struct ctx *c, const char *key, int *err)
{
	const struct cfg_setting *s = cfg_get(c->cfg, key);

	if (s == NULL)
		return NULL;
	if (s->value->type != CFG_ATOM) {
		diag_error_at(c->d, s->source, s->line, 0,
			      "%s must be a single value, not a list", key);
		*err = 1;
		return NULL;
	}
	return s;
}

static int
get_string(struct ctx *c, const char *key, char **out, int *err)
{
	const struct cfg_setting *s = get_atom(c, key, err);

	if (s == NULL)
		return 0;
	free(*out);
	*out = strdup(s->value->atom);
	if (*out == NULL) {
		diag_error_at(c->d, s->source, s->line, 0, "out of memory");
		*err = 1;
		return 0;
	}
	return 1;
}

/* 1 when key is set (value in *out), 0 when unset; errors set *err. */
static int
get_number(struct ctx *c, const char *key, long long min, long long max,
	   long long *out, int *err)
{
	const struct cfg_setting *s = get_atom(c, key, err);
	const char *a;
	char *end;
	long long v;

	if (s == NULL)
		return 0;
	a = s->value->atom;
	if (s->append) {
		diag_error_at(c->d, s->source, s->line, 0,
			      "%s: += cannot be used with a number", key);
		*err = 1;
		return 0;
	}
	errno = 0;
	v = strtoll(a, &end, 0); /* base 0, as xl: 0x hex and 0 octal */
	if (*a == '\0' || *end != '\0' || errno != 0 ||
	    (*a == '-' && min >= 0) || *a == '+' || *a == ' ') {
		diag_error_at(c->d, s->source, s->line, 0,
			      "%s: '%s' is not a number", key, a);
		*err = 1;
		return 0;
	}
	if (v < min || v > max) {
		diag_error_at(c->d, s->source, s->line, 0,
			      "%s: %lld is out of range (%lld to %lld)", key, v,
			      min, max);
		*err = 1;
		return 0;
	}
	*out = v;
	return 1;
}

static const char *const action_names[] = {
	[DC_ACT_DESTROY] = "destroy",
	[DC_ACT_RESTART] = "restart",
	[DC_ACT_RENAME_RESTART] = "rename-restart",
	[DC_ACT_PRESERVE] = "preserve",
	[DC_ACT_COREDUMP_DESTROY] = "coredump-destroy",
	[DC_ACT_COREDUMP_RESTART] = "coredump-restart",
	[DC_ACT_SOFT_RESET] = "soft-reset",
};

const char *
dc_action_name(enum dc_action a)
{
	return action_names[a];
}

const char *
dc_tsc_name(enum dc_tsc t)
{
	static const char *const names[] = {"default", "always_emulate",
					    "native"};

	return (unsigned)t < 3 ? names[t] : "?";
}

const char *
dc_method_name(enum dc_method m)
{
	return m == DC_METHOD_NOXS	 ? "noxs"
	       : m == DC_METHOD_XENSTORE ? "xenstore"
					 : "auto";
}

const char *
dc_format_name(enum dc_disk_format f)
{
	static const char *const names[] = {"raw", "qcow", "qcow2",
					    "vhd", "qed",  "empty"};
	return names[f];
}

const char *
dc_backend_name(enum dc_disk_backend b)
{
	static const char *const names[] = {"auto", "phy", "qdisk", "tap",
					    "standalone"};
	return names[b];
}

static void
get_action(struct ctx *c, const char *key, enum dc_action *out, int *err)
{
	char *s = NULL;
	size_t i;

	if (!get_string(c, key, &s, err))
		return;
	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum dc_action)i;
			free(s);
			return;
		}
	}
	key_error(c, key,
		  "%s: '%s' is not an action (destroy, restart, "
		  "rename-restart, preserve, coredump-destroy, "
		  "coredump-restart, soft-reset)",
		  key, s);
	*err = 1;
	free(s);
}

static void
get_type(struct ctx *c, struct domcfg *dc, int *err)
{
	const struct cfg_setting *s;
	char *type = NULL;

	dc->type = DC_TYPE_PV;
	if (get_string(c, "type", &type, err)) {
		s = cfg_get(c->cfg, "type");
		if (strcmp(type, "pvh") == 0) {
			dc->type = DC_TYPE_PVH;
		} else if (strcmp(type, "hvm") == 0) {
			diag_error_at(c->d, s->source, s->line, 0,
				      "type 'hvm' is not supported: it needs a "
				      "device model (QEMU) and firmware; chaos "
				      "builds PV and PVH guests");
			*err = 1;
		} else if (strcmp(type, "pv") != 0) {
			diag_error_at(c->d, s->source, s->line, 0,
				      "type '%s' is not a guest type (pv, pvh, "
				      "hvm)",
				      type);
			*err = 1;
		}
	} else if (get_string(c, "builder", &type, err)) {
		s = cfg_get(c->cfg, "builder");
		if (strcmp(type, "hvm") == 0) {
			diag_error_at(
				c->d, s->source, s->line, 0,
				"builder 'hvm' is not supported: it needs a "
				"device model (QEMU) and firmware; chaos "
				"builds PV and PVH guests");
			*err = 1;
		} else if (strcmp(type, "generic") != 0) {
			diag_error_at(c->d, s->source, s->line, 0,
				      "builder '%s' is not 'generic' or 'hvm'",
				      type);
			*err = 1;
		}
	}
	free(type);
}

/* xl's precedence: cmdline wins; else "root=ROOT EXTRA". */
static void
get_cmdline(struct ctx *c, struct domcfg *dc, int *err)
{
	char *root = NULL, *extra = NULL;
	const struct cfg_setting *s;
	size_t n;

	get_string(c, "root", &root, err);
	get_string(c, "extra", &extra, err);
	if (get_string(c, "cmdline", &dc->cmdline, err)) {
		if (root != NULL || extra != NULL) {
			s = cfg_get(c->cfg, "cmdline");
			diag_warn_at(c->d, s->source, s->line, 0,
				     "root and extra are ignored in favour of "
				     "cmdline");
		}
	} else if (root != NULL) {
		n = strlen(root) + (extra ? strlen(extra) : 0) + 7;
		dc->cmdline = malloc(n);
		if (dc->cmdline != NULL) {
			strcpy(dc->cmdline, "root=");
			strcat(dc->cmdline, root);
			if (extra != NULL) {
				strcat(dc->cmdline, " ");
				strcat(dc->cmdline, extra);
			}
		}
	} else if (extra != NULL) {
		dc->cmdline = extra;
		extra = NULL;
	}
	free(root);
	free(extra);
}

/* cpus or cpus_soft: NULL sets when unset or "all" */
static void
get_cpus(struct ctx *c, const char *key, struct dc_cpuset **sets, size_t *nsets,
	 int *per_vcpu, int *err)
{
	const struct cfg_setting *s = cfg_get(c->cfg, key);
	const struct cfg_value *v;
	const char *why;
	size_t i, n;

	if (s == NULL)
		return;
	v = s->value;
	if (v->type == CFG_ATOM && strcmp(v->atom, "all") == 0)
		return;
	n = v->type == CFG_ATOM ? 1 : v->nitems;
	if (n == 0)
		return;
	*sets = calloc(n, sizeof(**sets));
	if (*sets == NULL) {
		diag_error_at(c->d, s->source, s->line, 0, "out of memory");
		*err = 1;
		return;
	}
	*nsets = n;
	*per_vcpu = v->type == CFG_LIST;
	for (i = 0; i < n; i++) {
		const struct cfg_value *item =
			v->type == CFG_ATOM ? v : v->items[i];
		if (item->type != CFG_ATOM) {
			diag_error_at(c->d, item->source, item->line, 0,
				      "%s: a list item must be a string", key);
			*err = 1;
			return;
		}
		if (dc_parse_cpuset(item->atom, &(*sets)[i], &why) < 0) {
			diag_error_at(c->d, item->source, item->line, 0,
				      "%s: '%s' %s", key, item->atom, why);
			*err = 1;
			return;
		}
	}
}

/* The list for key as atoms; NULL when unset. */
static const struct cfg_value *
get_string_list(struct ctx *c, const char *key, int *err)
{
	const struct cfg_setting *s = cfg_get(c->cfg, key);
	size_t i;

	if (s == NULL)
		return NULL;
	if (s->value->type != CFG_LIST) {
		diag_error_at(c->d, s->source, s->line, 0,
			      "%s must be a list, like %s = [ '...' ]", key,
			      key);
		*err = 1;
		return NULL;
	}
	for (i = 0; i < s->value->nitems; i++) {
		if (s->value->items[i]->type != CFG_ATOM) {
			diag_error_at(
				c->d, s->source, s->value->items[i]->line, 0,
				"%s: item %zu must be a string, not a list",
				key, i + 1);
			*err = 1;
			return NULL;
		}
	}
	return s->value;
}

static void
get_vifs(struct ctx *c, struct domcfg *dc, int *err)
{
	const struct cfg_value *l = get_string_list(c, "vif", err);
	const struct cfg_value *it;
	size_t i, j;

	if (l == NULL || l->nitems == 0)
		return;
	dc->vifs = calloc(l->nitems, sizeof(*dc->vifs));
	if (dc->vifs == NULL) {
		diag_error_at(c->d, l->source, l->line, 0, "out of memory");
		*err = 1;
		return;
	}
	for (i = 0; i < l->nitems; i++) {
		it = l->items[i];
		struct dc_loc at = {it->source, it->line, 0};

		if (dc_parse_vif(&dc->vifs[i], (unsigned)i, it->atom, &at,
				 c->d) < 0) {
			*err = 1;
			return;
		}
		dc->nvifs++;
		for (j = 0; j < i; j++) {
			if (dc->vifs[j].devid == dc->vifs[i].devid) {
				diag_error_at(c->d, it->source, it->line, 0,
					      "vif: devid %u is used twice",
					      dc->vifs[i].devid);
				*err = 1;
			}
			if (dc->vifs[j].has_mac && dc->vifs[i].has_mac &&
			    memcmp(dc->vifs[j].mac, dc->vifs[i].mac, 6) == 0) {
				diag_error_at(
					c->d, it->source, it->line, 0,
					"vif: a MAC address is used twice");
				*err = 1;
			}
		}
	}
}

static void
get_disks(struct ctx *c, struct domcfg *dc, int *err)
{
	const struct cfg_value *l = get_string_list(c, "disk", err);
	const struct cfg_value *it;
	size_t i, j;

	if (l == NULL || l->nitems == 0)
		return;
	dc->disks = calloc(l->nitems, sizeof(*dc->disks));
	if (dc->disks == NULL) {
		diag_error_at(c->d, l->source, l->line, 0, "out of memory");
		*err = 1;
		return;
	}
	for (i = 0; i < l->nitems; i++) {
		it = l->items[i];
		struct dc_loc at = {it->source, it->line, 0};

		if (dc_parse_disk(&dc->disks[i], it->atom, &at, c->d) < 0) {
			*err = 1;
			return;
		}
		dc->ndisks++;
		for (j = 0; j < i; j++) {
			if (strcmp(dc->disks[j].vdev, dc->disks[i].vdev) == 0) {
				diag_error_at(c->d, it->source, it->line, 0,
					      "disk: vdev '%s' is used twice",
					      dc->disks[i].vdev);
				*err = 1;
			}
		}
	}
}

/* bootloader_args: a list, or a string split at blanks (which xl takes
 * with a warning that it is deprecated) */
static void
get_bootloader_args(struct ctx *c, struct domcfg *dc, int *err)
{
	const struct cfg_setting *s = cfg_get(c->cfg, "bootloader_args");
	const struct cfg_value *l = NULL;
	char *words = NULL, *w, *save, **a;
	size_t i, n;

	if (s == NULL)
		return;
	if (s->value->type == CFG_ATOM) {
		diag_warn_at(c->d, s->source, s->line, 0,
			     "bootloader_args as a string is deprecated (it "
			     "is split at blanks); use a list");
		words = strdup(s->value->atom);
		/* words are a blank apart at least */
		n = words != NULL ? strlen(words) / 2 + 1 : 0;
	} else if ((l = get_string_list(c, "bootloader_args", err)) != NULL) {
		n = l->nitems;
	} else {
		return;
	}
	a = calloc(n + 1, sizeof(*a));
	dc->bootloader_args = a;
	if (a == NULL || (l == NULL && words == NULL))
		goto oom;
	for (i = 0; l != NULL && i < n; i++)
		if ((a[dc->nbootloader_args++] = strdup(l->items[i]->atom)) ==
		    NULL)
			goto oom;
	for (w = l == NULL ? strtok_r(words, " \t\n", &save) : NULL; w != NULL;
	     w = strtok_r(NULL, " \t\n", &save))
		if ((a[dc->nbootloader_args++] = strdup(w)) == NULL)
			goto oom;
	free(words);
	return;
oom:
	free(words);
	diag_error_at(c->d, s->source, s->line, 0, "out of memory");
	*err = 1;
}

/* bootloader: with one, kernel is optional (xl: "Neither kernel nor
 * bootloader specified") */
static void
get_bootloader(struct ctx *c, struct domcfg *dc, int *err)
{
	const struct cfg_setting *s = cfg_get(c->cfg, "bootloader_args");

	if (!get_string(c, "bootloader", &dc->bootloader, err)) {
		if (s != NULL && cfg_get(c->cfg, "bootloader") == NULL)
			diag_warn_at(c->d, s->source, s->line, 0,
				     "bootloader_args without a bootloader "
				     "are ignored");
		return;
	}
	if (dc->bootloader[0] == '\0') {
		key_error(c, "bootloader", "bootloader is an empty name");
		*err = 1;
		return;
	}
	get_bootloader_args(c, dc, err);
}

static const char *const known_keys[] = {
	"name",
	"uuid",
	"type",
	"builder",
	"kernel",
	"ramdisk",
	"cmdline",
	"root",
	"extra",
	"memory",
	"maxmem",
	"vcpus",
	"maxvcpus",
	"cpus",
	"on_poweroff",
	"on_reboot",
	"on_crash",
	"vif",
	"disk",
	"device_method",
	"tsc_mode",
	"shadow_memory",
	"cpu_weight",
	"cap",
	/* get_limits and get_hw below: applied, or refused by value */
	"cpus_soft",
	"on_watchdog",
	"on_soft_reset",
	"max_grant_frames",
	"max_maptrack_frames",
	"max_event_channels",
	"nomigrate",
	"localtime",
	"rtc_timeoffset",
	"msr_relaxed",
	"e820_host",
	"driver_domain",
	"pool",
	"nestedhvm",
	"altp2m",
	"passthrough",
	"xend_suspend_evtchn_compat",
	NULL,
};

/* why key changes nothing, or NULL */
static const char *
no_effect(const char *key)
{
	size_t i;

	for (i = 0; noeffect_keys[i].key != NULL; i++)
		if (strcmp(noeffect_keys[i].key, key) == 0)
			return noeffect_keys[i].why;
	return NULL;
}

/* known too: a bootloader finds the kernel (bootloader.c) */
static const char *const boot_keys[] = {"bootloader", "bootloader_args", NULL};

/* keys of other toolstacks that xl ignores, and xl's own word for them */
static const char *const other_keys[][2] = {
	{"cpu_cap", "cap"}, /* xm's */
};

static const char *
other_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(other_keys) / sizeof(other_keys[0]); i++)
		if (strcmp(other_keys[i][0], key) == 0)
			return other_keys[i][1];
	return NULL;
}

static void
check_keys(struct ctx *c, int *err)
{
	const struct cfg_setting *s;
	const char *why;

	for (s = c->cfg->head; s != NULL; s = s->next) {
		if (in_list(known_keys, s->key) || in_list(boot_keys, s->key))
			continue;
		if ((why = no_effect(s->key)) != NULL) {
			diag_warn_at(c->d, s->source, s->line, 0, "%s %s",
				     s->key, why);
		} else if (in_list(rejected_keys, s->key)) {
			diag_error_at(c->d, s->source, s->line, 0,
				      "%s is not supported by chaos", s->key);
			*err = 1;
		} else if (other_key(s->key) != NULL) {
			diag_warn_at(c->d, s->source, s->line, 0,
				     "%s is no xl.cfg setting and is not "
				     "applied (xl's is %s)",
				     s->key, other_key(s->key));
		} else {
			diag_warn_at(c->d, s->source, s->line, 0,
				     "unknown setting '%s'", s->key);
		}
	}
}

static void
get_identity(struct ctx *c, struct domcfg *dc, int *err)
{
	const struct cfg_setting *s;
	char *uuid = NULL;
	const char *why;

	if (get_string(c, "name", &dc->name, err)) {
		if (dc_check_name(dc->name, &why) < 0) {
			key_error(c, "name", "name '%s' %s", dc->name, why);
			*err = 1;
		}
	} else if (cfg_get(c->cfg, "name") == NULL) {
		diag_error(c->d, 0, 0, "no name given (name = \"...\")");
		*err = 1;
	}
	if (get_string(c, "uuid", &uuid, err)) {
		s = cfg_get(c->cfg, "uuid");
		if (dc_parse_uuid(uuid, dc->uuid, &why) < 0) {
			diag_error_at(c->d, s->source, s->line, 0,
				      "uuid '%s' %s", uuid, why);
			*err = 1;
		}
		dc->has_uuid = 1;
	}
	free(uuid);
}

static void
get_resources(struct ctx *c, struct domcfg *dc, int *err)
{
	long long v;
	int has_mem, has_max;

	/* libxl's defaults: 32 MiB, memory = maxmem, one vCPU */
	has_mem = get_number(c, "memory", 1, MAX_MEMORY_MIB, &v, err);
	dc->memory = has_mem ? (uint64_t)v : 32;
	has_max = get_number(c, "maxmem", 1, MAX_MEMORY_MIB, &v, err);
	dc->maxmem = has_max ? (uint64_t)v : dc->memory;
	if (!has_mem && has_max)
		dc->memory = dc->maxmem;
	if (!*err && dc->memory > dc->maxmem) {
		key_error(c, "maxmem",
			  "memory (%llu MiB) is larger than maxmem (%llu MiB)",
			  (unsigned long long)dc->memory,
			  (unsigned long long)dc->maxmem);
		*err = 1;
	}
	dc->vcpus =
		get_number(c, "vcpus", 1, MAX_VCPUS, &v, err) ? (unsigned)v : 1;
	dc->maxvcpus = get_number(c, "maxvcpus", 1, MAX_VCPUS, &v, err)
			       ? (unsigned)v
			       : dc->vcpus;
	if (!*err && dc->vcpus > dc->maxvcpus) {
		key_error(c, "maxvcpus",
			  "vcpus (%u) is larger than maxvcpus (%u)", dc->vcpus,
			  dc->maxvcpus);
		*err = 1;
	}
	/* chaos's MADT names each vCPU's local APIC by an 8-bit id */
	if (!*err && dc->type == DC_TYPE_PVH && dc->maxvcpus > 128) {
		key_error(c, cfg_get(c->cfg, "maxvcpus") ? "maxvcpus" : "vcpus",
			  "a PVH guest has at most 128 vCPUs, not %u",
			  dc->maxvcpus);
		*err = 1;
	}
	get_cpus(c, "cpus", &dc->cpusets, &dc->ncpusets, &dc->cpus_per_vcpu,
		 err);
	if (dc->cpus_per_vcpu && dc->ncpusets > dc->maxvcpus) {
		key_error(c, "cpus",
			  "cpus lists %zu vCPUs but the guest has %u",
			  dc->ncpusets, dc->maxvcpus);
		*err = 1;
	}
	get_cpus(c, "cpus_soft", &dc->softsets, &dc->nsoftsets,
		 &dc->soft_per_vcpu, err);
	if (dc->soft_per_vcpu && dc->nsoftsets > dc->maxvcpus) {
		key_error(c, "cpus_soft",
			  "cpus_soft lists %zu vCPUs but the guest has %u",
			  dc->nsoftsets, dc->maxvcpus);
		*err = 1;
	}
}

/* shadow_memory: the paging pool of a PVH guest, in MiB (xl.cfg(5));
 * a PV guest has none (Debian's Xen has no shadow paging) */
static void
get_shadow(struct ctx *c, struct domcfg *dc, int *err)
{
	long long v;

	if (get_number(c, "shadow_memory", 1, 1 << 20, &v, err))
		dc->shadow_memory = (uint64_t)v;
}

/* cpu_weight and cap: the guest's share of the CPUs under the credit
 * and credit2 schedulers, applied once the domain exists */
static void
get_sched(struct ctx *c, struct domcfg *dc, int *err)
{
	long long v;

	dc->cpu_weight = get_number(c, "cpu_weight", 1, 65535, &v, err)
				 ? (unsigned)v
				 : 0;
	dc->cap = -1;
	if (!get_number(c, "cap", 0, 65535, &v, err))
		return;
	dc->cap = (int)v;
	/* a percentage of one CPU, for all its vCPUs together */
	if (v > (long long)dc->maxvcpus * 100) {
		key_error(c, "cap",
			  "cap: %lld is out of range (0 to %u: 100 a vCPU)", v,
			  dc->maxvcpus * 100);
		*err = 1;
	}
}

/* tsc_mode: how the guest's TSC reads (xl.cfg(5)) */
static void
get_tsc(struct ctx *c, struct domcfg *dc, int *err)
{
	static const char *const names[] = {"default", "always_emulate",
					    "native", "native_paravirt"};
	const struct cfg_setting *s;
	char *v = NULL, *end;
	size_t i;
	long n;

	if (!get_string(c, "tsc_mode", &v, err))
		return;
	/* xl still takes Xen's numbers for the modes, with a warning */
	errno = 0;
	n = strtol(v, &end, 0);
	if (end != v && *end == '\0' && errno == 0 && n >= 0 && n <= 3) {
		s = cfg_get(c->cfg, "tsc_mode");
		if (n <= DC_TSC_NATIVE)
			diag_warn_at(c->d, s->source, s->line, 0,
				     "tsc_mode %ld is deprecated, as in xl: "
				     "write \"%s\"",
				     n, names[n]);
		free(v);
		if ((v = strdup(names[n])) == NULL) {
			key_error(c, "tsc_mode", "out of memory");
			*err = 1;
			return;
		}
	}
	for (i = 0; i <= DC_TSC_NATIVE; i++)
		if (strcmp(v, names[i]) == 0)
			dc->tsc_mode = (enum dc_tsc)i;
	if (strcmp(v, "native_paravirt") == 0) {
		key_error(c, "tsc_mode",
			  "tsc_mode 'native_paravirt' is gone from Xen 4.17 "
			  "(use 'native')");
		*err = 1;
	} else if (dc->tsc_mode == DC_TSC_DEFAULT &&
		   strcmp(v, "default") != 0) {
		key_error(c, "tsc_mode",
			  "tsc_mode '%s' is not default, always_emulate or "
			  "native",
			  v);
		*err = 1;
	}
	free(v);
}

/* An xl boolean (xl reads a number: any but 0 is true); 1 when set. */
static int
get_bool(struct ctx *c, const char *key, int *out, int *err)
{
	long long v;

	if (!get_number(c, key, 0, LLONG_MAX, &v, err))
		return 0;
	*out = v != 0;
	return 1;
}

/* A refusal of a value chaos cannot give the guest, in the form
 * "KEY = VALUE is not supported by chaos (CAUSE)"; a string value is
 * quoted. */
static void
refuse(struct ctx *c, const char *key, const char *value, int string,
       const char *cause, int *err)
{
	const char *q = string ? "'" : "";

	key_error(c, key, "%s = %s%s%s is not supported by chaos (%s)", key, q,
		  value, q, cause);
	*err = 1;
}

/* Limits and tunables libxl applies to PV and PVH guests alike. */
static void
get_limits(struct ctx *c, struct domcfg *dc, int *err)
{
	long long v;

	/* libxl's defaults: Xen's grant limits (-1), 1023 event channels */
	dc->max_grant_frames = -1;
	dc->max_maptrack_frames = -1;
	dc->max_event_channels = 1023;
	if (get_number(c, "max_grant_frames", 0, INT_MAX, &v, err))
		dc->max_grant_frames = v;
	if (get_number(c, "max_maptrack_frames", 0, INT_MAX, &v, err))
		dc->max_maptrack_frames = v;
	if (get_number(c, "max_event_channels", 0, UINT32_MAX, &v, err) &&
	    v != 0)
		dc->max_event_channels = (uint32_t)v;
	get_bool(c, "nomigrate", &dc->nomigrate, err);
	get_bool(c, "localtime", &dc->localtime, err);
	if (get_number(c, "rtc_timeoffset", INT32_MIN, INT32_MAX, &v, err))
		dc->rtc_timeoffset = (int32_t)v;
	get_bool(c, "msr_relaxed", &dc->msr_relaxed, err);
}

/* A setting that changes nothing for this guest's type, as in xl. */
static void
no_effect_on(struct ctx *c, const char *key, const char *type,
	     const char *xl_types)
{
	const struct cfg_setting *s = cfg_get(c->cfg, key);

	if (s != NULL)
		diag_warn_at(c->d, s->source, s->line, 0,
			     "%s has no effect on a %s guest (xl applies it to "
			     "%s guests only)",
			     key, type, xl_types);
}

/* Hardware and platform keys: chaos does what xl does, or refuses. */
static void
get_hw(struct ctx *c, struct domcfg *dc, int *err)
{
	int pvh = dc->type == DC_TYPE_PVH, b;
	char *v = NULL;

	if (pvh)
		no_effect_on(c, "e820_host", "PVH", "PV");
	else if (get_bool(c, "e820_host", &b, err) && b)
		refuse(c, "e820_host", "1", 0,
		       "chaos cannot give a guest the host's memory map", err);
	if (get_bool(c, "driver_domain", &b, err) && b)
		refuse(c, "driver_domain", "1", 0,
		       "chaos cannot make a guest a backend domain", err);
	if (get_bool(c, "xend_suspend_evtchn_compat", &b, err) && b)
		refuse(c, "xend_suspend_evtchn_compat", "1", 0,
		       "chaos writes libxl's suspend event channel node", err);
	if (!pvh)
		no_effect_on(c, "nestedhvm", "PV", "HVM and PVH");
	else if (get_bool(c, "nestedhvm", &b, err) && b)
		refuse(c, "nestedhvm", "1", 0,
		       "chaos gives a PVH guest no nested virtualisation", err);
	if (get_string(c, "pool", &v, err) && strcmp(v, "Pool-0") != 0)
		refuse(c, "pool", v, 1, "chaos makes every guest in Pool-0",
		       err);
	free(v);
	v = NULL;
	if (get_string(c, "passthrough", &v, err) &&
	    strcmp(v, "disabled") != 0 && strcmp(v, "default") != 0) {
		if (strcmp(v, "enabled") == 0 || strcmp(v, "sync_pt") == 0 ||
		    strcmp(v, "share_pt") == 0)
			refuse(c, "passthrough", v, 1,
			       "chaos passes no device through", err);
		else {
			key_error(c, "passthrough",
				  "passthrough '%s' is not disabled, enabled, "
				  "sync_pt or share_pt",
				  v);
			*err = 1;
		}
	}
	free(v);
	v = NULL;
	/* xl's modes by name or by number */
	if (get_string(c, "altp2m", &v, err)) {
		if (strcmp(v, "disabled") != 0 && strcmp(v, "0") != 0 &&
		    strcmp(v, "mixed") != 0 && strcmp(v, "1") != 0 &&
		    strcmp(v, "external") != 0 && strcmp(v, "2") != 0 &&
		    strcmp(v, "limited") != 0 && strcmp(v, "3") != 0) {
			key_error(c, "altp2m",
				  "altp2m '%s' is not disabled, mixed, "
				  "external or limited",
				  v);
			*err = 1;
		} else if (!pvh) {
			no_effect_on(c, "altp2m", "PV", "HVM and PVH");
		} else if (strcmp(v, "disabled") != 0 && strcmp(v, "0") != 0) {
			refuse(c, "altp2m", v, 1,
			       "chaos gives a PVH guest no alternate p2m", err);
		}
	}
	free(v);
}

int
domcfg_from_cfg(struct domcfg *dc, const struct cfg *cfg, struct diag *d)
{
	struct ctx c = {.cfg = cfg, .d = d};
	char *method = NULL;
	int err = 0;

	memset(dc, 0, sizeof(*dc));
	dc->on_poweroff = DC_ACT_DESTROY;
	dc->on_reboot = DC_ACT_RESTART;
	dc->on_crash = DC_ACT_DESTROY;
	dc->on_watchdog = DC_ACT_DESTROY;
	dc->on_soft_reset = DC_ACT_SOFT_RESET;
	check_keys(&c, &err);
	get_identity(&c, dc, &err);
	get_type(&c, dc, &err);
	get_bootloader(&c, dc, &err);
	if (!get_string(&c, "kernel", &dc->kernel, &err) &&
	    cfg_get(cfg, "kernel") == NULL && dc->bootloader == NULL)
		diag_error(d, 0, 0,
			   "no kernel given (kernel = \"/path\", or a "
			   "bootloader = \"pygrub\")");
	if (dc->kernel != NULL && dc->kernel[0] == '\0') {
		key_error(&c, "kernel", "kernel is an empty path");
		err = 1;
	}
	get_string(&c, "ramdisk", &dc->ramdisk, &err);
	get_cmdline(&c, dc, &err);
	get_resources(&c, dc, &err);
	get_action(&c, "on_poweroff", &dc->on_poweroff, &err);
	get_action(&c, "on_reboot", &dc->on_reboot, &err);
	get_action(&c, "on_crash", &dc->on_crash, &err);
	get_action(&c, "on_watchdog", &dc->on_watchdog, &err);
	get_action(&c, "on_soft_reset", &dc->on_soft_reset, &err);
	if (get_string(&c, "device_method", &method, &err)) {
		if (strcmp(method, "noxs") == 0)
			dc->method = DC_METHOD_NOXS;
		else if (strcmp(method, "xenstore") == 0)
			dc->method = DC_METHOD_XENSTORE;
		else if (strcmp(method, "auto") != 0) {
			key_error(&c, "device_method",
				  "device_method '%s' is not auto, noxs or "
				  "xenstore",
				  method);
			err = 1;
		}
		free(method);
	}
	get_tsc(&c, dc, &err);
	get_shadow(&c, dc, &err);
	get_limits(&c, dc, &err);
	get_hw(&c, dc, &err);
	get_sched(&c, dc, &err);
	get_vifs(&c, dc, &err);
	get_disks(&c, dc, &err);
	if (err || d->errors > 0) {
		domcfg_free(dc);
		return -1;
	}
	return 0;
}

void
domcfg_free(struct domcfg *dc)
{
	size_t i;

	free(dc->name);
	free(dc->kernel);
	free(dc->ramdisk);
	free(dc->cmdline);
	free(dc->cpusets);
	free(dc->softsets);
	for (i = 0; i < dc->nvifs; i++)
		dc_vif_free(&dc->vifs[i]);
	free(dc->vifs);
	for (i = 0; i < dc->ndisks; i++)
		dc_disk_free(&dc->disks[i]);
	free(dc->disks);
	free(dc->bootloader);
	for (i = 0; i < dc->nbootloader_args; i++)
		free(dc->bootloader_args[i]);
	free(dc->bootloader_args);
	memset(dc, 0, sizeof(*dc));
}
