/* xsdom.c: a domain's XenStore nodes, as libxl writes them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xdd.h"
#include "xsdom.h"

int
xsdom_daemon_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = getenv("XENSTORED_PATH");
	int fd, e;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
		 path && *path ? path : "/var/run/xenstored/socket");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		return errno = e, -1;
	}
	return fd;
}

int
xsdom_daemon_answers(void)
{
	int fd = xsdom_daemon_connect();

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

void
uuid_format(const uint8_t u[16], char buf[37])
{
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

struct writer {
	struct xs_handle *xs;
	xs_transaction_t t;
	int failed;
};

/* write PATH (printf-style) = VALUE with perms; remembers failure */
static void __attribute__((format(printf, 5, 6)))
put(struct writer *w, struct xs_permissions *perms, unsigned nperms,
    const char *value, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	if (w->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (value != NULL) {
		if (!xs_write(w->xs, w->t, path, value, strlen(value)))
			w->failed = errno ? errno : EIO;
	} else if (!xs_mkdir(w->xs, w->t, path)) {
		w->failed = errno ? errno : EIO;
	}
	if (!w->failed && perms != NULL &&
	    !xs_set_permissions(w->xs, w->t, path, perms, nperms))
		w->failed = errno ? errno : EIO;
}

void
mac_format(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* a backend directory and the nodes every backend starts with */
static void
backend_base(struct writer *w, uint32_t d, const char *be, const char *fe)
{
	struct xs_permissions bro[2] = {{0, XS_PERM_NONE}, {d, XS_PERM_READ}};
	char num[16];

	put(w, bro, 2, NULL, "%s", be);
	put(w, NULL, 0, fe, "%s/frontend", be);
	snprintf(num, sizeof(num), "%u", d);
	put(w, NULL, 0, num, "%s/frontend-id", be);
	put(w, NULL, 0, "1", "%s/online", be);
	put(w, NULL, 0, "1", "%s/state", be);
}

static void
vif_nodes(struct writer *w, uint32_t d, const struct dc_vif *v,
	  const uint8_t m[6])
{
	/* backend: dom0's, the guest may read; frontend: the guest's */
	struct xs_permissions bro[2] = {{0, XS_PERM_NONE}, {d, XS_PERM_READ}};
	struct xs_permissions frw[2] = {{d, XS_PERM_NONE}, {0, XS_PERM_READ}};
	struct xs_permissions none[1] = {{0, XS_PERM_NONE}};
	char be[96], fe[64], num[48], mac[18];
	unsigned n = v->devid;

	mac_format(m, mac);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", d, n);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", d, n);
	backend_base(w, d, be, fe);
	put(w, NULL, 0, XDD_SCRIPT, "%s/script", be);
	put(w, NULL, 0, mac, "%s/mac", be);
	put(w, NULL, 0, v->bridge ? v->bridge : "xenbr0", "%s/bridge", be);
	snprintf(num, sizeof(num), "%u", n);
	put(w, NULL, 0, num, "%s/handle", be);
	put(w, NULL, 0, "vif", "%s/type", be);
	/* empty: netback waits until xendevd says "connected" */
	put(w, NULL, 0, "", "%s/hotplug-status", be);
	if (v->vifname != NULL)
		put(w, NULL, 0, v->vifname, "%s/vifname", be);
	if (v->ip != NULL)
		put(w, NULL, 0, v->ip, "%s/ip", be);
	if (v->has_rate) {
		/* libxl's form: bytes per interval, interval in us */
		snprintf(num, sizeof(num), "%llu,%u",
			 (unsigned long long)(v->rate_bytes *
					      v->rate_interval_us / 1000000),
			 v->rate_interval_us);
		put(w, NULL, 0, num, "%s/rate", be);
	}
	if (v->mtu) {
		snprintf(num, sizeof(num), "%u", v->mtu);
		put(w, NULL, 0, num, "%s/mtu", be);
	}

	put(w, frw, 2, NULL, "%s", fe);
	put(w, NULL, 0, be, "%s/backend", fe);
	put(w, NULL, 0, "0", "%s/backend-id", fe);
	put(w, NULL, 0, "1", "%s/state", fe);
	snprintf(num, sizeof(num), "%u", n);
	put(w, NULL, 0, num, "%s/handle", fe);
	put(w, NULL, 0, mac, "%s/mac", fe);
	put(w, NULL, 0, "1", "%s/trusted", fe);
	if (v->mtu) {
		/* the guest may read its MTU, not change it; with none set,
		 * xendevd writes the bridge's, as vif-bridge does */
		snprintf(num, sizeof(num), "%u", v->mtu);
		put(w, bro, 2, num, "%s/mtu", fe);
	}

	put(w, none, 1, NULL, "/libxl/%u/device/vif/%u", d, n);
	put(w, NULL, 0, fe, "/libxl/%u/device/vif/%u/frontend", d, n);
	put(w, NULL, 0, be, "/libxl/%u/device/vif/%u/backend", d, n);
}

/* a disk as libxl writes it for blkback (shared/XEN-FACTS.md section 8);
 * xendevd backs it and writes physical-device */
static void
vbd_nodes(struct writer *w, uint32_t d, const struct xsdom_vbd *v)
{
	struct xs_permissions frw[2] = {{d, XS_PERM_NONE}, {0, XS_PERM_READ}};
	struct xs_permissions none[1] = {{0, XS_PERM_NONE}};
	char be[96], fe[64], num[16];
	unsigned n = v->devnum;

	snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%u", d, n);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u", d, n);
	backend_base(w, d, be, fe);
	put(w, NULL, 0, v->params, "%s/params", be);
	put(w, NULL, 0, XDD_SCRIPT, "%s/script", be);
	put(w, NULL, 0, "0", "%s/removable", be);
	put(w, NULL, 0, "1", "%s/bootable", be);
	put(w, NULL, 0, v->vdev, "%s/dev", be);
	put(w, NULL, 0, "phy", "%s/type", be);
	put(w, NULL, 0, v->ro ? "r" : "w", "%s/mode", be);
	put(w, NULL, 0, "disk", "%s/device-type", be);
	put(w, NULL, 0, v->ro ? "0" : "1", "%s/discard-enable", be);
	put(w, NULL, 0, "xen", "%s/specification", be);

	snprintf(num, sizeof(num), "%u", n);
	put(w, frw, 2, NULL, "%s", fe);
	put(w, NULL, 0, be, "%s/backend", fe);
	put(w, NULL, 0, "0", "%s/backend-id", fe);
	put(w, NULL, 0, "1", "%s/state", fe);
	put(w, NULL, 0, num, "%s/virtual-device", fe);
	put(w, NULL, 0, "disk", "%s/device-type", fe);
	put(w, NULL, 0, "1", "%s/trusted", fe);
	put(w, NULL, 0, "x86_64-abi", "%s/protocol", fe);

	put(w, none, 1, NULL, "/libxl/%u/device/vbd/%u", d, n);
	put(w, NULL, 0, fe, "/libxl/%u/device/vbd/%u/frontend", d, n);
	put(w, NULL, 0, be, "/libxl/%u/device/vbd/%u/backend", d, n);
}

