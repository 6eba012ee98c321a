/*
 * fuzz_recdevs.c: libFuzzer target for the rewrite of a guest's stored
 * config after attach and detach (ts_config_devices, chaos/recdevs.c).
 * The config is the user's text, read back from the registry as hostile;
 * what the rewrite makes is what the monitor creates the guest from on a
 * reboot.  The first byte picks the change, the rest is the config.
 * Whatever the bytes: text that does not parse is left as it was; a
 * rewrite starts with the user's text, parses, and its every vif and disk
 * parses again; a vif added is there with its quote intact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "domcfg.h"
#include "toolstack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the added vif's ip= as the rewrite must quote it */
static const char quoted_ip[] = "ip=it\\'s\\\\here";

static size_t
count(const struct cfg *cfg, const char *key)
{
	const struct cfg_setting *s = cfg_get(cfg, key);

	return s != NULL && s->value->type == CFG_LIST ? s->value->nitems : 0;
}

/* every item of list key parses as what it is; how many there are */
static size_t
all_parse(const struct cfg *cfg, const char *key)
{
	const struct cfg_setting *s = cfg_get(cfg, key);
	struct dc_loc at = {"fuzz", 0, 0};
	struct diag d = {.source = "fuzz"};
	struct dc_disk k;
	struct dc_vif v;
	size_t i, n = count(cfg, key);

	for (i = 0; i < n; i++) {
		const struct cfg_value *it = s->value->items[i];

		if (it->type != CFG_ATOM)
			abort();
		if (key[0] == 'v' &&
		    dc_parse_vif(&v, (unsigned)i, it->atom, &at, &d) == 0)
			dc_vif_free(&v);
		else if (key[0] == 'd' &&
			 dc_parse_disk(&k, it->atom, &at, &d) == 0)
			dc_disk_free(&k);
		else
			abort();
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_loc at = {"fuzz", 0, 0};
	struct diag d = {.source = "fuzz"};
	struct ts_devchange c = {-1, NULL, -1, NULL};
	struct cfg before = {NULL}, after = {NULL};
	struct dc_vif vif;
	struct dc_disk disk;
	char *text;
	size_t len;
	int parsed;

	if (size < 1)
		return 0;
	if (dc_parse_vif(&vif, 3,
			 "bridge=xenbr0,ip=it's\\here,mac=00:16:3e:00:00:01",
			 &at, &d) < 0 ||
	    dc_parse_disk(&disk, "/img/o'k,raw,xvdz,ro", &at, &d) < 0)
		abort();
	c.vif_drop = data[0] & 1 ? data[0] >> 4 : -1;
	c.vif_add = data[0] & 2 ? &vif : NULL;
	c.disk_drop = data[0] & 4 ? 51712 + 16 * (data[0] >> 5) : -1;
	c.disk_add = data[0] & 8 ? &disk : NULL;
	len = size - 1;
	text = malloc(len + 1);
	if (text == NULL)
		abort();
	memcpy(text, data + 1, len);
	text[len] = '\0';
	parsed = cfg_parse(&before, text, len, &d) == 0;
	if (ts_config_devices(&text, &len, &c) < 0) {
		if (parsed && c.vif_add == NULL && c.disk_add == NULL)
			abort(); /* nothing could fail but the parse */
		if (len != size - 1 || memcmp(text, data + 1, len) != 0)
			abort(); /* left as it was */
	} else {
		if (!parsed)
			abort();
		if (cfg_parse(&after, text, len, &d) != 0)
			abort();
		all_parse(&after, "vif");
		all_parse(&after, "disk");
		/* (a comment of the user's may hold a NUL) */
		if (c.vif_add != NULL &&
		    memmem(text, len, quoted_ip, sizeof(quoted_ip) - 1) == NULL)
			abort();
	}
	cfg_free(&before);
	cfg_free(&after);
	free(text);
	dc_vif_free(&vif);
	dc_disk_free(&disk);
	return 0;
}
