/*
 * spawntime.c: run a command once, as a shell would (fork, exec, wait),
 * and print how long it took in milliseconds with 0.01 ms resolution and
 * its exit status: "12.34 0".  The command's output goes to /dev/null.
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
	int64_t t0, t1;
	int status, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: spawntime COMMAND [ARG...]\n");
		return 2;
	}
	t0 = clk_now_us();
	pid = fork();
	if (pid < 0) {
		perror("spawntime: fork");
		return 1;
	}
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[1], argv + 1);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	t1 = clk_now_us();
	printf("%.2f %d\n", (double)(t1 - t0) / 1000.0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return 0;
}
