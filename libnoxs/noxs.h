/*
 * noxs.h: the noxs ABI (docs/noxs.md) and helpers for its three sides.
 *
 * noxs hands a PV guest its devices without XenStore: the builder puts a
 * *device page* where the XenStore ring page would be (start_info.store_mfn
 * and store_evtchn), and the guest reads its devices from it.  This header
 * has no dependency beyond <stdint.h> and <stddef.h>, so a freestanding
 * guest includes it; all structures have fixed layouts, checked below.
 *
 * Every helper returns 0 (or a count) on success and a negative NOXS_E*
 * code on failure; none prints or exits.  Functions named *_read copy the
 * shared page before looking at it, then validate the copy: the other side
 * can change shared memory at any time and must be treated as hostile.
 */
#ifndef NOXS_H
#define NOXS_H

#include <stddef.h>
#include <stdint.h>

#define NOXS_VERSION   1
#define NOXS_PAGE_SIZE 4096

/* Device page magic: the bytes "NOXS" (a fresh XenStore ring reads 0). */
#define NOXS_MAGIC 0x53584f4eu

/* A kernel that speaks noxs carries an ELF note named "chaos" of this
 * type, whose 4-byte descriptor is the highest NOXS_VERSION it speaks. */
#define NOXS_ELFNOTE_NAME "chaos"
#define NOXS_ELFNOTE_NOXS 1

/* Error codes (negated on return); equal to Linux's errno values. */
#define NOXS_EINVAL 22 /* a bad argument or a malformed page */
#define NOXS_ENOSPC 28 /* the device page is full */
#define NOXS_ENOENT 2  /* no such device */
#define NOXS_EPROTO 71 /* the peer broke the protocol */
#define NOXS_EAGAIN 11 /* nothing to do yet */

enum noxs_dev_type {
	NOXS_DEV_CONSOLE = 1, /* the start_info console ring */
	NOXS_DEV_SYSCTL = 2,  /* power requests: poweroff, reboot, suspend */
	NOXS_DEV_VIF = 3,     /* network interface (netif rings) */
	NOXS_DEV_VBD = 4,     /* block device (blkif ring) */
};
#define NOXS_DEV_TYPE_MAX 4

/* Where a device's control block lives (noxs_dev_entry.flags). */
#define NOXS_F_GUEST_GRANT                                                     \
	0x1		      /* a page of the guest's own, granted to         \
			       * the backend as ctrl_gref in the guest's       \
			       * grant table (the console ring: ref 0) */
#define NOXS_F_IN_DEVPAGE 0x2 /* at ctrl_offset inside the device page */
#define NOXS_F_BACKEND_GRANT                                                   \
	0x4 /* a page the backend offers: the guest                            \
	     * maps ctrl_gref of backend_domid */
#define NOXS_F_MASK 0x7

/* One device: 32 bytes. */
struct noxs_dev_entry {
	uint16_t type; /* enum noxs_dev_type */
	uint16_t devid;
	uint16_t backend_domid;
	uint16_t flags;	      /* exactly one NOXS_F_* */
	uint32_t ctrl_gref;   /* GUEST_GRANT, BACKEND_GRANT */
	uint32_t ctrl_offset; /* IN_DEVPAGE: byte offset, 64-aligned */
	uint32_t evtchn;      /* the guest's port; the backend binds it */
	uint32_t reserved[3]; /* 0 */
};

#define NOXS_MAX_DEVICES 32
#define NOXS_HEADER_SIZE 64
#define NOXS_ENTRIES_END (NOXS_HEADER_SIZE + NOXS_MAX_DEVICES * 32)

/* The device page: 4096 bytes at start_info.store_mfn. */
struct noxs_device_page {
	uint32_t magic;	       /* NOXS_MAGIC */
	uint16_t version;      /* NOXS_VERSION */
	uint16_t header_size;  /* NOXS_HEADER_SIZE */
	uint32_t domid;	       /* the guest's own domain id */
	uint32_t ndevices;     /* entries in use, from devices[0] */
	uint32_t entry_size;   /* sizeof(struct noxs_dev_entry) */
	uint32_t generation;   /* toolstack: odd while it rewrites the
				* entries, even when they are whole; bumped
				* by each change after boot (hot plug) */
	uint32_t reserved[10]; /* 0 */
	struct noxs_dev_entry devices[NOXS_MAX_DEVICES];
	uint8_t area[NOXS_PAGE_SIZE - NOXS_ENTRIES_END]; /* IN_DEVPAGE blocks */
};

