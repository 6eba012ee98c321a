/*
 * devspec.c: the small languages inside xl.cfg values: vif specs
 * (xl-network-configuration(5)), disk specs (xl-disk-configuration(5)),
 * MAC addresses, UUIDs, CPU lists, rates and domain names.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "domcfg.h"

static int
hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dc_parse_mac(const char *s, uint8_t mac[6], const char **why)
{
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		hi = hexdig((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexdig((unsigned char)s[1]);
		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':')) {
			*why = "is not a MAC address (six hex pairs with ':')";
			return -1;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	if (mac[0] & 1) {
		*why = "is a multicast MAC address (the first octet is odd)";
		return -1;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		*why = "is the all-zero MAC address";
		return -1;
	}
	return 0;
}

int
dc_parse_uuid(const char *s, uint8_t uuid[16], const char **why)
{
	static const int dash_after[] = {4, 6, 8, 10};
	int i, d = 0, hi, lo;

	for (i = 0; i < 16; i++) {
		if (d < 4 && i == dash_after[d]) {
			if (*s++ != '-')
				goto bad;
			d++;
		}
		hi = hexdig((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexdig((unsigned char)s[1]);
		if (lo < 0)
			goto bad;
		uuid[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (*s == '\0')
		return 0;
bad:
	*why = "is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)";
	return -1;
}

/* Parse a decimal number at *p, advancing it; -1 when there is none. */
static long
take_num(const char **p, long max)
{
	long v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v > max)
			return -1;
		(*p)++;
	}
	return v;
}

static void
cpuset_range(struct dc_cpuset *set, long a, long b, int on)
{
	long c;

	for (c = a; c <= b; c++) {
		if (on)
			set->bits[c / 64] |= 1ULL << (c % 64);
		else
			set->bits[c / 64] &= ~(1ULL << (c % 64));
	}
}

/* "all", "3", "0-3", "^2", "0-7,^4-5" as in xl.cfg(5) "cpus". */
int
dc_parse_cpuset(const char *s, struct dc_cpuset *set, const char **why)
{
	const char *p = s;
	long a, b;
	int neg, any = 0;
	size_t i;

	memset(set, 0, sizeof(*set));
	for (;;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "node", 4) == 0) {
			*why = "uses NUMA nodes, which chaos does not support";
			return -1;
		}
		if (strncmp(p, "all", 3) == 0) {
			p += 3;
			cpuset_range(set, 0, DC_MAX_CPUS - 1, 1);
		} else {
			neg = *p == '^';
			if (neg)
				p++;
			a = take_num(&p, DC_MAX_CPUS - 1);
			b = a;
			if (a >= 0 && *p == '-') {
				p++;
				b = take_num(&p, DC_MAX_CPUS - 1);
			}
			if (a < 0 || b < 0 || b < a) {
				*why = "is not a CPU list (like \"0-3,^2\" or "
				       "\"all\"; CPUs below 4096)";
				return -1;
			}
			cpuset_range(set, a, b, !neg);
		}
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p++ != ',') {
			*why = "is not a CPU list (like \"0-3,^2\" or \"all\")";
			return -1;
		}
	}
	for (i = 0; i < DC_MAX_CPUS / 64; i++)
		any |= set->bits[i] != 0;
	if (!any) {
		*why = "selects no CPU";
		return -1;
	}
	return 0;
}

