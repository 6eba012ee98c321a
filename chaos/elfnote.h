/* elfnote.h: does a kernel image declare noxs support? */
#ifndef CHAOS_ELFNOTE_H
#define CHAOS_ELFNOTE_H

/*
 * The noxs version the ELF64 kernel at path declares in its "chaos" note
 * (libnoxs/noxs.h), 0 when it declares none or is not an ELF64 file we
 * can read (compressed kernels included), -1 with errno when the file
 * cannot be read.
 */
int elf_noxs_version(const char *path);

#endif