/* Connection states, as xenbus's, so the state machine is familiar. */
enum noxs_state {
	NOXS_STATE_UNKNOWN = 0,
	NOXS_STATE_INITIALISING = 1,
	NOXS_STATE_INITWAIT = 2,
	NOXS_STATE_INITIALISED = 3,
	NOXS_STATE_CONNECTED = 4,
	NOXS_STATE_CLOSING = 5,
	NOXS_STATE_CLOSED = 6,
};
#define NOXS_STATE_MAX 6

/* Power requests (noxs_sysctl.request) and their feature bits. */
enum noxs_sysctl_req {
	NOXS_SYSCTL_NONE = 0,
	NOXS_SYSCTL_POWEROFF = 1,
	NOXS_SYSCTL_REBOOT = 2,
	NOXS_SYSCTL_SUSPEND = 3,
};
#define NOXS_SYSCTL_REQ_MAX	 3
#define NOXS_SYSCTL_FEATURE(req) (1u << (req))

/*
 * The sysctl control block: 64 bytes.  The backend (the toolstack) owns
 * be_state, request, request_seq and notice_evtchn; the frontend (the
 * guest) owns fe_state, features and ack_seq.  A request is pending while
 * request_seq != ack_seq; the guest acknowledges by copying request_seq
 * into ack_seq before it acts.
 *
 * notice_evtchn, when not 0, is a port of the guest, allocated for dom0,
 * that the guest signals (EVTCHNOP_send) right before it shuts itself
 * down (SCHEDOP_shutdown, any reason), so that the toolstack learns of
 * the shutdown at once: xenstored reports only domains introduced to it.
 * It is a channel of its own, not evtchn, because the toolstack keeps it
 * bound for the guest's life while a power request binds evtchn for one
 * notification, and only one dom0 process can bind a port.
 */
struct noxs_sysctl {
	uint32_t be_state;
	uint32_t fe_state;
	uint32_t request; /* enum noxs_sysctl_req */
	uint32_t request_seq;
	uint32_t ack_seq;
	uint32_t features;	/* NOXS_SYSCTL_FEATURE() bits the guest obeys */
	uint32_t notice_evtchn; /* 0: none */
	uint32_t reserved[9];
};

/*
 * The vif control block (NOXS_F_IN_DEVPAGE, 64 bytes in the device page;
 * docs/noxs.md section 8): what netback and netfront negotiate over
 * XenStore.  The toolstack writes the backend's half before the guest
 * first runs; the backend (xendevd) owns be_state from then on.  The
 * frontend owns fe_state, fe_features and the ring refs.  The rings are
 * Xen's netif TX and RX rings (xen/io/netif.h), one page each, pages of
 * the guest granted to backend_domid; one event channel (the entry's
 * evtchn) serves both.  Data moves by grant copy: RX_COPY only, one page
 * a packet (no SG), no checksum offload.
 */
struct noxs_vif_ctrl {
	uint32_t be_state;    /* enum noxs_state, backend */
	uint32_t fe_state;    /* enum noxs_state, frontend */
	uint8_t mac[6];	      /* backend: the guest's MAC (the config's) */
	uint16_t mtu;	      /* backend: 68..1500 */
	uint32_t be_features; /* backend: NOXS_VIF_F_* it offers */
	uint32_t fe_features; /* frontend: NOXS_VIF_F_* it uses */
	uint32_t tx_ring_ref; /* frontend: grant of its TX ring page */
	uint32_t rx_ring_ref; /* frontend: grant of its RX ring page */
	uint32_t ipv4;	      /* backend: the config's ip=, network order;
			       * 0: none */
	uint32_t prefix;      /* backend: ip='s prefix length, 0..32 */
	uint32_t reserved[6]; /* 0 */
};
#define NOXS_VIF_F_RX_COPY 0x1 /* the only mode: the backend copies */
#define NOXS_VIF_F_SG	   0x2 /* reserved: multi-slot packets */
#define NOXS_VIF_F_CSUM	   0x4 /* reserved: checksum offload */

