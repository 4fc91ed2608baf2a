/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One function per subcommand, implemented in src/cmd-NAME.c. */
#ifndef HANET_COMMANDS_H
#define HANET_COMMANDS_H

#include "exitcode.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_validate(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_vip(int argc, char **argv);
/* hanet vip follow (cmd-vip-follow.c), called by cmd_vip with its usage text. */
int vip_follow_main(int argc, char **argv, const char *usage);
int cmd_measure(int argc, char **argv);
/* hanet __announce SPEC...: started by apply, not for users (not listed). */
int cmd_announce_internal(int argc, char **argv);

/* The table in main.c, for `hanet help`. */
extern const struct command commands[];

/* Print "hanet COMMAND: ..." usage help for a command from its text. */
void usage_print(const char *text);

#endif
