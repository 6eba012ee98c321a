/*
 * fuzz_bootout.c: libFuzzer target for what a bootloader writes for the
 * create (boot_parse, chaos/bootout.c).  The program and its output file
 * are the user's: whatever the bytes, the parser must not crash or read
 * past them, and what it accepts must hold boot_parse's promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootloader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *buf_start, *buf_end;

/* a value points into the buffer and ends there */
static void
inside(const char *v)
{
	if (v != NULL && (v < buf_start || v + strlen(v) > buf_end))
		abort();
}

static void
count(void *arg, const char *item)
{
	inside(item);
	if (*item == '\0')
		abort(); /* empty items are skipped, never noted */
	(*(unsigned *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_items it;
	char err[128] = "";
	unsigned notes = 0;
	char *buf = malloc(size + 1);
	int rc;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf_start = buf;
	buf_end = buf + size;
	rc = boot_parse(buf, size, &it, count, &notes, err, sizeof(err));
	if (rc == 0) {
		if (it.kernel == NULL || *it.kernel == '\0' || err[0] != '\0' ||
		    notes != it.unknown)
			abort();
		inside(it.kernel);
		inside(it.ramdisk);
		inside(it.args);
		/* a value starts after its word and its blanks */
		if (*it.kernel == ' ' || *it.kernel == '\t' ||
		    (it.ramdisk && (*it.ramdisk == ' ' || *it.ramdisk == '\t')))
			abort();
	} else if (rc != -1 || err[0] == '\0' ||
		   memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(buf);
	return 0;
}
