/*
 * test_savefile.c: a save file read as restore reads it, before it makes
 * anything.  chaos's header is built and parsed back, then cut at every
 * byte, flipped at every byte, or foreign; libxenguest's stream behind it
 * is walked whole, cut at every byte, and wrong in each way the walk
 * checks.  Buffers are heap blocks of exactly the length given, so that
 * ASan sees any read past it.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "savefile.h"

#define ERRLEN 256

/* where the fixed part keeps what the tests edit (savefile.c's layout) */
#define AT_BYTEORDER 8
#define AT_VERSION   12
#define AT_FLAGS     16
#define AT_CLASS     72
#define AT_CRC	     100

static const char config_text[] = "name = \"web-7\"\nmemory = 64\n"
				  "maxmem = 128\nvif = ['bridge=br0']\n";

static struct sf_mac two_macs[2] = {
	{0, {0x00, 0x16, 0x3e, 0x01, 0x02, 0x03}},
	{3, {0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}},
};

/* a domain as ts_save describes one */
static struct sf_info
sample(void)
{
	struct sf_info in = {
		.flags = SF_F_DOMID,
		.memory_kib = 64 * 1024,
		.maxmem_kib = 128 * 1024,
		.max_vcpus = 2,
		.domid = 37,
		.uuid = {0x5e, 0x1f, 0x00, 0xc4, 0x10, 0x2b, 0x4f, 0x11, 0x9a,
			 0x7e, 0x00, 0x16, 0x3e, 0xff, 0x01, 0x80},
		.name = (char *)"web-7",
		.config = (char *)config_text,
		.config_len = sizeof(config_text) - 1,
		.macs = two_macs,
		.nmacs = 2,
	};

	sf_class(in.memory_kib, in.max_vcpus, in.cls);
	return in;
}

static void
says(const char *err, const char *what)
{
	if (strstr(err, what) == NULL)
		fail_msg("got \"%s\", wanted \"%s\"", err, what);
}

/* build in, which must be accepted */
static uint8_t *
build(const struct sf_info *in, size_t *len)
{
	uint8_t *h = sf_header_build(in, len);

	assert_non_null(h);
	assert_int_equal(*len % 8, 0);
	return h;
}

/* parse the first len bytes of buf from a block of exactly len bytes */
static int
parse(const uint8_t *buf, size_t len, struct sf_info *out, size_t *need,
      char *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, buf, len);
	err[0] = '\0';
	rc = sf_header_parse(copy, len, out, need, err, ERRLEN);
	free(copy);
	if (rc < 0) {
		assert_int_equal(rc, -1);
		assert_true(err[0] != '\0');
		/* nothing is handed out with a failure */
		assert_null(out->name);
		assert_null(out->config);
		assert_null(out->macs);
	}
	return rc;
}

/* the first len bytes of buf refused, with what in the message */
static void
refused_header(const uint8_t *buf, size_t len, const char *what)
{
	struct sf_info out;
	char err[ERRLEN];
	size_t need;

	assert_int_equal(parse(buf, len, &out, &need, err), -1);
	says(err, what);
}

/* the checksum made right again after an edit of h: CRC-32 of the fixed
 * part with its CRC field zero, then of the variable part */
static void
recrc(uint8_t *h, size_t len)
{
	uint32_t c = 0;

	memcpy(h + AT_CRC, &c, 4);
	c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), h, (uInt)len);
	memcpy(h + AT_CRC, &c, 4);
}

static void
same_info(const struct sf_info *a, const struct sf_info *b)
{
	size_t i;

	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->memory_kib, b->memory_kib);
	assert_int_equal(a->maxmem_kib, b->maxmem_kib);
	assert_int_equal(a->max_vcpus, b->max_vcpus);
	assert_int_equal(a->domid, b->domid);
	assert_memory_equal(a->uuid, b->uuid, 16);
	assert_memory_equal(a->cls, b->cls, SF_CLASS_LEN);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->config_len, b->config_len);
	if (a->config_len)
		assert_memory_equal(a->config, b->config, a->config_len);
	assert_int_equal(a->nmacs, b->nmacs);
	for (i = 0; i < a->nmacs; i++) {
		assert_int_equal(a->macs[i].devid, b->macs[i].devid);
		assert_memory_equal(a->macs[i].mac, b->macs[i].mac, 6);
	}
}