/* cpu/I/availability for each of max vCPUs: the first online ones
 * "online", the rest "offline" (Linux's xen cpu hotplug driver watches
 * them, at boot and after) */
static void
vcpu_nodes(struct writer *w, uint32_t d, unsigned max, unsigned online)
{
	unsigned v;

	for (v = 0; v < max; v++)
		put(w, NULL, 0, v < online ? "online" : "offline",
		    "/local/domain/%u/cpu/%u/availability", d, v);
}

static void
write_nodes(struct writer *w, const struct xsdom *x)
{
	const struct domcfg *dc = x->dc;
	uint32_t d = x->domid;
	/* libxl's sets: the owner comes first; its perm is everyone else's */
	struct xs_permissions ro[2] = {{0, XS_PERM_NONE}, {d, XS_PERM_READ}};
	struct xs_permissions rw[1] = {{d, XS_PERM_NONE}};
	struct xs_permissions none[1] = {{0, XS_PERM_NONE}};
	static const char *const guest_rw[] = {
		"control/shutdown",
		"control/feature-poweroff",
		"control/feature-reboot",
		"control/feature-suspend",
		"control/sysrq",
		"data",
		"drivers",
		"feature",
		"attr",
		"error",
		"device/suspend/event-channel",
	};
	char uuid[37], num[64], dom[32];
	size_t i;

	uuid_format(x->uuid, uuid);
	snprintf(dom, sizeof(dom), "/local/domain/%u", d);
	put(w, ro, 2, NULL, "%s", dom);
	put(w, ro, 2, NULL, "/vm/%s", uuid);
	snprintf(num, sizeof(num), "/vm/%s", uuid);
	put(w, NULL, 0, num, "%s/vm", dom);
	put(w, NULL, 0, dc->name, "%s/name", dom);
	put(w, NULL, 0, uuid, "/vm/%s/uuid", uuid);
	put(w, NULL, 0, dc->name, "/vm/%s/name", uuid);
	put(w, NULL, 0, "linux", "/vm/%s/image/ostype", uuid);
	put(w, NULL, 0, dc->kernel, "/vm/%s/image/kernel", uuid);
	if (dc->ramdisk != NULL)
		put(w, NULL, 0, dc->ramdisk, "/vm/%s/image/ramdisk", uuid);
	put(w, NULL, 0, dc->cmdline ? dc->cmdline : "", "/vm/%s/image/cmdline",
	    uuid);
	snprintf(num, sizeof(num), "%lld.%02d", (long long)time(NULL), 0);
	put(w, NULL, 0, num, "/vm/%s/start_time", uuid);
	put(w, ro, 2, NULL, "%s/cpu", dom);
	put(w, ro, 2, NULL, "%s/memory", dom);
	put(w, ro, 2, NULL, "%s/device", dom);
	put(w, ro, 2, NULL, "%s/control", dom);
	for (i = 0; i < sizeof(guest_rw) / sizeof(guest_rw[0]); i++)
		put(w, rw, 1, "", "%s/%s", dom, guest_rw[i]);
	put(w, NULL, 0, "1",
	    "%s/control/platform-feature-multiprocessor-suspend", dom);
	put(w, NULL, 0, "1", "%s/control/platform-feature-xs_reset_watches",
	    dom);
	put(w, none, 1, NULL, "/libxl/%u", d);
	put(w, NULL, 0, "pv", "/libxl/%u/type", d);

	/* build_post */
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)dc->maxmem * 1024);
	put(w, NULL, 0, num, "%s/memory/static-max", dom);
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)dc->memory * 1024);
	put(w, NULL, 0, num, "%s/memory/target", dom);
	snprintf(num, sizeof(num), "%u", d);
	put(w, NULL, 0, num, "%s/domid", dom);
	snprintf(num, sizeof(num), "%u", x->store_port);
	put(w, NULL, 0, num, "%s/store/port", dom);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)x->store_mfn);
	put(w, NULL, 0, num, "%s/store/ring-ref", dom);
	vcpu_nodes(w, d, dc->maxvcpus, dc->vcpus);

	/* console 0: the frontend is special-cased at D/console */
	{
		char be[128], fe[64];

		snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/0",
			 d);
		snprintf(fe, sizeof(fe), "%s/console", dom);
		put(w, ro, 2, NULL, "%s", fe);
		put(w, rw, 1, "0", "%s/backend-id", fe);
		put(w, NULL, 0, "1048576", "%s/limit", fe);
		put(w, NULL, 0, "xenconsoled", "%s/type", fe);
		put(w, NULL, 0, "pty", "%s/output", fe);
		put(w, NULL, 0, "", "%s/tty", fe);
		snprintf(num, sizeof(num), "%u", x->console_port);
		put(w, NULL, 0, num, "%s/port", fe);
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)x->console_mfn);
		put(w, NULL, 0, num, "%s/ring-ref", fe);
		put(w, NULL, 0, be, "%s/backend", fe);
		backend_base(w, d, be, fe);
		put(w, NULL, 0, "vt100", "%s/protocol", be);
	}
	for (i = 0; i < dc->nvifs; i++)
		vif_nodes(w, d, &dc->vifs[i], x->macs[i]);
	for (i = 0; i < dc->ndisks && x->vbds != NULL; i++)
		vbd_nodes(w, d, &x->vbds[i]);
}