/* "RATE[@INTERVAL]": RATE is N[K|M|G](B|b)/s, INTERVAL is N(s|ms|us). */
int
dc_parse_rate(const char *s, uint64_t *bytes, uint32_t *interval_us,
	      const char **why)
{
	const char *p = s;
	uint64_t v, mult = 1, us = 50000; /* libxl's default interval */
	long n;

	n = take_num(&p, 1000000000L);
	if (n <= 0)
		goto bad;
	v = (uint64_t)n;
	switch (*p) {
	case 'G':
		mult = 1000000000ULL;
		p++;
		break;
	case 'M':
		mult = 1000000ULL;
		p++;
		break;
	case 'K':
		mult = 1000ULL;
		p++;
		break;
	}
	v *= mult;
	if (*p == 'b')
		v /= 8;
	else if (*p != 'B')
		goto bad;
	p++;
	if (strncmp(p, "/s", 2) != 0)
		goto bad;
	p += 2;
	if (*p == '@') {
		p++;
		n = take_num(&p, 1000000000L);
		if (n <= 0)
			goto bad;
		if (strcmp(p, "s") == 0)
			us = (uint64_t)n * 1000000;
		else if (strcmp(p, "ms") == 0)
			us = (uint64_t)n * 1000;
		else if (strcmp(p, "us") == 0)
			us = (uint64_t)n;
		else
			goto bad;
		p += strlen(p);
		if (us > UINT32_MAX) {
			*why = "has an interval longer than 4294 s";
			return -1;
		}
	}
	if (*p != '\0' || v == 0)
		goto bad;
	*bytes = v;
	*interval_us = (uint32_t)us;
	return 0;
bad:
	*why = "is not a rate (like \"10Mb/s\" or \"1MB/s@20ms\")";
	return -1;
}

int
dc_check_name(const char *name, const char **why)
{
	const unsigned char *p;
	int digits = 1;

	if (*name == '\0') {
		*why = "is empty";
		return -1;
	}
	if (strlen(name) > 64) {
		*why = "is longer than 64 characters";
		return -1;
	}
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p == '/' || *p <= ' ' || *p == 0x7f) {
			*why = "contains '/', a space or a control character";
			return -1;
		}
		/* C1 controls (U+0080-U+009F) act on terminals too */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*why = "contains a control character";
			return -1;
		}
		digits &= isdigit(*p) != 0;
	}
	if (!cfg_utf8_valid((const unsigned char *)name, strlen(name))) {
		*why = "is not valid UTF-8";
		return -1;
	}
	if (digits) {
		*why = "is all digits, which xl would read as a domain id";
		return -1;
	}
	if (name[0] == '.' || name[0] == '-') {
		*why = "starts with '.' or '-'";
		return -1;
	}
	if (strcmp(name, "Domain-0") == 0) {
		*why = "is the name of dom0";
		return -1;
	}
	return 0;
}

/* --- vif specs ---------------------------------------------------------- */

/* Splits "a=b, c" at commas; returns the next trimmed item or NULL. */
static char *
next_item(char **cursor)
{
	char *start = *cursor, *end, *comma;

	if (start == NULL)
		return NULL;
	comma = strchr(start, ',');
	if (comma != NULL) {
		*comma = '\0';
		*cursor = comma + 1;
	} else {
		*cursor = NULL;
	}
	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return start;
}

