/* savefile.c: chaos's save file header and the stream walk (savefile.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "savefile.h"

/* the fixed part, as laid out in docs/savefile.md */
enum {
	O_MAGIC = 0,
	O_BYTEORDER = 8,
	O_VERSION = 12,
	O_HSIZE = 14,
	O_FLAGS = 16,
	O_NAME_LEN = 20,
	O_CONFIG_LEN = 24,
	O_NMACS = 28,
	O_MEMORY = 32,
	O_MAXMEM = 40,
	O_VCPUS = 48,
	O_DOMID = 52,
	O_UUID = 56,
	O_CLASS = 72,
	O_VAR_LEN = 96,
	O_CRC = 100,
};

#define MAC_SIZE 8 /* u16 devid, 6 bytes */

/* what an xl save file and a bare libxenguest stream start with */
static const char xl_magic[] = "Xen saved domain, xl format\n \0 \r";
static const uint8_t xc_marker[8] = {0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff};

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
sf_class(uint64_t memory_kib, uint32_t vcpus, char cls[SF_CLASS_LEN])
{
	snprintf(cls, SF_CLASS_LEN, "%llum%uv",
		 (unsigned long long)(memory_kib / 1024), vcpus);
}

void
sf_info_free(struct sf_info *in)
{
	free(in->name);
	free(in->config);
	free(in->macs);
	in->name = in->config = NULL;
	in->macs = NULL;
}

static size_t
var_len(size_t name, size_t config, size_t nmacs)
{
	return (name + config + nmacs * MAC_SIZE + 7) & ~(size_t)7;
}

static uint32_t
checksum(const uint8_t *fixed, const uint8_t *var, size_t vlen)
{
	uint8_t copy[SF_HEADER_SIZE];
	uLong c = crc32(0L, Z_NULL, 0);

	memcpy(copy, fixed, sizeof(copy));
	put32(copy + O_CRC, 0);
	c = crc32(c, copy, sizeof(copy));
	return (uint32_t)crc32(c, var, (uInt)vlen);
}

uint8_t *
sf_header_build(const struct sf_info *in, size_t *len)
{
	size_t nlen = in->name ? strlen(in->name) : 0, vlen, i;
	uint8_t *h, *v;

	if (nlen == 0 || nlen > SF_NAME_MAX || in->config_len > SF_CONFIG_MAX ||
	    in->nmacs > SF_MACS_MAX || (in->flags & ~SF_F_MASK) ||
	    memchr(in->cls, '\0', sizeof(in->cls)) == NULL)
		return errno = EINVAL, NULL;
	vlen = var_len(nlen, in->config_len, in->nmacs);
	h = calloc(1, SF_HEADER_SIZE + vlen);
	if (h == NULL)
		return NULL;
	memcpy(h + O_MAGIC, SF_MAGIC, 8);
	put32(h + O_BYTEORDER, SF_BYTEORDER);
	put16(h + O_VERSION, SF_VERSION);
	put16(h + O_HSIZE, SF_HEADER_SIZE);
	put32(h + O_FLAGS, in->flags);
	put32(h + O_NAME_LEN, (uint32_t)nlen);
	put32(h + O_CONFIG_LEN, (uint32_t)in->config_len);
	put32(h + O_NMACS, (uint32_t)in->nmacs);
	put64(h + O_MEMORY, in->memory_kib);
	put64(h + O_MAXMEM, in->maxmem_kib);
	put32(h + O_VCPUS, in->max_vcpus);
	put32(h + O_DOMID, in->domid);
	memcpy(h + O_UUID, in->uuid, 16);
	memcpy(h + O_CLASS, in->cls, SF_CLASS_LEN);
	put32(h + O_VAR_LEN, (uint32_t)vlen);
	v = h + SF_HEADER_SIZE;
	memcpy(v, in->name, nlen);
	if (in->config_len)
		memcpy(v + nlen, in->config, in->config_len);
	v += nlen + in->config_len;
	for (i = 0; i < in->nmacs; i++, v += MAC_SIZE) {
		put16(v, in->macs[i].devid);
		memcpy(v + 2, in->macs[i].mac, 6);
	}
	put32(h + O_CRC, checksum(h, h + SF_HEADER_SIZE, vlen));
	*len = SF_HEADER_SIZE + vlen;
	return h;
}

