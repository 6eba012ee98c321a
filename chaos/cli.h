/* cli.h: the chaos command table and what every command receives. */
#ifndef CHAOS_CLI_H
#define CHAOS_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes, documented in chaos(1). */
#define EXIT_OK	    0
#define EXIT_FAILED 1 /* the operation failed */
#define EXIT_USAGE  2 /* bad command line or bad configuration */

struct cli_opts {
	int dryrun;  /* -n: parse and print, touch nothing */
	int verbose; /* -v, repeatable */
};

typedef int (*cmd_fn)(const struct cli_opts *opts, int argc, char **argv);

struct cmd_spec {
	const char *name;
	cmd_fn fn;
	int can_dryrun;	     /* accepts the global -n */
	int dryrun_only;     /* works only with -n in this build */
	const char *summary; /* one line for `chaos help` */
	const char *usage;   /* arguments after the command name */
	const char *options; /* option lines for `chaos help CMD` */
};

extern const struct cmd_spec cmd_table[];
extern const size_t cmd_table_len;

/*
 * The command named name, or one whose name name is an unambiguous prefix
 * of (as xl does: an exact match wins over longer names).  NULL when there
 * is none or the prefix is ambiguous; *ambiguous tells which.
 */
const struct cmd_spec *cmd_find(const char *name, int *ambiguous);

/* Print usage of one command to stderr and return EXIT_USAGE. */
int cmd_usage_error(const struct cmd_spec *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define CMD(name)                                                              \
	int cmd_##name(const struct cli_opts *opts, int argc, char **argv)
CMD(help);
CMD(create);
CMD(destroy);
CMD(list);
CMD(info);
CMD(pause);
CMD(unpause);
CMD(shutdown);
CMD(reboot);
CMD(rename);
CMD(domid);
CMD(domname);
CMD(console);
CMD(monitor);
CMD(network_attach);
CMD(network_list);
CMD(network_detach);
CMD(shells);
CMD(save);
CMD(restore);
CMD(migrate);
CMD(migrate_receive);
CMD(block_attach);
CMD(block_list);
CMD(block_detach);
CMD(vcpu_list);
CMD(vcpu_pin);
CMD(vcpu_set);
CMD(mem_max);
CMD(mem_set);
CMD(dmesg);
CMD(sysrq);
CMD(dump_core);
CMD(uptime);
CMD(top);
#undef CMD

/*
 * One row of `chaos network-list` (with its newline) for the vif named
 * idx: val[i] holds the len[i] bytes of the frontend's node for column i
 * (backend-id, mac, handle, state, event-channel, tx-ring-ref,
 * rx-ring-ref, backend), NULL when there is none (shown "-").  The
 * guest writes those nodes, so every value (and idx) is escaped as
 * esc_bytes does (escape.h): the row holds printable ASCII and its
 * newline only.  malloc'd; NULL with errno.
 */
#define NET_LIST_LEAVES 8
char *net_list_row(const char *idx, char *const val[NET_LIST_LEAVES],
		   const unsigned len[NET_LIST_LEAVES]);

/* Open the toolstack and resolve argv[optind] to a domain other than
 * dom0: EXIT_* on failure (said, ts closed), -1 to go on. */
struct ts;
int cli_domain_arg(struct ts *ts, const char *cmd, char **argv,
		   uint32_t *domid);

/* The same, dom0 included (vcpu-set, sched-credit: xl lets them). */
int cli_domain_any(struct ts *ts, const char *cmd, char **argv,
		   uint32_t *domid);

/* getopt for a command whose only option is -h: EXIT_USAGE (said) or 0. */
int cli_only_help(const char *cmd, int argc, char **argv);

/* xl takes a device spec's items as words: argv[from..] joined with
 * commas into one spec (malloc'd; NULL). */
char *cli_join_spec(int argc, char **argv, int from);

/* 1 when domid is one of the shell daemon's shells (reg_shell_list's
 * ids): no guest, not listed. */
struct reg_shell_id;
int cli_is_shell(const struct reg_shell_id *ids, size_t n, uint32_t domid);

/* xl's state column: running, blocked, paused, shutdown, crashed, dying */
struct hv_dominfo;
void cli_state(const struct hv_dominfo *di, char s[7]);

/* A listing command (network-list, block-list): header, then one(ts,
 * domid) for each DOMAIN named; EXIT_*. */
int cli_list(const char *cmd, int argc, char **argv, const char *header,
	     void (*one)(struct ts *ts, uint32_t domid));

/* SIGINT, SIGTERM and SIGHUP make a create (or a restore) fail at its
 * next step, which destroys what it made, instead of killing chaos
 * half-way (on = 0: their defaults again). */
void cli_catch_stops(int on);

/* Debian's console client, which `xl console` runs too */
#define CHAOS_XENCONSOLE "/usr/lib/xen-4.17/bin/xenconsole"

#define CHAOS_VERSION "0.1.0"

#endif
