/* cmd_create.c: `chaos create`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cfgfile.h"
#include "cli.h"
#include "domcfg_json.h"

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
	const char *path = NULL;
	int c, dryrun = opts->dryrun;
	char *json;

	while ((c = getopt_long(argc, argv, "nf:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': dryrun = 1; break;
		case 'f': path = optarg; break;
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
	if (!dryrun) {
		fprintf(stderr,
			"chaos create: only the dry run (chaos -n create) "
			"works in this version\n");
		return EXIT_FAILED;
	}
	if (cfgfile_load(&dc, path, argc - optind, argv + optind, &d) < 0)
		return EXIT_USAGE;
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