/* why the first bytes are not ours */
static int
foreign(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	if (len >= sizeof(xl_magic) - 1 &&
	    memcmp(buf, xl_magic, sizeof(xl_magic) - 1) == 0)
		return fail(err, errlen,
			    "an xl save file, not chaos's (restore it with "
			    "xl restore)");
	if (len >= 8 && memcmp(buf, xc_marker, 8) == 0)
		return fail(err, errlen,
			    "a bare libxenguest stream without chaos's header");
	return fail(err, errlen, "not a chaos save file");
}

int
sf_header_parse(const uint8_t *buf, size_t len, struct sf_info *in,
		size_t *need, char *err, size_t errlen)
{
	uint32_t nlen, clen, nmacs, vlen, bo;
	const uint8_t *v;
	size_t i;

	memset(in, 0, sizeof(*in));
	*need = SF_HEADER_SIZE;
	if (len == 0)
		return fail(err, errlen, "empty file");
	if (memcmp(buf, SF_MAGIC, len < 8 ? len : 8) != 0)
		return foreign(buf, len, err, errlen);
	if (len < SF_HEADER_SIZE)
		return fail(err, errlen,
			    "truncated: %zu bytes, the header alone takes %d",
			    len, SF_HEADER_SIZE);
	bo = get32(buf + O_BYTEORDER);
	if (bo == __builtin_bswap32(SF_BYTEORDER))
		return fail(err, errlen,
			    "saved on a host of the other byte order");
	if (bo != SF_BYTEORDER)
		return fail(err, errlen, "corrupt header (byte order mark %#x)",
			    bo);
	if (get16(buf + O_VERSION) != SF_VERSION)
		return fail(err, errlen,
			    "format version %u; this chaos reads version %d",
			    get16(buf + O_VERSION), SF_VERSION);
	nlen = get32(buf + O_NAME_LEN);
	clen = get32(buf + O_CONFIG_LEN);
	nmacs = get32(buf + O_NMACS);
	vlen = get32(buf + O_VAR_LEN);
	if (get16(buf + O_HSIZE) != SF_HEADER_SIZE || nlen == 0 ||
	    nlen > SF_NAME_MAX || clen > SF_CONFIG_MAX || nmacs > SF_MACS_MAX ||
	    vlen != var_len(nlen, clen, nmacs))
		return fail(err, errlen, "corrupt header (sizes)");
	*need = SF_HEADER_SIZE + vlen;
	if (len < *need)
		return fail(err, errlen,
			    "truncated: %zu bytes, the header takes %zu", len,
			    *need);
	v = buf + SF_HEADER_SIZE;
	if (get32(buf + O_CRC) != checksum(buf, v, vlen))
		return fail(err, errlen,
			    "corrupt header (its checksum does not match)");
	in->flags = get32(buf + O_FLAGS);
	in->memory_kib = get64(buf + O_MEMORY);
	in->maxmem_kib = get64(buf + O_MAXMEM);
	in->max_vcpus = get32(buf + O_VCPUS);
	in->domid = get32(buf + O_DOMID);
	memcpy(in->uuid, buf + O_UUID, 16);
	memcpy(in->cls, buf + O_CLASS, SF_CLASS_LEN);
	/* checksummed, yet still read as hostile: it may be crafted */
	if ((in->flags & ~SF_F_MASK) || in->max_vcpus == 0 ||
	    in->max_vcpus > 4096 || in->memory_kib == 0 ||
	    in->memory_kib % 1024 || in->maxmem_kib < in->memory_kib ||
	    in->maxmem_kib > (1ull << 42) ||
	    memchr(in->cls, '\0', sizeof(in->cls)) == NULL ||
	    memchr(v, '\0', nlen) != NULL)
		return fail(err, errlen, "corrupt header (fields)");
	in->name = malloc(nlen + 1);
	in->config = malloc(clen + 1);
	in->macs = calloc(nmacs ? nmacs : 1, sizeof(*in->macs));
	if (in->name == NULL || in->config == NULL || in->macs == NULL) {
		sf_info_free(in);
		return fail(err, errlen, "%s", strerror(ENOMEM));
	}
	memcpy(in->name, v, nlen);
	in->name[nlen] = '\0';
	memcpy(in->config, v + nlen, clen);
	in->config[clen] = '\0';
	in->config_len = clen;
	v += nlen + clen;
	for (i = 0; i < nmacs; i++, v += MAC_SIZE) {
		in->macs[i].devid = get16(v);
		memcpy(in->macs[i].mac, v + 2, 6);
	}
	in->nmacs = nmacs;
	in->stream_offset = *need;
	return 0;
}

