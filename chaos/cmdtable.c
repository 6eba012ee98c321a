/*
 * cmdtable.c: the one table of chaos commands.  Dispatch, `chaos help`,
 * bash completion and the man page's synopsis all come from it, so a
 * command exists everywhere or nowhere.  A command is listed only once it
 * works.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cmd_spec cmd_table[] = {
	{
		.name = "create",
		.fn = cmd_create,
		.can_dryrun = 1,
		.summary = "Create a domain from an xl.cfg file",
		.usage = "[-n] [-p] [-c] [-q] [-T] [--device-method=M] "
			 "[-f FILE | CONFIG] [KEY=VALUE ...]",
		.options =
			"  -n, --dry-run   parse CONFIG, print the domain as "
			"JSON, touch nothing\n"
			"  -p              leave the domain paused\n"
			"  -c              attach to its console\n"
			"  -q              quiet (chaos is anyway)\n"
			"  -T, --timings[=text|json]\n"
			"                  print how long each phase of the "
			"create took\n"
			"  --device-method=auto|noxs|xenstore\n"
			"                  how devices reach the guest (auto: "
			"noxs when the\n"
			"                  kernel declares it)\n"
			"  -f FILE         read the configuration from FILE\n"
			"  KEY=VALUE       an xl.cfg line that overrides "
			"CONFIG\n",
	},
	{
		.name = "destroy",
		.fn = cmd_destroy,
		.summary = "Terminate a domain at once",
		.usage = "DOMAIN",
		.options = "",
	},
	{
		.name = "list",
		.fn = cmd_list,
		.summary = "List domains, as xl list does",
		.usage = "[-l] [DOMAIN ...]",
		.options = "  -l, --long      JSON, with the configuration of "
			   "domains chaos made\n",
	},
	{
		.name = "shells",
		.fn = cmd_shells,
		.summary = "Show the shell daemon's pool of pre-made domains",
		.usage = "[-l] [--reload]",
		.options =
			"  -l, --long      JSON\n"
			"  --reload        make chaos-shelld read its config "
			"again\n",
	},
	{
		.name = "info",
		.fn = cmd_info,
		.summary = "Show the host and the hypervisor",
		.usage = "[-l]",
		.options = "  -l, --long      JSON\n",
	},
	{
		.name = "pause",
		.fn = cmd_pause,
		.summary = "Stop a domain's vCPUs",
		.usage = "DOMAIN",
		.options = "",
	},
	{
		.name = "unpause",
		.fn = cmd_unpause,
		.summary = "Let a paused domain run again",
		.usage = "DOMAIN",
		.options = "",
	},
	{
		.name = "shutdown",
		.fn = cmd_shutdown,
		.summary = "Ask a domain to power off",
		.usage = "[-w] [-a | DOMAIN]",
		.options = "  -w              wait until the domain is gone\n"
			   "  -a              every domain but dom0\n",
	},
	{
		.name = "reboot",
		.fn = cmd_reboot,
		.summary = "Ask a domain to reboot",
		.usage = "[-w] [-a | DOMAIN]",
		.options = "  -w              wait until the old domain is "
			   "gone\n"
			   "  -a              every domain but dom0\n",
	},
	{
		.name = "save",
		.fn = cmd_save,
		.summary = "Save a domain's state to a file, as xl save",
		.usage = "[-c] [-p] [-D] [--timeout=S] [-T] DOMAIN FILE "
			 "[CONFIG]",
		.options =
			"  -c              leave the domain running "
			"afterwards\n"
			"  -p              leave the domain paused afterwards\n"
			"  -D              restore it under the same domain "
			"id\n"
			"  --timeout=S     give the guest S seconds to suspend "
			"(60)\n"
			"  -T, --timings[=text|json]\n"
			"                  print how long each phase took\n"
			"  FILE            '-': standard output\n"
			"  CONFIG          the config to restore it from "
			"(default: the one it\n"
			"                  was made from)\n",
	},
	{
		.name = "restore",
		.fn = cmd_restore,
		.summary = "Restore a domain saved with chaos save",
		.usage = "[-p] [-e] [-d] [-T] [CONFIG] FILE",
		.options = "  -p              leave the domain paused\n"
			   "  -e              do not start the monitor (on_* "
			   "actions)\n"
			   "  -d              say what was restored\n"
			   "  -T, --timings[=text|json]\n"
			   "                  print how long each phase took\n"
			   "  CONFIG          use this config instead of the "
			   "saved "
			   "one (same\n"
			   "                  memory and vCPUs)\n"
			   "  FILE            '-': standard input\n",
	},
	{
		.name = "migrate",
		.fn = cmd_migrate,
		.summary = "Move a domain to another host (non-live), as xl "
			   "migrate",
		.usage = "[-s SSHCMD] [-e] [-C CONFIG] [-p] [-D] "
			 "[--timeout=S] DOMAIN HOST",
		.options =
			"  -s SSHCMD       run SSHCMD instead of ssh; with "
			"\"\", HOST is the whole\n"
			"                  receiving command (words, run "
			"without a shell)\n"
			"  -e              the receiver starts no monitor\n"
			"  -C CONFIG       send CONFIG instead of the config "
			"it was made from\n"
			"  -p              leave it paused on HOST\n"
			"  -D              keep its domain id on HOST\n"
			"  --timeout=S     give the guest S seconds to suspend "
			"(60)\n",
	},
	{
		.name = "migrate-receive",
		.fn = cmd_migrate_receive,
		.summary = "The receiving end of chaos migrate (run by it)",
		.usage = "[-e] [-d] [-p]",
		.options = "  -e              start no monitor\n"
			   "  -p              leave the domain paused\n",
	},
	{
		.name = "rename",
		.fn = cmd_rename,
		.summary = "Give a domain a new name",
		.usage = "DOMAIN NEWNAME",
		.options = "",
	},
	{
		.name = "domid",
		.fn = cmd_domid,
		.summary = "Print the id of a domain",
		.usage = "DOMAIN",
		.options = "",
	},
	{
		.name = "domname",
		.fn = cmd_domname,
		.summary = "Print the name of a domain",
		.usage = "DOMID",
		.options = "",
	},
	{
		.name = "console",
		.fn = cmd_console,
		.summary = "Attach to a domain's console (Ctrl-] leaves)",
		.usage = "DOMAIN",
		.options = "",
	},
	{
		.name = "network-attach",
		.fn = cmd_network_attach,
		.summary = "Give a domain another vif, wired by xendevd",
		.usage = "DOMAIN [KEY=VALUE ...]",
		.options =
			"  KEY=VALUE       a vif spec's items, as in "
			"xl.cfg's vif (bridge=, mac=,\n"
			"                  vifname=, mtu=, ip=, rate=)\n"
			"A noxs guest gets it through its device page and "
			"xendevd's netback\n(docs/noxs.md section 9).  "
			"The config chaos keeps for the guest keeps\nit "
			"(with its MAC): a reboot, save or restore brings it "
			"back, as with xl.\n",
	},
	{
		.name = "network-list",
		.fn = cmd_network_list,
		.summary = "List the vifs of domains",
		.usage = "[-l] DOMAIN ...",
		.options = "  -l, --long      JSON\n"
			   "A noxs guest's vifs come from its record and its "
			   "device page; BE-path\nnames xendevd's "
			   "interface.\n",
	},
	{
		.name = "network-detach",
		.fn = cmd_network_detach,
		.summary = "Take a vif from a domain",
		.usage = "DOMAIN DEVID|MAC",
		.options = "The guest is asked to close it first, for up to 10 "
			   "s; after that it is\nremoved anyway, with a "
			   "warning.  It leaves the config chaos keeps for\n"
			   "the guest too.\n",
	},
	{
		.name = "block-attach",
		.fn = cmd_block_attach,
		.summary = "Give a running domain one more disk (xenstore "
			   "mode)",
		.usage = "DOMAIN DISKSPEC",
		.options = "  DISKSPEC        as in xl-disk-configuration(5): "
			   "raw files and block\n"
			   "                  devices; xendevd backs it\n"
			   "The config chaos keeps for the guest keeps it: a "
			   "reboot, save or restore\nbrings it back, as with "
			   "xl.\n",
	},
	{
		.name = "block-list",
		.fn = cmd_block_list,
		.summary = "List the disks of domains, as xl block-list",
		.usage = "[-l] DOMAIN ...",
		.options = "  -l, --long      JSON\n",
	},
	{
		.name = "block-detach",
		.fn = cmd_block_detach,
		.summary = "Take a disk from a running domain",
		.usage = "[--force] DOMAIN VDEV|DEVID",
		.options = "  -f, --force     remove it even if the guest does "
			   "not let go in 10 s\n",
	},
	{
		.name = "vcpu-list",
		.fn = cmd_vcpu_list,
		.summary = "List the vCPUs of domains, as xl vcpu-list",
		.usage = "[-l] [DOMAIN ...]",
		.options = "  -l, --long      JSON\n",
	},
	{
		.name = "vcpu-pin",
		.fn = cmd_vcpu_pin,
		.summary = "Set where a domain's vCPUs may run",
		.usage = "[-f] DOMAIN VCPU|all HARD|-|all [SOFT|-|all]",
		.options = "  HARD, SOFT      CPUs as in xl.cfg's cpus "
			   "(\"0-3,^2\"), all, or - to\n"
			   "                  leave that affinity as it is\n",
	},
	{
		.name = "vcpu-set",
		.fn = cmd_vcpu_set,
		.summary = "Set how many of a domain's vCPUs are online "
			   "(xenstore mode)",
		.usage = "[-i] DOMAIN N",
		.options =
			"  N               1 to the domain's maxvcpus; the "
			"guest takes the others\n"
			"                  offline (Linux brings one back as "
			"its udev rules say,\n"
			"                  as under xl)\n"
			"  -i, --ignore-host\n"
			"                  allow more vCPUs than the host has "
			"CPUs\n",
	},
	{
		.name = "sched-credit",
		.fn = cmd_sched_credit,
		.summary = "Weights and caps under the credit scheduler, as xl "
			   "sched-credit",
		.usage = "[-d DOMAIN [-w WEIGHT] [-c CAP]] [-p POOL] [-s [-t "
			 "MS] [-r US] [-m US]] [-l]",
		.options = "  -d DOMAIN       show (or set) one domain's; "
			   "without: every domain of\n"
			   "                  every pool that runs credit\n"
			   "  -w WEIGHT       its weight, 1 to 65535 (256 by "
			   "default)\n"
			   "  -c CAP          its cap, percent of one CPU (0: "
			   "none)\n"
			   "  -p POOL         only this cpupool (name or id)\n"
			   "  -s              the pool's parameters: -t time "
			   "slice (ms), -r rate\n"
			   "                  limit (us), -m migration delay "
			   "(us)\n"
			   "  -l, --long      JSON\n",
	},
	{
		.name = "sched-credit2",
		.fn = cmd_sched_credit2,
		.summary = "Weights and caps under the credit2 scheduler "
			   "(Debian's), as xl sched-credit2",
		.usage = "[-d DOMAIN [-w WEIGHT] [-c CAP]] [-p POOL] [-s [-r "
			 "US]] [-l]",
		.options = "  -d DOMAIN       show (or set) one domain's; "
			   "without: every domain of\n"
			   "                  every pool that runs credit2\n"
			   "  -w WEIGHT       its weight, 1 to 65535 (256 by "
			   "default)\n"
			   "  -c CAP          its cap, percent of one CPU (0: "
			   "none)\n"
			   "  -p POOL         only this cpupool (name or id)\n"
			   "  -s              the pool's parameters: -r rate "
			   "limit (us)\n"
			   "  -l, --long      JSON\n",
	},
	{
		.name = "mem-max",
		.fn = cmd_mem_max,
		.summary = "Set the most memory a domain may have",
		.usage = "DOMAIN MEM",
		.options = "  MEM             a number and b, k, m, g or t (m "
			   "when none)\n",
	},
	{
		.name = "mem-set",
		.fn = cmd_mem_set,
		.summary = "Ask a domain's balloon driver for this much memory",
		.usage = "DOMAIN MEM",
		.options = "  MEM             a number and b, k, m, g or t (m "
			   "when none);\n"
			   "                  noxs guests have no balloon "
			   "driver\n",
	},
	{
		.name = "uptime",
		.fn = cmd_uptime,
		.summary = "How long domains have run, as xl uptime",
		.usage = "[-s | -l] [DOMAIN ...]",
		.options = "  -s              short, one line a domain\n"
			   "  -l, --long      JSON\n",
	},
	{
		.name = "sysrq",
		.fn = cmd_sysrq,
		.summary = "Send a magic SysRq key to a domain (xenstore mode)",
		.usage = "DOMAIN KEY",
		.options = "",
	},
	{
		.name = "dump-core",
		.fn = cmd_dump_core,
		.summary = "Write a core file of a domain",
		.usage = "DOMAIN FILE",
		.options = "",
	},
	{
		.name = "dmesg",
		.fn = cmd_dmesg,
		.summary = "Print Xen's console ring, as xl dmesg",
		.usage = "[-c]",
		.options =
			"  -c              clear the ring after printing it\n",
	},
	{
		.name = "top",
		.fn = cmd_top,
		.summary = "A live view of domains' CPU, memory and vCPUs, as "
			   "xentop",
		.usage = "[-b] [-i ITERATIONS] [-d DELAY]",
		.options = "  -b              batch: plain output for scripts\n"
			   "  -i ITERATIONS   stop after that many screens\n"
			   "  -d DELAY        seconds between screens (3); q "
			   "quits\n",
	},
	{
		.name = "monitor",
		.fn = cmd_monitor,
		.summary = "Act on domain shutdowns in the foreground (create "
			   "starts one in the background)",
		.usage = "",
		.options = "",
	},
	{
		.name = "help",
		.fn = cmd_help,
		.can_dryrun = 1,
		.summary = "List the commands, or show how to use one",
		.usage = "[COMMAND]",
		.options = "",
	},
};

const size_t cmd_table_len = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_spec *
cmd_find(const char *name, int *ambiguous)
{
	const struct cmd_spec *found = NULL;
	size_t i, n = strlen(name);

	*ambiguous = 0;
	if (n == 0)
		return NULL;
	for (i = 0; i < cmd_table_len; i++) {
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
		if (strncmp(cmd_table[i].name, name, n) == 0) {
			if (found != NULL)
				*ambiguous = 1;
			found = &cmd_table[i];
		}
	}
	return *ambiguous ? NULL : found;
}

int
cmd_usage_error(const struct cmd_spec *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "chaos %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: chaos %s %s\n", cmd->name, cmd->usage);
	return EXIT_USAGE;
}
