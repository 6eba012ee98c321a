/*
 * cmd_net.c: network-attach, network-list and network-detach, as xl has
 * them, for xenstore-mode domains; xendevd does the wiring (netvif.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "domcfg_json.h"
#include "escape.h"
#include "toolstack.h"
#include "noxs.h"
#include "xsdom.h"

int
cli_domain_any(struct ts *ts, const char *cmd, char **argv, uint32_t *domid)
{
	if (ts_open(ts) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts->err);
		return EXIT_FAILED;
	}
	if (ts_resolve(ts, argv[optind], domid) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts->err);
		ts_close(ts);
		return EXIT_FAILED;
	}
	return -1;
}

int
cli_domain_arg(struct ts *ts, const char *cmd, char **argv, uint32_t *domid)
{
	int rc = cli_domain_any(ts, cmd, argv, domid);

	if (rc >= 0)
		return rc;
	if (*domid == 0) {
		fprintf(stderr, "chaos %s: not on dom0\n", cmd);
		ts_close(ts);
		return EXIT_FAILED;
	}
	return -1;
}

char *
cli_join_spec(int argc, char **argv, int from)
{
	size_t len = 1;
	char *spec;
	int i;

	for (i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	spec = calloc(1, len);
	for (i = from; spec != NULL && i < argc; i++) {
		if (i > from)
			strcat(spec, ",");
		strcat(spec, argv[i]);
	}
	return spec;
}

int
cli_only_help(const char *cmd, int argc, char **argv)
{
	while (getopt(argc, argv, "+h") != -1)
		return cmd_usage_error(cmd_find(cmd, &(int){0}), "bad option");
	return 0;
}

int
cli_flag_opt(const struct cmd_spec *self, int argc, char **argv,
	     const struct option *flag, int *given)
{
	const struct option longopts[] = {
		*flag,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char optstr[] = {'+', (char)flag->val, 'h', '\0'};
	int c;

	*given = 0;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if (c == 'h')
			return printf("usage: chaos %s %s\n", self->name,
				      self->usage),
			       EXIT_OK;
		if (c != flag->val)
			return cmd_usage_error(self, "bad option");
		*given = 1;
	}
	return -1;
}

int
cmd_network_attach(const struct cli_opts *opts, int argc, char **argv)
{
	struct diag d = {.source = "command line", .report = diag_print_stderr};
	struct dc_loc at = {"command line", 0, 0};
	struct dc_vif v;
	struct ts ts;
	uint32_t domid;
	unsigned devid;
	char *spec;
	int rc;

	(void)opts;
	if (cli_only_help("network-attach", argc, argv))
		return EXIT_USAGE;
	if (argc - optind < 1)
		return cmd_usage_error(cmd_find("network-attach", &(int){0}),
				       "a domain expected");
	spec = cli_join_spec(argc, argv, optind + 1);
	if (spec == NULL)
		return EXIT_FAILED;
	rc = dc_parse_vif(&v, 0, spec, &at, &d);
	free(spec);
	if (rc < 0)
		return EXIT_USAGE;
	rc = cli_domain_arg(&ts, "network-attach", argv, &domid);
	if (rc >= 0) {
		dc_vif_free(&v);
		return rc;
	}
	rc = EXIT_OK;
	if (ts_vif_attach(&ts, domid, &v, &devid) < 0) {
		fprintf(stderr, "chaos network-attach: %s: %s\n", argv[optind],
			ts.err);
		rc = EXIT_FAILED;
	} else if (ts.note[0] != '\0') {
		fprintf(stderr, "chaos network-attach: warning: %s\n", ts.note);
	}
	dc_vif_free(&v);
	ts_close(&ts);
	return rc;
}

/* network-list's columns, as xl prints them */
#define LIST_FMT "%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-11s %s\n"

static const char *const list_leaves[NET_LIST_LEAVES] = {
	"backend-id",	 "mac",		"handle",      "state",
	"event-channel", "tx-ring-ref", "rx-ring-ref", "backend",
};

/* device/vif/N/leaf of the frontend (malloc'd, *len bytes), or NULL */
static char *
fe(struct ts *ts, uint32_t domid, const char *n, const char *leaf,
   unsigned *len)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/%s/%s", domid,
		 n, leaf);
	*len = 0;
	return xs_read(ts->xs, XBT_NULL, path, len);
}

/* the guest writes its frontend's nodes: every value is escaped */
char *
net_list_row(const char *idx, char *const val[NET_LIST_LEAVES],
	     const unsigned len[NET_LIST_LEAVES])
{
	char *v[1 + NET_LIST_LEAVES], *row = NULL;
	int j, ok;

	v[0] = esc_dup(idx, strlen(idx));
	ok = v[0] != NULL;
	for (j = 0; j < NET_LIST_LEAVES; j++) {
		v[1 + j] = val[j] ? esc_dup(val[j], len[j]) : strdup("-");
		ok &= v[1 + j] != NULL;
	}
	if (ok && asprintf(&row, LIST_FMT, v[0], v[1], v[2], v[3], v[4], v[5],
			   v[6], v[7], v[8]) < 0)
		row = NULL;
	for (j = 0; j < 1 + NET_LIST_LEAVES; j++)
		free(v[j]);
	return row;
}

