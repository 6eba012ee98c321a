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
		.dryrun_only = 1,
		.summary = "Create a domain from an xl.cfg file",
		.usage = "[-n] [-f FILE | CONFIG] [KEY=VALUE ...]",
		.options =
			"  -n, --dry-run   parse CONFIG, print the domain as "
			"JSON, touch nothing\n"
			"  -f FILE         read the configuration from FILE "
			"(as xl create -f)\n"
			"  KEY=VALUE       an xl.cfg line that overrides "
			"CONFIG\n",
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
