/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet check PROFILE: does the kernel match the profile?  The same plan
 * apply would make, printed as the list of differences.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd-common.h"
#include "commands.h"
#include "log.h"
#include "plan.h"
#include "session.h"

static const char usage_text[] =
	"Usage: hanet check [--json] PROFILE\n"
	"\n"
	"Compare the kernel with the profile without changing anything.  Each\n"
	"difference is printed as the action `hanet apply` would take.\n"
	"\n"
	"  -j, --json   the differences as JSON (the plan)\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 the kernel matches, 1 it does not (differences printed),\n"
	"2 invalid profile, 3 the kernel could not be read, 64 usage.\n";

int cmd_check(int argc, char **argv) {
	struct session s;
	const char *profile;
	bool as_json;
	int r, ret = EXIT_RUNTIME;

	r = cmd_json_profile_args(argc, argv, "check", usage_text, &as_json, &profile);
	if (r >= 0)
		return r;
	r = cmd_load(&s, profile, 0);
	if (r != 0)
		return r;
	/* a change not confirmed whose process is gone comes first */
	r = cmd_recover(&s, -1, "check");
	if (r < 0)
		goto out;
	r = cmd_observe(&s);
	if (r < 0)
		goto out;
	r = session_plan(&s, PLAN_CHECK);
	if (r < 0) {
		/* something in the way: that is a difference too */
		printf("%s: does not match: %s\n", s.name, s.err);
		ret = EXIT_FAIL;
		goto out;
	}
	if (as_json) {
		cmd_plan_json(&s);
	} else if (s.plan->n == 0) {
		printf("%s: the kernel matches the profile\n", s.name);
	} else {
		printf("%s: %zu difference%s (what `hanet apply` would do):\n", s.name, s.plan->n, s.plan->n == 1 ? "" : "s");
		plan_print(s.plan, stdout);
	}
	ret = s.plan->n ? EXIT_FAIL : EXIT_OK;
out:
	session_fini(&s);
	return ret;
}
