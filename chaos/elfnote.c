/*
 * elfnote.c: find the noxs ELF note in a kernel image.  The image is
 * untrusted input: every offset and size is checked against the file
 * before it is used, and only the program headers and notes are read.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfnote.h"
#include "noxs.h"

#define MAX_NOTES_SIZE (64 * 1024)

static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t r = pread(fd, buf, len, (off_t)off);

	return r == (ssize_t)len ? 0 : -1;
}

/* the noxs version in one PT_NOTE segment's bytes, or 0 */
static int
scan_notes(const unsigned char *p, size_t len)
{
	size_t at = 0, name_sz, desc_sz, step;
	uint32_t v;
	Elf64_Nhdr h;

	while (len - at >= sizeof(h)) {
		memcpy(&h, p + at, sizeof(h));
		name_sz = (h.n_namesz + 3u) & ~(size_t)3;
		desc_sz = (h.n_descsz + 3u) & ~(size_t)3;
		if (name_sz > len || desc_sz > len)
			return 0;
		step = sizeof(h) + name_sz + desc_sz;
		if (step > len - at)
			return 0;
		if (h.n_type == NOXS_ELFNOTE_NOXS &&
		    h.n_namesz == sizeof(NOXS_ELFNOTE_NAME) &&
		    memcmp(p + at + sizeof(h), NOXS_ELFNOTE_NAME,
			   sizeof(NOXS_ELFNOTE_NAME)) == 0 &&
		    h.n_descsz >= 4) {
			memcpy(&v, p + at + sizeof(h) + name_sz, 4);
			return v > 0 && v < 1000 ? (int)v : 0;
		}
		at += step;
	}
	return 0;
}

int
elf_noxs_version(const char *path)
{
	unsigned char notes[MAX_NOTES_SIZE];
	struct stat st;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, v = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (read_at(fd, &eh, sizeof(eh), 0) < 0 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph) || eh.e_phnum > 256 ||
	    eh.e_phoff > (uint64_t)st.st_size)
		goto out;
	for (i = 0; i < eh.e_phnum && v == 0; i++) {
		if (read_at(fd, &ph, sizeof(ph),
			    eh.e_phoff + (uint64_t)i * sizeof(ph)) < 0)
			break;
		if (ph.p_type != PT_NOTE || ph.p_filesz > sizeof(notes) ||
		    ph.p_offset > (uint64_t)st.st_size ||
		    ph.p_filesz > (uint64_t)st.st_size - ph.p_offset)
			continue;
		if (read_at(fd, notes, ph.p_filesz, ph.p_offset) == 0)
			v = scan_notes(notes, ph.p_filesz);
	}
out:
	close(fd);
	return v;
}