/* in built, parsed back from exactly its bytes and with a stream after
 * them: the same info, the stream right after the header */
static void
round_trip(const struct sf_info *in)
{
	struct sf_info out;
	char err[ERRLEN];
	size_t len, need;
	uint8_t *h = build(in, &len), *more;

	if (parse(h, len, &out, &need, err) < 0)
		fail_msg("%s", err);
	same_info(in, &out);
	assert_int_equal(need, len);
	assert_int_equal(out.stream_offset, len);
	assert_int_equal(out.config[out.config_len], '\0');
	sf_info_free(&out);
	more = calloc(1, len + 4096);
	assert_non_null(more);
	memcpy(more, h, len);
	assert_int_equal(parse(more, len + 4096, &out, &need, err), 0);
	assert_int_equal(out.stream_offset, len);
	sf_info_free(&out);
	free(more);
	free(h);
}

static void
test_header_round_trip(void **state)
{
	struct sf_info in = sample();
	struct sf_mac many[SF_MACS_MAX];
	char name[SF_NAME_MAX + 1];
	size_t len, i;
	uint8_t *h;

	(void)state;
	/* the variable part has padding to carry */
	h = build(&in, &len);
	assert_int_equal(len, SF_HEADER_SIZE +
				      ((5 + in.config_len + 2 * 8 + 7) & ~7ul));
	assert_true(len > SF_HEADER_SIZE + 5 + in.config_len + 2 * 8);
	free(h);
	round_trip(&in);
	/* a noxs guest: no MACs, no config text; the longest name */
	memset(name, 'n', SF_NAME_MAX);
	name[SF_NAME_MAX] = '\0';
	in.name = name;
	in.flags = SF_F_NOXS;
	in.config = NULL;
	in.config_len = 0;
	in.macs = NULL;
	in.nmacs = 0;
	round_trip(&in);
	/* config text is bytes: a NUL inside stays, and its length */
	in.config = (char *)"a = 1\0b";
	in.config_len = 7;
	round_trip(&in);
	/* the most MACs, both flags, a large guest */
	for (i = 0; i < SF_MACS_MAX; i++)
		many[i] = (struct sf_mac){(uint16_t)i,
					  {0x00, 0x16, 0x3e, 0, 0, (uint8_t)i}};
	in = sample();
	in.macs = many;
	in.nmacs = SF_MACS_MAX;
	in.flags = SF_F_NOXS | SF_F_DOMID;
	in.memory_kib = 1ull << 42;
	in.maxmem_kib = 1ull << 42;
	in.max_vcpus = 4096;
	round_trip(&in);
}

/* the largest config text round-trips; one byte more is refused */
static void
test_header_config_max(void **state)
{
	struct sf_info in = sample();
	char *big = malloc(SF_CONFIG_MAX + 1);
	size_t len;

	(void)state;
	assert_non_null(big);
	memset(big, '#', SF_CONFIG_MAX + 1);
	in.config = big;
	in.config_len = SF_CONFIG_MAX;
	round_trip(&in);
	in.config_len = SF_CONFIG_MAX + 1;
	errno = 0;
	assert_null(sf_header_build(&in, &len));
	assert_int_equal(errno, EINVAL);
	free(big);
}

/* Every cut of a good header is refused as short, reading only what it
 * was given, and says how much a reader must fetch once it can. */
static void
test_header_truncated(void **state)
{
	struct sf_info in = sample(), out;
	char err[ERRLEN];
	size_t len, cut, need;
	uint8_t *h = build(&in, &len);

	(void)state;
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(parse(h, cut, &out, &need, err), -1);
		says(err, cut == 0 ? "empty file" : "truncated");
		assert_int_equal(need,
				 cut < SF_HEADER_SIZE ? SF_HEADER_SIZE : len);
	}
	free(h);
}

/* what a header with byte i changed says */
static const char *
flip_says(size_t i)
{
	if (i < AT_BYTEORDER)
		return "not a chaos save file";
	if (i < AT_VERSION)
		return "byte order mark";
	if (i < AT_FLAGS - 2)
		return "format version";
	if (i < AT_FLAGS || (i >= 96 && i < AT_CRC))
		return "(sizes)"; /* the header's size, the variable part's */
	if (i >= 20 && i < 32)
		return NULL; /* a count: "(sizes)", or the checksum when the
				padded length comes out the same */
	return "checksum";
}

