/*
 * fuzz_savefile.c: libFuzzer target for what restore reads before it
 * makes anything: a save file a user hands it.  The input is the whole
 * file.  It is tried as it is, and again with its header's checksum made
 * right, so that mutations of the header reach the checks behind the CRC.
 * When the header parses, the stream is walked from where the header
 * says it starts; when it does not, the input is walked as a bare
 * libxenguest stream, so that mutations reach the walk without a header
 * to keep true.  Whatever the bytes, nothing is read outside them, an
 * accepted header holds savefile.h's limits and builds back to itself,
 * and an accepted stream ends at the end of the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "savefile.h"

/* where the fixed part keeps what is checked here (savefile.c's layout) */
#define AT_NAME_LEN 20
#define AT_VAR_LEN  96
#define AT_CRC	    100

#define PFN_MAX 0x000fffffffffffffull /* 52 bits of a PAGE_DATA entry */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* the stream of data (size bytes, a file of its own) walked from off */
static void
walk(const uint8_t *data, size_t size, uint64_t off)
{
	static int fd = -1;
	struct sf_stream st;
	char err[256] = "";

	if (fd < 0 && (fd = memfd_create("fuzz_savefile", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	if (sf_stream_scan(fd, off, &st, err, sizeof(err)) < 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	/* at least an image header, a domain header and END */
	if (st.end != size || size < off + 24 + 16 + 8 || st.records == 0 ||
	    st.guest_type != 1 || st.data_pages > (size - off) / 4096 ||
	    st.max_pfn > PFN_MAX)
		abort();
}

/*
 * The same bytes through sf_stream_copy, as migrate-receive reads them
 * from a pipe: it must copy exactly a prefix of the input, and when it
 * accepts, that prefix has a good header and ends with an END record
 * (the pages are checked later, by the walk of the file it made).
 */
static void
copy(const uint8_t *data, size_t size)
{
	static const uint8_t end[8];
	static int in = -1, out = -1;
	static uint8_t back[1 << 16];
	struct sf_info info;
	char err[256] = "";
	size_t need;
	off_t n;
	int rc;

	if (in < 0 && (in = memfd_create("fuzz_in", MFD_CLOEXEC)) < 0)
		abort();
	if (out < 0 && (out = memfd_create("fuzz_out", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(in, 0) < 0 || ftruncate(out, 0) < 0 ||
	    lseek(in, 0, SEEK_SET) < 0 || lseek(out, 0, SEEK_SET) < 0 ||
	    (size && pwrite(in, data, size, 0) != (ssize_t)size))
		abort();
	rc = sf_stream_copy(in, out, err, sizeof(err));
	if (rc < 0 && err[0] == '\0')
		abort();
	n = lseek(out, 0, SEEK_END);
	if (n < 0 || (size_t)n > size || (size_t)n > sizeof(back) ||
	    (n > 0 && pread(out, back, (size_t)n, 0) != n) ||
	    memcmp(back, data, (size_t)n) != 0)
		abort();
	if (rc < 0)
		return;
	if (n < 8 || memcmp(back + n - 8, end, 8) != 0 ||
	    sf_header_parse(back, (size_t)n, &info, &need, err, sizeof(err)) <
		    0)
		abort();
	sf_info_free(&info);
}

static int
same(const struct sf_info *a, const struct sf_info *b)
{
	size_t i;

	if (a->flags != b->flags || a->memory_kib != b->memory_kib ||
	    a->maxmem_kib != b->maxmem_kib || a->max_vcpus != b->max_vcpus ||
	    a->domid != b->domid || memcmp(a->uuid, b->uuid, 16) ||
	    memcmp(a->cls, b->cls, SF_CLASS_LEN) || strcmp(a->name, b->name) ||
	    a->config_len != b->config_len ||
	    memcmp(a->config, b->config, a->config_len + 1) ||
	    a->nmacs != b->nmacs || a->stream_offset != b->stream_offset)
		return 0;
	for (i = 0; i < a->nmacs; i++)
		if (a->macs[i].devid != b->macs[i].devid ||
		    memcmp(a->macs[i].mac, b->macs[i].mac, 6))
			return 0;
	return 1;
}

/* an accepted header: within savefile.h's limits, its name and config
 * the bytes of the file, and written back by sf_header_build the same */
static void
check_info(const struct sf_info *in, size_t need, const uint8_t *data,
	   size_t size)
{
	size_t nlen = get32(data + AT_NAME_LEN), len;
	struct sf_info back;
	char err[256];
	uint8_t *h;

	if (strlen(in->name) != nlen || nlen == 0 || nlen > SF_NAME_MAX ||
	    in->config_len > SF_CONFIG_MAX || in->nmacs > SF_MACS_MAX ||
	    (in->nmacs && in->macs == NULL) || (in->flags & ~SF_F_MASK) ||
	    memchr(in->cls, '\0', SF_CLASS_LEN) == NULL ||
	    in->stream_offset != need ||
	    need != SF_HEADER_SIZE + get32(data + AT_VAR_LEN) || need > size ||
	    memcmp(in->name, data + SF_HEADER_SIZE, nlen) ||
	    memcmp(in->config, data + SF_HEADER_SIZE + nlen, in->config_len) ||
	    in->config[in->config_len] != '\0')
		abort();
	h = sf_header_build(in, &len);
	if (h == NULL || len != need ||
	    sf_header_parse(h, len, &back, &need, err, sizeof(err)) < 0 ||
	    !same(in, &back))
		abort();
	sf_info_free(&back);
	free(h);
}

static void
try_file(const uint8_t *data, size_t size)
{
	struct sf_info in;
	char err[256] = "";
	size_t need;

	copy(data, size);
	if (sf_header_parse(data, size, &in, &need, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || in.name || in.config || in.macs)
			abort();
		walk(data, size, 0);
		return;
	}
	check_info(&in, need, data, size);
	walk(data, size, in.stream_offset);
	sf_info_free(&in);
}

/* data with its header's checksum made right, or NULL when it was right
 * already or the header's length does not fit in the input */
static uint8_t *
with_crc(const uint8_t *data, size_t size)
{
	uint32_t vlen, crc = 0;
	uint8_t *copy;

	if (size < SF_HEADER_SIZE)
		return NULL;
	vlen = get32(data + AT_VAR_LEN);
	if (vlen > size - SF_HEADER_SIZE)
		return NULL;
	copy = malloc(size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	memcpy(copy + AT_CRC, &crc, 4);
	crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), copy,
			      (uInt)(SF_HEADER_SIZE + vlen));
	memcpy(copy + AT_CRC, &crc, 4);
	if (memcmp(copy + AT_CRC, data + AT_CRC, 4) == 0) {
		free(copy);
		return NULL;
	}
	return copy;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;

	try_file(data, size);
	fixed = with_crc(data, size);
	if (fixed != NULL) {
		try_file(fixed, size);
		free(fixed);
	}
	return 0;
}
