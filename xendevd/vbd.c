/*
 * vbd.c: the backing of vbds, what libxl's block script does, without a
 * script (xdd.h, docs/xendevd.8).  A FILE target is bound to a loop device
 * of xendevd's, whose fd xendevd holds while the vbd is attached (with
 * autoclear, the loop goes once blkback has closed it too); a PHY target
 * must be a block device.  Before either, the sharing rules: no writer
 * beside any other user of one target, among xendevd's vbds and the loops
 * of others (xl's block script), and no writer of what dom0 has mounted.
 * A vbd whose backend dir or domain is gone is released by a look every
 * CHECK_MS, or at once when an attach finds it in its way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "clock.h"
#include "hv.h"
#include "loop.h"
#include "xendevd.h"

#define CHECK_MS 5000

/* what an attach is about to use */
struct target {
	int fd;		     /* FILE: open, until bound */
	uint64_t fdev, fino; /* FILE: the file */
	unsigned maj, min;   /* PHY: the device */
};

static struct vbd *
find(struct xdd *d, uint32_t domid, uint32_t devid)
{
	struct vbd *v;

	for (v = d->vbds; v != NULL; v = v->next)
		if (v->req.domid == domid && v->req.devid == devid)
			return v;
	return NULL;
}

static void
release(struct xdd *d, struct vbd *gone, const char *why)
{
	struct vbd **pp;

	for (pp = &d->vbds; *pp != NULL; pp = &(*pp)->next) {
		if (*pp != gone)
			continue;
		*pp = gone->next;
		d->nvbds--;
		log_info("vbd %u/%u: %s %s", gone->req.domid, gone->req.devid,
			 gone->info.device, why);
		if (gone->loopfd >= 0)
			close(gone->loopfd);
		free(gone);
		return;
	}
}

static struct vbd *
add(struct xdd *d, const struct xdd_vbd *req, const struct target *t,
    int loopfd)
{
	struct vbd *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->req = *req;
	v->fdev = t->fdev;
	v->fino = t->fino;
	v->loopfd = loopfd;
	v->info.domid = req->domid;
	v->info.devid = req->devid;
	v->info.flags = req->flags;
	v->next = d->vbds;
	d->vbds = v;
	d->nvbds++;
	return v;
}

/* the vbd's backend dir, or its domain, is gone (a XenStore vbd only:
 * without XenStore nothing says so, and it waits for its detach) */
static int
gone(struct xdd *d, const struct vbd *v)
{
	struct hv_dominfo di;

	if (!(v->req.flags & XDD_VBD_XENSTORE))
		return 0;
	if (xdd_xs_vbd_exists(d, v->req.domid, v->req.devid) == 0)
		return 1;
	if (d->hv == NULL && hv_open(&d->hv) < 0) {
		d->hv = NULL;
		return 0;
	}
	if (hv_domain_info(d->hv, v->req.domid, &di) < 0)
		return errno == ESRCH;
	return (di.flags & HV_DYING) != 0;
}

/* the refusal of an attach: logged, told to blkback and the client */
static void __attribute__((format(printf, 5, 6)))
refuse(struct xdd *d, struct ipc_client *c, uint32_t id,
       const struct xdd_vbd *req, const char *fmt, ...)
{
	struct xdd_vbd_info i = {.domid = req->domid, .devid = req->devid};
	char msg[XDD_PATH_MAX + 168], cause[160];
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s: %s", req->target, cause);
	log_warn("vbd %u/%u: %s", req->domid, req->devid, msg);
	if (req->flags & XDD_VBD_XENSTORE)
		xdd_xs_vbd_report(d, &i, 0, err == EBUSY ? "busy" : "error",
				  msg);
	ipc_reply(c, XDD_VBD_ATTACH, id, err, NULL, 0, "%s", msg);
}

static const char *
kind_of(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISBLK(m)  ? "a block device (phy, not file)"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a regular file";
}

