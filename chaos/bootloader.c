/*
 * bootloader.c: a config's bootloader (pygrub) finds the guest's kernel on
 * its first disk.  It runs as libxl 4.17 runs it (shared/XEN-FACTS.md,
 * section 12): the same arguments, environment, pty, output format and
 * log, and the files it extracts are removed once opened.
 *
 * Unlike libxl, chaos runs it before the domain exists: a bootloader
 * that fails then leaves nothing behind, no domain, and needs no domid
 * (its files are named after the guest and made unique).  What libxl
 * does with the domain at hand it cannot: offer the menu to `xl console`
 * (chaos's create is not interactive: pygrub's menu is left to time out
 * on its default entry) and name the restricted user by domid.  And
 * unlike xl, a run has a time limit even when not restricted (libxl's
 * 120 s; LIBXL_BOOTLOADER_TIMEOUT sets it, 0 for none), so that a menu
 * nobody answers cannot hold a create forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

#include "bootloader.h"
#include "cfgfile.h"
#include "clock.h"
#include "toolstack.h"

const struct boot_paths boot_xen_paths = {
	.bindir = "/usr/lib/xen-4.17/bin",
	.workdir = "/var/lib/xen",
	.logdir = "/var/log/xen",
};

#define TAIL	  512 /* what is kept of its screen for errors */
#define LOGS_KEPT 10

/* One run: what it made, so that every way out removes it. */
struct run {
	const struct domcfg *dc;
	char dir[PATH_MAX];	/* made by mkdtemp; "" until then */
	char real[PATH_MAX];	/* dir without symbolic links */
	char out[PATH_MAX + 8]; /* the result file, inside dir */
	char log[PATH_MAX];	/* "" when it could not be opened */
	int logfd, master;	/* -1: closed */
	pid_t pid;		/* -1: not running */
	char tail[TAIL + 1];	/* the last bytes it showed */
	size_t ntail;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct run *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(b->err, b->errlen, "%s: ", b->dc->bootloader);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < b->errlen)
		vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* the log, as libxl_create_logfile keeps it: .log moves to .log.1, and
 * so on up to .log.10 */
static void
open_log(struct run *b, const struct boot_paths *p)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	int i;

	snprintf(b->log, sizeof(b->log), "%s/bootloader.%s.log", p->logdir,
		 b->dc->name);
	if (access(b->log, F_OK) == 0) {
		for (i = LOGS_KEPT - 1; i >= 0; i--) {
			snprintf(from, sizeof(from), i ? "%s.%d" : "%s", b->log,
				 i);
			snprintf(to, sizeof(to), "%s.%d", b->log, i + 1);
			rename(from, to);
		}
	}
	b->logfd =
		open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (b->logfd < 0)
		b->log[0] = '\0'; /* a run without a log still runs */
}

static void
logged(struct run *b, const char *buf, size_t n)
{
	size_t keep;

	if (b->logfd >= 0 && write(b->logfd, buf, n) < 0) {
		close(b->logfd);
		b->logfd = -1;
	}
	if (n >= TAIL) {
		memcpy(b->tail, buf + n - TAIL, TAIL);
		b->ntail = TAIL;
		return;
	}
	keep = b->ntail + n > TAIL ? TAIL - n : b->ntail;
	memmove(b->tail, b->tail + b->ntail - keep, keep);
	memcpy(b->tail + keep, buf, n);
	b->ntail = keep + n;
}

/*
 * The last line it showed, without its terminal's escape sequences:
 * pygrub's traceback ends with the cause.
 */
static const char *
last_line(struct run *b)
{
	char *s = b->tail, *line = NULL, *o;
	size_t i;

	b->tail[b->ntail] = '\0';
	for (i = 0, o = s; i < b->ntail; i++) {
		if (s[i] == '\033' && i + 1 < b->ntail && s[i + 1] == '[') {
			for (i += 2; i < b->ntail && (s[i] < '@' || s[i] > '~');
			     i++)
				;
		} else if (s[i] == '\033') {
			i += i + 1 < b->ntail && (s[i + 1] == '(' ||
						  s[i + 1] == ')')
				     ? 2
				     : 1;
		} else if (s[i] == '\n' || s[i] == '\r') {
			*o++ = '\n';
		} else if ((unsigned char)s[i] >= ' ' && s[i] != 0x7f) {
			*o++ = s[i];
		}
	}
	*o = '\0';
	for (o = strtok(s, "\n"); o != NULL; o = strtok(NULL, "\n"))
		if (o[strspn(o, " ")] != '\0')
			line = o + strspn(o, " ");
	return line;
}