/* Any change to one byte of the header or its variable part, to any
 * value, is refused, and the message names the part that is wrong. */
static void
test_header_flipped(void **state)
{
	struct sf_info in = sample(), out;
	char err[ERRLEN];
	const char *what;
	size_t len, i, need;
	unsigned delta;
	uint8_t *h = build(&in, &len);

	(void)state;
	for (i = 0; i < len; i++) {
		what = flip_says(i);
		for (delta = 1; delta < 256; delta++) {
			h[i] ^= (uint8_t)delta;
			assert_int_equal(parse(h, len, &out, &need, err), -1);
			if (what != NULL)
				says(err, what);
			else if (strstr(err, "(sizes)") == NULL)
				says(err, "checksum");
			h[i] ^= (uint8_t)delta;
		}
	}
	/* unchanged, it still parses */
	assert_int_equal(parse(h, len, &out, &need, err), 0);
	sf_info_free(&out);
	free(h);
}

static void
test_header_byte_order_and_version(void **state)
{
	struct sf_info in = sample();
	uint32_t swapped = __builtin_bswap32(SF_BYTEORDER);
	uint16_t v2 = 2;
	size_t len;
	uint8_t *h = build(&in, &len);

	(void)state;
	memcpy(h + AT_BYTEORDER, &swapped, 4);
	refused_header(h, len, "other byte order");
	recrc(h, len);
	refused_header(h, len, "other byte order");
	memset(h + AT_BYTEORDER, 0, 4);
	refused_header(h, len, "byte order mark");
	free(h);
	h = build(&in, &len);
	memcpy(h + AT_VERSION, &v2, 2);
	recrc(h, len);
	refused_header(h, len, "format version 2");
	free(h);
}

/* Files that are not ours are told apart, from exactly their bytes. */
static void
test_header_foreign(void **state)
{
	static const char xl[] = "Xen saved domain, xl format\n \0 \r"
				 "\x04\x03\x02\x01\0\0\0\0\0\0\0\0\0\0\0\0";
	static const uint8_t xc[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 'X',  'E',  'N',  'F',
				     0,	   0,	 0,    3,    0,	   0};
	uint8_t zeros[SF_HEADER_SIZE] = {0};

	(void)state;
	refused_header((const uint8_t *)xl, sizeof(xl) - 1, "an xl save file");
	refused_header((const uint8_t *)xl, 32, "an xl save file");
	/* too little of xl's magic to tell */
	refused_header((const uint8_t *)xl, 31, "not a chaos save file");
	refused_header(xc, sizeof(xc), "a bare libxenguest stream");
	refused_header(xc, 8, "a bare libxenguest stream");
	refused_header(xc, 7, "not a chaos save file");
	refused_header((const uint8_t *)"#!/bin/sh\n", 10,
		       "not a chaos save file");
	refused_header(zeros, sizeof(zeros), "not a chaos save file");
	refused_header((const uint8_t *)"ChaosSaw", 8, "not a chaos save file");
	refused_header((const uint8_t *)"Chaos", 5, "truncated");
}

/* sf_header_build refuses what it cannot write, and no field it takes is
 * left unchecked at the edges */
static void
test_build_refuses(void **state)
{
	struct sf_info in;
	char name[SF_NAME_MAX + 2];
	struct sf_mac many[SF_MACS_MAX + 1] = {{0}};
	size_t len, i;
	uint8_t *h;
	const struct {
		const char *why;
		const char *name;
		uint32_t flags;
		size_t nmacs;
		int cls_full;
	} bad[] = {
		{"no name", NULL, 0, 0, 0},
		{"empty name", "", 0, 0, 0},
		{"name too long", name, 0, 0, 0},
		{"too many MACs", "g", 0, SF_MACS_MAX + 1, 0},
		{"unknown flag", "g", 0x4, 0, 0},
		{"top flag", "g", 0x80000000u, 0, 0},
		{"class without NUL", "g", 0, 0, 1},
	};

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = sample();
		in.name = (char *)bad[i].name;
		in.flags = bad[i].flags;
		if (bad[i].nmacs) {
			in.macs = many;
			in.nmacs = bad[i].nmacs;
		}
		if (bad[i].cls_full)
			memset(in.cls, 'c', SF_CLASS_LEN);
		errno = 0;
		h = sf_header_build(&in, &len);
		if (h != NULL)
			fail_msg("%s: built", bad[i].why);
		assert_int_equal(errno, EINVAL);
	}
}

