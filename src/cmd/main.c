/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hanet: a table of subcommands, each in src/cmd-NAME.c. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "commands.h"
#include "log.h"

const struct command commands[] = {
	{ "validate", cmd_validate, "check profiles and print what they declare" },
	{ "apply", cmd_apply, "make the kernel match a profile (a transaction; --dry-run, --confirm)" },
	{ "check", cmd_check, "compare the kernel with a profile (exit 1 and the differences)" },
	{ "down", cmd_down, "remove what hanet created for a profile" },
	{ "show", cmd_show, "what hanet owns for a profile, with its live state" },
	{ "confirm", cmd_confirm, "keep a change made by apply --confirm" },
	{ "watch", cmd_watch, "apply, then follow events: repair drift, team failover, failover records" },
	{ "measure", cmd_measure, "build a lab, inject its faults, report the outages against the SLA" },
	{ "vip", cmd_vip, "take over, release or show a VIP (keepalived, Pacemaker)" },
	{ "__announce", cmd_announce_internal, NULL },
	{ NULL, NULL, NULL },
};

static void show_usage(FILE *f) {
	fprintf(f, "Usage: hanet [--verbose|--quiet] COMMAND [ARGS...]\n\n"
	           "Configure the network layer of highly-available controllers from\n"
	           "INI profiles, and measure failover against an SLA.\n\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		if (c->summary)         /* internal commands have none */
			fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun `hanet COMMAND --help` for a command's options; see hanet(8)\n"
	           "and hanet.ini(5).\n");
}

void usage_print(const char *text) {
	fputs(text, stdout);
}

/* Each namespace costs a few descriptors (its netlink sockets, the
 * handle of the namespace): lift the soft limit to the hard one, so a
 * network node with a thousand namespaces does not stop at the default
 * 1024.  What is still too low is said where it runs out (hnl_open). */
static void raise_nofile(void) {
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv) {
	int i = 1;

	raise_nofile();

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			show_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("hanet %s\n", HANET_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			log_set_level(LOG_LEVEL_DEBUG);
		} else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			log_set_level(LOG_LEVEL_WARNING);
		} else {
			fprintf(stderr, "hanet: unknown option %s\n", argv[i]);
			show_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		show_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		show_usage(stdout);
		return EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[i]) == 0)
			return c->fn(argc - i, argv + i);

	fprintf(stderr, "hanet: unknown command \"%s\"\n", argv[i]);
	show_usage(stderr);
	return EXIT_USAGE;
}
