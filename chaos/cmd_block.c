/*
 * cmd_block.c: block-attach, block-list and block-detach, as xl has them,
 * for xenstore-mode domains; xendevd backs the disks (disk.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "escape.h"
#include "toolstack.h"
#include "vbd.h"

int
cmd_block_attach(const struct cli_opts *opts, int argc, char **argv)
{
	struct diag d = {.source = "command line", .report = diag_print_stderr};
	struct dc_loc at = {"command line", 0, 0};
	struct dc_disk k;
	struct ts ts;
	uint32_t domid, devid;
	char *spec;
	int rc;

	if (cli_only_help("block-attach", argc, argv))
		return EXIT_USAGE;
	if (argc - optind < 2)
		return cmd_usage_error(cmd_find("block-attach", &(int){0}),
				       "a domain and a disk spec expected");
	spec = cli_join_spec(argc, argv, optind + 1);
	if (spec == NULL)
		return EXIT_FAILED;
	rc = dc_parse_disk(&k, spec, &at, &d);
	free(spec);
	if (rc < 0)
		return EXIT_USAGE;
	rc = cli_domain_arg(&ts, "block-attach", argv, &domid);
	if (rc >= 0) {
		dc_disk_free(&k);
		return rc;
	}
	rc = EXIT_OK;
	if (ts_vbd_attach(&ts, domid, &k, &devid) < 0) {
		fprintf(stderr, "chaos block-attach: %s: %s\n", argv[optind],
			ts.err);
		rc = EXIT_FAILED;
	} else if (opts->verbose) {
		fprintf(stderr, "chaos block-attach: %s is vbd %u\n", k.vdev,
			devid);
	}
	dc_disk_free(&k);
	ts_close(&ts);
	return rc;
}

/* block-list's columns, as xl prints them */
#define LIST_FMT "%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n"

/* device/vbd/N/leaf of the frontend, escaped (the guest writes it), "-"
 * when missing; malloc'd */
static char *
fe(struct ts *ts, uint32_t domid, const char *n, const char *leaf)
{
	char path[128], *v, *e;
	unsigned len = 0;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vbd/%s/%s", domid,
		 n, leaf);
	v = xs_read(ts->xs, XBT_NULL, path, &len);
	e = v ? esc_dup(v, len) : strdup("-");
	free(v);
	return e;
}

static void
list_one(struct ts *ts, uint32_t domid)
{
	static const char *const leaves[] = {
		"backend-id", "state", "event-channel", "ring-ref", "backend"};
	char path[64], handle[16], **ents, *v[5], *idx;
	unsigned n, i, j;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vbd", domid);
	snprintf(handle, sizeof(handle), "%u", domid);
	ents = xs_directory(ts->xs, XBT_NULL, path, &n);
	for (i = 0; ents != NULL && i < n; i++) {
		idx = esc_dup(ents[i], strlen(ents[i]));
		for (j = 0; j < 5; j++)
			v[j] = fe(ts, domid, ents[i], leaves[j]);
		if (idx && v[0] && v[1] && v[2] && v[3] && v[4])
			printf(LIST_FMT, idx, v[0], handle, v[1], v[2], v[3],
			       v[4]);
		free(idx);
		for (j = 0; j < 5; j++)
			free(v[j]);
	}
	free(ents);
}

int
cmd_block_list(const struct cli_opts *opts, int argc, char **argv)
{
	char header[160];

	(void)opts;
	snprintf(header, sizeof(header), LIST_FMT, "Vdev", "BE", "handle",
		 "state", "evt-ch", "ring-ref", "BE-path");
	return cli_list("block-list", argc, argv, header, list_one);
}

int
cmd_block_detach(const struct cli_opts *opts, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct cmd_spec *self = cmd_find("block-detach", &(int){0});
	struct ts ts;
	uint32_t domid, devid;
	int c, rc, force = 0;

	(void)opts;
	while ((c = getopt_long(argc, argv, "+fh", longopts, NULL)) != -1) {
		if (c == 'f')
			force = 1;
		else if (c == 'h')
			return printf("usage: chaos block-detach %s\n",
				      self->usage),
			       EXIT_OK;
		else
			return cmd_usage_error(self, "bad option");
	}
	if (argc - optind != 2)
		return cmd_usage_error(self, "a domain and a vdev or devid "
					     "expected");
	/* xl takes the vdev (xvdb) or its number (51728) */
	if (vbd_devnum(argv[optind + 1], &devid) < 0) {
		fprintf(stderr, "chaos block-detach: '%s' names no disk\n",
			argv[optind + 1]);
		return EXIT_USAGE;
	}
	rc = cli_domain_arg(&ts, "block-detach", argv, &domid);
	if (rc >= 0)
		return rc;
	rc = ts_vbd_detach(&ts, domid, devid, force);
	if (rc != 0)
		fprintf(stderr, "chaos block-detach: %s%s: %s\n",
			rc > 0 ? "warning: " : "", argv[optind], ts.err);
	ts_close(&ts);
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}
