/*
 * floor [-r ROUNDS] [-m MIB] KERNEL: the least a create from a shell must
 * spend in the hypervisor.  Each round prepares a shell itself, as
 * chaos-shelld would (hv_domain_create, four event channels, the memory
 * populated: untimed), then times only what a create must still do on
 * it through the hypervisor: the builder on the populated memory
 * (hv_build_pv with the p2m: kernel parse, image, page tables,
 * start_info, vCPU context, grant entries), the noxs device page (map the
 * store frame, write it, unmap) and the unpause; then destroys the domain
 * (untimed).  No registry, no name, no process start, no daemon: the
 * floor under `chaos create`'s pooled path.
 *
 * Prints CSV on stdout, one row per round and a last row "median" of
 * each column, in ms with 0.01 ms resolution:
 *   round,total_ms,build_ms,parse_ms,p2m_ms,image_ms,boot_ms,devpage_ms,
 *   unpause_ms
 * The device page written is a fresh one (noxs_page_init): the same
 * hypervisor work as chaos's (one foreign map and unmap), without its
 * entries, so the guest finds no device and is destroyed anyway.  A
 * benchmark tool, not part of chaos.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clock.h"
#include "hv.h"
#include "noxs.h"

enum {
	C_TOTAL,
	C_BUILD,
	C_PARSE,
	C_P2M,
	C_IMAGE,
	C_BOOT,
	C_DEVPAGE,
	C_UNPAUSE,
	NCOLS
};

static const char *const colname[NCOLS] = {
	"total_ms", "build_ms", "parse_ms",   "p2m_ms",
	"image_ms", "boot_ms",	"devpage_ms", "unpause_ms",
};

/* a shell as the daemon would hand it over */
struct shell {
	uint32_t domid;
	uint32_t port[4]; /* store, console, sysctl, notice */
	struct hv_p2m_run *p2m;
	size_t np2m;
};

static int
fail(struct hv *hv, int round, const char *step)
{
	const char *m = hv_last_error(hv);

	fprintf(stderr, "floor: round %d: %s: %s\n", round, step,
		*m ? m : strerror(errno));
	return -1;
}

/* untimed: a paused domain with its channels and memory, and the
 * foreign-memory handle opened (a create has it open by then too) */
static int
prepare(struct hv *hv, int round, uint64_t mib, struct shell *s)
{
	struct hv_shape shape = {.max_vcpus = 1, .maxmem_kib = mib * 1024};
	void *page;
	int i;

	if (getrandom(shape.uuid, 16, 0) != 16)
		return fail(hv, round, "uuid");
	if (hv_domain_create(hv, &shape, &s->domid) < 0)
		return fail(hv, round, "create domain");
	for (i = 0; i < 4; i++)
		if (hv_evtchn_alloc(hv, s->domid, 0, &s->port[i]) < 0)
			return fail(hv, round, "event channel");
	if (hv_populate_pv(hv, s->domid, mib, &s->p2m, &s->np2m) < 0)
		return fail(hv, round, "populate");
	page = hv_map_frame(hv, s->domid, s->p2m[0].mfn);
	if (page == NULL)
		return fail(hv, round, "map");
	hv_unmap(hv, page, 0);
	return 0;
}

/* timed: what a create on the shell must do in the hypervisor */
static int
execute(struct hv *hv, int round, const char *kernel, uint64_t mib,
	struct shell *s, double *col)
{
	struct hv_pv_image img = {
		.kernel = kernel,
		.memory_mib = mib,
		.max_vcpus = 1,
		.store_port = s->port[0],
		.console_port = s->port[1],
		.p2m = s->p2m,
		.np2m = s->np2m,
	};
	struct hv_pv_result res;
	int64_t t0, t1, t2, t3;
	void *page;

	t0 = clk_now_us();
	if (hv_build_pv(hv, s->domid, &img, &res) < 0)
		return fail(hv, round, "build");
	t1 = clk_now_us();
	page = hv_map_frame(hv, s->domid, res.store_mfn);
	if (page == NULL)
		return fail(hv, round, "map the device page");
	noxs_page_init(page, s->domid);
	hv_unmap(hv, page, 0);
	t2 = clk_now_us();
	if (hv_domain_unpause(hv, s->domid) < 0)
		return fail(hv, round, "unpause");
	t3 = clk_now_us();
	col[C_TOTAL] = (double)(t3 - t0) / 1000.0;
	col[C_BUILD] = (double)(t1 - t0) / 1000.0;
	col[C_PARSE] = (double)res.step_us[HV_BUILD_PARSE] / 1000.0;
	col[C_P2M] = (double)res.step_us[HV_BUILD_MEMORY] / 1000.0;
	col[C_IMAGE] = (double)res.step_us[HV_BUILD_IMAGE] / 1000.0;
	col[C_BOOT] = (double)res.step_us[HV_BUILD_BOOT] / 1000.0;
	col[C_DEVPAGE] = (double)(t2 - t1) / 1000.0;
	col[C_UNPAUSE] = (double)(t3 - t2) / 1000.0;
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median of column c over n rounds (sorts a copy) */
static double
median(const double (*rows)[NCOLS], int n, int c)
{
	double *v = malloc((size_t)n * sizeof(*v));
	double m;
	int i;

	if (v == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = rows[i][c];
	qsort(v, (size_t)n, sizeof(*v), cmp);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	return m;
}

int
main(int argc, char **argv)
{
	double(*rows)[NCOLS];
	struct shell s;
	struct hv *hv;
	int rounds = 30, mib = 4, c, i, r, rc = 1;

	while ((c = getopt(argc, argv, "r:m:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'm')
			mib = atoi(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || rounds < 1 || mib < 1)
		goto usage;
	rows = calloc((size_t)rounds, sizeof(*rows));
	if (rows == NULL || hv_open(&hv) < 0) {
		perror("floor");
		return 1;
	}
	printf("round");
	for (i = 0; i < NCOLS; i++)
		printf(",%s", colname[i]);
	printf("\n");
	for (r = 0; r < rounds; r++) {
		memset(&s, 0, sizeof(s));
		s.domid = ~0u;
		c = prepare(hv, r + 1, (uint64_t)mib, &s);
		if (c == 0)
			c = execute(hv, r + 1, argv[optind], (uint64_t)mib, &s,
				    rows[r]);
		if (s.domid != ~0u && hv_domain_destroy(hv, s.domid) < 0 &&
		    c == 0)
			c = fail(hv, r + 1, "destroy");
		free(s.p2m);
		if (c < 0)
			goto out;
		printf("%d", r + 1);
		for (i = 0; i < NCOLS; i++)
			printf(",%.2f", rows[r][i]);
		printf("\n");
		fflush(stdout);
	}
	printf("median");
	for (i = 0; i < NCOLS; i++)
		printf(",%.2f",
		       median((const double(*)[NCOLS])rows, rounds, i));
	printf("\n");
	rc = 0;
out:
	hv_close(hv);
	free(rows);
	return rc;
usage:
	fprintf(stderr, "usage: floor [-r ROUNDS] [-m MIB] KERNEL\n");
	return 2;
}