/* the uid to run it as in libxl's restrict mode, or 0: not restricted */
static int
runas(struct run *b, uid_t *uid)
{
	const char *user = getenv("LIBXL_BOOTLOADER_USER");
	struct passwd *pw = NULL;
	FILE *f;

	*uid = 0;
	if (user == NULL && getenv("LIBXL_BOOTLOADER_RESTRICT") == NULL)
		return 0;
	/* libxl's per-domain uid (xen-qemuuser-range-base + domid) needs
	 * the domid, which does not exist yet: the shared user, or a named
	 * one */
	if (user == NULL)
		user = "xen-qemuuser-shared";
	f = fopen("/etc/passwd", "re");
	while (f != NULL && (pw = fgetpwent(f)) != NULL &&
	       strcmp(pw->pw_name, user) != 0)
		;
	if (pw != NULL)
		*uid = pw->pw_uid;
	if (f != NULL)
		fclose(f);
	if (*uid == 0)
		return fail(b,
			    "restricted (LIBXL_BOOTLOADER_%s) but user %s "
			    "%s",
			    getenv("LIBXL_BOOTLOADER_USER") ? "USER"
							    : "RESTRICT",
			    user, pw != NULL ? "is root" : "does not exist");
	return 0;
}

/* one more argument (printf-like); NULL in its place when out of memory */
static int __attribute__((format(printf, 3, 4)))
arg(char **v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&v[*n], fmt, ap);
	va_end(ap);
	if (rc < 0)
		v[*n] = NULL;
	(*n)++;
	return rc < 0 ? 0 : 1;
}

/*
 * argv as libxl builds it: the program (a relative name from bindir if
 * it is there), --kernel, --ramdisk, --args when set, --runas and
 * --quiet when restricted, the output, its format and directory, the
 * config's bootloader_args, the disk.  The strings are malloc'd.
 */
static char **
make_argv(struct run *b, const struct boot_paths *p, uid_t uid)
{
	const struct domcfg *dc = b->dc;
	char **v, path[PATH_MAX];
	struct stat st;
	size_t n = 0, i;
	int ok = 1;

	/* 10 of libxl's, the config's, the NULL that ends them */
	v = calloc(10 + dc->nbootloader_args + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", p->bindir, dc->bootloader);
	if (dc->bootloader[0] == '/' || lstat(path, &st) < 0)
		snprintf(path, sizeof(path), "%s", dc->bootloader);
	ok &= arg(v, &n, "%s", path);
	if (dc->kernel != NULL)
		ok &= arg(v, &n, "--kernel=%s", dc->kernel);
	if (dc->ramdisk != NULL)
		ok &= arg(v, &n, "--ramdisk=%s", dc->ramdisk);
	if (dc->cmdline != NULL && dc->cmdline[0] != '\0')
		ok &= arg(v, &n, "--args=%s", dc->cmdline);
	if (uid != 0) {
		ok &= arg(v, &n, "--runas=%ld", (long)uid);
		ok &= arg(v, &n, "--quiet");
	}
	ok &= arg(v, &n, "--output=%s", b->out);
	ok &= arg(v, &n, "--output-format=simple0");
	ok &= arg(v, &n, "--output-directory=%s", b->dir);
	for (i = 0; i < dc->nbootloader_args; i++)
		ok &= arg(v, &n, "%s", dc->bootloader_args[i]);
	ok &= arg(v, &n, "%s", dc->disks[0].target);
	if (!ok) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	return v;
}

static void
free_argv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* the child: the pty's slave as its controlling terminal and stdio, in
 * a session of its own (so that a kill reaches all it started), no
 * other descriptor, TERM=vt100 only; errpipe says why exec failed */
static void __attribute__((noreturn)) child(int slave, int errpipe, char **argv)
{
	static char *const env[] = {"TERM=vt100", NULL};
	sigset_t none;
	int e, fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (login_tty(slave) < 0) {
		e = errno;
	} else {
		/* chaos's own descriptors close at exec; errpipe stays
		 * open until then */
		if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			for (fd = 3; fd < 1024; fd++)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		execve(argv[0], argv, env);
		e = errno;
	}
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static int
start(struct run *b, char **argv)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	int slave, pipefd[2], e = 0;
	ssize_t n;

	if (openpty(&b->master, &slave, NULL, NULL, &ws) < 0)
		return fail(b, "no pty: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		close(slave);
		return fail(b, "pipe: %s", strerror(errno));
	}
	fcntl(b->master, F_SETFD, FD_CLOEXEC);
	b->pid = fork();
	if (b->pid == 0) {
		close(pipefd[0]);
		child(slave, pipefd[1], argv);
	}
	e = errno;
	close(slave);
	close(pipefd[1]);
	if (b->pid < 0) {
		close(pipefd[0]);
		return fail(b, "fork: %s", strerror(e));
	}
	/* the pipe closes at exec; a number on it is exec's errno */
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == sizeof(e)) {
		waitpid(b->pid, NULL, 0);
		b->pid = -1;
		return fail(b, "cannot run %s: %s", argv[0], strerror(e));
	}
	fcntl(b->master, F_SETFL, O_NONBLOCK);
	return 0;
}

