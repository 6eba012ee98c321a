/*
 * bootout.c: what a bootloader writes for libxl ("simple0"): items, each
 * ended by a NUL, "kernel PATH", "ramdisk PATH" and "args LINE".  The
 * program is the user's and its output file is in a directory it can
 * write, so every byte is hostile: this only splits and counts, and
 * bootloader.c checks the paths it names.  Pure, so that it is fuzzed.
 */
#include <stdio.h>
#include <string.h>

#include "bootloader.h"

/* the word of item s ("kernel /path"): what follows it and its blanks */
static const char *
item(const char *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s, word, n) != 0 || (s[n] != ' ' && s[n] != '\t'))
		return NULL;
	return s + n + strspn(s + n, " \t");
}

int
boot_parse(char *buf, size_t n, struct boot_items *it,
	   void (*note)(void *arg, const char *item), void *arg, char *err,
	   size_t errlen)
{
	const char *v;
	char *s, *end = buf + n;

	memset(it, 0, sizeof(*it));
	buf[n] = '\0'; /* an unterminated last item ends at the end */
	for (s = buf; s < end; s += strlen(s) + 1) {
		if ((v = item(s, "kernel")) != NULL) {
			if (it->kernel != NULL)
				goto twice;
			it->kernel = v;
		} else if ((v = item(s, "ramdisk")) != NULL) {
			if (it->ramdisk != NULL)
				goto twice;
			it->ramdisk = v;
		} else if ((v = item(s, "args")) != NULL) {
			it->args = v;	 /* the last one counts, as in libxl */
		} else if (*s != '\0') { /* empty items are skipped */
			it->unknown++;
			if (note != NULL)
				note(arg, s);
		}
	}
	if (it->kernel == NULL || *it->kernel == '\0') {
		snprintf(err, errlen, "its output names no kernel");
		return -1;
	}
	return 0;
twice:
	snprintf(err, errlen, "its output names two %ss",
		 *s == 'k' ? "kernel" : "ramdisk");
	return -1;
}
