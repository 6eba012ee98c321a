/* main.c: global options, then dispatch through the command table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: chaos [-n] [-v] COMMAND [ARGS]\n"
		   "       chaos help [COMMAND]\n"
		   "       chaos --version\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli_opts opts = {0};
	const struct cmd_spec *cmd;
	int c, ambiguous;

	/* '+': stop at the command name; its options are its own */
	while ((c = getopt_long(argc, argv, "+nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': opts.dryrun = 1; break;
		case 'v': opts.verbose++; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("chaos %s\n", CHAOS_VERSION); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cmd_find(argv[optind], &ambiguous);
	if (cmd == NULL) {
		fprintf(stderr, "chaos: '%s' is %s command; see 'chaos help'\n",
			argv[optind], ambiguous ? "an ambiguous" : "not a");
		return EXIT_USAGE;
	}
	if (opts.dryrun && !cmd->can_dryrun) {
		fprintf(stderr, "chaos: %s has no dry run (-n)\n", cmd->name);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 1; /* each command runs getopt on its own argv */
	return cmd->fn(&opts, argc, argv);
}