/* Fields under a good checksum are still read as hostile: a file can be
 * crafted with its CRC right. */
static void
test_header_crafted_fields(void **state)
{
	struct sf_info in;
	uint32_t flags = 0x4;
	size_t len, i;
	uint8_t *h;
	const struct {
		uint64_t memory_kib, maxmem_kib;
		uint32_t vcpus;
	} bad[] = {
		{0, 128 * 1024, 2},
		{64 * 1024 + 4, 128 * 1024, 2}, /* not whole MiB */
		{64 * 1024, 32 * 1024, 2},	/* maxmem below memory */
		{64 * 1024, (1ull << 42) + 1024, 2},
		{64 * 1024, 128 * 1024, 0},
		{64 * 1024, 128 * 1024, 4097},
	};

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = sample();
		in.memory_kib = bad[i].memory_kib;
		in.maxmem_kib = bad[i].maxmem_kib;
		in.max_vcpus = bad[i].vcpus;
		h = build(&in, &len);
		refused_header(h, len, "corrupt header (fields)");
		free(h);
	}
	/* what sf_header_build never writes, edited in */
	in = sample();
	h = build(&in, &len);
	recrc(h, len); /* recrc agrees with the builder */
	round_trip(&in);
	memcpy(h + AT_FLAGS, &flags, 4);
	recrc(h, len);
	refused_header(h, len, "corrupt header (fields)");
	free(h);
	h = build(&in, &len);
	h[SF_HEADER_SIZE + 2] = '\0'; /* "we\0-7": a NUL in the name */
	recrc(h, len);
	refused_header(h, len, "corrupt header (fields)");
	free(h);
	h = build(&in, &len);
	memset(h + AT_CLASS, 'c', SF_CLASS_LEN);
	recrc(h, len);
	refused_header(h, len, "corrupt header (fields)");
	free(h);
}

/* --- libxenguest's stream ------------------------------------------------ */

/* page types, the top nibble of a PAGE_DATA pfn entry */
#define T_NOTAB	    0x0ull
#define T_L1	    0x1ull
#define T_L4_PINNED 0xcull
#define T_BROKEN    0xdull
#define T_XALLOC    0xeull
#define T_XTAB	    0xfull
#define PFN(t, pfn) ((t) << 60 | (pfn))

#define REC_END		0u
#define REC_PAGE_DATA	1u
#define REC_X86_PV_INFO 2u

/* a stream being written */
struct stream {
	uint8_t *p;
	size_t len, cap;
};

/* n bytes of d onto s, or n zero bytes */
static void
put(struct stream *s, const void *d, size_t n)
{
	while (s->len + n > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->p = realloc(s->p, s->cap);
		assert_non_null(s->p);
	}
	if (d != NULL)
		memcpy(s->p + s->len, d, n);
	else
		memset(s->p + s->len, 0, n);
	s->len += n;
}

static void
put32(struct stream *s, uint32_t v)
{
	put(s, &v, 4);
}

/* the image header (big-endian) and the domain header (the saver's
 * order): what every stream starts with */
static void
start(struct stream *s, uint32_t version, uint8_t options, uint32_t type,
      uint16_t page_shift)
{
	uint8_t ih[24] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			  0xff, 0xff, 'X',  'E',  'N',	'F'};
	uint32_t be_version = htobe32(version);
	uint32_t dh[4] = {type, page_shift, 4, 17}; /* Xen 4.17 */

	memcpy(ih + 12, &be_version, 4);
	ih[17] = options; /* the low byte of the big-endian options */
	put(s, ih, sizeof(ih));
	put(s, dh, sizeof(dh));
}

/* a record claiming length bytes, with the first n of them from body;
 * its framing always holds: the file carries length bytes padded to 8 */
