/*
 * fuzz_elfnote.c: libFuzzer target for the noxs note scanner, which reads
 * kernel images a tenant may supply.  Whatever the bytes, the scanner must
 * read only them, answer a version in range, and say the same from a file
 * (elf_noxs_version) as from memory (elf_noxs_scan).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfnote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	int v, f;

	v = elf_noxs_scan(data, size);
	if (v < -1 || v > 999 || (v == -1 && errno != ENOMEM))
		abort();
	/* the same bytes as a file, through the same checks */
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
	return 0;
}
