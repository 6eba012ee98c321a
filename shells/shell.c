/*
 * shell.c: making, destroying and adopting shells through the hypervisor.
 *
 * A shell is a paused PV domain with everything done that does not depend
 * on a kernel: the domain, its vCPUs, memory limit, CPUID policy and TSC
 * mode (hv_domain_create, as a cold create makes it), its event channels
 * for the store or device page, the console, and noxs's sysctl device and
 * shutdown notice, and all its memory populated (hv_populate_pv).  Its
 * trace on disk (registry.h): making/UUID before the domain exists,
 * shells/DOMID once it is ready, so that a daemon killed at any point
 * finds every shell again, or what is left of one to destroy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "shell.h"
#include "xsdom.h"

/* the name xl list shows for a shell */
static void
xs_name(struct ts *ts, const struct sh_shell *s)
{
	char name[64];

	if (ts->xs == NULL)
		return;
	snprintf(name, sizeof(name), "chaos-shell-%s", s->r.cls);
	xsdom_rename(ts->xs, s->r.domid, name);
}

int
sh_make(struct ts *ts, const struct sh_class *cls, struct sh_shell **out)
{
	struct hv_shape shape = {
		.max_vcpus = cls->vcpus,
		.maxmem_kib = cls->memory_mib * 1024,
	};
	struct sh_shell *s;
	struct reg_shell *r;
	int e;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ts_fail(ts, "shell", "%s", strerror(errno));
	r = &s->r;
	r->domid = REG_NO_DOMID;
	r->memory_mib = cls->memory_mib;
	r->vcpus = cls->vcpus;
	snprintf(r->cls, sizeof(r->cls), "%s", cls->name);
	if (getrandom(r->uuid, 16, 0) != 16) {
		ts_fail(ts, "shell", "uuid: %s", strerror(errno));
		goto fail;
	}
	r->uuid[6] = (r->uuid[6] & 0x0f) | 0x40;
	r->uuid[8] = (r->uuid[8] & 0x3f) | 0x80;
	memcpy(shape.uuid, r->uuid, 16);
	if (reg_making_begin(r->uuid) < 0) {
		ts_fail(ts, "shell", "%s/making: %s", reg_dir(),
			strerror(errno));
		goto fail;
	}
	if (hv_domain_create(ts->hv, &shape, &r->domid) < 0) {
		r->domid = REG_NO_DOMID;
		ts_fail(ts, "create domain", "%s", hv_last_error(ts->hv));
		goto fail;
	}
	if (hv_evtchn_alloc(ts->hv, r->domid, 0, &r->store_port) < 0 ||
	    hv_evtchn_alloc(ts->hv, r->domid, 0, &r->console_port) < 0 ||
	    hv_evtchn_alloc(ts->hv, r->domid, 0, &r->sysctl_port) < 0 ||
	    hv_evtchn_alloc(ts->hv, r->domid, 0, &r->notice_port) < 0) {
		ts_fail(ts, "event channels", "%s", strerror(errno));
		goto fail;
	}
	if (hv_populate_pv(ts->hv, r->domid, r->memory_mib, &r->runs,
			   &r->nruns) < 0) {
		e = errno;
		ts_fail(ts, "memory", "%llu MiB: %s",
			(unsigned long long)r->memory_mib,
			*hv_last_error(ts->hv) ? hv_last_error(ts->hv)
					       : strerror(e));
		goto fail;
	}
	xs_name(ts, s);
	if (reg_shape_open(r->memory_mib, r->vcpus) < 0 ||
	    reg_shell_write(r) < 0) {
		ts_fail(ts, "shell", "%s/shells: %s", reg_dir(),
			strerror(errno));
		goto fail;
	}
	reg_making_end(r->uuid);
	*out = s;
	return 0;
fail:
	if (r->domid != REG_NO_DOMID) {
		hv_domain_destroy(ts->hv, r->domid);
		if (ts->xs != NULL)
			xsdom_remove(ts->xs, r->domid, NULL);
	}
	reg_making_end(r->uuid);
	reg_shell_free(r);
	free(s);
	return -1;
}