void
net_list_json(yajl_gen g, uint32_t domid, const char *idx,
	      char *const val[NET_LIST_LEAVES],
	      const unsigned len[NET_LIST_LEAVES])
{
	static const char *const keys[NET_LIST_LEAVES] = {
		"backend_id",	 "mac",		"handle",      "state",
		"event_channel", "tx_ring_ref", "rx_ring_ref", "backend",
	};
	int j;

	yajl_gen_map_open(g);
	cli_jnum(g, "domid", domid);
	cli_jxsnum(g, "devid", idx, strlen(idx));
	for (j = 0; j < NET_LIST_LEAVES; j++) {
		if (j == 1 || j == NET_LIST_LEAVES - 1)
			cli_jbytes(g, keys[j], val[j], len[j]);
		else
			cli_jxsnum(g, keys[j], val[j], len[j]);
	}
	yajl_gen_map_close(g);
}

/* one row (or JSON object) of values that are all strings of ours */
static void
put_row(uint32_t domid, const char *idx, char *const val[NET_LIST_LEAVES],
	yajl_gen g)
{
	unsigned len[NET_LIST_LEAVES];
	char *row;
	int j;

	for (j = 0; j < NET_LIST_LEAVES; j++)
		len[j] = val[j] ? (unsigned)strlen(val[j]) : 0;
	if (g != NULL) {
		net_list_json(g, domid, idx, val, len);
		return;
	}
	row = net_list_row(idx, val, len);
	if (row != NULL)
		fputs(row, stdout);
	free(row);
}

/*
 * A noxs guest's vifs, as xl lists netback's: from its registry record,
 * and the state and ring refs from each vif's control block in its
 * device page (the guest writes those: copied, then checked; "-" when the
 * block does not check).  The backend path is xendevd's interface.  0
 * when domid is not a noxs guest of chaos's.
 */
static int
noxs_list(struct ts *ts, uint32_t domid, yajl_gen g)
{
	char b[NET_LIST_LEAVES][32], *val[NET_LIST_LEAVES], idx[16];
	struct noxs_vif_ctrl c;
	struct reg_record r;
	const struct reg_vif *v;
	void *page = NULL;
	unsigned i;
	int ok, j;

	if (reg_record_read(domid, &r) < 0)
		return 0;
	if (!r.noxs) {
		reg_record_free(&r);
		return 0;
	}
	if (r.nvifs > 0)
		page = hv_map_frame(ts->hv, domid, r.devpage_mfn);
	for (i = 0; i < r.nvifs; i++) {
		v = &r.vifs[i];
		ok = page != NULL && v->offset <= NOXS_PAGE_SIZE - sizeof(c) &&
		     noxs_vif_be_read((uint8_t *)page + v->offset, &c) == 0;
		snprintf(idx, sizeof(idx), "%u", v->devid);
		snprintf(b[0], sizeof(b[0]), "0");
		snprintf(b[1], sizeof(b[1]), "%02x:%02x:%02x:%02x:%02x:%02x",
			 v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
			 v->mac[5]);
		snprintf(b[2], sizeof(b[2]), "%u", v->devid);
		snprintf(b[3], sizeof(b[3]), "%u", ok ? c.fe_state : 0);
		snprintf(b[4], sizeof(b[4]), "%u", v->port);
		snprintf(b[5], sizeof(b[5]), "%u", ok ? c.tx_ring_ref : 0);
		snprintf(b[6], sizeof(b[6]), "%u", ok ? c.rx_ring_ref : 0);
		if (v->vifname[0] != '\0')
			snprintf(b[7], sizeof(b[7]), "xendevd:%s", v->vifname);
		else
			snprintf(b[7], sizeof(b[7]), "xendevd:vif%u.%u", domid,
				 v->devid);
		for (j = 0; j < NET_LIST_LEAVES; j++)
			val[j] = b[j];
		if (!ok)
			val[3] = val[5] = val[6] = NULL;
		put_row(domid, idx, val, g);
	}
	if (page != NULL)
		hv_unmap(ts->hv, page, 0);
	reg_record_free(&r);
	return 1;
}

static void
list_one(struct ts *ts, uint32_t domid, yajl_gen g)
{
	char path[64], **ents, *val[NET_LIST_LEAVES], *row;
	unsigned len[NET_LIST_LEAVES], n, i, j;

	if (noxs_list(ts, domid, g))
		return;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif", domid);
	ents = xs_directory(ts->xs, XBT_NULL, path, &n);
	for (i = 0; ents != NULL && i < n; i++) {
		for (j = 0; j < NET_LIST_LEAVES; j++)
			val[j] =
				fe(ts, domid, ents[i], list_leaves[j], &len[j]);
		row = g ? NULL : net_list_row(ents[i], val, len);
		if (g != NULL)
			net_list_json(g, domid, ents[i], val, len);
		else if (row != NULL)
			fputs(row, stdout);
		free(row);
		for (j = 0; j < NET_LIST_LEAVES; j++)
			free(val[j]);
	}
	free(ents);
}