/* copy what it shows to the log until it exits, the time runs out or a
 * signal interrupts the create; *status gets its wait status */
static int
wait_child(struct run *b, unsigned timeout_s, int *status)
{
	int64_t end = clk_now_ms() + (int64_t)timeout_s * 1000;
	struct pollfd pfd = {.fd = b->master, .events = POLLIN};
	char buf[4096];
	const char *why = NULL;
	ssize_t n;

	for (;;) {
		if (pfd.fd >= 0 && poll(&pfd, 1, 100) > 0) {
			n = read(b->master, buf, sizeof(buf));
			if (n > 0)
				logged(b, buf, (size_t)n);
			else if (n == 0 || errno != EAGAIN)
				pfd.fd = -1; /* EIO: no slave open any more */
		}
		if (waitpid(b->pid, status, WNOHANG) == b->pid)
			break;
		if (ts_interrupted)
			why = "interrupted";
		else if (timeout_s > 0 && clk_now_ms() > end)
			why = "timed out";
		if (why != NULL)
			break;
		if (pfd.fd < 0)
			usleep(20000);
	}
	if (why == NULL) {
		b->pid = -1;
		/* what it wrote just before it exited */
		while ((n = read(b->master, buf, sizeof(buf))) > 0)
			logged(b, buf, (size_t)n);
		return 0;
	}
	kill(-b->pid, SIGKILL);
	waitpid(b->pid, status, 0);
	b->pid = -1;
	if (strcmp(why, "interrupted") == 0)
		return fail(b, "interrupted");
	return fail(b,
		    "still running after %u s, killed (LIBXL_BOOTLOADER_"
		    "TIMEOUT sets the limit; pygrub waits on its menu "
		    "without -q or --entry)",
		    timeout_s);
}

/* a file it names: inside its directory, opened and removed at once */
static int
take_file(struct run *b, const char *what, const char *path, int *fd,
	  char *name, size_t len)
{
	char *real = realpath(path, NULL), *slash;
	struct stat st;

	slash = real != NULL ? strrchr(real, '/') : NULL;
	if (slash == NULL || (size_t)(slash - real) != strlen(b->real) ||
	    strncmp(real, b->real, strlen(b->real)) != 0) {
		free(real);
		return fail(b,
			    "its %s %s is not a file of its output directory",
			    what, path);
	}
	*fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		free(real);
		return fail(b, "its %s %s: %s", what, path,
			    *fd < 0 ? strerror(errno) : "not a regular file");
	}
	unlink(real);
	free(real);
	snprintf(name, len, "/proc/self/fd/%d", *fd);
	return 0;
}

/* an item its output has that libxl would not know: noted in its log */
static void
note_unknown(void *arg, const char *s)
{
	struct run *b = arg;

	if (b->logfd >= 0)
		dprintf(b->logfd, "\nchaos: unexpected output: %.150s\n", s);
}

