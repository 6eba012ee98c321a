/*
 * savefile.h: chaos's save file (docs/savefile.md).
 *
 * A header of ours (what the domain was: its name, config text, device
 * method, shape and vif MACs, under a CRC-32), then libxenguest's
 * migration stream as xc_domain_save writes it.  Restore reads a file
 * through here before it makes anything: the header is checked, and the
 * stream's record framing is walked to its END record, so a truncated,
 * corrupt or foreign file is refused with one line.  Pure code: no Xen,
 * no printing.
 */
#ifndef CHAOS_SAVEFILE_H
#define CHAOS_SAVEFILE_H

#include <stddef.h>
#include <stdint.h>

#define SF_MAGIC       "ChaosSav" /* 8 bytes, no NUL */
#define SF_BYTEORDER   0x01020304u
#define SF_VERSION     1
#define SF_HEADER_SIZE 104
#define SF_CLASS_LEN   24
#define SF_F_NOXS      0x1 /* devices through a noxs device page */
#define SF_F_DOMID     0x2 /* restore under the saved domain id (save -D) */
#define SF_F_MASK      0x3

#define SF_NAME_MAX   128	/* bytes of the name, no NUL */
#define SF_CONFIG_MAX (1 << 20) /* as cfgfile.h's CFGFILE_MAX */
#define SF_MACS_MAX   64

/* One vif's MAC, kept so that the restored guest's NICs do not change. */
struct sf_mac {
	uint16_t devid;
	uint8_t mac[6];
};

/* What a save file says about its domain. */
struct sf_info {
	uint32_t flags; /* SF_F_* */
	uint64_t memory_kib, maxmem_kib;
	uint32_t max_vcpus;
	uint32_t domid; /* the saved domain's id */
	uint8_t uuid[16];
	char cls[SF_CLASS_LEN]; /* its shell class, "<MiB>m<vCPUs>v" */
	char *name;		/* malloc'd, NUL-terminated */
	char *config;		/* malloc'd, config_len bytes plus a NUL */
	size_t config_len;
	struct sf_mac *macs; /* malloc'd */
	size_t nmacs;
	uint64_t stream_offset; /* where libxenguest's stream starts */
};

void sf_info_free(struct sf_info *in);

/* The header and its variable part for in (malloc'd, *len bytes, a
 * multiple of 8); NULL with errno (EINVAL: a field out of range). */
uint8_t *sf_header_build(const struct sf_info *in, size_t *len);

/*
 * Parse the header at the start of buf (len bytes of the file, which may
 * be more): 0 and in filled (in->stream_offset set), or -1 with a cause in
 * err.  *need gets how many bytes the whole header takes once the fixed
 * part is readable (so a reader can fetch the rest and call again).
 */
int sf_header_parse(const uint8_t *buf, size_t len, struct sf_info *in,
		    size_t *need, char *err, size_t errlen);

/* What the framing walk of a libxenguest stream found. */
struct sf_stream {
	uint32_t guest_type; /* 1 x86 PV, 2 x86 HVM */
	uint32_t xen_major, xen_minor;
	uint64_t records;
	uint64_t data_pages; /* pages whose contents the stream carries */
	uint64_t max_pfn;    /* the highest pfn of a page record */
	uint64_t end;	     /* offset just past the END record */
};

/*
 * Walk the libxenguest stream that starts at offset off of fd to its END
 * record, reading record headers and page lists and skipping page
 * contents (fd must be seekable).  The END record must end exactly at the
 * end of the file.  0, or -1 with a cause in err.
 */
int sf_stream_scan(int fd, uint64_t off, struct sf_stream *st, char *err,
		   size_t errlen);

/*
 * Copy one save file from in (a pipe) to out, checking as it goes, and
 * stop right after the stream's END record: what comes after it on in is
 * not read (a migration's replies share the channel).  The header is
 * parsed and the framing checked as sf_header_parse and sf_stream_scan
 * do; page contents are copied unread.  0, or -1 with a cause in err.
 */
int sf_stream_copy(int in, int out, char *err, size_t errlen);

/* Write all n bytes of buf to fd (a file or a pipe): 0, or -1 with errno. */
int sf_write_all(int fd, const void *buf, size_t n);

/* The shell class of a shape: "<MiB>m<vCPUs>v". */
void sf_class(uint64_t memory_kib, uint32_t vcpus, char cls[SF_CLASS_LEN]);

#endif