/* The vbd control page: one blkif ring. */
struct noxs_vbd_ctrl {
	uint32_t be_state;
	uint32_t fe_state;
	uint64_t sectors;     /* backend: size in 512-byte sectors */
	uint32_t sector_size; /* backend */
	uint32_t info;	      /* backend: VDISK_* bits */
	uint32_t ring_ref;    /* frontend */
	uint32_t reserved[9];
};

/* --- layout checks ------------------------------------------------------ */
#define NOXS_ASSERT(c, m) _Static_assert(c, m)
NOXS_ASSERT(sizeof(struct noxs_dev_entry) == 32, "entry size");
NOXS_ASSERT(offsetof(struct noxs_dev_entry, ctrl_gref) == 8, "ctrl_gref");
NOXS_ASSERT(offsetof(struct noxs_dev_entry, evtchn) == 16, "evtchn");
NOXS_ASSERT(sizeof(struct noxs_device_page) == NOXS_PAGE_SIZE, "page");
NOXS_ASSERT(offsetof(struct noxs_device_page, domid) == 8, "domid");
NOXS_ASSERT(offsetof(struct noxs_device_page, generation) == 20, "gen");
NOXS_ASSERT(offsetof(struct noxs_device_page, devices) == NOXS_HEADER_SIZE,
	    "devices");
NOXS_ASSERT(offsetof(struct noxs_device_page, area) == NOXS_ENTRIES_END,
	    "area");
NOXS_ASSERT(sizeof(struct noxs_sysctl) == 64, "sysctl size");
NOXS_ASSERT(offsetof(struct noxs_sysctl, ack_seq) == 16, "ack_seq");
NOXS_ASSERT(offsetof(struct noxs_sysctl, notice_evtchn) == 24, "notice");
NOXS_ASSERT(sizeof(struct noxs_vif_ctrl) == 64, "vif size");
NOXS_ASSERT(offsetof(struct noxs_vif_ctrl, tx_ring_ref) == 24, "tx ref");
NOXS_ASSERT(offsetof(struct noxs_vif_ctrl, ipv4) == 32, "ipv4");
NOXS_ASSERT(sizeof(struct noxs_vbd_ctrl) == 64, "vbd size");

/* --- toolstack side ----------------------------------------------------- */

/* A fresh device page for domid (the whole page is written). */
void noxs_page_init(void *page, uint32_t domid);

/* Append e; -NOXS_ENOSPC when full, -NOXS_EINVAL when e is malformed. */
int noxs_page_add(void *page, const struct noxs_dev_entry *e);

/* Reserve a 64-byte control block in the page's area for an IN_DEVPAGE
 * device; its offset, or -NOXS_ENOSPC. */
int noxs_page_alloc_block(const void *page, const struct noxs_dev_entry *e,
			  size_t n);

/*
 * Devices that come and go while the guest runs (docs/noxs.md section 9):
 * rewrite the header's entries as entries[0..n) (a valid page's worth:
 * checked as noxs_page_read checks a page; the rest zeroed), between two
 * bumps of generation, odd while it writes.  Control blocks in the area
 * are not touched.  0, or -NOXS_EINVAL (the page is left as it was).
 */
int noxs_page_publish(volatile void *page, uint32_t domid,
		      const struct noxs_dev_entry *entries, size_t n);

/* --- reading a page someone else can write (copy, then validate) ------- */

/*
 * Copy the device page at shared into out and check it: magic, version,
 * sizes, device count, known types, one flag each, IN_DEVPAGE offsets
 * inside the area and aligned, no (type, devid) twice, reserved fields 0.
 */
int noxs_page_read(const volatile void *shared, struct noxs_device_page *out);

