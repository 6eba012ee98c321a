/*
 * spawntime [-o FILE] COMMAND [ARG...]: run a command once, as a shell
 * would (fork, exec, wait), and print how long it took in milliseconds
 * with 0.01 ms resolution, its exit status and when it started
 * (CLOCK_BOOTTIME ms, the clock of /proc/uptime and of chaos's log
 * stamps, with 0.001 ms resolution): "12.34 0 5678.901".  The command's
 * output (stdout and stderr) goes to /dev/null, or to FILE with -o.
 * dom0's /proc/uptime ticks in 10 ms, too coarse for a create of a few
 * ms; this takes the product's clock.  Linked statically, so that its own
 * start is not in what it measures.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

int
main(int argc, char **argv)
{
	const char *out = "/dev/null";
	int64_t t0, t1;
	int status, fd, c;
	pid_t pid;

	while ((c = getopt(argc, argv, "+o:")) != -1) {
		if (c != 'o')
			goto usage;
		out = optarg;
	}
	if (optind >= argc)
		goto usage;
	/* open before the clock starts: the command's time only */
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(out);
		return 1;
	}
	t0 = clk_now_us();
	pid = fork();
	if (pid < 0) {
		perror("spawntime: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[optind], argv + optind);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	t1 = clk_now_us();
	printf("%.2f %d %.3f\n", (double)(t1 - t0) / 1000.0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128,
	       (double)t0 / 1000.0);
	return 0;
usage:
	fprintf(stderr, "usage: spawntime [-o FILE] COMMAND [ARG...]\n");
	return 2;
}