void
sh_free(struct sh_shell *s)
{
	if (s == NULL)
		return;
	reg_shell_free(&s->r);
	free(s);
}

static const struct reg_shell_id *
id_of(const struct reg_shell *r, struct reg_shell_id *id)
{
	*id = (struct reg_shell_id){r->domid, r->memory_mib, r->vcpus};
	return id;
}

int
sh_destroy(struct ts *ts, struct sh_shell *s)
{
	struct reg_shell_id id;
	int rc = 0;

	/* whoever removes the record owns the domain */
	if (reg_shell_remove(id_of(&s->r, &id)) < 0 && errno == ENOENT) {
		sh_free(s);
		return 0;
	}
	if (hv_domain_destroy(ts->hv, s->r.domid) < 0 && errno != ESRCH)
		rc = ts_fail(ts, "destroy", "shell %u: %s", s->r.domid,
			     hv_last_error(ts->hv));
	if (ts->xs != NULL)
		xsdom_remove(ts->xs, s->r.domid, NULL);
	sh_free(s);
	return rc;
}

int
sh_sweep_taken(struct ts *ts, struct sh_shell **back)
{
	struct reg_taken *v = NULL;
	struct sh_shell *s;
	size_t n, i;
	int live;

	*back = NULL;
	if (reg_taken_list(&v, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (reg_creator_alive(v[i].pid, v[i].start))
			continue; /* a take in progress */
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			break;
		if (reg_taken_read(&v[i], &s->r) < 0) {
			reg_taken_end(&v[i]);
			free(s);
			continue;
		}
		live = ts_shell_intact(ts, &s->r);
		if (live == 1 && reg_taken_giveback(&v[i], &s->r) == 0) {
			s->next = *back;
			*back = s;
			continue;
		}
		/* made its own by the taker (its intent covers it now), or
		 * gone: only the entry goes */
		if (live == 0)
			reg_taken_end(&v[i]);
		sh_free(s);
	}
	free(v);
	return (int)n;
}

int
sh_adopt(struct ts *ts, struct sh_shell **found, unsigned *dropped)
{
	uint8_t(*uuids)[16] = NULL;
	struct reg_shell_id *ids = NULL;
	struct sh_shell *s;
	size_t n, bad, i;
	uint32_t d;
	int live;

	*found = NULL;
	*dropped = 0;
	if (reg_shell_list(&ids, &n, &bad) < 0)
		return ts_fail(ts, "shells", "%s/shells: %s", reg_dir(),
			       strerror(errno));
	for (i = 0; i < n; i++) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			break;
		if (reg_shell_read(&ids[i], &s->r) < 0) {
			/* corrupt: nothing in it can be trusted, not even
			 * which domain it was */
			reg_shell_remove(&ids[i]);
			(*dropped)++;
			free(s);
			continue;
		}
		live = ts_shell_intact(ts, &s->r);
		if (live == 1) {
			s->next = *found;
			*found = s;
			continue;
		}
		if (live == 0) { /* gone, or changed hands */
			reg_shell_remove(&ids[i]);
			(*dropped)++;
		}
		sh_free(s);
	}
	free(ids);
	/* half-made shells: destroyed, unless their record made it */
	if (reg_making_list(&uuids, &n, &bad) == 0) {
		for (i = 0; i < n; i++) {
			for (s = *found; s != NULL; s = s->next)
				if (memcmp(s->r.uuid, uuids[i], 16) == 0)
					break;
			if (s == NULL) {
				if (ts_find_uuid(ts, uuids[i], &d) == 0) {
					hv_domain_destroy(ts->hv, d);
					if (ts->xs != NULL)
						xsdom_remove(ts->xs, d, NULL);
					(*dropped)++;
				}
			}
			reg_making_end(uuids[i]);
		}
		free(uuids);
	}
	return 0;
}