/*
 * noxs_page_read between two reads of generation (a seqlock): -NOXS_EAGAIN
 * while the toolstack rewrites the entries (generation odd, or changed
 * during the copy: read again soon), else noxs_page_read's result.
 */
int noxs_page_read_stable(const volatile void *shared,
			  struct noxs_device_page *out);

/* The page's generation now (one read). */
uint32_t noxs_page_generation(const volatile void *shared);

/* Copy a sysctl block and check its states, request and sequence. */
int noxs_sysctl_read(const volatile void *shared, struct noxs_sysctl *out);

/* The entry of type/devid in a checked page, or NULL. */
const struct noxs_dev_entry *noxs_find(const struct noxs_device_page *p,
				       uint16_t type, uint16_t devid);

/* --- sysctl: backend (toolstack) side ---------------------------------- */

/* Post req; -NOXS_EAGAIN when the guest has not connected or does not
 * announce req, -NOXS_EPROTO on a malformed block.  Returns the new
 * request_seq (> 0) for noxs_sysctl_acked(). */
int noxs_sysctl_post(volatile void *shared, uint32_t req);

/* 1 when the guest has acknowledged seq, 0 when not yet. */
int noxs_sysctl_acked(const volatile void *shared, uint32_t seq);

/* --- sysctl: frontend (guest) side ------------------------------------- */

/* Announce the requests we obey and connect. */
void noxs_sysctl_fe_connect(volatile void *shared, uint32_t features);

/* The pending request, acknowledged, or NOXS_SYSCTL_NONE. */
uint32_t noxs_sysctl_fe_take(volatile void *shared);

/* The port to signal before shutting down (read once), or 0 for none;
 * at most max_port (the guest's last valid port). */
uint32_t noxs_sysctl_fe_notice(const volatile void *shared, uint32_t max_port);

/* --- vif: frontend (guest) side ---------------------------------------- */

/* Copy a vif block and check the backend's half: states in range, mtu
 * 68..1500, prefix 0..32, reserved 0; -NOXS_EPROTO when it is not. */
int noxs_vif_fe_read(const volatile void *shared, struct noxs_vif_ctrl *out);

/* Publish our rings (grant refs to backend_domid) and the features we
 * use, then, after a barrier, fe_state = CONNECTED.  The caller signals
 * the entry's channel. */
void noxs_vif_fe_connect(volatile void *shared, uint32_t tx_ring_ref,
			 uint32_t rx_ring_ref, uint32_t features);

/* The backend's state, read once; an out of range value reads CLOSED. */
uint32_t noxs_vif_fe_be_state(const volatile void *shared);

/* 1 when the block is fresh, one to connect to: be_state INITWAIT and
 * fe_state UNKNOWN or INITIALISING (a vif we closed reads CLOSED until
 * the toolstack removes its entry; one re-added has a fresh block). */
int noxs_vif_fe_fresh(const volatile void *shared);

/* Publish fe_state (after a barrier); the caller signals the channel. */
void noxs_vif_fe_set_state(volatile void *shared, uint32_t state);

/* --- vif: backend side (toolstack and xendevd) -------------------------- */

/* The toolstack: the backend's half of a fresh block (the whole block is
 * written: be_features RX_COPY, then be_state INITWAIT last). */
void noxs_vif_be_init(volatile void *shared, const uint8_t mac[6], uint16_t mtu,
		      uint32_t ipv4, uint32_t prefix);

/*
 * The backend: copy a vif block and check what the frontend wrote:
 * states in range, reserved 0, and once fe_state is CONNECTED,
 * fe_features exactly RX_COPY and two distinct ring refs, neither 0 nor
 * 1 (the builder's).  The backend's own fields (mac, mtu) are not
 * trusted from the copy: the backend keeps its own.  -NOXS_EPROTO when
 * the block is malformed.
 */
int noxs_vif_be_read(const volatile void *shared, struct noxs_vif_ctrl *out);

/* Publish be_state (after a barrier: what the backend wrote first is
 * seen first); the caller signals the entry's channel. */
void noxs_vif_be_set_state(volatile void *shared, uint32_t state);

#endif
