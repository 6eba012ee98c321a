/* cmd_create.c: `chaos create`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cfgfile.h"
#include "cli.h"
#include "domcfg_json.h"
#include "monitor.h"
#include "toolstack.h"

int
cmd_create(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd_spec *self = cmd_find("create", &(int){0});
	struct diag d = {.report = diag_print_stderr};
	struct domcfg dc;
	struct ts ts;
	const char *path = NULL;
	int c, dryrun = opts->dryrun, paused = 0, console = 0, rc;
	char *json, *text = NULL, id[16];
	size_t len;
	uint32_t domid;

	while ((c = getopt_long(argc, argv, "nf:pcqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': dryrun = 1; break;
		case 'f': path = optarg; break;
		case 'p': paused = 1; break;
		case 'c': console = 1; break;
		case 'q': break; /* chaos is quiet anyway */
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
	if (cfgfile_load(&dc, path, argc - optind, argv + optind, &d,
			 dryrun ? NULL : &text, &len) < 0)
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
	rc = EXIT_FAILED;
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos create: %s\n", ts.err);
		goto out;
	}
	if (ts_create(&ts, &dc, text, len, paused, &domid) < 0) {
		fprintf(stderr, "chaos create: %s: %s\n", dc.name, ts.err);
		ts_close(&ts);
		goto out;
	}
	ts_close(&ts);
	if (monitor_ensure() < 0)
		fprintf(stderr,
			"chaos create: warning: the monitor did not start; "
			"on_poweroff/on_reboot/on_crash will not be acted "
			"on\n");
	if (opts->verbose)
		fprintf(stderr, "chaos create: %s is domain %u\n", dc.name,
			domid);
	rc = EXIT_OK;
	if (console) {
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
