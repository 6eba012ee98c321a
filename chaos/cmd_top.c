/*
 * cmd_top.c: `chaos top`, a per-domain view like xentop's: state, CPU
 * time and share, memory, vCPUs, refreshed every DELAY seconds; -b prints
 * plain iterations for scripts.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "registry.h"
#include "toolstack.h"

#define TOP_MAX 4096

struct sample {
	uint32_t domid;
	uint64_t cpu_ns;
};

/* the CPU time domid had at the last sample, or -1 */
static int64_t
before(const struct sample *s, size_t n, uint32_t domid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].domid == domid)
			return (int64_t)s[i].cpu_ns;
	return -1;
}

/* One screen: every domain (but the pool's shells), CPU %% since the last
 * sample (0 at the first); the new sample replaces the old. */
static int
screen(struct ts *ts, struct sample *last, size_t *nlast, int64_t elapsed_us,
       const struct reg_shell_id *shells, size_t nshells)
{
	static struct hv_dominfo di[TOP_MAX];
	struct hv_physinfo pi;
	char name[128], st[7], maxmem[24];
	double pct;
	int64_t prev;
	int n, i;
	size_t k = 0;
	struct sample *now;

	if (hv_physinfo(ts->hv, &pi) < 0)
		return -1;
	n = hv_domain_list(ts->hv, 0, di, TOP_MAX);
	if (n < 0)
		return -1;
	now = calloc((size_t)n + 1, sizeof(*now));
	if (now == NULL)
		return -1;
	printf("%10s %6s %10s %6s %10s %6s %10s %9s %5s\n", "NAME", "STATE",
	       "CPU(sec)", "CPU(%)", "MEM(k)", "MEM(%)", "MAXMEM(k)",
	       "MAXMEM(%)", "VCPUS");
	for (i = 0; i < n; i++) {
		if (cli_is_shell(shells, nshells, di[i].domid))
			continue;
		ts_domname(ts, di[i].domid, name, sizeof(name));
		cli_state(&di[i], st);
		prev = before(last, *nlast, di[i].domid);
		pct = prev >= 0 && elapsed_us > 0 &&
				      di[i].cpu_time_ns >= (uint64_t)prev
			      ? (double)(di[i].cpu_time_ns - (uint64_t)prev) /
					(double)elapsed_us / 10.0
			      : 0.0;
		if (di[i].max_kib == 0 || di[i].max_kib >= pi.total_kib)
			snprintf(maxmem, sizeof(maxmem), "no limit");
		else
			snprintf(maxmem, sizeof(maxmem), "%llu",
				 (unsigned long long)di[i].max_kib);
		printf("%10.10s %6s %10llu %6.1f %10llu %6.1f %10s %9.1f "
		       "%5u\n",
		       name, st,
		       (unsigned long long)(di[i].cpu_time_ns / 1000000000),
		       pct, (unsigned long long)di[i].mem_kib,
		       pi.total_kib ? 100.0 * (double)di[i].mem_kib /
					      (double)pi.total_kib
				    : 0.0,
		       maxmem,
		       pi.total_kib && strcmp(maxmem, "no limit")
			       ? 100.0 * (double)di[i].max_kib /
					 (double)pi.total_kib
			       : 100.0,
		       di[i].online_vcpus);
		now[k].domid = di[i].domid;
		now[k].cpu_ns = di[i].cpu_time_ns;
		k++;
	}
	memcpy(last, now, k * sizeof(*now));
	*nlast = k;
	free(now);
	return fflush(stdout) == 0 ? 0 : -1;
}

int
cmd_top(const struct cli_opts *opts, int argc, char **argv)
{
	const struct cmd_spec *self = cmd_find("top", &(int){0});
	static struct sample last[TOP_MAX];
	struct reg_shell_id *shells = NULL;
	struct termios saved, raw;
	struct pollfd p = {.fd = 0, .events = POLLIN};
	size_t nlast = 0, nshells = 0, bad;
	long iterations = -1, delay = 3;
	int64_t t0, t1;
	int c, batch = 0, tty = 0, rc = EXIT_OK, it;
	char key, *end;
	struct ts ts;

	(void)opts;
	while ((c = getopt(argc, argv, "bi:d:h")) != -1) {
		switch (c) {
		case 'b': batch = 1; break;
		case 'i':
			iterations = strtol(optarg, &end, 10);
			if (*end || iterations < 1)
				return cmd_usage_error(self, "-i: a count");
			break;
		case 'd':
			delay = strtol(optarg, &end, 10);
			if (*end || delay < 1 || delay > 3600)
				return cmd_usage_error(self,
						       "-d: 1 to 3600 seconds");
			break;
		case 'h':
			printf("usage: chaos top %s\n", self->usage);
			return EXIT_OK;
		default: return cmd_usage_error(self, "bad option");
		}
	}
	if (optind != argc)
		return cmd_usage_error(self, "no arguments expected");
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos top: %s\n", ts.err);
		return EXIT_FAILED;
	}
	if (!batch && isatty(0) && tcgetattr(0, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tcsetattr(0, TCSANOW, &raw);
		tty = 1;
	}
	t0 = clk_now_us();
	for (it = 0; iterations < 0 || it < iterations; it++) {
		if (reg_shell_list(&shells, &nshells, &bad) < 0)
			nshells = 0;
		t1 = clk_now_us();
		if (!batch)
			fputs("\033[H\033[J", stdout); /* a fresh screen */
		if (screen(&ts, last, &nlast, it ? t1 - t0 : 0, shells,
			   nshells) < 0) {
			fprintf(stderr, "chaos top: %s\n", strerror(errno));
			rc = EXIT_FAILED;
			free(shells);
			break;
		}
		free(shells);
		shells = NULL;
		t0 = t1;
		if (iterations >= 0 && it + 1 >= iterations)
			break;
		/* the delay, or a 'q' from the keyboard (a terminal's) */
		if (poll(&p, tty ? 1 : 0, (int)delay * 1000) > 0 &&
		    read(0, &key, 1) == 1 && (key == 'q' || key == 'Q'))
			break;
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	ts_close(&ts);
	return rc;
}
