/* cmd_create.c: `chaos create`. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgfile.h"
#include "cli.h"
#include "console.h"
#include "domcfg_json.h"
#include "registry.h"
#include "monitor.h"
#include "phases.h"
#include "toolstack.h"

static void
stop_create(int sig)
{
	(void)sig;
	ts_interrupted = 1;
}

void
cli_catch_stops(int on)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? stop_create : SIG_DFL; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int
cmd_create(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"device-method", required_argument, NULL, 'D'},
		{"timings", optional_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd_spec *self = cmd_find("create", &(int){0});
	struct diag d = {.report = diag_print_stderr};
	struct domcfg dc;
	struct ts ts;
	const char *path = NULL;
	int c, dryrun = opts->dryrun, paused = 0, console = 0, rc, n, i;
	int timings = 0;
	struct phases ph;
	char *json, *text = NULL, id[16], method[64] = "", **over;
	struct reg_record rec;
	size_t len;
	uint32_t domid;

	phases_start(&ph);
	while ((c = getopt_long(argc, argv, "nf:pcqTh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'n': dryrun = 1; break;
		case 'f': path = optarg; break;
		case 'p': paused = 1; break;
		case 'c': console = 1; break;
		case 'q': break; /* chaos is quiet anyway */
		case 'T':
			if (optarg != NULL && strcmp(optarg, "text") &&
			    strcmp(optarg, "json"))
				return cmd_usage_error(
					self, "--timings: text or json");
			timings = optarg && !strcmp(optarg, "json") ? 2 : 1;
			break;
		case 'D':
			if (strcmp(optarg, "auto") && strcmp(optarg, "noxs") &&
			    strcmp(optarg, "xenstore"))
				return cmd_usage_error(
					self, "--device-method: auto, noxs or "
					      "xenstore");
			snprintf(method, sizeof(method), "device_method=\"%s\"",
				 optarg);
			break;
		case 'h':
			printf("usage: chaos create %s\n", self->usage);
			return EXIT_OK;
		default: return cmd_usage_error(self, "bad option");
		}
	}
	if (path == NULL) {
		if (optind >= argc)
			return cmd_usage_error(self, "no config file given");
		path = argv[optind++];
	}
	/* the flag acts as one more KEY=VALUE, after the others */
	n = argc - optind;
	over = calloc((size_t)n + 1, sizeof(*over));
	if (over == NULL)
		return EXIT_FAILED;
	for (i = 0; i < n; i++)
		over[i] = argv[optind + i];
	if (method[0])
		over[n++] = method;
	rc = cfgfile_load(&dc, path, n, over, &d, dryrun ? NULL : &text, &len);
	free(over);
	if (rc < 0)
		return EXIT_USAGE;
	if (dryrun) {
		json = domcfg_to_json(&dc);
		domcfg_free(&dc);
		if (json == NULL) {
			fprintf(stderr, "chaos create: out of memory\n");
			return EXIT_FAILED;
		}
		fputs(json, stdout);
		free(json);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	}
	phases_mark(&ph, "parse");
	rc = EXIT_FAILED;
	/* XenStore only once the create needs it: a noxs guest never does */
	if (ts_open_hv(&ts) < 0) {
		fprintf(stderr, "chaos create: %s\n", ts.err);
		goto out;
	}
	phases_mark(&ph, "open");
	ts.ph = timings ? &ph : NULL;
	/* with -c, stay paused until the console is attached */
	cli_catch_stops(1);
	rc = ts_create(&ts, &dc, text, len, paused || console, &domid);
	/* made: a signal from here on does not kill chaos before it has
	 * said so (the console, below, takes the defaults back) */
	if (rc < 0) {
		fprintf(stderr, "chaos create: %s: %s\n", dc.name, ts.err);
		ts_close(&ts);
		rc = EXIT_FAILED;
		goto out;
	}
	if (ts.note[0] != '\0')
		fprintf(stderr, "chaos create: warning: %s: %s\n", dc.name,
			ts.note);
	if (monitor_ensure() < 0)
		fprintf(stderr,
			"chaos create: warning: the monitor did not start; "
			"on_poweroff/on_reboot/on_crash will not be acted "
			"on\n");
	if (opts->verbose)
		fprintf(stderr, "chaos create: %s is domain %u (%s)\n", dc.name,
			domid, ts.path);
	if (timings &&
	    phases_print(&ph,
			 strncmp(ts.path, "pool", 4) == 0 ? "pool" : "cold",
			 timings == 2, stdout) < 0)
		fprintf(stderr, "chaos create: timings: %s\n", strerror(errno));
	rc = EXIT_OK;
	if (console)
		cli_catch_stops(0);
	if (console && reg_record_read(domid, &rec) == 0 && rec.noxs) {
		/* xenconsoled does not serve noxs guests: chaos does */
		if (console_attach(&ts, domid, rec.console_port, !paused) < 0) {
			fprintf(stderr, "chaos create: %s\n", ts.err);
			rc = EXIT_FAILED;
		}
		reg_record_free(&rec);
		ts_close(&ts);
		goto out;
	}
	if (console && !paused && hv_domain_unpause(ts.hv, domid) < 0) {
		fprintf(stderr, "chaos create: unpause: %s\n",
			hv_last_error(ts.hv));
		rc = EXIT_FAILED;
	}
	ts_close(&ts);
	if (console && rc == EXIT_OK) {
		snprintf(id, sizeof(id), "%u", domid);
		fflush(NULL);
		execl(CHAOS_XENCONSOLE, "xenconsole", "--type", "pv", id,
		      (char *)NULL);
		perror("chaos create: " CHAOS_XENCONSOLE);
		rc = EXIT_FAILED;
	}
out:
	domcfg_free(&dc);
	free(text);
	return rc;
}
