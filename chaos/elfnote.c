/*
 * elfnote.c: find the noxs ELF note in a kernel image.  The image is
 * untrusted input (a tenant may supply the kernel): every offset and size
 * it claims is checked, in 64 bits, against the image before it is used,
 * and only the ELF header, the program headers and the notes are read.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfnote.h"
#include "noxs.h"

#define MAX_NOTES_SIZE (64 * 1024)
#define MAX_PHNUM      256

/* An image in a file (fd >= 0) or in memory; size bounds every read. */
struct image {
	int fd;
	const unsigned char *mem;
	uint64_t size;
};

/* len bytes at off into buf: 0, or -1 when they are not all inside */
static int
image_read(const struct image *im, void *buf, size_t len, uint64_t off)
{
	ssize_t r;

	if (off > im->size || len > im->size - off)
		return -1;
	if (im->fd < 0) {
		memcpy(buf, im->mem + off, len);
		return 0;
	}
	r = pread(im->fd, buf, len, (off_t)off);
	return r == (ssize_t)len ? 0 : -1;
}

/* a note's name or descriptor size, padded to 4, without wrapping */
static uint64_t
padded(uint32_t sz)
{
	return ((uint64_t)sz + 3) & ~(uint64_t)3;
}

/* What a scan looks for: the noxs note (its version), or Xen's PVH entry
 * point (1 when present). */
enum want { WANT_NOXS, WANT_PVH };

/* Xen's note of the PVH entry point (public/elfnote.h) */
#define XEN_NOTE_NAME	 "Xen"
#define XEN_PHYS32_ENTRY 18

/* the noxs version (or PVH entry: 1) in one PT_NOTE segment's len bytes
 * at p, or 0 */
static int
scan_notes(const unsigned char *p, size_t len, enum want want)
{
	uint64_t name_sz, desc_sz;
	size_t at = 0;
	Elf64_Nhdr h;
	uint32_t v;

	while (len - at >= sizeof(h)) {
		memcpy(&h, p + at, sizeof(h));
		at += sizeof(h);
		name_sz = padded(h.n_namesz);
		desc_sz = padded(h.n_descsz);
		if (name_sz > len - at || desc_sz > len - at - name_sz)
			return 0; /* runs past the segment: malformed */
		if (want == WANT_PVH) {
			if (h.n_type == XEN_PHYS32_ENTRY &&
			    h.n_namesz == sizeof(XEN_NOTE_NAME) &&
			    memcmp(p + at, XEN_NOTE_NAME,
				   sizeof(XEN_NOTE_NAME)) == 0 &&
			    h.n_descsz >= 4)
				return 1;
			at += name_sz + desc_sz;
			continue;
		}
		/* the descriptor must hold the version, inside the segment */
		if (h.n_type == NOXS_ELFNOTE_NOXS &&
		    h.n_namesz == sizeof(NOXS_ELFNOTE_NAME) &&
		    memcmp(p + at, NOXS_ELFNOTE_NAME,
			   sizeof(NOXS_ELFNOTE_NAME)) == 0 &&
		    h.n_descsz >= sizeof(v)) {
			memcpy(&v, p + at + name_sz, sizeof(v));
			return v > 0 && v < 1000 ? (int)v : 0;
		}
		at += name_sz + desc_sz;
	}
	return 0;
}

/* the version in the first PT_NOTE segment that declares one, or 0; a
 * program header table that does not fit in the image is not ELF we read */
static int
scan_image(const struct image *im, enum want want, int *is_elf)
{
	unsigned char *notes;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i, v = 0;

	if (image_read(im, &eh, sizeof(eh), 0) < 0 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph) || eh.e_phnum > MAX_PHNUM ||
	    eh.e_phoff > im->size ||
	    (uint64_t)eh.e_phnum * sizeof(ph) > im->size - eh.e_phoff)
		return 0;
	*is_elf = 1;
	for (i = 0; i < eh.e_phnum && v == 0; i++) {
		if (image_read(im, &ph, sizeof(ph),
			       eh.e_phoff + (uint64_t)i * sizeof(ph)) < 0)
			return 0;
		if (ph.p_type != PT_NOTE || ph.p_filesz == 0 ||
		    ph.p_filesz > MAX_NOTES_SIZE)
			continue;
		/* exactly the segment: a read past it is a read past
		 * memory we own (ASan sees it in the fuzzer) */
		notes = malloc(ph.p_filesz);
		if (notes == NULL)
			return -1;
		if (image_read(im, notes, ph.p_filesz, ph.p_offset) == 0)
			v = scan_notes(notes, ph.p_filesz, want);
		free(notes);
	}
	return v;
}

int
elf_noxs_scan(const void *image, size_t len)
{
	struct image im = {.fd = -1, .mem = image, .size = len};
	int is_elf = 0;

	return scan_image(&im, WANT_NOXS, &is_elf);
}

/* scan the file at path; -1 with errno when it cannot be read */
static int
scan_file(const char *path, enum want want, int *is_elf)
{
	struct image im = {.fd = -1};
	struct stat st;
	int v, e;

	im.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im.fd < 0)
		return -1;
	if (fstat(im.fd, &st) < 0) {
		e = errno;
		close(im.fd);
		errno = e;
		return -1;
	}
	im.size = (uint64_t)st.st_size;
	v = scan_image(&im, want, is_elf);
	e = errno;
	close(im.fd);
	errno = e;
	return v;
}

int
elf_noxs_version(const char *path)
{
	int is_elf = 0;

	return scan_file(path, WANT_NOXS, &is_elf);
}

int
elf_pvh_entry(const char *path)
{
	int is_elf = 0, v;

	v = scan_file(path, WANT_PVH, &is_elf);
	if (v < 0)
		return -1;
	return is_elf ? v : -2;
}