/* the result: what boot_parse splits, the files opened and removed */
static int
parse(struct run *b, struct boot_result *r)
{
	struct boot_items it;
	char *buf, why[128];
	size_t n;
	int rc;

	/* a result is a few hundred bytes: a config's bound does */
	if (cfgfile_read(b->out, &buf, &n) < 0)
		return fail(b, "its output %s: %s", b->out,
			    errno == EFBIG ? "larger than 1 MiB"
					   : strerror(errno));
	if (boot_parse(buf, n, &it, note_unknown, b, why, sizeof(why)) < 0) {
		free(buf);
		return fail(b, "%s", why);
	}
	rc = take_file(b, "kernel", it.kernel, &r->kernel_fd, r->kernel,
		       sizeof(r->kernel));
	if (rc == 0 && it.ramdisk != NULL)
		rc = take_file(b, "ramdisk", it.ramdisk, &r->ramdisk_fd,
			       r->ramdisk, sizeof(r->ramdisk));
	if (rc == 0 && it.args != NULL && (r->args = strdup(it.args)) == NULL)
		rc = fail(b, "no memory");
	free(buf);
	return rc;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void
boot_result_free(struct boot_result *r)
{
	if (r->kernel_fd >= 0)
		close(r->kernel_fd);
	if (r->ramdisk_fd >= 0)
		close(r->ramdisk_fd);
	free(r->args);
	memset(r, 0, sizeof(*r));
	r->kernel_fd = r->ramdisk_fd = -1;
}

int
boot_run(const struct domcfg *dc, const struct boot_paths *p,
	 unsigned timeout_s, struct boot_result *r, char *err, size_t errlen)
{
	struct run b = {.dc = dc,
			.logfd = -1,
			.master = -1,
			.pid = -1,
			.err = err,
			.errlen = errlen};
	char **argv = NULL;
	const char *line;
	int status = 0, rc = -1, fd;
	size_t n;
	uid_t uid;

	memset(r, 0, sizeof(*r));
	r->kernel_fd = r->ramdisk_fd = -1;
	if (dc->ndisks == 0 || dc->disks[0].target == NULL)
		return fail(&b, "no disk to find the kernel on (it reads the "
				"first disk)");
	if (runas(&b, &uid) < 0)
		return -1;
	snprintf(b.dir, sizeof(b.dir), "%s/bootloader.%s.XXXXXX", p->workdir,
		 dc->name);
	if (mkdtemp(b.dir) == NULL) {
		fail(&b, "%s: %s", b.dir, strerror(errno));
		b.dir[0] = '\0';
		return -1;
	}
	if (realpath(b.dir, b.real) == NULL) {
		fail(&b, "%s: %s", b.dir, strerror(errno));
		goto out;
	}
	snprintf(b.out, sizeof(b.out), "%s/output", b.dir);
	fd = open(b.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail(&b, "%s: %s", b.out, strerror(errno));
		goto out;
	}
	close(fd);
	argv = make_argv(&b, p, uid);
	if (argv == NULL) {
		fail(&b, "no memory");
		goto out;
	}
	open_log(&b, p);
	if (b.logfd >= 0) {
		dprintf(b.logfd, "chaos: %s runs", dc->name);
		for (n = 0; argv[n] != NULL; n++)
			dprintf(b.logfd, " %s", argv[n]);
		dprintf(b.logfd, "\n");
	}
	if (start(&b, argv) < 0 || wait_child(&b, timeout_s, &status) < 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		line = last_line(&b);
		fail(&b, "%s %d%s%s%s%s%s",
		     WIFEXITED(status) ? "exit status" : "killed by signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		     line ? ": " : "", line ? line : "",
		     b.log[0] ? " (see " : "", b.log, b.log[0] ? ")" : "");
		goto out;
	}
	rc = parse(&b, r);
out:
	if (rc < 0)
		boot_result_free(r);
	free_argv(argv);
	if (b.master >= 0)
		close(b.master);
	if (b.logfd >= 0)
		close(b.logfd);
	/* its output, and whatever else it left in its directory */
	if (b.dir[0] != '\0')
		nftw(b.dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return rc;
}

int
boot_timeout(unsigned *seconds)
{
	const char *s = getenv("LIBXL_BOOTLOADER_TIMEOUT");
	char *end;
	unsigned long v;

	*seconds = BOOT_TIMEOUT_S;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
	    v > 86400 * 365)
		return -1;
	*seconds = (unsigned)v;
	return 0;
}

int
ts_boot_create(struct ts *ts, const struct domcfg *dc, const char *config,
	       size_t len, int paused, uint32_t *domid)
{
	struct boot_result r;
	struct domcfg booted;
	char err[sizeof(ts->err) - 16];
	unsigned timeout;
	int rc;

	/* the disks are checked before the bootloader reads the first */
	if (ts_disks_check(ts, dc) < 0)
		return -1;
	if (boot_timeout(&timeout) < 0)
		return ts_fail(ts, "bootloader",
			       "LIBXL_BOOTLOADER_TIMEOUT '%s' is not a number "
			       "of seconds",
			       getenv("LIBXL_BOOTLOADER_TIMEOUT"));
	if (boot_run(dc, &boot_xen_paths, timeout, &r, err, sizeof(err)) < 0)
		return ts_fail(ts, "bootloader", "%s", err);
	phases_mark(ts->ph, "bootloader");
	/* what boots is what it found; its args replace the command line
	 * (pygrub's include the config's, which it was given) */
	booted = *dc;
	booted.bootloader = NULL;
	booted.kernel = r.kernel;
	booted.ramdisk = r.ramdisk_fd >= 0 ? r.ramdisk : NULL;
	booted.cmdline = r.args;
	rc = ts_create(ts, &booted, config, len, paused, domid);
	boot_result_free(&r);
	return rc;
}
