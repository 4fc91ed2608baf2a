/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet confirm [PROFILE]: keep what `hanet apply --confirm` changed
 * (the pending change itself is confirm.c's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
#include "log.h"
#include "netns.h"
#include "session.h"
#include "util.h"

static const char usage_text[] =
	"Usage: hanet confirm [PROFILE]\n"
	"\n"
	"Keep the change a `hanet apply --confirm DURATION PROFILE` made: the\n"
	"process waiting to roll it back stops.  Without PROFILE: every change\n"
	"waiting for a confirmation.  PROFILE is the profile file or its name.\n"
	"\n"
	"Exit status: 0 confirmed before the deadline, 1 nothing was waiting,\n"
	"3 too late: the change was rolled back (or could not be confirmed),\n"
	"4 the change is still being applied, 64 usage.\n";

/* One profile: its exit code, after saying what happened. */
static int confirm_one(const char *name, bool all) {
	char what[1536];
	int r = confirm_send(name, what, sizeof(what));

	switch (r) {
	case 0:
		printf("%s: confirmed\n", name);
		return EXIT_OK;
	case -ENOENT:
		if (!all)
			log_error("%s: nothing waits for a confirmation", name);
		return EXIT_FAIL;
	case -ETIME:
		log_error("%s: not confirmed: %s", name, what[0] ? what : "the change was rolled back");
		return EXIT_RUNTIME;
	case -EBUSY:
		log_error("%s: cannot confirm yet: %s; try again", name, what);
		return EXIT_LOCKED;
	default:
		log_error_errno(r, "%s: confirm: %s", name, what[0] ? what : "%m");
		return EXIT_RUNTIME;
	}
}

int cmd_confirm(int argc, char **argv) {
	char name[HANET_NAME_MAX + 1], **pending = NULL;
	int r, ret = EXIT_OK, confirmed = 0, seen = 0;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage_print(usage_text);
		return EXIT_OK;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cmd_usage_error("confirm", usage_text, "expected at most one PROFILE");
	if (argc == 2) {
		r = session_profile_name(argv[1], name, sizeof(name));
		if (r < 0) {
			log_error_errno(r, "%s: cannot tell the profile's name: %m", argv[1]);
			return EXIT_INVALID;
		}
		return confirm_one(name, false);
	}
	r = confirm_pending(&pending);
	if (r < 0)
		return log_error_errno(r, "confirm: %m"), EXIT_RUNTIME;
	for (char **p = pending; *p; p++) {
		int q = confirm_one(*p, true);

		if (q == EXIT_FAIL)
			continue;
		seen++;
		if (q == EXIT_OK)
			confirmed++;
		else if (ret == EXIT_OK || q == EXIT_RUNTIME)
			ret = q;
	}
	strv_free(pending);
	if (!seen) {
		log_error("nothing waits for a confirmation");
		return EXIT_FAIL;
	}
	return ret;
}