static void
record(struct stream *s, uint32_t type, uint32_t length, const void *body,
       size_t n)
{
	size_t pad = ((size_t)length + 7) & ~(size_t)7;

	put32(s, type);
	put32(s, length);
	put(s, body, n < length ? n : length);
	put(s, NULL, pad - (n < length ? n : length));
}

/* does a page of this pfn entry carry 4 KiB in the stream */
static int
carries_data(uint64_t entry)
{
	uint64_t t = entry >> 60;

	return t != T_XTAB && t != T_XALLOC && t != T_BROKEN;
}

/* a PAGE_DATA record of n pages that says it has count, whose length is
 * extra bytes off the honest one */
static void
pages(struct stream *s, uint32_t count, const uint64_t *pfns, size_t n,
      long extra)
{
	struct stream body = {0};
	uint8_t page[4096];
	size_t i;

	put32(&body, count);
	put32(&body, 0);
	put(&body, pfns, n * 8);
	for (i = 0; i < n; i++) {
		if (!carries_data(pfns[i]))
			continue;
		memset(page, (int)(0xa0 + i), sizeof(page));
		put(&body, page, sizeof(page));
	}
	record(s, REC_PAGE_DATA, (uint32_t)((long)body.len + extra), body.p,
	       body.len);
	free(body.p);
}

/* the headers of a version 3 stream of an x86 PV guest, 4 KiB pages */
static void
begin(struct stream *s)
{
	start(s, 3, 0, 1, 12);
}

static void
end(struct stream *s)
{
	record(s, REC_END, 0, NULL, 0);
}

/* image and domain header, X86_PV_INFO, two PAGE_DATA records of data
 * pages and pages without data (4 of data, pfns up to 0x30), END */
static void
good_stream(struct stream *s, uint32_t version)
{
	static const uint8_t pv_info[8] = {8, 4}; /* 64-bit, 4 levels */
	const uint64_t first[] = {PFN(T_NOTAB, 0), PFN(T_L1, 1),
				  PFN(T_XTAB, 5)};
	const uint64_t second[] = {PFN(T_L4_PINNED, 9), PFN(T_XALLOC, 0x20),
				   PFN(T_BROKEN, 0x30), PFN(T_NOTAB, 7),
				   PFN(T_XTAB, 0x11)};

	start(s, version, 0, 1, 12);
	record(s, REC_X86_PV_INFO, 8, pv_info, 8);
	pages(s, 3, first, 3, 0);
	pages(s, 5, second, 5, 0);
	end(s);
}

/* a file of a chaos header and then s, as restore opens one; *off gets
 * where the stream starts */
static int
stream_file(const struct stream *s, uint64_t *off)
{
	struct sf_info in = sample();
	size_t len;
	uint8_t *h = build(&in, &len);
	int fd = memfd_create("test_savefile", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, h, len, 0), (ssize_t)len);
	if (s->len)
		assert_int_equal(pwrite(fd, s->p, s->len, (off_t)len),
				 (ssize_t)s->len);
	free(h);
	*off = len;
	return fd;
}

static int
scan(const struct stream *s, struct sf_stream *st, char *err)
{
	uint64_t off;
	int fd = stream_file(s, &off), rc;

	err[0] = '\0';
	rc = sf_stream_scan(fd, off, st, err, ERRLEN);
	close(fd);
	if (rc < 0) {
		assert_int_equal(rc, -1);
		assert_true(err[0] != '\0');
	}
	return rc;
}

/* s refused, with what in the message; s is emptied for the next case */
static void
refused(struct stream *s, const char *what)
{
	struct sf_stream st;
	char err[ERRLEN];

	assert_int_equal(scan(s, &st, err), -1);
	says(err, what);
	free(s->p);
	memset(s, 0, sizeof(*s));
}