int
cli_list(const char *cmd, int argc, char **argv, const char *header,
	 void (*one)(struct ts *ts, uint32_t domid, yajl_gen g))
{
	struct ts ts;
	yajl_gen g = NULL;
	uint32_t domid;
	int i, lng, rc = EXIT_OK;

	if (cli_only_long(cmd, argc, argv, &lng))
		return EXIT_USAGE;
	if (argc - optind < 1)
		return cmd_usage_error(cmd_find(cmd, &(int){0}),
				       "a domain expected");
	if (ts_open(&ts) < 0) {
		fprintf(stderr, "chaos %s: %s\n", cmd, ts.err);
		return EXIT_FAILED;
	}
	if (lng && (g = cli_jarray_begin()) == NULL) {
		ts_close(&ts);
		return EXIT_FAILED;
	}
	if (!lng)
		fputs(header, stdout);
	for (i = optind; i < argc; i++) {
		if (ts_resolve(&ts, argv[i], &domid) < 0) {
			fprintf(stderr, "chaos %s: %s\n", cmd, ts.err);
			rc = EXIT_FAILED;
			continue;
		}
		/* a noxs guest's devices are in chaos's records: listed
		 * without xenstored */
		if (ts.xs == NULL && !ts_is_noxs(domid)) {
			fprintf(stderr,
				"chaos %s: %s: xenstored is not running\n", cmd,
				argv[i]);
			rc = EXIT_FAILED;
			continue;
		}
		one(&ts, domid, g);
	}
	if (g != NULL && cli_jarray_end(g) < 0)
		rc = EXIT_FAILED;
	ts_close(&ts);
	return rc;
}

int
cmd_network_list(const struct cli_opts *opts, int argc, char **argv)
{
	char header[160];

	(void)opts;
	snprintf(header, sizeof(header), LIST_FMT, "Idx", "BE", "Mac Addr.",
		 "handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
	return cli_list("network-list", argc, argv, header, list_one);
}

/* a devid, or the vif with this MAC (xl takes either) */
static int
find_vif(struct ts *ts, uint32_t domid, const char *arg, unsigned *devid)
{
	char path[64], **ents, *mac, *end;
	unsigned n, i, len;
	int found = 0;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg != '\0' && *end == '\0' && v < 1u << 30) {
		*devid = (unsigned)v;
		return 0;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/device/vif", domid);
	ents = xs_directory(ts->xs, XBT_NULL, path, &n);
	for (i = 0; ents != NULL && i < n && !found; i++) {
		mac = fe(ts, domid, ents[i], "mac", &len);
		if (mac != NULL && strcasecmp(mac, arg) == 0) {
			*devid = (unsigned)strtoul(ents[i], NULL, 10);
			found = 1;
		}
		free(mac);
	}
	free(ents);
	return found ? 0 : -1;
}

int
cmd_network_detach(const struct cli_opts *opts, int argc, char **argv)
{
	struct ts ts;
	uint32_t domid;
	unsigned devid;
	int rc;

	(void)opts;
	if (cli_only_help("network-detach", argc, argv))
		return EXIT_USAGE;
	if (argc - optind != 2)
		return cmd_usage_error(cmd_find("network-detach", &(int){0}),
				       "a domain and a devid or MAC expected");
	rc = cli_domain_arg(&ts, "network-detach", argv, &domid);
	if (rc >= 0)
		return rc;
	if (ts_is_noxs(domid)) {
		rc = ts_noxs_vif_detach(&ts, domid, argv[optind + 1]);
		if (rc != 0)
			fprintf(stderr, "chaos network-detach: %s%s: %s\n",
				rc > 0 ? "warning: " : "", argv[optind],
				ts.err);
		if (rc >= 0 && ts.note[0] != '\0')
			fprintf(stderr, "chaos network-detach: warning: %s\n",
				ts.note);
		ts_close(&ts);
		return rc < 0 ? EXIT_FAILED : EXIT_OK;
	}
	if (ts.xs == NULL || find_vif(&ts, domid, argv[optind + 1], &devid)) {
		fprintf(stderr, "chaos network-detach: %s: no vif %s\n",
			argv[optind], argv[optind + 1]);
		ts_close(&ts);
		return EXIT_FAILED;
	}
	rc = ts_vif_detach(&ts, domid, devid);
	if (rc != 0)
		fprintf(stderr, "chaos network-detach: %s%s: %s\n",
			rc > 0 ? "warning: " : "", argv[optind], ts.err);
	if (rc >= 0 && ts.note[0] != '\0')
		fprintf(stderr, "chaos network-detach: warning: %s\n", ts.note);
	ts_close(&ts);
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}