/* FILE: open the target as the vbd will use it; -1 with errno and why */
static int
open_file(const struct xdd_vbd *req, struct target *t, char *why, size_t len)
{
	int ro = (req->flags & XDD_VBD_RO) != 0;
	struct stat st;

	/* looked at before the open: a FIFO or a device is never opened */
	if (stat(req->target, &st) < 0 ||
	    ((t->fd = open(req->target, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC |
						O_NOCTTY | O_NONBLOCK)) < 0)) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (fstat(t->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		snprintf(why, len, "%s, not a regular file",
			 kind_of(st.st_mode));
		goto fail;
	}
	/* root may write anything: the file's mode is the owner's word */
	if (!ro && !(st.st_mode & 0222)) {
		errno = EACCES;
		snprintf(why, len, "no write permission, for a writable vbd");
		goto fail;
	}
	if (fcntl(t->fd, F_SETFL, 0) < 0) { /* O_NONBLOCK off */
		snprintf(why, len, "%s", strerror(errno));
		goto fail;
	}
	t->fdev = st.st_dev;
	t->fino = st.st_ino;
	return 0;
fail:
	close(t->fd);
	t->fd = -1;
	return -1;
}

/* a use of one target beside another: a writer on either side */
static int
clash(int ro_theirs, int ro_ours)
{
	return !ro_theirs || !ro_ours;
}

/* a mount of major:minor that forbids this vbd: why, or NULL */
static const char *
mount_clash(unsigned maj, unsigned min, int ro)
{
	int m = xdd_mounted(maj, min);

	if (m == 2 || (m == 1 && !ro))
		return m == 2 ? "mounted read-write in dom0"
			      : "mounted in dom0";
	return NULL;
}

struct walk {
	struct xdd *d;
	int ro; /* the request's */
	char why[128];
};

/* a loop bound to the file: another's (xl's) counts as a vbd */
static int
each_loop(unsigned index, uint64_t rdev, int ro, void *arg)
{
	struct walk *w = arg;
	char dev[32];
	const char *m;
	struct vbd *v;

	snprintf(dev, sizeof(dev), "/dev/loop%u", index);
	for (v = w->d->vbds; v != NULL; v = v->next)
		if (strcmp(v->info.device, dev) == 0)
			break;
	if (v == NULL && clash(ro, w->ro)) {
		snprintf(w->why, sizeof(w->why),
			 "bound %s to %s, not by xendevd",
			 ro ? "read-only" : "writable", dev);
		return 1;
	}
	m = mount_clash(major(rdev), minor(rdev), w->ro);
	if (m != NULL) {
		snprintf(w->why, sizeof(w->why), "%s is %s", dev, m);
		return 1;
	}
	return 0;
}

/* The sharing rules; 0, or -1 with errno EBUSY and why. */
static int
check_sharing(struct xdd *d, const struct xdd_vbd *req, const struct target *t,
	      char *why, size_t len)
{
	int ro = (req->flags & XDD_VBD_RO) != 0,
	    file = req->kind == XDD_VBD_FILE;
	struct walk w = {.d = d, .ro = ro};
	struct vbd *v, *next;
	const char *m;

	for (v = d->vbds; v != NULL; v = next) {
		next = v->next;
		if (!(file && v->req.kind == XDD_VBD_FILE &&
		      v->fdev == t->fdev && v->fino == t->fino) &&
		    !(!file && v->info.major == t->maj &&
		      v->info.minor == t->min))
			continue;
		if (!clash((v->req.flags & XDD_VBD_RO) != 0, ro))
			continue;
		if (gone(d, v)) { /* its domain died, its detach is late */
			release(d, v, "released: its domain is gone");
			continue;
		}
		snprintf(why, len, "in use %s by vbd %u/%u",
			 v->req.flags & XDD_VBD_RO ? "read-only" : "writable",
			 v->req.domid, v->req.devid);
		return errno = EBUSY, -1;
	}
	if (!file) {
		m = mount_clash(t->maj, t->min, ro);
		if (m == NULL)
			return 0;
		snprintf(why, len, "%s", m);
		return errno = EBUSY, -1;
	}
	switch (xdd_loop_each(t->fdev, t->fino, each_loop, &w)) {
	case 0: return 0;
	case 1: snprintf(why, len, "%s", w.why); return errno = EBUSY, -1;
	default:
		snprintf(why, len, "looking for its loops: %s",
			 strerror(errno));
		return -1;
	}
}

static void
reply_info(struct ipc_client *c, uint32_t id, const struct vbd *v)
{
	ipc_reply(c, XDD_VBD_ATTACH, id, 0, &v->info, sizeof(v->info), NULL);
}

/* PHY: the target is a block device (symlinks followed) */
static int
stat_phy(const struct xdd_vbd *req, struct target *t, char *why, size_t len)
{
	struct stat st;

	if (stat(req->target, &st) < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISBLK(st.st_mode)) {
		snprintf(why, len, "%s, not a block device",
			 kind_of(st.st_mode));
		return errno = ENOTBLK, -1;
	}
	t->maj = major(st.st_rdev);
	t->min = minor(st.st_rdev);
	return 0;
}

/* FILE: bind the open file to a loop of ours; its fd, or -1 with why */
static int
bind_loop(struct target *t, const struct xdd_vbd *req, struct vbd *v, char *why,
	  size_t len)
{
	unsigned index;
	struct stat st;
	int fd;

	fd = xdd_loop_bind(t->fd, req->target, (req->flags & XDD_VBD_RO) != 0,
			   &index);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, len, "no loop device: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	v->info.major = major(st.st_rdev);
	v->info.minor = minor(st.st_rdev);
	snprintf(v->info.device, sizeof(v->info.device), "/dev/loop%u", index);
	return fd;
}

void
xdd_vbd_attach(struct xdd *d, struct ipc_client *c, uint32_t id,
	       const struct xdd_vbd *req)
{
	struct target t = {.fd = -1};
	char why[160];
	struct vbd *v;
	int e, fd;

	/* kind, flags and path: xdd_msg_parse */
	v = find(d, req->domid, req->devid);
	if (v != NULL) {
		if (v->req.kind == req->kind && v->req.flags == req->flags &&
		    strcmp(v->req.target, req->target) == 0) {
			reply_info(c, id, v); /* done already */
			return;
		}
		errno = EBUSY;
		refuse(d, c, id, req, "vbd %u/%u is attached to %s already",
		       req->domid, req->devid, v->req.target);
		return;
	}
	if (req->flags & XDD_VBD_XENSTORE) {
		e = xdd_xs_vbd_exists(d, req->domid, req->devid);
		if (e <= 0) {
			/* nothing to report to: the client alone is told */
			e = e == 0 ? ENOENT : errno;
			ipc_reply(c, XDD_VBD_ATTACH, id, e, NULL, 0,
				  "%s: backend/vbd/%u/%u: %s", req->target,
				  req->domid, req->devid,
				  e == ENOENT ? "no such backend"
					      : strerror(e));
			return;
		}
	}
	if ((req->kind == XDD_VBD_FILE
		     ? open_file(req, &t, why, sizeof(why))
		     : stat_phy(req, &t, why, sizeof(why))) < 0 ||
	    check_sharing(d, req, &t, why, sizeof(why)) < 0)
		goto refused;
	v = add(d, req, &t, -1);
	if (v == NULL) {
		errno = ENOMEM;
		snprintf(why, sizeof(why), "no memory");
		goto refused;
	}
	if (req->kind == XDD_VBD_FILE) {
		fd = bind_loop(&t, req, v, why, sizeof(why));
		e = errno;
		close(t.fd); /* the loop holds the file now */
		t.fd = -1;
		if (fd < 0) {
			release(d, v, "not bound");
			errno = e;
			goto refused;
		}
		v->loopfd = fd;
	} else {
		v->info.major = t.maj;
		v->info.minor = t.min;
		snprintf(v->info.device, sizeof(v->info.device), "%s",
			 req->target);
	}
	if ((req->flags & XDD_VBD_XENSTORE) &&
	    xdd_xs_vbd_report(d, &v->info, v->loopfd >= 0, NULL, NULL) < 0) {
		snprintf(why, sizeof(why), "physical-device: %s",
			 strerror(errno));
		e = errno;
		release(d, v, "not reported");
		errno = e;
		goto refused;
	}
	log_info("vbd %u/%u: %s on %s (%x:%x)%s", req->domid, req->devid,
		 req->target, v->info.device, v->info.major, v->info.minor,
		 req->flags & XDD_VBD_RO ? ", read-only" : "");
	reply_info(c, id, v);
	return;
refused:
	if (t.fd >= 0)
		close(t.fd);
	refuse(d, c, id, req, "%s", why);
}

void
xdd_vbd_detach(struct xdd *d, struct ipc_client *c, uint32_t id,
	       const struct xdd_vbd *req)
{
	struct vbd *v = find(d, req->domid, req->devid);

	if (v == NULL) {
		ipc_reply(c, XDD_VBD_DETACH, id, ENOENT, NULL, 0,
			  "vbd %u/%u: not attached by this xendevd", req->domid,
			  req->devid);
		return;
	}
	release(d, v, "detached");
	ipc_reply(c, XDD_VBD_DETACH, id, 0, NULL, 0, NULL);
}

/* one backend/vbd/D/N: ours, connected, its backing still there */
static void
adopt(struct xdd *d, uint32_t domid, uint32_t devid)
{
	struct target t = {.fd = -1};
	char node[XDD_PATH_MAX], why[160];
	uint64_t dev, ino;
	struct xdd_vbd req;
	struct stat st;
	unsigned index;
	int fd, ro, end = 0;
	struct vbd *v;

	if (find(d, domid, devid) != NULL ||
	    xdd_xs_vbd(d, domid, devid, &req, node, sizeof(node)) != 1)
		return;
	if (req.kind == XDD_VBD_PHY) {
		if (stat_phy(&req, &t, why, sizeof(why)) < 0) {
			log_warn("vbd %u/%u: %s: %s; not taken back", domid,
				 devid, req.target, why);
			return;
		}
		v = add(d, &req, &t, -1);
		if (v == NULL)
			return;
		v->info.major = t.maj;
		v->info.minor = t.min;
		snprintf(v->info.device, sizeof(v->info.device), "%s",
			 req.target);
		log_info("vbd %u/%u: %s taken back", domid, devid, req.target);
		return;
	}
	/* the loop must still be bound to the file it was given */
	if (sscanf(node, "/dev/loop%u%n", &index, &end) != 1 ||
	    node[end] != '\0' || (fd = xdd_loop_open(index)) < 0)
		return;
	if (xdd_loop_backing(fd, &dev, &ino, &ro) < 0 ||
	    stat(req.target, &st) < 0 || st.st_dev != dev || st.st_ino != ino ||
	    fstat(fd, &st) < 0) {
		log_warn("vbd %u/%u: %s is no longer bound to %s", domid, devid,
			 node, req.target);
		close(fd);
		return;
	}
	t.fdev = dev;
	t.fino = ino;
	v = add(d, &req, &t, fd);
	if (v == NULL) {
		close(fd);
		return;
	}
	v->info.major = major(st.st_rdev);
	v->info.minor = minor(st.st_rdev);
	snprintf(v->info.device, sizeof(v->info.device), "%s", node);
	log_info("vbd %u/%u: %s on %s taken back", domid, devid, req.target,
		 node);
}

void
xdd_vbd_adopt(struct xdd *d)
{
	if (d->use_xs && xdd_xs_ready(d) == 0)
		xdd_xs_each(d, "vbd", adopt);
}

int
xdd_vbd_reap(struct xdd *d)
{
	int64_t now = clk_now_ms();
	struct vbd *v, *next;
	int any = 0;

	for (v = d->vbds; v != NULL && !any; v = v->next)
		any = (v->req.flags & XDD_VBD_XENSTORE) != 0;
	if (!any)
		return -1;
	if (now >= d->vbd_check_ms) {
		for (v = d->vbds; v != NULL; v = next) {
			next = v->next;
			if (gone(d, v))
				release(d, v, "released: its domain is gone");
		}
		d->vbd_check_ms = now + CHECK_MS;
	}
	return (int)(d->vbd_check_ms - now);
}

void
xdd_vbd_forget_all(struct xdd *d)
{
	while (d->vbds != NULL)
		release(d, d->vbds, "let go (xendevd stops)");
	hv_close(d->hv);
	d->hv = NULL;
}
