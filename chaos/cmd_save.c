/* cmd_save.c: `chaos save`, `restore`, `migrate` and `migrate-receive`
 * (docs/savefile.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgfile.h"
#include "cli.h"
#include "monitor.h"
#include "phases.h"
#include "savefile.h"
#include "toolstack.h"

/*
 * A pipe that an image goes through gets a buffer of 4 MiB (1 MiB at
 * least) instead of 64 KiB: in a PV dom0 every switch between writer and
 * reader costs hypercalls, and with 64 KiB a 128 MiB image took 23 s
 * through a pipe where it took 1.9 s into a file (in the xenbox).
 */
static void
pipe_grow(int fd)
{
	if (fcntl(fd, F_SETPIPE_SZ, 4 << 20) < 0)
		fcntl(fd, F_SETPIPE_SZ, 1 << 20); /* not a pipe: no harm */
}

/* --timeout=S: 1 to 3600 seconds for the guest to suspend */
static int
timeout_arg(const char *arg, unsigned *s)
{
	unsigned long t;
	char *end;

	errno = 0;
	t = strtoul(arg, &end, 10);
	if (errno || *end || t == 0 || t > 3600)
		return -1;
	*s = (unsigned)t;
	return 0;
}

/* -T / --timings[=text|json]: 0 none, 1 text, 2 JSON; -1 bad */
static int
timings_arg(const char *arg)
{
	if (arg == NULL || strcmp(arg, "text") == 0)
		return 1;
	return strcmp(arg, "json") == 0 ? 2 : -1;
}

/*
 * Where the image goes: FILE, written as FILE.PID.tmp and renamed into
 * place once whole (a failed save leaves an older FILE alone), or "-",
 * standard output.
 */
