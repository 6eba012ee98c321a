/* test_elfnote.c: noxs note detection on real images and on garbage. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfnote.h"
#include "noxs.h"

/* the largest PT_NOTE segment chaos reads (elfnote.c) */
#define NOTES_MAX (64 * 1024)

/* where the crafted images keep their parts */
#define PH_AT	 sizeof(Elf64_Ehdr)
#define NOTES_AT (PH_AT + sizeof(Elf64_Phdr))

/* one note: header, name padded to 4, then desc_len bytes of desc (the
 * header may claim another size); returns the bytes written */
static size_t
note(uint8_t *at, const char *name, uint32_t type, uint32_t descsz,
     const void *desc, size_t desc_len)
{
	Elf64_Nhdr h = {(uint32_t)strlen(name) + 1, descsz, type};
	size_t name_len = (h.n_namesz + 3u) & ~3u;

	memcpy(at, &h, sizeof(h));
	memset(at + sizeof(h), 0, name_len);
	memcpy(at + sizeof(h), name, h.n_namesz);
	if (desc_len > 0)
		memcpy(at + sizeof(h) + name_len, desc, desc_len);
	return sizeof(h) + name_len + desc_len;
}

/* an ELF64 header and one PT_NOTE program header for notes_len bytes of
 * notes at NOTES_AT; the caller writes the notes */
static void
headers(uint8_t *img, size_t notes_len)
{
	Elf64_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = EM_X86_64,
			 .e_version = EV_CURRENT,
			 .e_phoff = PH_AT,
			 .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = 1};
	Elf64_Phdr ph = {.p_type = PT_NOTE,
			 .p_offset = NOTES_AT,
			 .p_filesz = notes_len,
			 .p_align = 4};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + PH_AT, &ph, sizeof(ph));
}

/* img (len bytes) in a temporary file: its path, to unlink */
static char *
to_file(const uint8_t *img, size_t len)
{
	static char path[32];
	int fd;

	snprintf(path, sizeof(path), "/tmp/chaos-elfnote-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
test_our_guests_declare_noxs(void **state)
{
	(void)state;
	/* built by the same make run, before the tests */
	assert_int_equal(elf_noxs_version("build/guests/hello"), 1);
	assert_int_equal(elf_noxs_version("build/guests/idle"), 1);
}

static void
test_pvh_entry(void **state)
{
	char path[] = "/tmp/chaos-elfnote-XXXXXX";
	int fd;

	(void)state;
	/* our guests boot as PVH too (guests/pv/head.S) */
	assert_int_equal(elf_pvh_entry("build/guests/hello"), 1);
	/* an ELF64 program has no PVH entry point */
	assert_int_equal(elf_pvh_entry("/bin/sh"), 0);
	/* not ELF64: the builder judges (a bzImage) */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "MZ not an ELF image", 19), 19);
	close(fd);
	assert_int_equal(elf_pvh_entry(path), -2);
	unlink(path);
	assert_int_equal(elf_pvh_entry("/nonexistent"), -1);
}

static void
test_others_do_not(void **state)
{
	char path[] = "/tmp/chaos-elfnote-XXXXXX";
	int fd;

	(void)state;
	/* an ordinary ELF64 program */
	assert_int_equal(elf_noxs_version("/bin/sh"), 0);
	/* not ELF at all */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd,
			       "\x7f"
			       "ELF\2\1\1 garbage",
			       16),
			 16);
	close(fd);
	assert_int_equal(elf_noxs_version(path), 0);
	unlink(path);
	assert_int_equal(elf_noxs_version("/nonexistent"), -1);
}

/*
 * A crafted image whose PT_NOTE segment is as large as chaos reads and
 * ends with a "chaos" note claiming a 4 GiB - 1 descriptor and carrying
 * none: the size must not wrap to 0 and let the version be read from
 * past the end of the segment.
 */
static void
test_huge_descsz_is_no_note(void **state)
{
	static uint8_t img[NOTES_AT + NOTES_MAX];
	static uint8_t pad[NOTES_MAX];
	uint8_t *at = img + NOTES_AT;
	size_t last = sizeof(Elf64_Nhdr) + 8; /* "chaos\0" padded */
	char *path;

	(void)state;
	headers(img, NOTES_MAX);
	/* a filler note up to where the last one must start */
	at += note(at, "pad", 0, NOTES_MAX - last - 16, pad,
		   NOTES_MAX - last - 16);
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 0xffffffffu, NULL,
		   0);
	assert_int_equal(at - img, sizeof(img));
	path = to_file(img, sizeof(img));
	assert_int_equal(elf_noxs_version(path), 0);
	unlink(path);
}

/* an image of exactly the right size on the heap, so that ASan sees any
 * read past its end: headers, then the notes_len bytes of notes */
static uint8_t *
image(const uint8_t *notes, size_t notes_len, size_t *len)
{
	uint8_t *img;

	*len = NOTES_AT + notes_len;
	img = malloc(*len);
	assert_non_null(img);
	headers(img, notes_len);
	memcpy(img + NOTES_AT, notes, notes_len);
	return img;
}