static int
set_str(char **dst, const char *val, struct diag *d, const struct dc_loc *at)
{
	char *s = strdup(val);

	if (s == NULL) {
		diag_error_at(d, at->source, at->line, at->col,
			      "out of memory");
		return -1;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static long
parse_ulong(const char *s, long max)
{
	const char *p = s;
	long v = take_num(&p, max);

	return *p == '\0' ? v : -1;
}

void
dc_vif_free(struct dc_vif *vif)
{
	free(vif->bridge);
	free(vif->ip);
	free(vif->vifname);
	free(vif->model);
	free(vif->script);
	free(vif->backend);
	free(vif->gatewaydev);
	memset(vif, 0, sizeof(*vif));
}

int
dc_parse_vif(struct dc_vif *vif, unsigned index, const char *spec,
	     const struct dc_loc *at, struct diag *d)
{
	char *buf, *cursor, *item, *val, **dst;
	const char *why;
	long n;
	int rc = -1;

	memset(vif, 0, sizeof(*vif));
	vif->devid = index;
	buf = strdup(spec);
	if (buf == NULL || set_str(&vif->bridge, "xenbr0", d, at) < 0)
		goto out;
	cursor = buf;
	while ((item = next_item(&cursor)) != NULL) {
		if (*item == '\0')
			continue;
		val = strchr(item, '=');
		if (val == NULL) {
			if (strcmp(item, "trusted") == 0 ||
			    strcmp(item, "untrusted") == 0) {
				diag_warn_at(
					d, at->source, at->line, at->col,
					"vif option '%s' is ignored by chaos",
					item);
				continue;
			}
			diag_error_at(d, at->source, at->line, at->col,
				      "vif option '%s' is not key=value", item);
			goto out;
		}
		*val++ = '\0';
		dst = NULL;
		if (strcmp(item, "mac") == 0) {
			if (dc_parse_mac(val, vif->mac, &why) < 0) {
				diag_error_at(d, at->source, at->line, at->col,
					      "vif mac '%s' %s", val, why);
				goto out;
			}
			vif->has_mac = 1;
		} else if (strcmp(item, "bridge") == 0) {
			if (*val == '\0' || strlen(val) > 15 ||
			    strchr(val, '/') != NULL) {
				diag_error_at(
					d, at->source, at->line, at->col,
					"vif bridge '%s' is not an "
					"interface name (1-15 characters)",
					val);
				goto out;
			}
			dst = &vif->bridge;
		} else if (strcmp(item, "ip") == 0) {
			dst = &vif->ip;
		} else if (strcmp(item, "vifname") == 0) {
			if (*val == '\0' || strlen(val) > 15 ||
			    strchr(val, '/') != NULL) {
				diag_error_at(
					d, at->source, at->line, at->col,
					"vif vifname '%s' is not an "
					"interface name (1-15 characters)",
					val);
				goto out;
			}
			dst = &vif->vifname;
		} else if (strcmp(item, "model") == 0) {
			dst = &vif->model;
		} else if (strcmp(item, "backend") == 0) {
			dst = &vif->backend;
		} else if (strcmp(item, "gatewaydev") == 0) {
			dst = &vif->gatewaydev;
		} else if (strcmp(item, "netdev") == 0) {
			/* not a bridge: xl reads it as gatewaydev */
			diag_warn_at(d, at->source, at->line, at->col,
				     "vif option 'netdev' is deprecated: "
				     "it means gatewaydev, as in xl");
			dst = &vif->gatewaydev;
		} else if (strcmp(item, "script") == 0) {
			diag_warn_at(d, at->source, at->line, at->col,
				     "vif script '%s' is not run: chaos wires "
				     "vifs with xendevd, not scripts",
				     val);
			dst = &vif->script;
		} else if (strcmp(item, "type") == 0) {
			if (strcmp(val, "vif") != 0 &&
			    strcmp(val, "ioemu") != 0) {
				diag_error_at(d, at->source, at->line, at->col,
					      "vif type '%s' is not 'vif' or "
					      "'ioemu'",
					      val);
				goto out;
			}
		} else if (strcmp(item, "rate") == 0) {
			if (dc_parse_rate(val, &vif->rate_bytes,
					  &vif->rate_interval_us, &why) < 0) {
				diag_error_at(d, at->source, at->line, at->col,
					      "vif rate '%s' %s", val, why);
				goto out;
			}
			vif->has_rate = 1;
		} else if (strcmp(item, "mtu") == 0) {
			n = parse_ulong(val, 65535);
			if (n < 68) {
				diag_error_at(d, at->source, at->line, at->col,
					      "vif mtu '%s' is not a number "
					      "from 68 to 65535",
					      val);
				goto out;
			}
			vif->mtu = (unsigned)n;
		} else if (strcmp(item, "devid") == 0) {
			n = parse_ulong(val, 65535);
			if (n < 0) {
				diag_error_at(d, at->source, at->line, at->col,
					      "vif devid '%s' is not a number "
					      "from 0 to 65535",
					      val);
				goto out;
			}
			vif->devid = (unsigned)n;
		} else if (strcmp(item, "forwarddev") == 0) {
			diag_warn_at(
				d, at->source, at->line, at->col,
				"vif option 'forwarddev' (COLO) is ignored "
				"by chaos");
		} else if (strcmp(item, "accel") == 0) {
			diag_warn_at(
				d, at->source, at->line, at->col,
				"vif option 'accel' is obsolete and ignored");
		} else {
			diag_warn_at(d, at->source, at->line, at->col,
				     "unknown vif option '%s' ignored", item);
		}
		if (dst != NULL && set_str(dst, val, d, at) < 0)
			goto out;
	}
	rc = 0;
out:
	if (buf == NULL)
		diag_error_at(d, at->source, at->line, at->col,
			      "out of memory");
	free(buf);
	if (rc < 0)
		dc_vif_free(vif);
	return rc;
}

/* --- disk specs --------------------------------------------------------- */

struct diskparse {
	struct dc_disk *disk;
	struct diag *d;
	const struct dc_loc *at;
	int npositional;
	int had_prefix; /* deprecated "phy:" etc. seen */
	int format_set, access_set, target_set;
};

static int
disk_err(struct diskparse *dp, const char *what, const char *why)
{
	diag_error_at(dp->d, dp->at->source, dp->at->line, dp->at->col,
		      "disk: '%s' %s", what, why);
	return -1;
}

static int
set_format(struct diskparse *dp, const char *s)
{
	static const struct {
		const char *name;
		enum dc_disk_format f;
	} fmts[] = {
		{"", DC_FMT_RAW},	 {"raw", DC_FMT_RAW},
		{"qcow", DC_FMT_QCOW},	 {"qcow2", DC_FMT_QCOW2},
		{"vhd", DC_FMT_VHD},	 {"qed", DC_FMT_QED},
		{"empty", DC_FMT_EMPTY},
	};
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (strcmp(s, fmts[i].name) == 0) {
			if (dp->format_set && dp->disk->format != fmts[i].f)
				return disk_err(dp, s, "respecifies format");
			dp->disk->format = fmts[i].f;
			dp->format_set = 1;
			return 0;
		}
	}
	return disk_err(dp, s, "is not a disk format");
}

static int
set_access(struct diskparse *dp, const char *s)
{
	if (strcmp(s, "r") == 0 || strcmp(s, "ro") == 0)
		dp->disk->readonly = 1;
	else if (strcmp(s, "w") == 0 || strcmp(s, "rw") == 0 || *s == '\0')
		dp->disk->readonly = 0;
	else
		return disk_err(dp, s, "is not an access mode (ro, rw)");
	dp->access_set = 1;
	return 0;
}

static int
save_string(struct diskparse *dp, char **dst, const char *what, const char *val)
{
	if (*dst != NULL && **dst != '\0')
		return disk_err(dp, val, what);
	return set_str(dst, val, dp->d, dp->at);
}

/* "xvdc:cdrom" in the vdev position: 1 if it was one, 0 if not, -1. */
static int
vdev_devtype(struct diskparse *dp, char *s)
{
	char *colon = strrchr(s, ':');

	if (colon == NULL)
		return 0;
	*colon++ = '\0';
	if (strcmp(colon, "cdrom") == 0)
		dp->disk->cdrom = 1;
	else if (strcmp(colon, "disk") == 0)
		dp->disk->cdrom = 0;
	else
		return disk_err(dp, colon, "is not a device type");
	return save_string(dp, &dp->disk->vdev, "respecifies vdev", s) < 0 ? -1
									   : 1;
}

/* Strip deprecated "phy:", "raw:", "tap:aio:" ... prefixes off *item. */
static int
strip_prefixes(struct diskparse *dp, char **item)
{
	static const char *const plain[] = {"tapdisk", "tap",  "tap2", "aio",
					    "ioemu",   "file", "phy"};
	static const char *const fmt[] = {"raw", "qcow", "qcow2", "vhd"};
	char *s = *item, *colon, *script;
	size_t i, n;

	for (;;) {
		for (n = 0; islower((unsigned char)s[n]) ||
			    isdigit((unsigned char)s[n]);
		     n++)
			;
		if (n == 0 || s[n] != ':' || !islower((unsigned char)s[0]))
			break;
		colon = s + n;
		*colon = '\0';
		for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
			if (strcmp(s, plain[i]) == 0)
				goto matched;
		for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
			if (strcmp(s, fmt[i]) == 0) {
				if (set_format(dp, s) < 0)
					return -1;
				goto matched;
			}
		}
		if (strcmp(s, "iscsi") == 0 || strcmp(s, "nbd") == 0 ||
		    strcmp(s, "enbd") == 0 || strcmp(s, "drbd") == 0) {
			script = malloc(strlen(s) + 7);
			if (script == NULL)
				return disk_err(dp, s, "(out of memory)");
			strcpy(script, "block-");
			strcat(script, s);
			free(dp->disk->script);
			dp->disk->script = script;
			goto matched;
		}
		/* "xvda:cdrom" style: let the positional code see it */
		if (isalnum((unsigned char)colon[1])) {
			*colon = ':';
			break;
		}
		return disk_err(dp, s, "is not a known disk prefix");
	matched:
		dp->had_prefix = 1;
		s = colon + 1;
	}
	*item = s;
	return 0;
}

