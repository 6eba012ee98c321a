/*
 * domcfg_json.c: struct domcfg as canonical JSON (the dry run's output).
 *
 * Canonical means: every field always present (null when unset), fixed key
 * order, memory in MiB as in xl.cfg, CPU sets as normalised range strings.
 * Golden tests diff this text, so changing it is an interface change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "domcfg_json.h"

#define STR(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

static void
str_or_null(yajl_gen g, const char *key, const char *val)
{
	STR(g, key);
	if (val != NULL)
		STR(g, val);
	else
		yajl_gen_null(g);
}

static void
num(yajl_gen g, const char *key, unsigned long long v)
{
	STR(g, key);
	yajl_gen_integer(g, (long long)v);
}

/* "0-3,6,8-9": the shortest range list naming exactly the set */
void
dc_cpuset_format(const struct dc_cpuset *set, char *buf, size_t len)
{
	unsigned c = 0, start;
	size_t n = 0;

	buf[0] = '\0';
	while (c < DC_MAX_CPUS) {
		if (!dc_cpuset_has(set, c)) {
			c++;
			continue;
		}
		start = c;
		while (c + 1 < DC_MAX_CPUS && dc_cpuset_has(set, c + 1))
			c++;
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%u",
					      n ? "," : "", start);
		if (c > start && n < len)
			n += (size_t)snprintf(buf + n, len - n, "-%u", c);
		c++;
	}
}

static void
gen_cpus(yajl_gen g, const char *key, const struct dc_cpuset *sets, size_t n,
	 int per_vcpu)
{
	char buf[256];
	size_t i;

	STR(g, key);
	if (n == 0) {
		yajl_gen_null(g);
		return;
	}
	if (per_vcpu)
		yajl_gen_array_open(g);
	for (i = 0; i < n; i++) {
		dc_cpuset_format(&sets[i], buf, sizeof(buf));
		STR(g, buf);
	}
	if (per_vcpu)
		yajl_gen_array_close(g);
}

/* a limit that is Xen's default when negative */
static void
limit(yajl_gen g, const char *key, long long v)
{
	STR(g, key);
	if (v < 0)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, v);
}

static void
boolean(yajl_gen g, const char *key, int v)
{
	STR(g, key);
	yajl_gen_bool(g, v);
}

static void
gen_vif(yajl_gen g, const struct dc_vif *v)
{
	char mac[18];

	yajl_gen_map_open(g);
	num(g, "devid", v->devid);
	if (v->has_mac)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
			 v->mac[5]);
	str_or_null(g, "mac", v->has_mac ? mac : NULL);
	str_or_null(g, "bridge", v->bridge);
	str_or_null(g, "ip", v->ip);
	str_or_null(g, "vifname", v->vifname);
	str_or_null(g, "model", v->model);
	STR(g, "mtu");
	if (v->mtu)
		yajl_gen_integer(g, v->mtu);
	else
		yajl_gen_null(g);
	STR(g, "rate");
	if (v->has_rate) {
		yajl_gen_map_open(g);
		num(g, "bytes_per_second", v->rate_bytes);
		num(g, "interval_us", v->rate_interval_us);
		yajl_gen_map_close(g);
	} else {
		yajl_gen_null(g);
	}
	str_or_null(g, "backend", v->backend);
	str_or_null(g, "gatewaydev", v->gatewaydev);
	str_or_null(g, "script", v->script);
	yajl_gen_map_close(g);
}

static void
gen_disk(yajl_gen g, const struct dc_disk *d)
{
	yajl_gen_map_open(g);
	str_or_null(g, "vdev", d->vdev);
	str_or_null(g, "target", d->target);
	str_or_null(g, "format", dc_format_name(d->format));
	str_or_null(g, "access", d->readonly ? "ro" : "rw");
	str_or_null(g, "devtype", d->cdrom ? "cdrom" : "disk");
	str_or_null(g, "backendtype", dc_backend_name(d->backendtype));
	str_or_null(g, "backend", d->backend);
	str_or_null(g, "script", d->script);
	STR(g, "discard");
	if (d->discard < 0)
		yajl_gen_null(g);
	else
		yajl_gen_bool(g, d->discard);
	yajl_gen_map_close(g);
}