/* the scan of notes_len bytes of notes in an image of their own */
static int
scan(const uint8_t *notes, size_t notes_len)
{
	size_t len;
	uint8_t *img = image(notes, notes_len, &len);
	int v = elf_noxs_scan(img, len);

	free(img);
	return v;
}

static void
test_scan_finds_the_note(void **state)
{
	uint8_t notes[128], *at = notes;
	uint32_t one = 1, two = 2;

	(void)state;
	/* after another vendor's note, as in our guests */
	at += note(at, "Xen", 6, 12, "chaos-guest", 12);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 0);
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 4, &two, 4);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 2);
	/* a longer descriptor still starts with the version */
	at = notes;
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 8,
		   (uint32_t[]){1, 0}, 8);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 1);
	/* another type, or another name, is not ours */
	at = notes;
	at += note(at, NOXS_ELFNOTE_NAME, 2, 4, &one, 4);
	at += note(at, "chaoss", NOXS_ELFNOTE_NOXS, 4, &one, 4);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 0);
}

/* The in-memory twin of test_huge_descsz_is_no_note: the note ends where
 * the image ends, so the wrapped size would read past the heap buffer. */
static void
test_scan_huge_sizes(void **state)
{
	uint8_t notes[64], *at;
	uint32_t one = 1, d;

	(void)state;
	at = notes;
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 0xffffffffu, NULL,
		   0);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 0);
	/* sizes next to 4 GiB (the top three wrapped to 0 in 32 bits) */
	for (d = 0xfffffffcu; d != 0; d++) {
		at = notes;
		at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, d, &one,
			   4);
		assert_int_equal(scan(notes, (size_t)(at - notes)), 0);
	}
	/* a huge name size before ours: the segment is malformed, and
	 * nothing after it is trusted */
	at = notes;
	at += note(at, "x", 0, 4, &one, 4);
	memcpy(notes, &(uint32_t){0xfffffffdu}, 4); /* n_namesz */
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 4, &one, 4);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 0);
}

/* A "chaos" note whose descriptor is too short for the version is no
 * declaration, even when bytes follow it in the segment. */
static void
test_scan_short_descriptor(void **state)
{
	uint8_t notes[64], *at = notes;
	uint32_t one = 1;

	(void)state;
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 2, &one, 4);
	at += note(at, "pad", 0, 4, &one, 4);
	assert_int_equal(scan(notes, (size_t)(at - notes)), 0);
}

/* Every truncation of a good image, and every program header claim that
 * points outside it, is "no note" and reads nothing outside the image. */
static void
test_scan_truncated_and_lying(void **state)
{
	uint8_t notes[64], *at = notes, *img;
	uint32_t one = 1;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t len, cut;
	uint8_t *part;

	(void)state;
	at += note(at, NOXS_ELFNOTE_NAME, NOXS_ELFNOTE_NOXS, 4, &one, 4);
	img = image(notes, (size_t)(at - notes), &len);
	assert_int_equal(elf_noxs_scan(img, len), 1);
	for (cut = 0; cut < len; cut++) {
		part = malloc(cut ? cut : 1);
		assert_non_null(part);
		memcpy(part, img, cut);
		assert_int_equal(elf_noxs_scan(part, cut), 0);
		free(part);
	}
	/* the segment's offset or size past the end, or wrapping */
	memcpy(&ph, img + PH_AT, sizeof(ph));
	ph.p_offset = UINT64_MAX - 7;
	memcpy(img + PH_AT, &ph, sizeof(ph));
	assert_int_equal(elf_noxs_scan(img, len), 0);
	ph.p_offset = NOTES_AT;
	ph.p_filesz = len - NOTES_AT + 1;
	memcpy(img + PH_AT, &ph, sizeof(ph));
	assert_int_equal(elf_noxs_scan(img, len), 0);
	ph.p_filesz = len - NOTES_AT;
	memcpy(img + PH_AT, &ph, sizeof(ph));
	/* the program header table past the end, or wrapping */
	memcpy(&eh, img, sizeof(eh));
	eh.e_phoff = UINT64_MAX - 7;
	memcpy(img, &eh, sizeof(eh));
	assert_int_equal(elf_noxs_scan(img, len), 0);
	eh.e_phoff = PH_AT;
	/* a table that does not fit (the second entry would run past the
	 * end), even though its first entry is good */
	eh.e_phnum = 2;
	memcpy(img, &eh, sizeof(eh));
	assert_int_equal(elf_noxs_scan(img, len), 0);
	eh.e_phnum = 256;
	memcpy(img, &eh, sizeof(eh));
	assert_int_equal(elf_noxs_scan(img, len), 0);
	free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_our_guests_declare_noxs),
		cmocka_unit_test(test_others_do_not),
		cmocka_unit_test(test_pvh_entry),
		cmocka_unit_test(test_huge_descsz_is_no_note),
		cmocka_unit_test(test_scan_finds_the_note),
		cmocka_unit_test(test_scan_huge_sizes),
		cmocka_unit_test(test_scan_short_descriptor),
		cmocka_unit_test(test_scan_truncated_and_lying),
	};

	return cmocka_run_group_tests_name("elfnote", tests, NULL, NULL);
}