static void
test_stream_good(void **state)
{
	struct stream s = {0};
	struct sf_stream st;
	char err[ERRLEN];
	uint64_t off;
	uint32_t version;
	const uint64_t all_xtab[1] = {PFN(T_XTAB, 3)};
	uint64_t full[1024];
	size_t i;

	(void)state;
	for (version = 2; version <= 3; version++) {
		good_stream(&s, version);
		if (scan(&s, &st, err) < 0)
			fail_msg("version %u: %s", version, err);
		assert_int_equal(st.guest_type, 1);
		assert_int_equal(st.xen_major, 4);
		assert_int_equal(st.xen_minor, 17);
		assert_int_equal(st.records, 4);
		assert_int_equal(st.data_pages, 4);
		assert_int_equal(st.max_pfn, 0x30);
		close(stream_file(&s, &off));
		assert_int_equal(st.end, off + s.len);
		free(s.p);
		memset(&s, 0, sizeof(s));
	}
	/* a record of pages without data, and one of the most pages */
	begin(&s);
	pages(&s, 1, all_xtab, 1, 0);
	for (i = 0; i < 1024; i++)
		full[i] = PFN(T_XTAB, 2048 + i);
	pages(&s, 1024, full, 1024, 0);
	end(&s);
	assert_int_equal(scan(&s, &st, err), 0);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.data_pages, 0);
	assert_int_equal(st.max_pfn, 2048 + 1023);
	free(s.p);
	memset(&s, 0, sizeof(s));
	/* the end straight after the headers */
	begin(&s);
	end(&s);
	assert_int_equal(scan(&s, &st, err), 0);
	assert_int_equal(st.records, 1);
	free(s.p);
}

/* The file cut at every byte, from the whole stream down to nothing
 * after the header (and into the header), is refused as truncated. */
static void
test_stream_truncated(void **state)
{
	struct stream s = {0};
	struct sf_stream st;
	char err[ERRLEN];
	uint64_t off, cut, size;
	int fd;

	(void)state;
	good_stream(&s, 3);
	fd = stream_file(&s, &off);
	size = off + s.len;
	for (cut = size; cut-- > 0;) {
		/* shrinking keeps what comes before the cut */
		assert_int_equal(ftruncate(fd, (off_t)cut), 0);
		err[0] = '\0';
		assert_int_equal(sf_stream_scan(fd, off, &st, err, ERRLEN), -1);
		if (strstr(err, "truncated") == NULL)
			fail_msg("cut at %llu: %s", (unsigned long long)cut,
				 err);
	}
	close(fd);
	free(s.p);
}

static void
test_stream_after_end(void **state)
{
	struct stream s = {0};

	(void)state;
	good_stream(&s, 3);
	put(&s, "x", 1);
	refused(&s, "1 bytes after the stream's END record");
	good_stream(&s, 3);
	put(&s, NULL, 8);
	refused(&s, "8 bytes after the stream's END record");
	good_stream(&s, 3);
	end(&s);
	refused(&s, "after the stream's END record");
}

static void
test_stream_bad_headers(void **state)
{
	struct stream s = {0};

	(void)state;
	start(&s, 3, 1, 1, 12);
	end(&s);
	refused(&s, "big-endian");
	start(&s, 1, 0, 1, 12);
	end(&s);
	refused(&s, "stream version 1");
	start(&s, 4, 0, 1, 12);
	end(&s);
	refused(&s, "stream version 4");
	start(&s, 0xffffffffu, 0, 1, 12);
	end(&s);
	refused(&s, "stream version 4294967295");
	start(&s, 3, 0, 2, 12); /* HVM */
	end(&s);
	refused(&s, "a guest type chaos cannot restore (type 2");
	start(&s, 3, 0, 1, 13);
	end(&s);
	refused(&s, "2^13");
	begin(&s);
	s.p[3] = 0xfe; /* the marker */
	end(&s);
	refused(&s, "no libxenguest image");
	begin(&s);
	s.p[11] = 'G'; /* "XENG" */
	end(&s);
	refused(&s, "no libxenguest image");
	/* nothing after chaos's header, nothing after the stream's */
	refused(&s, "truncated: no domain image after the header");
	begin(&s);
	refused(&s, "no END record");
}