/* --- the libxenguest stream (tools/libs/guest/xg_sr_stream_format.h) --- */

#define XC_IHDR_SIZE	   24
#define XC_DHDR_SIZE	   16
#define XC_ID		   0x58454E46u /* "XENF" */
#define XC_REC_END	   0x0u
#define XC_REC_PAGE_DATA   0x1u
#define XC_REC_LAST	   0x12u /* X86_MSR_POLICY */
#define XC_REC_OPTIONAL	   0x80000000u
#define XC_REC_LENGTH_MAX  (128u << 20)
#define XC_PFN_MASK	   0x000fffffffffffffull
#define XC_PAGE_DATA_BATCH 1024 /* pages a saver puts in one record */

static const char *const rec_names[] = {
	"END",
	"PAGE_DATA",
	"X86_PV_INFO",
	"X86_PV_P2M_FRAMES",
	"X86_PV_VCPU_BASIC",
	"X86_PV_VCPU_EXTENDED",
	"X86_PV_VCPU_XSAVE",
	"SHARED_INFO",
	"X86_TSC_INFO",
	"HVM_CONTEXT",
	"HVM_PARAMS",
	"TOOLSTACK",
	"X86_PV_VCPU_MSRS",
	"VERIFY",
	"CHECKPOINT",
	"CHECKPOINT_DIRTY_PFN_LIST",
	"STATIC_DATA_END",
	"X86_CPUID_POLICY",
	"X86_MSR_POLICY",
};

/* read exactly n bytes at off: 0, 1 at a short read (end of file), -1 */
static int
pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, (uint8_t *)buf + got, n - got,
			  (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 1;
		got += (size_t)r;
	}
	return 0;
}

/* a page type (the pfn entry's top nibble) that carries 4 KiB of data:
 * NOTAB and L1-L4 (pinned or not); XTAB, XALLOC and BROKEN carry none */
static int
page_type(uint64_t entry, int *data)
{
	unsigned t = (unsigned)(entry >> 60);

	*data = t <= 4 || (t >= 9 && t <= 12);
	return *data || t >= 0xd ? 0 : -1;
}

/* one PAGE_DATA record of length bytes at body */
static int
scan_pages(int fd, uint64_t body, uint32_t length, struct sf_stream *st,
	   char *err, size_t errlen)
{
	uint64_t pfns[XC_PAGE_DATA_BATCH];
	uint8_t h[8];
	uint32_t count, i;
	uint64_t ndata = 0, pfn;
	int data, r;

	if (length < 8)
		return fail(err, errlen, "a PAGE_DATA record of %u bytes",
			    length);
	if ((r = pread_all(fd, h, 8, body)) != 0)
		return r < 0 ? fail(err, errlen, "%s", strerror(errno))
			     : fail(err, errlen,
				    "truncated in a PAGE_DATA "
				    "record");
	count = get32(h);
	if (count < 1 || count > XC_PAGE_DATA_BATCH ||
	    length < 8 + (uint64_t)count * 8)
		return fail(err, errlen,
			    "a PAGE_DATA record of %u pages in "
			    "%u bytes",
			    count, length);
	if ((r = pread_all(fd, pfns, (size_t)count * 8, body + 8)) != 0)
		return r < 0 ? fail(err, errlen, "%s", strerror(errno))
			     : fail(err, errlen,
				    "truncated in a PAGE_DATA "
				    "record");
	for (i = 0; i < count; i++) {
		if (page_type(pfns[i], &data) < 0)
			return fail(err, errlen, "a page of unknown type %#llx",
				    (unsigned long long)(pfns[i] >> 60));
		pfn = pfns[i] & XC_PFN_MASK;
		if (pfn > st->max_pfn)
			st->max_pfn = pfn;
		ndata += data;
	}
	if (length != 8 + (uint64_t)count * 8 + ndata * 4096)
		return fail(err, errlen,
			    "a PAGE_DATA record of %u bytes for %llu pages "
			    "of data",
			    length, (unsigned long long)ndata);
	st->data_pages += ndata;
	return 0;
}

