/*
 * spawnstats.c: how long one process takes from fork to its exit, as the
 * shell pool's CLI would pay it: spawnstats N PROGRAM ARGS... runs it N
 * times (stdout to /dev/null) and prints min / median / max in ms.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int n, i, st;
	double *v;

	if (argc < 3)
		return 2;
	/* one vCPU, as shellpoc: clocks of dom0's vCPUs are skewed under
	 * emulation; the children inherit it */
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	n = atoi(argv[1]);
	v = calloc((size_t)n, sizeof(*v));
	for (i = 0; i < n; i++) {
		struct timespec a, b;
		pid_t p;

		clock_gettime(CLOCK_MONOTONIC, &a);
		p = fork();
		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			execv(argv[2], argv + 2);
			_exit(127);
		}
		waitpid(p, &st, 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawnstats: %s failed (%d)\n", argv[2], st);
			return 1;
		}
		v[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 +
		       (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("spawn %s %s: n %d min %.3f median %.3f max %.3f ms\n", argv[2],
	       argc > 3 ? argv[3] : "", n, v[0], v[n / 2], v[n - 1]);
	return 0;
}