static void
test_stream_bad_records(void **state)
{
	struct stream s = {0};
	struct sf_stream st;
	char err[ERRLEN];

	(void)state;
	begin(&s);
	record(&s, 0x13, 8, NULL, 0);
	end(&s);
	refused(&s, "unknown type 0x13");
	begin(&s);
	record(&s, 0x80000013u, 8, NULL, 0); /* optional, still unknown */
	end(&s);
	refused(&s, "unknown type 0x80000013");
	/* lengths past 128 MiB, with nothing behind them: refused before
	 * any read or skip */
	begin(&s);
	put32(&s, REC_X86_PV_INFO);
	put32(&s, (128u << 20) + 1);
	refused(&s, "corrupt stream: a X86_PV_INFO record of 134217729 bytes");
	begin(&s);
	put32(&s, REC_PAGE_DATA);
	put32(&s, 0xffffffffu);
	refused(&s, "a PAGE_DATA record of 4294967295 bytes");
	/* 128 MiB itself is a length, of a record this file does not hold */
	begin(&s);
	put32(&s, REC_X86_PV_INFO);
	put32(&s, 128u << 20);
	refused(&s, "truncated in record 0 (X86_PV_INFO)");
	/* an optional record of a known type is walked over */
	begin(&s);
	record(&s, 0x80000000u | REC_X86_PV_INFO, 8, NULL, 0);
	end(&s);
	assert_int_equal(scan(&s, &st, err), 0);
	assert_int_equal(st.records, 2);
	free(s.p);
}

static void
test_stream_bad_pages(void **state)
{
	struct stream s = {0};
	uint64_t pfns[1025], t;
	const uint64_t two_data[2] = {PFN(T_NOTAB, 1), PFN(T_L1, 2)};
	uint32_t short_body[2] = {0, 0};
	char what[64];
	size_t i;

	(void)state;
	/* 5-8: L2-L4 bits that name no table, and "pinned" of no table */
	for (t = 5; t <= 8; t++) {
		pfns[0] = PFN(T_NOTAB, 1);
		pfns[1] = PFN(t, 2);
		begin(&s);
		pages(&s, 2, pfns, 2, 0);
		end(&s);
		snprintf(what, sizeof(what), "a page of unknown type %#llx",
			 (unsigned long long)t);
		refused(&s, what);
	}
	/* the length one word too long, 4 KiB behind a page that carries
	 * none, a page's 4 KiB missing */
	begin(&s);
	pages(&s, 1, two_data, 1, 8);
	end(&s);
	refused(&s, "a PAGE_DATA record of 4120 bytes for 1 pages of data");
	pfns[0] = PFN(T_XTAB, 1);
	begin(&s);
	pages(&s, 1, pfns, 1, 4096);
	end(&s);
	refused(&s, "for 0 pages of data");
	begin(&s);
	pages(&s, 2, two_data, 2, -4096);
	end(&s);
	refused(&s, "for 2 pages of data");
	/* too short for its own count */
	begin(&s);
	record(&s, REC_PAGE_DATA, 4, short_body, 4);
	end(&s);
	refused(&s, "a PAGE_DATA record of 4 bytes");
	pfns[0] = PFN(T_XTAB, 1);
	begin(&s);
	pages(&s, 3, pfns, 1, 0);
	end(&s);
	refused(&s, "a PAGE_DATA record of 3 pages in 16 bytes");
	/* no pages, more than a saver batches */
	begin(&s);
	record(&s, REC_PAGE_DATA, 8, short_body, 8);
	end(&s);
	refused(&s, "a PAGE_DATA record of 0 pages in 8 bytes");
	for (i = 0; i < 1025; i++)
		pfns[i] = PFN(T_XTAB, i);
	begin(&s);
	pages(&s, 1025, pfns, 1025, 0);
	end(&s);
	refused(&s, "a PAGE_DATA record of 1025 pages in 8208 bytes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_header_config_max),
		cmocka_unit_test(test_header_truncated),
		cmocka_unit_test(test_header_flipped),
		cmocka_unit_test(test_header_byte_order_and_version),
		cmocka_unit_test(test_header_foreign),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_header_crafted_fields),
		cmocka_unit_test(test_stream_good),
		cmocka_unit_test(test_stream_truncated),
		cmocka_unit_test(test_stream_after_end),
		cmocka_unit_test(test_stream_bad_headers),
		cmocka_unit_test(test_stream_bad_records),
		cmocka_unit_test(test_stream_bad_pages),
	};

	return cmocka_run_group_tests_name("savefile", tests, NULL, NULL);
}