static int
disk_positional(struct diskparse *dp, char *s)
{
	struct dc_disk *disk = dp->disk;
	int r;

	if (!dp->target_set) {
		dp->target_set = 1;
		return save_string(dp, &disk->target, "respecifies target", s);
	}
	if (!dp->had_prefix && !dp->format_set) {
		if (disk->target[0] == '\0') {
			r = vdev_devtype(dp, s);
			if (r != 0) {
				disk->format = DC_FMT_EMPTY;
				dp->format_set = 1;
				return r < 0 ? -1 : 0;
			}
		}
		return set_format(dp, s);
	}
	if (disk->vdev == NULL) {
		r = vdev_devtype(dp, s);
		if (r != 0)
			return r < 0 ? -1 : 0;
		return save_string(dp, &disk->vdev, "respecifies vdev", s);
	}
	if (!dp->access_set)
		return set_access(dp, s);
	return disk_err(dp, s, "is one positional parameter too many");
}

static int
disk_keyword(struct diskparse *dp, char *item, char *val)
{
	struct dc_disk *disk = dp->disk;

	if (strcmp(item, "format") == 0)
		return set_format(dp, val);
	if (strcmp(item, "access") == 0)
		return set_access(dp, val);
	if (strcmp(item, "vdev") == 0)
		return save_string(dp, &disk->vdev, "respecifies vdev", val);
	if (strcmp(item, "script") == 0) {
		diag_warn_at(
			dp->d, dp->at->source, dp->at->line, dp->at->col,
			"disk script '%s' is not run: chaos runs no hotplug "
			"scripts",
			val);
		return save_string(dp, &disk->script, "respecifies script",
				   val);
	}
	if (strcmp(item, "backend") == 0)
		return save_string(dp, &disk->backend, "respecifies backend",
				   val);
	if (strcmp(item, "devtype") == 0) {
		if (strcmp(val, "cdrom") == 0)
			disk->cdrom = 1;
		else if (strcmp(val, "disk") == 0)
			disk->cdrom = 0;
		else
			return disk_err(dp, val,
					"is not a devtype (disk, cdrom)");
		return 0;
	}
	if (strcmp(item, "backendtype") == 0) {
		if (strcmp(val, "phy") == 0)
			disk->backendtype = DC_BK_PHY;
		else if (strcmp(val, "qdisk") == 0)
			disk->backendtype = DC_BK_QDISK;
		else if (strcmp(val, "tap") == 0)
			disk->backendtype = DC_BK_TAP;
		else if (strcmp(val, "standalone") == 0)
			disk->backendtype = DC_BK_STANDALONE;
		else
			return disk_err(dp, val, "is not a backendtype");
		return 0;
	}
	if (strcmp(item, "specification") == 0) {
		if (strcmp(val, "xen") != 0)
			return disk_err(dp, val,
					"is not supported (only "
					"specification=xen)");
		return 0;
	}
	if (strcmp(item, "grant_usage") == 0 || strncmp(item, "colo", 4) == 0 ||
	    strcmp(item, "active-disk") == 0 ||
	    strcmp(item, "hidden-disk") == 0) {
		diag_warn_at(dp->d, dp->at->source, dp->at->line, dp->at->col,
			     "disk option '%s' is ignored by chaos", item);
		return 0;
	}
	return disk_err(dp, item, "is not a disk parameter");
}

