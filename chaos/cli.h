/* cli.h: the chaos command table and what every command receives. */
#ifndef CHAOS_CLI_H
#define CHAOS_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

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
CMD(sched_credit);
CMD(sched_credit2);
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

/* The same vif as one JSON object of network-list -l: domid, devid (a
 * number; idx is the frontend's directory name), then the columns,
 * numbers as numbers (null when the guest wrote none), the MAC and the
 * backend path as strings (cli_jbytes). */
void net_list_json(yajl_gen g, uint32_t domid, const char *idx,
		   char *const val[NET_LIST_LEAVES],
		   const unsigned len[NET_LIST_LEAVES]);

/* Open the toolstack and resolve argv[optind] to a domain other than
 * dom0: EXIT_* on failure (said, ts closed), -1 to go on. */
struct ts;
int cli_domain_arg(struct ts *ts, const char *cmd, char **argv,
		   uint32_t *domid);

/* The same, dom0 included (vcpu-set, sched-credit: xl lets them). */
int cli_domain_any(struct ts *ts, const char *cmd, char **argv,
		   uint32_t *domid);

/* getopt for a command whose options are -h and one flag (*given set
 * when it is there): -1 to go on, else the exit status (-h: usage
 * printed; a bad option: said). */
int cli_flag_opt(const struct cmd_spec *self, int argc, char **argv,
		 const struct option *flag, int *given);

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
 * domid, NULL) for each DOMAIN named; with -l, a JSON array that
 * one(ts, domid, g) adds each device to as an object; EXIT_*. */
int cli_list(const char *cmd, int argc, char **argv, const char *header,
	     void (*one)(struct ts *ts, uint32_t domid, yajl_gen g));

/* Every domain but the shell daemon's shells, in domid order: fn(ts,
 * di, arg) for each.  0, or -1 when the hypervisor could not list them
 * (those listed so far were seen). */
int cli_each_domain(struct ts *ts,
		    void (*fn)(struct ts *ts, const struct hv_dominfo *di,
			       void *arg),
		    void *arg);

/*
 * The JSON forms of listings (-l), into a generator of json_gen_new():
 * key k and a string (NULL: null), a number, bytes a guest wrote (as
 * they are when they are UTF-8, yajl escaping what JSON needs; else the
 * text esc_bytes makes of them, as the listing shows it), or a XenStore
 * value that should be a decimal number (null when it is not one).
 */
void cli_jstr(yajl_gen g, const char *k, const char *v);
void cli_jnum(yajl_gen g, const char *k, long long v);
void cli_jbytes(yajl_gen g, const char *k, const char *v, size_t len);
void cli_jxsnum(yajl_gen g, const char *k, const char *v, size_t len);

/* Print g's text to stdout and free g: 0, or -1 (out of memory). */
int cli_json_print(yajl_gen g);

/* A listing's JSON array: a generator with the array open (NULL: out of
 * memory), and its end: closed, printed, freed (cli_json_print). */
yajl_gen cli_jarray_begin(void);
int cli_jarray_end(yajl_gen g);

/* -l, --long: a listing's JSON form, the same flag in every listing. */
extern const struct option cli_long_only[];

/* getopt for a listing whose only options are -l (*lng set) and -h:
 * EXIT_USAGE (said) or 0. */
int cli_only_long(const char *cmd, int argc, char **argv, int *lng);

/* SIGINT, SIGTERM and SIGHUP make a create (or a restore) fail at its
 * next step, which destroys what it made, instead of killing chaos
 * half-way (on = 0: their defaults again). */
void cli_catch_stops(int on);

/* Debian's console client, which `xl console` runs too */
#define CHAOS_XENCONSOLE "/usr/lib/xen-4.17/bin/xenconsole"

#define CHAOS_VERSION "0.1.0"

#endif
