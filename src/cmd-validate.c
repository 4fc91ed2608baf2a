/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder until the profile loader lands: replaced by the real command */
#include "commands.h"
#include "log.h"
int cmd_validate(int argc, char **argv) {
	(void)argc; (void)argv;
	return log_error("validate: not built yet"), EXIT_RUNTIME;
}
