/* cmd_save.c: `chaos save` and `chaos restore` (docs/savefile.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgfile.h"
#include "cli.h"
#include "monitor.h"
#include "phases.h"
#include "savefile.h"
#include "toolstack.h"

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
	char tmp[4096], *text = NULL, *end;
	const char *dom, *path;
	uint32_t domid;
	int c, fd, rc = EXIT_FAILED, timings = 0;
	unsigned long t;
	size_t len = 0;

	phases_start(&ph);
	while ((c = getopt_long(argc, argv, "cpDT", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.keep = 1; break;
		case 'p': o.paused = 1; break;
		case 'D': o.keep_domid = 1; break;
		case 't':
			errno = 0;
			t = strtoul(optarg, &end, 10);
			if (errno || *end || t == 0 || t > 3600)
				return cmd_usage_error(
					self, "--timeout: 1 to 3600 seconds");
			o.timeout_s = (unsigned)t;
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
	char buf[1 << 16];
	ssize_t n;
	int m;

	if (lseek(fd, 0, SEEK_CUR) >= 0)
		return fd;
	if (errno != ESPIPE)
		return -1;
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

/* Read and check FILE's header and stream: 0 and in, or -1 said. */
static int
load(int fd, const char *path, struct sf_info *in, struct sf_stream *st)
{
	uint8_t *buf, *more;
	size_t need = SF_HEADER_SIZE;
	char err[256];
	ssize_t n;
	int rc;

	buf = malloc(need);
	if (buf == NULL)
		return -1;
	n = pread(fd, buf, need, 0);
	rc = sf_header_parse(buf, n > 0 ? (size_t)n : 0, in, &need, err,
			     sizeof(err));
	if (rc < 0 && n == SF_HEADER_SIZE && need > SF_HEADER_SIZE) {
		/* the fixed part is good: read the variable part too */
		more = realloc(buf, need);
		if (more == NULL) {
			free(buf);
			return -1;
		}
		buf = more;
		n = pread(fd, buf, need, 0);
		rc = sf_header_parse(buf, n > 0 ? (size_t)n : 0, in, &need, err,
				     sizeof(err));
	}
	free(buf);
	if (n < 0) {
		fprintf(stderr, "chaos restore: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "chaos restore: %s: %s\n", path, err);
		return -1;
	}
	if (sf_stream_scan(fd, in->stream_offset, st, err, sizeof(err)) < 0) {
		fprintf(stderr, "chaos restore: %s: %s\n", path, err);
		sf_info_free(in);
		return -1;
	}
	/* the stream must be of the guest the header describes */
	if (st->data_pages * 4 > in->maxmem_kib + 1024 ||
	    (st->max_pfn + 1) * 4 > in->maxmem_kib + 1024) {
		fprintf(stderr,
			"chaos restore: %s: the image holds %llu MiB of "
			"memory, its header says a guest of %llu MiB\n",
			path, (unsigned long long)(st->data_pages / 256),
			(unsigned long long)(in->maxmem_kib / 1024));
		sf_info_free(in);
		return -1;
	}
	return 0;
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
	struct diag d = {.report = diag_print_stderr};
	struct sf_info in = {0};
	struct sf_stream st;
	struct domcfg dc;
	struct phases ph;
	struct ts ts;
	const char *path, *cfgpath = NULL;
	char *text = NULL, source[4200];
	const char *config;
	size_t len;
	int c, fd, rc = EXIT_FAILED, paused = 0, nowait = 0, debug = 0;
	int timings = 0, have_dc = 0;
	uint32_t domid;

	phases_start(&ph);
	while ((c = getopt_long(argc, argv, "pedVAT", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': paused = 1; break;
		case 'e': nowait = 1; break;
		case 'd': debug = 1; break;
		case 'V':
		case 'A':
			fprintf(stderr, "chaos restore: chaos guests have no "
					"VNC display (no device model)\n");
			return EXIT_USAGE;
		case 'T':
			timings = timings_arg(optarg);
			if (timings < 0)
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
		cfgpath = argv[optind++];
	path = argv[optind];
	if (strcmp(path, "-") == 0) {
		fd = seekable(STDIN_FILENO);
		path = "standard input";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			fd = seekable(fd);
	}
	if (fd < 0) {
		fprintf(stderr, "chaos restore: %s: %s\n", path,
			strerror(errno));
		return EXIT_FAILED;
	}
	if (load(fd, path, &in, &st) < 0)
		goto out;
	phases_mark(&ph, "check file");
	if (cfgpath != NULL) {
		if (cfgfile_load(&dc, cfgpath, 0, NULL, &d, &text, &len) < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		config = text;
	} else {
		struct cfg cfg = {0};

		snprintf(source, sizeof(source), "%s (its saved config)", path);
		d.source = source;
		if (cfg_parse(&cfg, in.config, in.config_len, &d) < 0 ||
		    domcfg_from_cfg(&dc, &cfg, &d) < 0) {
			cfg_free(&cfg);
			goto out;
		}
		cfg_free(&cfg);
		/* the name it had when saved (it may have been renamed) */
		free(dc.name);
		dc.name = strdup(in.name);
		if (dc.name == NULL) {
			domcfg_free(&dc);
			goto out;
		}
		config = in.config;
		len = in.config_len;
	}
	have_dc = 1;
	phases_mark(&ph, "parse");
	if (ts_open_hv(&ts) < 0) {
		fprintf(stderr, "chaos restore: %s\n", ts.err);
		goto out;
	}
	ts.ph = timings ? &ph : NULL;
	cli_catch_stops(1);
	if (ts_restore(&ts, &dc, &in, fd, config, len, paused,
		       (in.flags & SF_F_DOMID) != 0, &domid) < 0) {
		fprintf(stderr, "chaos restore: %s: %s\n", dc.name, ts.err);
		ts_close(&ts);
		goto out;
	}
	ts_close(&ts);
	if (!nowait && monitor_ensure() < 0)
		fprintf(stderr,
			"chaos restore: warning: the monitor did not start; "
			"on_poweroff/on_reboot/on_crash will not be acted "
			"on\n");
	if (opts->verbose || debug)
		fprintf(stderr, "chaos restore: %s is domain %u\n", dc.name,
			domid);
	if (timings && phases_print(&ph, "restore", timings == 2, stdout) < 0)
		fprintf(stderr, "chaos restore: timings: %s\n",
			strerror(errno));
	rc = EXIT_OK;
out:
	if (have_dc)
		domcfg_free(&dc);
	sf_info_free(&in);
	free(text);
	close(fd);
	return rc;
}
