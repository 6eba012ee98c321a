/*
 * toolstack.h: libchaos's core operations on domains, shared by the CLI and
 * the monitor (and later the shell daemon).  Each returns 0 or -1; on -1,
 * ts->err says which step failed and why, in one line.
 */
#ifndef CHAOS_TOOLSTACK_H
#define CHAOS_TOOLSTACK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "domcfg.h"
#include "hv.h"
#include "phases.h"
#include "registry.h"
#include "xdclient.h"

struct ts {
	struct hv *hv;
	struct xs_handle *xs;
	int xs_tried;	     /* ts_xs looked for xenstored */
	struct ipc_conn xdd; /* xendevd, once a vif needs it (fd -1: not yet) */
	struct phases *ph;   /* a create's phases are timed here (or NULL) */
	char path[160];	     /* how the last create went: "pool: ..." or
			      * "cold: why no shell" */
	char note[256];	     /* what went wrong without failing the
			      * create, for a warning; "" when nothing */
	char err[512];
};

/* Open the hypervisor and XenStore (ts->xs stays NULL on a host that
 * runs no xenstored: noxs guests need none). */
int ts_open(struct ts *ts);

/* Open the hypervisor only: XenStore waits for ts_xs (a noxs create never
 * connects to xenstored). */
int ts_open_hv(struct ts *ts);

/* Connect to XenStore once, if xenstored answers: 1 when ts->xs is open. */
int ts_xs(struct ts *ts);
void ts_close(struct ts *ts);

