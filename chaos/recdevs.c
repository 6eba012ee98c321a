/*
 * recdevs.c: network-attach/-detach and block-attach/-detach change the
 * config chaos keeps for a guest (its registry record), as libxl changes
 * the stored config xl keeps, so a reboot through the monitor, a save and
 * a restore bring the guest back with the devices it had.  The config
 * text stays the user's; the vif and disk lists as they now are are
 * appended after a marker comment (a later `key =` wins, in xl.cfg as in
 * chaos), and the next change replaces that tail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "domcfg.h"
#include "toolstack.h"
#include "vbd.h"

#define MARKER "\n# chaos: the devices after attach/detach\n"

/* a string literal of s for xl.cfg: quoted, escapes for what needs one */
static void
quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < ' ' || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* the items of list key in cfg (none when it is not a list) */
static size_t
items(const struct cfg *cfg, const char *key, struct cfg_value ***out)
{
	const struct cfg_setting *s = cfg_get(cfg, key);

	if (s == NULL || s->value->type != CFG_LIST)
		return 0;
	*out = s->value->items;
	return s->value->nitems;
}

/* one more item of a list being written (the k-th) */
static void
put_item(FILE *f, size_t *k, const char *spec)
{
	fputs((*k)++ ? ", " : " ", f);
	quote(f, spec);
}

/* the list's end, then the added spec (NULL: none) if it can be made */
static int
put_end(FILE *f, size_t k, int adding, char *spec)
{
	if (adding && spec == NULL)
		return -1;
	if (spec != NULL)
		put_item(f, &k, spec);
	free(spec);
	fputs(k ? " ]\n" : "]\n", f);
	return 0;
}

/* vif = [ ... ]: each with its devid explicit (a list position would
 * change once one before it goes), but devid drop; then add */
static int
put_vifs(FILE *f, const struct cfg *cfg, long drop, const struct dc_vif *add)
{
	struct diag d = {.source = "record"}; /* counted, not printed */
	struct dc_loc at = {"record", 0, 0};
	struct cfg_value **it = NULL;
	size_t n = items(cfg, "vif", &it), i, k = 0;
	struct dc_vif v;
	char *spec;

	fputs("vif = [", f);
	for (i = 0; i < n; i++) {
		if (it[i]->type != CFG_ATOM ||
		    dc_parse_vif(&v, (unsigned)i, it[i]->atom, &at, &d) < 0)
			continue; /* the create refused it too */
		if ((long)v.devid == drop) {
			dc_vif_free(&v);
			continue;
		}
		spec = dc_vif_format(&v);
		dc_vif_free(&v);
		if (spec == NULL)
			return -1; /* never lose one */
		put_item(f, &k, spec);
		free(spec);
	}
	return put_end(f, k, add != NULL, add ? dc_vif_format(add) : NULL);
}

/* disk = [ ... ]: as written, but the one whose vdev is devnum drop;
 * then add */
static int
put_disks(FILE *f, const struct cfg *cfg, long drop, const struct dc_disk *add)
{
	struct diag d = {.source = "record"};
	struct dc_loc at = {"record", 0, 0};
	struct cfg_value **it = NULL;
	size_t n = items(cfg, "disk", &it), i, k = 0;
	struct dc_disk disk;
	uint32_t num;
	int gone;

	fputs("disk = [", f);
	for (i = 0; i < n; i++) {
		if (it[i]->type != CFG_ATOM ||
		    dc_parse_disk(&disk, it[i]->atom, &at, &d) < 0)
			continue;
		gone = vbd_devnum(disk.vdev, &num) == 0 && (long)num == drop;
		dc_disk_free(&disk);
		if (!gone)
			put_item(f, &k, it[i]->atom);
	}
	return put_end(f, k, add != NULL, add ? dc_disk_format(add) : NULL);
}

/*
 * How much of config is the user's: all of it, but a tail that an
 * earlier change appended: after the last marker, only vif and disk
 * settings that read (a marker of the user's own, in a comment or a
 * config copied from a record, is text like any other).
 */
static size_t
ours(const char *config, size_t len)
{
	struct diag d = {.source = "record"};
	const struct cfg_setting *s;
	struct cfg tail = {NULL};
	const char *at = NULL, *p = config, *m;
	size_t mlen = strlen(MARKER);
	int only = 1;

	while ((m = memmem(p, len - (size_t)(p - config), MARKER, mlen)))
		at = m, p = m + 1;
	if (at == NULL)
		return len;
	if (cfg_parse(&tail, at + mlen, len - (size_t)(at - config) - mlen,
		      &d) < 0)
		only = 0;
	for (s = tail.head; only && s != NULL; s = s->next)
		only = strcmp(s->key, "vif") == 0 ||
		       strcmp(s->key, "disk") == 0;
	cfg_free(&tail);
	return only ? (size_t)(at - config) : len;
}

int
ts_config_devices(char **config, size_t *len, const struct ts_devchange *c)
{
	struct diag d = {.source = "record"};
	struct cfg cfg = {NULL}, check = {NULL};
	char *out = NULL;
	size_t outlen = 0, keep;
	FILE *f;
	int rc = -1;

	if (cfg_parse(&cfg, *config, *len, &d) < 0) {
		cfg_free(&cfg); /* what it took before the error */
		errno = EINVAL;
		return -1;
	}
	f = open_memstream(&out, &outlen);
	if (f == NULL)
		goto done;
	/* the user's text, without what an earlier change appended */
	keep = ours(*config, *len);
	fwrite(*config, 1, keep, f);
	fputs(MARKER, f);
	if (put_vifs(f, &cfg, c->vif_drop, c->vif_add) < 0 ||
	    put_disks(f, &cfg, c->disk_drop, c->disk_add) < 0) {
		fclose(f);
		goto done;
	}
	if (fclose(f) != 0)
		goto done;
	/* what the monitor will create the guest from must read */
	if (cfg_parse(&check, out, outlen, &d) < 0) {
		errno = EINVAL;
		goto done;
	}
	free(*config);
	*config = out;
	*len = outlen;
	out = NULL;
	rc = 0;
done:
	free(out);
	cfg_free(&cfg);
	cfg_free(&check);
	return rc;
}

int
ts_record_devices(uint32_t domid, const struct ts_devchange *c)
{
	struct reg_record r;
	int rc = -1;

	if (reg_lock() < 0)
		return -1;
	if (reg_record_read(domid, &r) == 0) {
		rc = r.config == NULL ? 0
		     : ts_config_devices(&r.config, &r.config_len, c) < 0
			     ? -1
			     : reg_record_write(&r);
		reg_record_free(&r);
	} else if (errno == ENOENT) {
		rc = 0; /* not chaos's guest: xl keeps its own config */
	}
	reg_unlock();
	return rc;
}