int
sf_stream_scan(int fd, uint64_t off, struct sf_stream *st, char *err,
	       size_t errlen)
{
	uint8_t ih[XC_IHDR_SIZE], dh[XC_DHDR_SIZE], rh[8];
	uint32_t type, length, version;
	uint64_t pos, size, body;
	struct stat sb;
	int r;

	memset(st, 0, sizeof(*st));
	if (fstat(fd, &sb) < 0)
		return fail(err, errlen, "%s", strerror(errno));
	size = (uint64_t)sb.st_size;
	if ((r = pread_all(fd, ih, sizeof(ih), off)) != 0)
		return r < 0 ? fail(err, errlen, "%s", strerror(errno))
			     : fail(err, errlen,
				    "truncated: no domain image after the "
				    "header");
	version = be32(ih + 12);
	if (memcmp(ih, xc_marker, 8) != 0 || be32(ih + 8) != XC_ID)
		return fail(err, errlen,
			    "no libxenguest image after the header");
	if (version < 2 || version > 3)
		return fail(err, errlen, "libxenguest stream version %u",
			    version);
	if (ih[17] & 1) /* options, big-endian: bit 0 */
		return fail(err, errlen, "a big-endian libxenguest stream");
	off += sizeof(ih);
	if ((r = pread_all(fd, dh, sizeof(dh), off)) != 0)
		return r < 0 ? fail(err, errlen, "%s", strerror(errno))
			     : fail(err, errlen,
				    "truncated in the image "
				    "header");
	st->guest_type = get32(dh);
	st->xen_major = get32(dh + 8);
	st->xen_minor = get32(dh + 12);
	if (st->guest_type != 1 || get16(dh + 4) != 12)
		return fail(err, errlen,
			    "an image of a guest type chaos cannot restore "
			    "(type %u, pages of 2^%u bytes)",
			    st->guest_type, get16(dh + 4));
	off += sizeof(dh);
	for (;;) {
		pos = off;
		if ((r = pread_all(fd, rh, 8, off)) != 0)
			return r < 0 ? fail(err, errlen, "%s", strerror(errno))
				     : fail(err, errlen,
					    "truncated after %llu records "
					    "(byte %llu): the stream has no "
					    "END record",
					    (unsigned long long)st->records,
					    (unsigned long long)pos);
		type = get32(rh);
		length = get32(rh + 4);
		if ((type & ~XC_REC_OPTIONAL) > XC_REC_LAST)
			return fail(err, errlen,
				    "corrupt stream: a record of unknown "
				    "type %#x at byte %llu",
				    type, (unsigned long long)pos);
		/* END ends the stream: it carries nothing */
		if (length > XC_REC_LENGTH_MAX ||
		    (type == XC_REC_END && length != 0))
			return fail(err, errlen,
				    "corrupt stream: a %s record of %u bytes",
				    rec_names[type & ~XC_REC_OPTIONAL], length);
		body = off + 8;
		off = body + (((uint64_t)length + 7) & ~7ull);
		if (off > size)
			return fail(err, errlen,
				    "truncated in record %llu (%s): it ends "
				    "at byte %llu, the file at %llu",
				    (unsigned long long)st->records,
				    rec_names[type & ~XC_REC_OPTIONAL],
				    (unsigned long long)off,
				    (unsigned long long)size);
		st->records++;
		if (type == XC_REC_PAGE_DATA &&
		    scan_pages(fd, body, length, st, err, errlen) < 0)
			return -1;
		if (type == XC_REC_END)
			break;
	}
	if (off != size)
		return fail(err, errlen,
			    "%llu bytes after the stream's END record",
			    (unsigned long long)(size - off));
	st->end = off;
	return 0;
}