/* Record a failure of step in ts->err; returns -1. */
int ts_fail(struct ts *ts, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Why a hypervisor call failed: the hypervisor library's words, else
 * strerror(e). */
const char *ts_cause(struct ts *ts, int e);

/* A domain named by its name or its numeric id. */
int ts_resolve(struct ts *ts, const char *arg, uint32_t *domid);

/* Its name: chaos's registry, else XenStore, else "" (buf gets it). */
void ts_domname(struct ts *ts, uint32_t domid, char *buf, size_t len);

/*
 * A domain prepared up to the point where only the image is missing: the
 * first phase of a create, which the shell pool will run ahead of time.
 */
struct shell {
	uint32_t domid;
	uint8_t uuid[16];
	uint32_t store_port, console_port;
	int noxs;		/* devices through a device page */
	uint32_t sysctl_port;	/* noxs: the sysctl device's channel */
	uint32_t notice_port;	/* noxs: signalled by the guest as it shuts
				 * down; the monitor binds it */
	uint64_t devpage_mfn;	/* noxs: filled by ts_execute */
	uint32_t sysctl_offset; /* noxs: filled by ts_execute */
	unsigned nvifs;		/* noxs: its vifs, filled by ts_execute */
	struct reg_vif vifs[REG_VIFS_MAX];
	/* a shell of the pool: its memory is populated already */
	struct hv_p2m_run *p2m; /* malloc'd; NULL: not from the pool */
	size_t np2m;
};

/* Phase 1 (sh->domid REG_NO_DOMID, or the id wanted): create the paused domain,
 * its vCPUs, memory limit, affinity, cpu_weight and cap, and event channels
 * for the store and the console (noxs: also for the sysctl device and the
 * shutdown notice). */
int ts_prepare(struct ts *ts, const struct domcfg *dc, struct shell *sh);

/* Phase 2: load the image, fill the device page or write XenStore and
 * ask xendevd for the vifs.  The domain stays paused. */
int ts_execute(struct ts *ts, const struct domcfg *dc, struct shell *sh);

/* The devices of a domain whose rings are at store_mfn / console_mfn:
 * the device page (noxs), or the XenStore nodes and the vifs. */
int ts_devices(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	       uint64_t store_mfn, uint64_t console_mfn);

/* Let xendevd forget noxs vif devid of domid: at once (timeout_ms 0), or
 * once its frontend has closed; 1 when the time ran out first and it went
 * anyway (ts->err says so).  No xendevd: nothing to undo, 0. */
int ts_noxs_vif_unserve(struct ts *ts, uint32_t domid, unsigned devid,
			uint32_t timeout_ms);

/* Let xendevd forget the n noxs vifs of domid (a destroy, a failed
 * create); errors are ignored: xendevd drops them anyway once the
 * domain is gone. */
void ts_noxs_vifs_detach(struct ts *ts, uint32_t domid,
			 const struct reg_vif *vifs, unsigned n);

/* A noxs vif's record from its config line (mac: its MAC): bridge,
 * vifname, mtu checked; ip= parsed into *ip (network order) and *prefix.
 * Its port and block are left for the caller. */
int ts_noxs_vif_fill(struct ts *ts, const struct dc_vif *v,
		     const uint8_t mac[6], struct reg_vif *rv, uint32_t *ip,
		     uint32_t *prefix);

/* Ask xendevd (connected: ts_xendevd) to serve noxs vif v of domid,
 * whose device page is devpage and whose block is written. */
int ts_noxs_vif_serve(struct ts *ts, uint32_t domid, uint64_t devpage,
		      const struct reg_vif *v);

/*
 * A running noxs guest's vifs (noxsvif.c, docs/noxs.md section 9): attach
 * one (devid: the next free; the block written, xendevd serving it, the
 * entry published, the record updated, the guest signalled; on failure
 * nothing is left but a port of the guest), or detach the vif named by
 * devid or MAC (xendevd asks its frontend to close, up to 10 s, then the
 * entry goes; 1 when it did not close in time and went anyway).
 */
int ts_noxs_vif_attach(struct ts *ts, uint32_t domid, struct dc_vif *v,
		       unsigned *devid);
int ts_noxs_vif_detach(struct ts *ts, uint32_t domid, const char *which);

/*
 * The config chaos keeps for a guest follows network- and block-attach
 * and -detach (recdevs.c), so that a reboot, save or restore keeps them,
 * as xl's does: its vif and disk lists without the vif of devid vif_drop
 * and the disk of vdev number disk_drop (-1: none), with vif_add and
 * disk_add (NULL: none), appended after a marker that the next change
 * replaces.  ts_config_devices rewrites the text (*config malloc'd);
 * ts_record_devices does it in domid's record under the lock (0 when
 * chaos has none).  0, or -1 with errno.
 */
struct ts_devchange {
	long vif_drop;
	const struct dc_vif *vif_add;
	long disk_drop;
	const struct dc_disk *disk_add;
};
int ts_config_devices(char **config, size_t *len, const struct ts_devchange *c);
int ts_record_devices(uint32_t domid, const struct ts_devchange *c);

/* Phase 3: unpause unless paused, then wait for the vifs to be wired. */
int ts_launch(struct ts *ts, const struct domcfg *dc, const struct shell *sh,
	      int paused);

/*
 * The whole create: checks, intent and name reservation, a shell from
 * the shell daemon's pool if it has one of the config's shape (else
 * prepare), execute, registry record (config/len: the text to recreate it from
 * on reboot), launch, name bound.  On failure, whatever was made is destroyed
 * and the name released; a create killed half-way is undone by ts_reap (the
 * monitor) or by the next claim of its name.
 */
int ts_create(struct ts *ts, const struct domcfg *dc, const char *config,
	      size_t len, int paused, uint32_t *domid);

/*
 * The steps around making a domain, shared by create and restore.
 * ts_begin: the checks (xenstored, vifs, free memory), the uuid (uuid, or
 * a random one), the intent and the name (*claimed).  ts_finish: the
 * registry record, launch, the name bound.  ts_undo: destroy what was
 * made (sh->domid, unless REG_NO_DOMID) and give the name back.
 */
int ts_begin(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	     const uint8_t *uuid, int *claimed);
int ts_finish(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	      const char *config, size_t len, int paused);
void ts_undo(struct ts *ts, const struct domcfg *dc, struct shell *sh,
	     int claimed);

/* How a save goes (chaos save's options). */
struct ts_save_opts {
	int keep;	    /* -c: resume the domain afterwards */
	int paused;	    /* -p: keep the domain, paused */
	int keep_domid;	    /* -D: restore it under the same id */
	int hold;	    /* leave it suspended: the caller destroys or
			     * resumes it (a migration) */
	unsigned timeout_s; /* for the guest to suspend (0: 60) */
	const char *config; /* replaces the recorded config, or NULL */
	size_t config_len;
};

/*
 * Save domain domid into fd (chaos's header, then libxenguest's stream):
 * ask the guest to suspend (its sysctl device, or control/shutdown), wait
 * for it, save, then destroy it (neither keep nor paused), or resume it.
 * A save that fails after the suspend resumes the guest.
 */
int ts_save(struct ts *ts, uint32_t domid, int fd,
	    const struct ts_save_opts *o);

/* Let a suspended guest go on, told that its suspend was cancelled (and
 * xenstored that it runs again). */
int ts_resume(struct ts *ts, uint32_t domid);

struct sf_info;

/*
 * Restore the stream at fd's offset in->stream_offset (checked with
 * sf_stream_scan) as the domain dc describes (its shape must be the
 * image's): a new domain, the stream, its devices, its record; unpaused
 * unless paused.  keep_domid: under in->domid.  The saved uuid is kept
 * unless a domain of that uuid exists (then a fresh one).
 */
int ts_restore(struct ts *ts, const struct domcfg *dc, const struct sf_info *in,
	       int fd, const char *config, size_t len, int paused,
	       int keep_domid, uint32_t *domid);

/* Set from a signal handler (SIGINT, SIGTERM): a create in progress fails
 * at its next step and destroys what it made. */
extern volatile sig_atomic_t ts_interrupted;

/*
 * Undo the creates whose creator died before finishing (registry
 * creating/): their domain, nodes, record and name.  Returns how many
 * creates are still in progress with a live creator (or -1); *reaped
 * counts those undone, *bad the corrupt entries skipped.
 */
int ts_reap(struct ts *ts, unsigned *reaped, unsigned *bad);

/* The domain whose handle is uuid: 0 and its domid, or -1 with ESRCH when
 * there is none (another errno: the hypervisor could not say). */
int ts_find_uuid(struct ts *ts, const uint8_t uuid[16], uint32_t *domid);

/* 1 when domain r->domid is still the shell r records: its handle, size,
 * paused, neither dying nor shut down; 0 when it is not (or is gone); -1
 * when the hypervisor could not say. */
int ts_shell_intact(struct ts *ts, const struct reg_shell *r);

/* Destroy a domain and remove its XenStore nodes and registry entries. */
int ts_destroy(struct ts *ts, uint32_t domid);

/* Forget a dead domain: XenStore nodes and registry entries. */
void ts_forget(struct ts *ts, uint32_t domid);

/*
 * Ask a guest to power off or reboot (req "poweroff" or "reboot"): through
 * its sysctl device for noxs guests, control/shutdown in XenStore for the
 * others.
 */
int ts_power(struct ts *ts, uint32_t domid, const char *req);

/* The name of scheduler sched (HV_SCHED_*): "credit", "credit2", ... */
const char *ts_sched_name(unsigned sched);

/* The scheduler of domid's CPU pool (HV_SCHED_*). */
int ts_sched_of(struct ts *ts, uint32_t domid, unsigned *sched);

/*
 * Set domid's weight (1 to 65535; 0 leaves it) and cap (percent of one
 * CPU, up to 100 a vCPU; -1 leaves it) under its pool's scheduler, which
 * must be credit or credit2 (sched.c).
 */
int ts_sched_set(struct ts *ts, uint32_t domid, unsigned weight, int cap);

/* 1 when domid was made by chaos in noxs mode (no XenStore presence). */
int ts_is_noxs(uint32_t domid);

/* Every vif's bridge exists and is a bridge (checked before anything is
 * made; xendevd checks again when it wires). */
int ts_vif_bridges(struct ts *ts, const struct dc_vif *vifs, size_t n);

/* Connect to xendevd (once); on failure ts->err says why. */
int ts_xendevd(struct ts *ts);

/* The MACs of dc's vifs: as configured, else random 00:16:3e:xx:xx:xx
 * as libxl makes them.  malloc'd (NULL with errno, or with no vifs). */
uint8_t (*ts_vif_macs(const struct domcfg *dc))[6];

/*
 * Ask xendevd to wire every vif of a domain whose nodes are written
 * (send), then wait for every answer (collect, 10 s at most).  In between
 * the guest may already run: netback holds its vifs back from Connected
 * until xendevd has written hotplug-status.
 */
int ts_vifs_send(struct ts *ts, uint32_t domid, const struct domcfg *dc);
int ts_vifs_collect(struct ts *ts, const struct domcfg *dc);

/*
 * Remove the XenStore nodes of a domain whose create failed or was
 * killed (domain already destroyed).  With vifs, netback may be probing
 * them right now, and its writes would bring removed nodes back (XenStore
 * makes missing parents on a write): wait (3 s at most) until each vif is
 * past Initialising, remove, then sweep backend/vif/DOMID again for half
 * a second.
 */
void ts_remove_unfinished(struct ts *ts, uint32_t domid, const uint8_t *uuid);

/*
 * Add one vif to a running xenstore-mode domain (network-attach): its
 * XenStore nodes, then xendevd wires it; the devid is the next free one
 * unless v->devid is set.  *devid gets it.  On failure nothing is left.
 */
int ts_vif_attach(struct ts *ts, uint32_t domid, struct dc_vif *v,
		  unsigned *devid);

/* Remove vif devid: xendevd unwires it, the frontend is asked to close
 * (up to 10 s), then its nodes go.  1 when the frontend did not close
 * in time and the nodes went anyway (ts->err says so). */
int ts_vif_detach(struct ts *ts, uint32_t domid, unsigned devid);

/*
 * Disks (disk.c), xenstore mode only.  check: before anything is made,
 * each disk is one blkback can serve through xendevd (raw, phy or file,
 * no cdrom, a vdev xl knows, a target that exists).  resolve: their
 * nodes' values and kind (malloc'd; ts_disks_free).  attach: once the
 * nodes are written, xendevd backs each resolved disk (a loop for a file)
 * and says so to blkback, which is then waited for.
 */
struct xsdom_vbd;
int ts_disks_check(struct ts *ts, const struct domcfg *dc);
int ts_disks_resolve(struct ts *ts, const struct domcfg *dc,
		     struct xsdom_vbd **out);
void ts_disks_free(const struct domcfg *dc, struct xsdom_vbd *v);
int ts_disks_attach(struct ts *ts, uint32_t domid, const struct xsdom_vbd *v,
		    size_t n);

/*
 * block-attach: one disk added to a running xenstore-mode domain (its
 * nodes, then xendevd backs it); *devid gets its number.  On failure
 * nothing is left.  block-detach: offline and Closing, wait (10 s) for the
 * guest to close it, remove its nodes, xendevd lets its backing go.  A
 * guest that holds on keeps it (-1) unless force, which removes it anyway
 * and returns 1.
 */
int ts_vbd_attach(struct ts *ts, uint32_t domid, struct dc_disk *k,
		  uint32_t *devid);
int ts_vbd_detach(struct ts *ts, uint32_t domid, uint32_t devid, int force);

/* A domain is gone or going: xendevd lets go of its disks' backing now
 * (it would after a few seconds anyway).  Quiet; XenStore open. */
void ts_disks_release(struct ts *ts, uint32_t domid);

/* Rename a domain (registry and XenStore). */
int ts_rename(struct ts *ts, uint32_t domid, const char *name);

#endif