void
dc_disk_free(struct dc_disk *disk)
{
	free(disk->target);
	free(disk->vdev);
	free(disk->script);
	free(disk->backend);
	memset(disk, 0, sizeof(*disk));
}

int
dc_parse_disk(struct dc_disk *disk, const char *spec, const struct dc_loc *at,
	      struct diag *d)
{
	struct diskparse dp = {.disk = disk, .d = d, .at = at};
	char *buf, *p, *item, *comma, *val, *end;
	int rc = -1;

	memset(disk, 0, sizeof(*disk));
	disk->discard = -1;
	buf = strdup(spec);
	if (buf == NULL) {
		diag_error_at(d, at->source, at->line, at->col,
			      "out of memory");
		return -1;
	}
	p = buf;
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (strncmp(p, "target=", 7) == 0) { /* eats the rest */
			dp.target_set = 1;
			end = p + strlen(p);
			if (end > p + 7 && end[-1] == ',')
				*--end = '\0';
			if (save_string(&dp, &disk->target,
					"respecifies target", p + 7) < 0)
				goto out;
			break;
		}
		item = p;
		comma = strchr(p, ',');
		if (comma != NULL) {
			*comma = '\0';
			p = comma + 1;
		} else {
			p = NULL;
		}
		if (strip_prefixes(&dp, &item) < 0)
			goto out;
		if (strcmp(item, "cdrom") == 0) {
			disk->cdrom = 1;
			continue;
		}
		if (strcmp(item, "discard") == 0 ||
		    strcmp(item, "no-discard") == 0) {
			disk->discard = item[0] == 'd';
			continue;
		}
		if (strcmp(item, "direct-io-safe") == 0 ||
		    strcmp(item, "trusted") == 0 ||
		    strcmp(item, "untrusted") == 0 ||
		    strcmp(item, "colo") == 0 || strcmp(item, "no-colo") == 0) {
			diag_warn_at(d, at->source, at->line, at->col,
				     "disk option '%s' is ignored by chaos",
				     item);
			continue;
		}
		val = strchr(item, '=');
		if (val != NULL) {
			*val++ = '\0';
			if (disk_keyword(&dp, item, val) < 0)
				goto out;
			continue;
		}
		if (disk_positional(&dp, item) < 0)
			goto out;
		if (p != NULL && *p == '\0') /* "x," ends with an empty slot */
			p = NULL;
	}
	if (disk->vdev == NULL || disk->vdev[0] == '\0') {
		disk_err(&dp, spec, "names no vdev (like xvda)");
		goto out;
	}
	if (disk->target != NULL && disk->target[0] == '\0') {
		free(disk->target);
		disk->target = NULL;
	}
	if (disk->target == NULL && !disk->cdrom) {
		disk_err(&dp, spec,
			 "names no target (only a cdrom may be "
			 "empty)");
		goto out;
	}
	if (disk->target == NULL)
		disk->format = DC_FMT_EMPTY;
	/* xl makes every cdrom read-only, whatever its access says */
	if (disk->cdrom)
		disk->readonly = 1;
	rc = 0;