void
domcfg_json_gen(yajl_gen g, const struct domcfg *dc)
{
	char uuid[37];
	size_t i, len;

	yajl_gen_map_open(g);
	str_or_null(g, "name", dc->name);
	if (dc->has_uuid) {
		for (i = 0, len = 0; i < 16; i++)
			len += (size_t)snprintf(
				uuid + len, sizeof(uuid) - len, "%s%02x",
				i == 4 || i == 6 || i == 8 || i == 10 ? "-"
								      : "",
				dc->uuid[i]);
	}
	str_or_null(g, "uuid", dc->has_uuid ? uuid : NULL);
	str_or_null(g, "type", dc->type == DC_TYPE_PVH ? "pvh" : "pv");
	str_or_null(g, "kernel", dc->kernel);
	str_or_null(g, "ramdisk", dc->ramdisk);
	str_or_null(g, "cmdline", dc->cmdline);
	str_or_null(g, "bootloader", dc->bootloader);
	STR(g, "bootloader_args");
	yajl_gen_array_open(g);
	for (i = 0; i < dc->nbootloader_args; i++)
		STR(g, dc->bootloader_args[i]);
	yajl_gen_array_close(g);
	num(g, "memory", dc->memory);
	num(g, "maxmem", dc->maxmem);
	num(g, "vcpus", dc->vcpus);
	num(g, "maxvcpus", dc->maxvcpus);
	gen_cpus(g, "cpus", dc->cpusets, dc->ncpusets, dc->cpus_per_vcpu);
	str_or_null(g, "on_poweroff", dc_action_name(dc->on_poweroff));
	str_or_null(g, "on_reboot", dc_action_name(dc->on_reboot));
	str_or_null(g, "on_crash", dc_action_name(dc->on_crash));
	str_or_null(g, "device_method", dc_method_name(dc->method));
	str_or_null(g, "tsc_mode", dc_tsc_name(dc->tsc_mode));
	if (dc->shadow_memory)
		num(g, "shadow_memory", dc->shadow_memory);
	else {
		STR(g, "shadow_memory");
		yajl_gen_null(g);
	}
	gen_cpus(g, "cpus_soft", dc->softsets, dc->nsoftsets,
		 dc->soft_per_vcpu);
	str_or_null(g, "on_watchdog", dc_action_name(dc->on_watchdog));
	str_or_null(g, "on_soft_reset", dc_action_name(dc->on_soft_reset));
	limit(g, "max_grant_frames", dc->max_grant_frames);
	limit(g, "max_maptrack_frames", dc->max_maptrack_frames);
	num(g, "max_event_channels", dc->max_event_channels);
	boolean(g, "nomigrate", dc->nomigrate);
	boolean(g, "localtime", dc->localtime);
	STR(g, "rtc_timeoffset");
	yajl_gen_integer(g, dc->rtc_timeoffset);
	boolean(g, "msr_relaxed", dc->msr_relaxed);
	STR(g, "cpu_weight");
	if (dc->cpu_weight > 0)
		yajl_gen_integer(g, dc->cpu_weight);
	else
		yajl_gen_null(g);
	STR(g, "cap");
	if (dc->cap >= 0)
		yajl_gen_integer(g, dc->cap);
	else
		yajl_gen_null(g);
	STR(g, "vifs");
	yajl_gen_array_open(g);
	for (i = 0; i < dc->nvifs; i++)
		gen_vif(g, &dc->vifs[i]);
	yajl_gen_array_close(g);
	STR(g, "disks");
	yajl_gen_array_open(g);
	for (i = 0; i < dc->ndisks; i++)
		gen_disk(g, &dc->disks[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

char *
json_gen_finish(yajl_gen g)
{
	const unsigned char *buf;
	char *out = NULL;
	size_t len;

	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = malloc(len + 1);
		if (out != NULL) {
			memcpy(out, buf, len);
			out[len] = '\0';
		}
	}
	yajl_gen_free(g);
	return out;
}

yajl_gen
json_gen_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g != NULL) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	return g;
}

char *
domcfg_to_json(const struct domcfg *dc)
{
	yajl_gen g = json_gen_new();

	if (g == NULL)
		return NULL;
	domcfg_json_gen(g, dc);
	return json_gen_finish(g);
}
