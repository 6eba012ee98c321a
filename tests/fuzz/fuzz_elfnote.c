/*
 * fuzz_elfnote.c: libFuzzer target for the noxs note scanner, which reads
 * kernel images a tenant may supply.  Each input is tried twice: as a
 * whole image, and as the notes of an image whose one PT_NOTE segment it
 * fills (so that mutations reach the notes without first having to keep
 * the headers true).  Whatever the bytes, the scanner must read only
 * them, answer a version in range, and say the same from a file
 * (elf_noxs_version) as from memory (elf_noxs_scan).
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfnote.h"

#define HEADERS (sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int v)
{
	if (v < -1 || v > 999 || (v == -1 && errno != ENOMEM))
		abort();
}

/* data as the whole image, in memory and in a file */
static void
as_image(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	int v, f;

	v = elf_noxs_scan(data, size);
	check(v);
	if (fd < 0) {
		fd = memfd_create("fuzz_elfnote", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	f = elf_noxs_version(path);
	if (f != v && v != -1 && f != -1)
		abort();
	/* the PVH entry point check reads the same notes */
	f = elf_pvh_entry(path);
	if (f < -2 || f > 1)
		abort();
}

/* data as the notes of an image of exactly the right size */
static void
as_notes(const uint8_t *data, size_t size)
{
	Elf64_Ehdr eh = {.e_phoff = sizeof(eh),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = 1};
	Elf64_Phdr ph = {
		.p_type = PT_NOTE, .p_offset = HEADERS, .p_filesz = size};
	uint8_t *img = malloc(HEADERS + size);

	if (img == NULL)
		abort();
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), &ph, sizeof(ph));
	if (size > 0)
		memcpy(img + HEADERS, data, size);
	check(elf_noxs_scan(img, HEADERS + size));
	free(img);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_image(data, size);
	as_notes(data, size);
	return 0;
}