static int
open_out(const char *path, char *tmp, size_t len)
{
	int fd;

	tmp[0] = '\0';
	if (strcmp(path, "-") == 0) {
		if (isatty(STDOUT_FILENO)) {
			errno = ENOTTY;
			return -1;
		}
		pipe_grow(STDOUT_FILENO);
		return STDOUT_FILENO;
	}
	if ((size_t)snprintf(tmp, len, "%s.%ld.tmp", path, (long)getpid()) >=
	    len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		tmp[0] = '\0';
	return fd;
}

int
cmd_save(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"timeout", required_argument, NULL, 't'},
		{"timings", optional_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd_spec *self = cmd_find("save", &(int){0});
	struct ts_save_opts o = {0};
	struct diag d = {.report = diag_print_stderr};
	struct domcfg dc;
	struct phases ph;
	struct ts ts;
	char tmp[4096], *text = NULL;
	const char *dom, *path;
	uint32_t domid;
	int c, fd, rc = EXIT_FAILED, timings = 0;
	size_t len = 0;

	phases_start(&ph);
	while ((c = getopt_long(argc, argv, "cpDT", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.keep = 1; break;
		case 'p': o.paused = 1; break;
		case 'D': o.keep_domid = 1; break;
		case 't':
			if (timeout_arg(optarg, &o.timeout_s) < 0)
				return cmd_usage_error(
					self, "--timeout: 1 to 3600 seconds");
			break;
		case 'T':
			timings = timings_arg(optarg);
			if (timings < 0)
				return cmd_usage_error(
					self, "--timings: text or json");
			break;
		case 'h':
			printf("usage: chaos save %s\n", self->usage);
			return EXIT_OK;
		default: return cmd_usage_error(self, "bad option");
		}
	}
	if (argc - optind < 2 || argc - optind > 3)
		return cmd_usage_error(self, "DOMAIN and FILE, and at most a "
					     "CONFIG");
	dom = argv[optind];
	path = argv[optind + 1];
	if (o.keep && o.paused)
		return cmd_usage_error(self, "-c and -p: choose one");
	if (argc - optind == 3) {
		/* the config to restore it from, checked now */
		if (cfgfile_load(&dc, argv[optind + 2], 0, NULL, &d, &text,
				 &len) < 0)
			return EXIT_USAGE;
		domcfg_free(&dc);
		o.config = text;
		o.config_len = len;
	}
	if (timings && strcmp(path, "-") == 0) {
		free(text);
		return cmd_usage_error(self, "-T with FILE '-': the timings "
					     "would go into the image");
	}
	if (ts_open_hv(&ts) < 0) {
		fprintf(stderr, "chaos save: %s\n", ts.err);
		free(text);
		return EXIT_FAILED;
	}
	ts_xs(&ts);
	ts.ph = timings ? &ph : NULL;
	if (ts_resolve(&ts, dom, &domid) < 0) {
		fprintf(stderr, "chaos save: %s\n", ts.err);
		goto out;
	}
	fd = open_out(path, tmp, sizeof(tmp));
	if (fd < 0) {
		fprintf(stderr, "chaos save: %s: %s\n", path,
			errno == ENOTTY ? "will not write an image to a "
					  "terminal"
					: strerror(errno));
		goto out;
	}
	phases_mark(&ph, "open");
	cli_catch_stops(1); /* a signal fails the save: the guest runs on */
	if (ts_save(&ts, domid, fd, &o) < 0) {
		fprintf(stderr, "chaos save: %s: %s\n", dom, ts.err);
		if (tmp[0]) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	if (tmp[0] &&
	    (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0)) {
		/* the domain is saved in tmp: say where, lose nothing */
		fprintf(stderr, "chaos save: %s: %s (the image is in %s)\n",
			path, strerror(errno), tmp);
		goto out;
	}
	if (opts->verbose)
		fprintf(stderr, "chaos save: domain %u saved to %s\n", domid,
			path);
	if (timings && phases_print(&ph, "save", timings == 2, stdout) < 0)
		fprintf(stderr, "chaos save: timings: %s\n", strerror(errno));
	rc = EXIT_OK;
out:
	ts_close(&ts);
	free(text);
	return rc;
}

/* A seekable copy of a stream that is not (a pipe): restore walks the
 * file before it makes anything, so it must be able to read it twice. */
static int
seekable(int fd)
{
	static char buf[1 << 20];
	ssize_t n;
	int m;

	if (lseek(fd, 0, SEEK_CUR) >= 0)
		return fd;
	if (errno != ESPIPE)
		return -1;
	pipe_grow(fd);
	m = memfd_create("chaos-restore", MFD_CLOEXEC);
	if (m < 0)
		return -1;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write(m, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	if (n < 0) {
		close(m);
		return -1;
	}
	return m;
}

/* Read and check FILE's header and stream: 0 and in, or -1 (err). */
static int
load(int fd, struct sf_info *in, char *err, size_t errlen)
{
	struct sf_stream st;
	uint8_t *buf, *more;
	size_t need = SF_HEADER_SIZE;
	ssize_t n;
	int rc;

	buf = malloc(need);
	if (buf == NULL)
		return snprintf(err, errlen, "%s", strerror(errno)), -1;
	n = pread(fd, buf, need, 0);
	rc = sf_header_parse(buf, n > 0 ? (size_t)n : 0, in, &need, err,
			     errlen);
	if (rc < 0 && n == SF_HEADER_SIZE && need > SF_HEADER_SIZE) {
		/* the fixed part is good: read the variable part too */
		more = realloc(buf, need);
		if (more == NULL) {
			free(buf);
			return snprintf(err, errlen, "%s", strerror(errno)), -1;
		}
		buf = more;
		n = pread(fd, buf, need, 0);
		rc = sf_header_parse(buf, n > 0 ? (size_t)n : 0, in, &need, err,
				     errlen);
	}
	free(buf);
	if (n < 0)
		return snprintf(err, errlen, "%s", strerror(errno)), -1;
	if (rc < 0)
		return -1;
	if (sf_stream_scan(fd, in->stream_offset, &st, err, errlen) < 0) {
		sf_info_free(in);
		return -1;
	}
	/* the stream must be of the guest the header describes */
	if (st.data_pages * 4 > in->maxmem_kib + 1024 ||
	    (st.max_pfn + 1) * 4 > in->maxmem_kib + 1024) {
		snprintf(err, errlen,
			 "the image holds %llu MiB of memory, its header says "
			 "a guest of %llu MiB",
			 (unsigned long long)(st.data_pages / 256),
			 (unsigned long long)(in->maxmem_kib / 1024));
		sf_info_free(in);
		return -1;
	}
	return 0;
}

/* A restore: from a seekable fd, named path in messages. */
struct restore_req {
	int fd;
	const char *path;
	const char *cfgpath; /* or NULL: the saved config */
	const char *suffix;  /* appended to the name ("--incoming"), or "" */
	int paused, nowait, timings;
	struct phases *ph;
	uint32_t domid;		     /* out */
	char name[SF_NAME_MAX + 16]; /* out: the domain's name */
};

/*
 * Check the file, read the config, restore.  An EXIT_* code; on failure
 * err has one line (a config's own errors are printed as they are found).
 */
static int
do_restore(struct restore_req *q, char *err, size_t errlen)
{
	struct diag d = {.report = diag_print_stderr};
	struct sf_info in = {0};
	struct cfg cfg = {0};
	struct domcfg dc;
	struct ts ts;
	char *text = NULL, source[4200], *name;
	const char *config;
	size_t len;
	int rc = EXIT_FAILED, have_dc = 0;

	if (load(q->fd, &in, source, sizeof(source)) < 0) {
		snprintf(err, errlen, "%s: %.400s", q->path, source);
		return EXIT_FAILED;
	}
	phases_mark(q->ph, "check file");
	if (q->cfgpath != NULL) {
		if (cfgfile_load(&dc, q->cfgpath, 0, NULL, &d, &text, &len) <
		    0) {
			snprintf(err, errlen, "%s: cannot use it", q->cfgpath);
			rc = EXIT_USAGE;
			goto out;
		}
		config = text;
	} else {
		snprintf(source, sizeof(source), "%s (its saved config)",
			 q->path);
		d.source = source;
		if (cfg_parse(&cfg, in.config, in.config_len, &d) < 0 ||
		    domcfg_from_cfg(&dc, &cfg, &d) < 0) {
			cfg_free(&cfg);
			snprintf(err, errlen, "%s: its saved config is bad",
				 q->path);
			goto out;
		}
		cfg_free(&cfg);
		config = in.config;
		len = in.config_len;
	}
	have_dc = 1;
	/* the name it had when saved (it may have been renamed), or the
	 * config's; a migration's copy is NAME--incoming until it takes
	 * over */
	snprintf(q->name, sizeof(q->name), "%s%s",
		 q->cfgpath ? dc.name : in.name, q->suffix);
	name = strdup(q->name);
	if (name == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto out;
	}
	free(dc.name);
	dc.name = name;
	phases_mark(q->ph, "parse");
	if (ts_open_hv(&ts) < 0) {
		snprintf(err, errlen, "%s", ts.err);
		goto out;
	}
	ts.ph = q->ph;
	cli_catch_stops(1);
	if (ts_restore(&ts, &dc, &in, q->fd, config, len, q->paused,
		       (in.flags & SF_F_DOMID) != 0, &q->domid) < 0) {
		snprintf(err, errlen, "%s: %s", dc.name, ts.err);
		ts_close(&ts);
		goto out;
	}
	if (ts.note[0] != '\0')
		fprintf(stderr, "chaos: warning: %s: %s\n", dc.name, ts.note);
	ts_close(&ts);
	if (!q->nowait && monitor_ensure() < 0)
		fprintf(stderr,
			"chaos: warning: the monitor did not start; "
			"on_poweroff/on_reboot/on_crash will not be acted "
			"on\n");
	rc = EXIT_OK;
out:
	if (have_dc)
		domcfg_free(&dc);
	sf_info_free(&in);
	free(text);
	return rc;
}

int
cmd_restore(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"vncviewer", no_argument, NULL, 'V'},
		{"vncviewer-autopass", no_argument, NULL, 'A'},
		{"timings", optional_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd_spec *self = cmd_find("restore", &(int){0});
	struct restore_req q = {.suffix = ""};
	struct phases ph;
	char err[1024];
	int c, rc, debug = 0;

	phases_start(&ph);
	while ((c = getopt_long(argc, argv, "pedVAT", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': q.paused = 1; break;
		case 'e': q.nowait = 1; break;
		case 'd': debug = 1; break;
		case 'V':
		case 'A':
			fprintf(stderr, "chaos restore: chaos guests have no "
					"VNC display (no device model)\n");
			return EXIT_USAGE;
		case 'T':
			q.timings = timings_arg(optarg);
			if (q.timings < 0)
				return cmd_usage_error(
					self, "--timings: text or json");
			break;
		case 'h':
			printf("usage: chaos restore %s\n", self->usage);
			return EXIT_OK;
		default: return cmd_usage_error(self, "bad option");
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_usage_error(self, "[CONFIG] FILE");
	if (argc - optind == 2)
		q.cfgpath = argv[optind++];
	q.path = argv[optind];
	if (strcmp(q.path, "-") == 0) {
		q.fd = seekable(STDIN_FILENO);
		q.path = "standard input";
	} else {
		q.fd = open(q.path, O_RDONLY | O_CLOEXEC);
		if (q.fd >= 0)
			q.fd = seekable(q.fd);
	}
	if (q.fd < 0) {
		fprintf(stderr, "chaos restore: %s: %s\n", q.path,
			strerror(errno));
		return EXIT_FAILED;
	}
	q.ph = q.timings ? &ph : NULL;
	rc = do_restore(&q, err, sizeof(err));
	close(q.fd);
	if (rc != EXIT_OK) {
		fprintf(stderr, "chaos restore: %s\n", err);
		return rc;
	}
	if (opts->verbose || debug)
		fprintf(stderr, "chaos restore: %s is domain %u\n", q.name,
			q.domid);
	if (q.timings &&
	    phases_print(&ph, "restore", q.timings == 2, stdout) < 0)
		fprintf(stderr, "chaos restore: timings: %s\n",
			strerror(errno));
	return EXIT_OK;
}

/* --- migrate: a save streamed into a restore, over a command's pipes --- */

#define MIG_BANNER "chaos-migrate-receiver 1"

/* One line from fd (a pipe; its newline dropped) within timeout_ms: 0,
 * or -1 with errno (ETIMEDOUT, EPIPE at end of file, EMSGSIZE). */
static int
read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = poll(&p, 1, timeout_ms);
		if (r == 0)
			return errno = ETIMEDOUT, -1;
		if (r < 0 && errno == EINTR && !ts_interrupted)
			continue;
		if (r < 0)
			return -1; /* a signal to stop: as if the peer failed */
		r = read(fd, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return errno = EPIPE, -1;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return 0;
		}
		if (++n == cap)
			return errno = EMSGSIZE, -1;
	}
}

static void
say(int fd, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(fd, line, (size_t)n) < 0)
		return; /* the sender is gone: it learns nothing more */
}

int
cmd_migrate_receive(const struct cli_opts *opts, int argc, char **argv)
{
	const struct cmd_spec *self = cmd_find("migrate-receive", &(int){0});
	struct restore_req q = {.suffix = "--incoming",
				.path = "the migration stream"};
	char err[1024], line[64], final[SF_NAME_MAX + 16];
	int c, unpause = 1, rc = EXIT_FAILED, debug = 0;
	struct phases ph;
	struct ts ts;
	uint32_t domid;

	(void)opts;
	phases_start(&ph);
	while ((c = getopt(argc, argv, "edp")) != -1) {
		switch (c) {
		case 'e': q.nowait = 1; break;
		case 'd': debug = 1; break;
		case 'p': unpause = 0; break;
		default: return cmd_usage_error(self, "bad option");
		}
	}
	signal(SIGPIPE, SIG_IGN);
	pipe_grow(STDIN_FILENO);
	say(STDOUT_FILENO, MIG_BANNER);
	q.fd = memfd_create("chaos-migrate", MFD_CLOEXEC);
	if (q.fd < 0) {
		say(STDOUT_FILENO, "error: %s", strerror(errno));
		return EXIT_FAILED;
	}
	/* the stream up to its END record: the sender's word follows */
	if (sf_stream_copy(STDIN_FILENO, q.fd, err, sizeof(err)) < 0) {
		say(STDOUT_FILENO, "error: the stream: %s", err);
		close(q.fd);
		return EXIT_FAILED;
	}
	phases_mark(&ph, "receive");
	q.paused = 1; /* until the sender has let its copy go */
	q.ph = debug ? &ph : NULL;
	rc = do_restore(&q, err, sizeof(err));
	close(q.fd);
	if (rc != EXIT_OK) {
		say(STDOUT_FILENO, "error: %s", err);
		return rc;
	}
	say(STDOUT_FILENO, "ready");
	rc = EXIT_FAILED;
	if (ts_open_hv(&ts) < 0) {
		say(STDOUT_FILENO, "error: %s", ts.err);
		return EXIT_FAILED;
	}
	ts_xs(&ts);
	domid = q.domid;
	if (read_line(STDIN_FILENO, line, sizeof(line), -1) < 0 ||
	    strcmp(line, "go") != 0) {
		/* the sender keeps its guest: ours goes */
		if (ts_destroy(&ts, domid) < 0)
			fprintf(stderr, "chaos migrate-receive: %s\n", ts.err);
		ts_close(&ts);
		return EXIT_FAILED;
	}
	/* the sender's copy is gone: this one takes its name and runs */
	snprintf(final, sizeof(final), "%.*s", (int)(strlen(q.name) - 10),
		 q.name);
	if (ts_rename(&ts, domid, final) < 0) {
		say(STDOUT_FILENO, "error: %s", ts.err);
	} else if (unpause && hv_domain_unpause(ts.hv, domid) < 0) {
		say(STDOUT_FILENO, "error: unpause: %s", hv_last_error(ts.hv));
	} else {
		say(STDOUT_FILENO, "done");
		rc = EXIT_OK;
	}
	ts_close(&ts);
	phases_mark(&ph, "take over");
	if (debug)
		phases_print(&ph, "migrate-receive", 0, stderr);
	return rc;
}

#define MIG_WORDS 64

/* The receiving command, split into words at blanks and exec'd (no
 * shell: xl hands it to sh; chaos runs no shell, so quotes are not
 * interpreted); its stdin is *to (the stream, then our word), its stdout
 * *from (its replies). */
static pid_t
spawn(const char *command, int *to, int *from)
{
	char *argv[MIG_WORDS + 1], words[4200], *save = NULL, *w;
	int in[2], out[2], n = 0;
	pid_t pid;

	snprintf(words, sizeof(words), "%s", command);
	for (w = strtok_r(words, " \t", &save); w != NULL && n < MIG_WORDS;
	     w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	if (n == 0 || w != NULL)
		return errno = EINVAL, -1;
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0 ||
		    dup2(out[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	pipe_grow(in[1]);
	*to = in[1];
	*from = out[0];
	return pid;
}

int
cmd_migrate(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"debug", no_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd_spec *self = cmd_find("migrate", &(int){0});
	struct diag d = {.report = diag_print_stderr};
	struct ts_save_opts o = {.hold = 1};
	const char *ssh = NULL, *cfgpath = NULL, *dom, *host;
	char command[4200], line[1200], *text = NULL, name[SF_NAME_MAX + 1];
	int c, to = -1, from = -1, nowait = 0, paused = 0, status;
	int rc = EXIT_FAILED, debug = 0;
	struct phases ph;
	struct domcfg dc;
	struct ts ts;
	uint32_t domid;
	size_t len;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "s:eC:pDh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 's': ssh = optarg; break;
		case 'e': nowait = 1; break;
		case 'C': cfgpath = optarg; break;
		case 'p': paused = 1; break;
		case 'D': o.keep_domid = 1; break;
		case 'd': debug = 1; break;
		case 't':
			if (timeout_arg(optarg, &o.timeout_s) < 0)
				return cmd_usage_error(
					self, "--timeout: 1 to 3600 seconds");
			break;
		case 'h':
			printf("usage: chaos migrate %s\n", self->usage);
			return EXIT_OK;
		default: return cmd_usage_error(self, "bad option");
		}
	}
	if (argc - optind != 2)
		return cmd_usage_error(self, "DOMAIN and HOST");
	dom = argv[optind];
	host = argv[optind + 1];
	if (cfgpath != NULL) {
		if (cfgfile_load(&dc, cfgpath, 0, NULL, &d, &text, &len) < 0)
			return EXIT_USAGE;
		domcfg_free(&dc);
		o.config = text;
		o.config_len = len;
	}
	/* as xl: "SSH HOST chaos migrate-receive", or with -s "" HOST is
	 * the whole receiving command (spawn splits it into words) */
	if (ssh != NULL && *ssh == '\0')
		snprintf(command, sizeof(command), "%s", host);
	else
		snprintf(command, sizeof(command),
			 "%s %s chaos migrate-receive%s%s", ssh ? ssh : "ssh",
			 host, nowait ? " -e" : "", paused ? " -p" : "");
	if (ts_open_hv(&ts) < 0) {
		fprintf(stderr, "chaos migrate: %s\n", ts.err);
		free(text);
		return EXIT_FAILED;
	}
	ts_xs(&ts);
	phases_start(&ph);
	ts.ph = debug ? &ph : NULL;
	if (ts_resolve(&ts, dom, &domid) < 0) {
		fprintf(stderr, "chaos migrate: %s\n", ts.err);
		goto out;
	}
	ts_domname(&ts, domid, name, sizeof(name));
	signal(SIGPIPE, SIG_IGN); /* a receiver that dies fails a write */
	cli_catch_stops(1); /* a signal fails the migration: the guest runs
			     * on here */
	pid = spawn(command, &to, &from);
	if (pid < 0) {
		fprintf(stderr, "chaos migrate: %s: %s\n", command,
			strerror(errno));
		goto out;
	}
	phases_mark(ts.ph, "spawn");
	if (read_line(from, line, sizeof(line), 120000) < 0 ||
	    strcmp(line, MIG_BANNER) != 0) {
		fprintf(stderr,
			"chaos migrate: the receiver did not answer (%s)\n",
			command);
		goto reap;
	}
	if (ts_save(&ts, domid, to, &o) < 0) {
		/* the guest runs on: ts_save resumed it */
		fprintf(stderr, "chaos migrate: %s: %s\n", dom, ts.err);
		goto reap;
	}
	if (read_line(from, line, sizeof(line), -1) < 0)
		line[0] = '\0';
	if (strcmp(line, "ready") != 0) {
		if (ts_resume(&ts, domid) < 0)
			fprintf(stderr,
				"chaos migrate: %s could not be resumed: %s\n",
				name, hv_last_error(ts.hv));
		fprintf(stderr,
			"chaos migrate: receiver: %s; %s runs on here\n",
			strncmp(line, "error: ", 7) == 0 ? line + 7
							 : "it stopped",
			name);
		goto reap;
	}
	phases_mark(ts.ph, "receiver restored");
	/* the receiver holds a whole copy, paused: ours goes, then it runs */
	if (ts_destroy(&ts, domid) < 0) {
		fprintf(stderr, "chaos migrate: %s\n", ts.err);
		say(to, "abort");
		ts_resume(&ts, domid);
		goto reap;
	}
	say(to, "go");
	if (read_line(from, line, sizeof(line), -1) < 0)
		line[0] = '\0';
	if (strcmp(line, "done") != 0) {
		fprintf(stderr, "chaos migrate: receiver: %s\n",
			strncmp(line, "error: ", 7) == 0 ? line + 7
							 : "it stopped");
		goto reap;
	}
	phases_mark(ts.ph, "taken over");
	if (opts->verbose)
		fprintf(stderr, "chaos migrate: %s migrated\n", name);
	if (debug)
		phases_print(&ph, "migrate", 0, stderr);
	rc = EXIT_OK;
reap:
	close(to);
	close(from);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
out:
	ts_close(&ts);
	free(text);
	return rc;
}
