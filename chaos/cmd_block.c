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
	} else {
		if (opts->verbose)
			fprintf(stderr, "chaos block-attach: %s is vbd %u\n",
				k.vdev, devid);
		if (ts.note[0] != '\0')
			fprintf(stderr, "chaos block-attach: warning: %s\n",
				ts.note);
	}
	dc_disk_free(&k);
	ts_close(&ts);
	return rc;
}

/* block-list's columns, as xl prints them */
#define LIST_FMT "%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n"

/* the frontend's leaves that block-list shows, and their JSON keys */
#define VBD_LEAVES 5
static const char *const vbd_leaves[VBD_LEAVES] = {
	"backend-id", "state", "event-channel", "ring-ref", "backend"};
static const char *const vbd_keys[VBD_LEAVES] = {
	"backend_id", "state", "event_channel", "ring_ref", "backend"};

/* one disk: a row, its values escaped ("-" when missing), or an object
 * of block-list -l (g), numbers as numbers (null when the guest wrote
 * none), the backend path a string; the guest writes them all */
static void
list_vbd(struct ts *ts, uint32_t domid, const char *n, yajl_gen g)
{
	char path[128], handle[16], *raw[VBD_LEAVES], *v[VBD_LEAVES], *idx;
	unsigned len[VBD_LEAVES], j;
	int ok = 1;

	for (j = 0; j < VBD_LEAVES; j++) {
		snprintf(path, sizeof(path),
			 "/local/domain/%u/device/vbd/%s/%s", domid, n,
			 vbd_leaves[j]);
		len[j] = 0;
		raw[j] = xs_read(ts->xs, XBT_NULL, path, &len[j]);
	}
	if (g != NULL) {
		yajl_gen_map_open(g);
		cli_jnum(g, "domid", domid);
		cli_jxsnum(g, "devid", n, strlen(n));
		for (j = 0; j < VBD_LEAVES; j++) {
			if (j == VBD_LEAVES - 1)
				cli_jbytes(g, vbd_keys[j], raw[j], len[j]);
			else
				cli_jxsnum(g, vbd_keys[j], raw[j], len[j]);
		}
		yajl_gen_map_close(g);
	} else {
		snprintf(handle, sizeof(handle), "%u", domid);
		idx = esc_dup(n, strlen(n));
		for (j = 0; j < VBD_LEAVES; j++) {
			v[j] = raw[j] ? esc_dup(raw[j], len[j]) : strdup("-");
			ok &= v[j] != NULL;
		}
		if (idx && ok)
			printf(LIST_FMT, idx, v[0], handle, v[1], v[2], v[3],
			       v[4]);
		free(idx);
		for (j = 0; j < VBD_LEAVES; j++)
			free(v[j]);
	}
	for (j = 0; j < VBD_LEAVES; j++)
		free(raw[j]);
}

static void
list_one(struct ts *ts, uint32_t domid, yajl_gen g)
{
	char path[64], **ents;
	unsigned n, i;

	if (ts->xs == NULL) /* a noxs guest: it has no disks */
		return;
	snprintf(path, sizeof(path), "/local/domain/%u/device/vbd", domid);
	ents = xs_directory(ts->xs, XBT_NULL, path, &n);
	for (i = 0; ents != NULL && i < n; i++)
		list_vbd(ts, domid, ents[i], g);
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
	static const struct option flag = {"force", no_argument, NULL, 'f'};
	const struct cmd_spec *self = cmd_find("block-detach", &(int){0});
	struct ts ts;
	uint32_t domid, devid;
	int rc, force;

	(void)opts;
	rc = cli_flag_opt(self, argc, argv, &flag, &force);
	if (rc >= 0)
		return rc;
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
	if (rc >= 0 && ts.note[0] != '\0')
		fprintf(stderr, "chaos block-detach: warning: %s\n", ts.note);
	ts_close(&ts);
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}
