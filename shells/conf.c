/*
 * conf.c: chaos-shelld's config, in xl.cfg syntax, read with chaos's own
 * parser (cfg.c).  Pure: text in, struct sh_conf or one error per cause
 * out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgfile.h"
#include "shelld.h"

#define MIB_MAX	   (1u << 20) /* 1 TiB */
#define VCPUS_MAX  128
#define SHELLS_MAX 4096 /* per class */

/* a non-negative decimal number up to max: 0, or -1 */
static int
number(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *v <= max ? 0 : -1;
}

static int
name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= SHP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

/* "name=N,memory=M,vcpus=V,shells=K" */
static int
parse_class(struct sh_class *k, unsigned index, const struct cfg_value *v,
	    struct diag *d)
{
	unsigned long long n;
	char *spec, *item, *save = NULL, *val;
	int have_mem = 0, rc = -1;

	memset(k, 0, sizeof(*k));
	k->vcpus = 1;
	if (v->type != CFG_ATOM) {
		diag_error(d, v->line, v->col, "class %u: not a string", index);
		return -1;
	}
	spec = strdup(v->atom);
	if (spec == NULL) {
		diag_error(d, v->line, v->col, "class %u: out of memory",
			   index);
		return -1;
	}
	for (item = strtok_r(spec, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ')
			item++;
		val = strchr(item, '=');
		if (val == NULL) {
			diag_error(d, v->line, v->col,
				   "class %u: '%s' is not KEY=VALUE", index,
				   item);
			goto out;
		}
		*val++ = '\0';
		if (strcmp(item, "name") == 0) {
			if (!name_ok(val)) {
				diag_error(d, v->line, v->col,
					   "class %u: name '%s': 1 to %d of "
					   "a-z, 0-9, '-', '_'",
					   index, val, SHP_NAME_MAX - 1);
				goto out;
			}
			snprintf(k->name, sizeof(k->name), "%s", val);
		} else if (strcmp(item, "memory") == 0) {
			if (number(val, MIB_MAX, &n) < 0 || n == 0) {
				diag_error(d, v->line, v->col,
					   "class %u: memory '%s': MiB, 1 to "
					   "%u",
					   index, val, MIB_MAX);
				goto out;
			}
			k->memory_mib = n;
			have_mem = 1;
		} else if (strcmp(item, "vcpus") == 0) {
			if (number(val, VCPUS_MAX, &n) < 0 || n == 0) {
				diag_error(d, v->line, v->col,
					   "class %u: vcpus '%s': 1 to %d",
					   index, val, VCPUS_MAX);
				goto out;
			}
			k->vcpus = (unsigned)n;
		} else if (strcmp(item, "shells") == 0) {
			if (number(val, SHELLS_MAX, &n) < 0) {
				diag_error(d, v->line, v->col,
					   "class %u: shells '%s': 0 to %d",
					   index, val, SHELLS_MAX);
				goto out;
			}
			k->wanted = (unsigned)n;
		} else {
			diag_error(d, v->line, v->col,
				   "class %u: unknown key '%s' (name, memory, "
				   "vcpus, shells)",
				   index, item);
			goto out;
		}
	}
	if (!have_mem) {
		diag_error(d, v->line, v->col, "class %u: memory= is missing",
			   index);
		goto out;
	}
	if (k->name[0] == '\0')
		snprintf(k->name, sizeof(k->name), "m%llu-v%u",
			 (unsigned long long)k->memory_mib, k->vcpus);
	rc = 0;
out:
	free(spec);
	return rc;
}

static int
get_number(const struct cfg *cfg, const char *key, unsigned long long max,
	   unsigned long long *v, struct diag *d)
{
	const struct cfg_setting *s = cfg_get(cfg, key);

	if (s == NULL)
		return 0;
	if (s->value->type != CFG_ATOM || number(s->value->atom, max, v) < 0) {
		diag_error(d, s->line, s->col, "%s: a number, 0 to %llu", key,
			   max);
		return -1;
	}
	return 0;
}

int
sh_conf_parse(struct sh_conf *c, const char *text, size_t len, struct diag *d)
{
	static const char *const known[] = {"reserve", "keep", "class"};
	struct cfg cfg = {0};
	const struct cfg_setting *s;
	unsigned long long reserve = 256, keep = 0;
	size_t i, j;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (cfg_parse(&cfg, text, len, d) < 0)
		goto out;
	for (s = cfg.head; s != NULL; s = s->next) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(s->key, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			diag_error(d, s->line, s->col,
				   "unknown key '%s' (reserve, keep, class)",
				   s->key);
			goto out;
		}
	}
	if (get_number(&cfg, "reserve", MIB_MAX, &reserve, d) < 0 ||
	    get_number(&cfg, "keep", 1, &keep, d) < 0)
		goto out;
	c->reserve_mib = reserve;
	c->keep = (int)keep;
	s = cfg_get(&cfg, "class");
	if (s != NULL && s->value->type != CFG_LIST) {
		diag_error(d, s->line, s->col,
			   "class: a list of \"name=N,memory=MIB,vcpus=V,"
			   "shells=K\"");
		goto out;
	}
	if (s != NULL && s->value->nitems > SHP_CLASSES_MAX) {
		diag_error(d, s->line, s->col, "class: at most %d classes",
			   SHP_CLASSES_MAX);
		goto out;
	}
	for (i = 0; s != NULL && i < s->value->nitems; i++) {
		if (parse_class(&c->cls[i], (unsigned)i + 1, s->value->items[i],
				d) < 0)
			goto out;
		for (j = 0; j < i; j++) {
			if (strcmp(c->cls[j].name, c->cls[i].name) == 0 ||
			    (c->cls[j].memory_mib == c->cls[i].memory_mib &&
			     c->cls[j].vcpus == c->cls[i].vcpus)) {
				diag_error(d, s->value->items[i]->line,
					   s->value->items[i]->col,
					   "class %zu: same %s as class %zu",
					   i + 1,
					   strcmp(c->cls[j].name,
						  c->cls[i].name) == 0
						   ? "name"
						   : "memory and vcpus",
					   j + 1);
				goto out;
			}
		}
		c->nclasses++;
	}
	rc = 0;
out:
	cfg_free(&cfg);
	return rc;
}

int
sh_conf_load(struct sh_conf *c, const char *path, struct diag *d)
{
	char *text;
	size_t len;
	int rc;

	d->source = path;
	if (cfgfile_read(path, &text, &len) < 0) {
		diag_error(d, 0, 0, "%s", strerror(errno));
		return -1;
	}
	rc = sh_conf_parse(c, text, len, d);
	free(text);
	return rc;
}
