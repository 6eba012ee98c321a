/*
 * recvifs.c: network-attach and network-detach change the config chaos
 * keeps for a guest (its registry record), as libxl changes the stored
 * config xl keeps, so a reboot through the monitor, a save and a restore
 * bring the guest back with the vifs it had.  The config text stays the
 * user's; the vif list as it is now is appended after a marker comment
 * (a later `vif =` wins, in xl.cfg as in chaos), and the next change
 * replaces that tail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "domcfg.h"
#include "toolstack.h"

#define MARKER "\n# chaos: the vifs after network-attach/-detach\n"

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

int
ts_config_vifs(char **config, size_t *len, long drop, const struct dc_vif *add)
{
	struct diag d = {.source = "record"}; /* counted, not printed */
	struct dc_loc at = {"record", 0, 0};
	const struct cfg_setting *s;
	struct cfg cfg = {NULL};
	struct dc_vif v;
	char *out = NULL, *spec, *tail;
	size_t outlen = 0, keep, i, n = 0;
	FILE *f;
	int rc = -1;

	if (cfg_parse(&cfg, *config, *len, &d) < 0) {
		errno = EINVAL;
		return -1;
	}
	f = open_memstream(&out, &outlen);
	if (f == NULL)
		goto done;
	/* the user's text, without what an earlier change appended */
	tail = memmem(*config, *len, MARKER, strlen(MARKER));
	keep = tail != NULL ? (size_t)(tail - *config) : *len;
	fwrite(*config, 1, keep, f);
	fputs(MARKER "vif = [", f);
	s = cfg_get(&cfg, "vif");
	for (i = 0;
	     s != NULL && s->value->type == CFG_LIST && i < s->value->nitems;
	     i++) {
		const struct cfg_value *it = s->value->items[i];

		if (it->type != CFG_ATOM ||
		    dc_parse_vif(&v, (unsigned)i, it->atom, &at, &d) < 0)
			continue; /* the create refused it too */
		spec = (long)v.devid == drop ? NULL : dc_vif_format(&v);
		dc_vif_free(&v);
		if (spec == NULL)
			continue;
		fputs(n++ ? ", " : " ", f);
		quote(f, spec);
		free(spec);
	}
	if (add != NULL) {
		spec = dc_vif_format(add);
		if (spec == NULL) {
			fclose(f);
			goto done;
		}
		fputs(n++ ? ", " : " ", f);
		quote(f, spec);
		free(spec);
	}
	fputs(n ? " ]\n" : "]\n", f);
	if (fclose(f) != 0)
		goto done;
	free(*config);
	*config = out;
	*len = outlen;
	out = NULL;
	rc = 0;
done:
	free(out);
	cfg_free(&cfg);
	return rc;
}

int
ts_record_vifs(uint32_t domid, long drop, const struct dc_vif *add)
{
	struct reg_record r;
	int rc = -1;

	if (reg_lock() < 0)
		return -1;
	if (reg_record_read(domid, &r) == 0) {
		rc = ts_config_vifs(&r.config, &r.config_len, drop, add) < 0
			     ? -1
			     : reg_record_write(&r);
		reg_record_free(&r);
	} else if (errno == ENOENT) {
		rc = 0; /* not chaos's guest: xl keeps its own config */
	}
	reg_unlock();
	return rc;
}