/* run fill in a transaction, retried while it conflicts */
static int
transaction(struct xs_handle *xs, void (*fill)(struct writer *w, void *arg),
	    void *arg)
{
	struct writer w = {.xs = xs};
	int tries;

	for (tries = 0; tries < 10; tries++) {
		w.failed = 0;
		w.t = xs_transaction_start(xs);
		if (w.t == XBT_NULL)
			return -1;
		fill(&w, arg);
		if (w.failed) {
			xs_transaction_end(xs, w.t, true);
			errno = w.failed;
			return -1;
		}
		if (xs_transaction_end(xs, w.t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	return errno = EAGAIN, -1;
}

static void
fill_domain(struct writer *w, void *arg)
{
	write_nodes(w, arg);
}

struct one_vif {
	uint32_t domid;
	const struct dc_vif *v;
	const uint8_t *mac;
};

static void
fill_vif(struct writer *w, void *arg)
{
	struct one_vif *o = arg;

	vif_nodes(w, o->domid, o->v, o->mac);
}

int
xsdom_vif_add(struct xs_handle *xs, uint32_t domid, const struct dc_vif *v,
	      const uint8_t mac[6])
{
	struct one_vif o = {domid, v, mac};

	return transaction(xs, fill_vif, &o);
}

/* a device's backend, frontend and libxl record (kind "vif", "vbd") */
static int
dev_remove(struct xs_handle *xs, uint32_t domid, const char *kind,
	   unsigned devid)
{
	char path[96];
	int ok = 1;

	snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u/%u", kind,
		 domid, devid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	snprintf(path, sizeof(path), "/local/domain/%u/device/%s/%u", domid,
		 kind, devid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	snprintf(path, sizeof(path), "/libxl/%u/device/%s/%u", domid, kind,
		 devid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	return ok ? 0 : -1;
}

int
xsdom_vif_remove(struct xs_handle *xs, uint32_t domid, unsigned devid)
{
	return dev_remove(xs, domid, "vif", devid);
}

struct one_vbd {
	uint32_t domid;
	const struct xsdom_vbd *v;
};

static void
fill_vbd(struct writer *w, void *arg)
{
	struct one_vbd *o = arg;

	vbd_nodes(w, o->domid, o->v);
}

int
xsdom_vbd_add(struct xs_handle *xs, uint32_t domid, const struct xsdom_vbd *v)
{
	struct one_vbd o = {domid, v};

	return transaction(xs, fill_vbd, &o);
}

struct vcpus {
	uint32_t domid;
	unsigned max, online;
};

static void
fill_vcpus(struct writer *w, void *arg)
{
	struct vcpus *o = arg;

	vcpu_nodes(w, o->domid, o->max, o->online);
}

int
xsdom_vcpus(struct xs_handle *xs, uint32_t domid, unsigned max, unsigned online)
{
	struct vcpus o = {domid, max, online};

	return transaction(xs, fill_vcpus, &o);
}

int
xsdom_vbd_remove(struct xs_handle *xs, uint32_t domid, unsigned devid)
{
	return dev_remove(xs, domid, "vbd", devid);
}

int
xsdom_write(struct xs_handle *xs, const struct xsdom *x)
{
	if (transaction(xs, fill_domain, (void *)x) < 0)
		return -1;
	if (!xs_introduce_domain(xs, x->domid, x->store_mfn, x->store_port))
		return -1;
	return 0;
}

int
xsdom_remove(struct xs_handle *xs, uint32_t domid, const uint8_t *uuid)
{
	char path[128], uu[37];
	int ok = 1;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	snprintf(path, sizeof(path), "/local/domain/0/backend/console/%u",
		 domid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	/* netback sees its device go and unregisters the interface, which
	 * leaves the bridge with it */
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	/* blkback closes its device; xendevd lets the loop go */
	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", domid);
	ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	if (uuid != NULL) {
		uuid_format(uuid, uu);
		snprintf(path, sizeof(path), "/vm/%s", uu);
		ok &= xs_rm(xs, XBT_NULL, path) || errno == ENOENT;
	}
	return ok ? 0 : -1;
}

char *
xsdom_name(struct xs_handle *xs, uint32_t domid)
{
	char path[64];
	unsigned len;

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	return xs_read(xs, XBT_NULL, path, &len);
}

int
xsdom_rename(struct xs_handle *xs, uint32_t domid, const char *name)
{
	char path[128], *vm;
	unsigned len;

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	if (!xs_write(xs, XBT_NULL, path, name, strlen(name)))
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	vm = xs_read(xs, XBT_NULL, path, &len);
	if (vm != NULL) {
		snprintf(path, sizeof(path), "%s/name", vm);
		xs_write(xs, XBT_NULL, path, name, strlen(name));
		free(vm);
	}
	return 0;
}

int
xsdom_control(struct xs_handle *xs, uint32_t domid, const char *req)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
		 domid);
	return xs_write(xs, XBT_NULL, path, req, strlen(req)) ? 0 : -1;
}

char *
xsdom_be_read(struct xs_handle *xs, const char *kind, uint32_t domid,
	      unsigned devid, const char *leaf)
{
	char path[128];
	unsigned len;

	snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u/%u/%s",
		 kind, domid, devid, leaf);
	return xs_read(xs, XBT_NULL, path, &len);
}

int
xsdom_be_write(struct xs_handle *xs, const char *kind, uint32_t domid,
	       unsigned devid, const char *leaf, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u/%u/%s",
		 kind, domid, devid, leaf);
	return xs_write(xs, XBT_NULL, path, value, strlen(value)) ? 0 : -1;
}