out:
	free(buf);
	if (rc < 0)
		dc_disk_free(disk);
	return rc;
}

/* append ",key=value" (or "key=value" first) to *out; -1 when out of room */
static int put_item(char *out, size_t cap, const char *key, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static int
put_item(char *out, size_t cap, const char *key, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;
	int n;

	n = snprintf(out + len, cap - len, "%s%s=", len ? "," : "", key);
	if (n < 0 || (size_t)n >= cap - len)
		return -1;
	len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(out + len, cap - len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

char *
dc_vif_format(const struct dc_vif *v)
{
	static const uint64_t units[] = {1000000000ULL, 1000000ULL, 1000ULL, 1};
	static const char *const unit_names[] = {"G", "M", "K", ""};
	const struct {
		const char *key, *val;
	} text[] = {
		{"bridge", v->bridge},	 {"ip", v->ip},
		{"vifname", v->vifname}, {"model", v->model},
		{"backend", v->backend}, {"gatewaydev", v->gatewaydev},
		{"script", v->script},
	};
	char *out = calloc(1, 1024);
	size_t i, u;
	int bad;

	if (out == NULL)
		return NULL;
	bad = put_item(out, 1024, "devid", "%u", v->devid);
	if (v->has_mac)
		bad |= put_item(out, 1024, "mac",
				"%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0],
				v->mac[1], v->mac[2], v->mac[3], v->mac[4],
				v->mac[5]);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (text[i].val != NULL)
			bad |= put_item(out, 1024, text[i].key, "%s",
					text[i].val);
	if (v->mtu != 0)
		bad |= put_item(out, 1024, "mtu", "%u", v->mtu);
	if (v->has_rate) {
		for (u = 0; v->rate_bytes % units[u] != 0; u++)
			;
		bad |= put_item(out, 1024, "rate", "%llu%sB/s@%uus",
				(unsigned long long)(v->rate_bytes / units[u]),
				unit_names[u], v->rate_interval_us);
	}
	if (bad) {
		free(out);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return out;
}

char *
dc_disk_format(const struct dc_disk *k)
{
	static const char *const formats[] = {
		[DC_FMT_RAW] = "raw",	  [DC_FMT_QCOW] = "qcow",
		[DC_FMT_QCOW2] = "qcow2", [DC_FMT_VHD] = "vhd",
		[DC_FMT_QED] = "qed",	  [DC_FMT_EMPTY] = "empty",
	};
	static const char *const backends[] = {
		[DC_BK_AUTO] = NULL,
		[DC_BK_PHY] = "phy",
		[DC_BK_QDISK] = "qdisk",
		[DC_BK_TAP] = "tap",
		[DC_BK_STANDALONE] = "standalone",
	};
	char *out = calloc(1, 1024);
	int bad;

	if (out == NULL)
		return NULL;
	bad = put_item(out, 1024, "format", "%s", formats[k->format]);
	bad |= put_item(out, 1024, "vdev", "%s", k->vdev);
	bad |= put_item(out, 1024, "access", "%s", k->readonly ? "ro" : "rw");
	if (k->cdrom)
		bad |= put_item(out, 1024, "devtype", "cdrom");
	if (backends[k->backendtype] != NULL)
		bad |= put_item(out, 1024, "backendtype", "%s",
				backends[k->backendtype]);
	if (k->script != NULL)
		bad |= put_item(out, 1024, "script", "%s", k->script);
	if (k->backend != NULL)
		bad |= put_item(out, 1024, "backend", "%s", k->backend);
	if (k->discard >= 0 && strlen(out) + 12 < 1024)
		strcat(out, k->discard ? ",discard" : ",no-discard");
	/* last: a target takes the rest of the spec, commas and all */
	bad |= put_item(out, 1024, "target", "%s",
			k->target != NULL ? k->target : "");
	if (bad) {
		free(out);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return out;
}
