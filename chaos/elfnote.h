/* elfnote.h: does a kernel image declare noxs support, or PVH? */
#ifndef CHAOS_ELFNOTE_H
#define CHAOS_ELFNOTE_H

#include <stddef.h>

/*
 * The noxs version the ELF64 kernel at path declares in its "chaos" note
 * (libnoxs/noxs.h), 0 when it declares none or is not an ELF64 file we
 * can read (compressed kernels included), -1 with errno when the file
 * cannot be read (or, ENOMEM, a note segment not be held in memory).
 * The file is untrusted: it may claim any offset or size.
 */
int elf_noxs_version(const char *path);

/*
 * The same for the len bytes of an image at image, which may hold
 * anything: only those bytes are read, whatever the image claims.  The
 * version (1..999), 0 when there is none, -1 with errno ENOMEM when a
 * note segment cannot be copied.  elf_noxs_version runs the same checks
 * over its file.
 */
int elf_noxs_scan(const void *image, size_t len);

/*
 * Whether the kernel at path has a PVH entry point (Xen's PHYS32_ENTRY
 * note): 1 it has, 0 an ELF64 image without one, -2 not an ELF64 image
 * we can read (a bzImage: the builder decides), -1 with errno when the
 * file cannot be read.
 */
int elf_pvh_entry(const char *path);

#endif