/* read exactly n bytes from a pipe: 0, 1 at end of file, -1 */
static int
read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (uint8_t *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 1;
		got += (size_t)r;
	}
	return 0;
}

int
sf_write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* n bytes from in to out through buf (cap bytes) */
static int
pass(int in, int out, uint8_t *buf, size_t cap, uint64_t n, const char *what,
     char *err, size_t errlen)
{
	size_t k;
	int r;

	while (n > 0) {
		k = n < cap ? (size_t)n : cap;
		r = read_all(in, buf, k);
		if (r != 0)
			return r < 0 ? fail(err, errlen, "read: %s",
					    strerror(errno))
				     : fail(err, errlen, "truncated in %s",
					    what);
		if (sf_write_all(out, buf, k) < 0)
			return fail(err, errlen, "write: %s", strerror(errno));
		n -= k;
	}
	return 0;
}

int
sf_stream_copy(int in, int out, char *err, size_t errlen)
{
	uint8_t fixed[SF_HEADER_SIZE], rh[8];
	uint8_t *buf;
	struct sf_info info;
	size_t need, cap = 1 << 20;
	uint32_t type, length;
	int r, rc = -1;

	r = read_all(in, fixed, sizeof(fixed));
	if (r != 0)
		return r < 0 ? fail(err, errlen, "read: %s", strerror(errno))
			     : fail(err, errlen, "truncated in the header");
	/* the fixed part alone says how long the rest of the header is */
	if (sf_header_parse(fixed, sizeof(fixed), &info, &need, err, errlen) ==
	    0)
		sf_info_free(&info);
	else if (need <= sizeof(fixed))
		return -1;
	buf = malloc(need > cap ? need : cap);
	if (buf == NULL)
		return fail(err, errlen, "%s", strerror(ENOMEM));
	memcpy(buf, fixed, sizeof(fixed));
	r = read_all(in, buf + sizeof(fixed), need - sizeof(fixed));
	if (r != 0) {
		fail(err, errlen,
		     r < 0 ? strerror(errno) : "truncated in the header");
		goto out;
	}
	if (sf_header_parse(buf, need, &info, &need, err, errlen) < 0)
		goto out;
	sf_info_free(&info);
	if (sf_write_all(out, buf, need) < 0) {
		fail(err, errlen, "write: %s", strerror(errno));
		goto out;
	}
	if (pass(in, out, buf, cap, XC_IHDR_SIZE + XC_DHDR_SIZE,
		 "the image header", err, errlen) < 0)
		goto out;
	do {
		r = read_all(in, rh, sizeof(rh));
		if (r != 0) {
			fail(err, errlen,
			     r < 0 ? strerror(errno)
				   : "truncated: the stream has no END record");
			goto out;
		}
		type = get32(rh);
		length = get32(rh + 4);
		if ((type & ~XC_REC_OPTIONAL) > XC_REC_LAST ||
		    length > XC_REC_LENGTH_MAX ||
		    (type == XC_REC_END && length != 0)) {
			fail(err, errlen,
			     "corrupt stream: a record of type %#x, %u bytes",
			     type, length);
			goto out;
		}
		if (sf_write_all(out, rh, sizeof(rh)) < 0) {
			fail(err, errlen, "write: %s", strerror(errno));
			goto out;
		}
		if (pass(in, out, buf, cap, ((uint64_t)length + 7) & ~7ull,
			 rec_names[type & ~XC_REC_OPTIONAL], err, errlen) < 0)
			goto out;
	} while (type != XC_REC_END);
	rc = 0;
out:
	free(buf);
	return rc;
}
