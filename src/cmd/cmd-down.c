/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet down PROFILE: remove what hanet created for the profile and give
 * back what it changed on devices it did not create; nothing else.
 */
#include <getopt.h>
#include <stdio.h>

#include "apply.h"
#include "cmd-common.h"
#include "commands.h"
#include "lock.h"
#include "netns.h"
#include "log.h"
#include "owner.h"
#include "plan.h"
#include "session.h"

static const char usage_text[] =
	"Usage: hanet down [--dry-run] [--json] [--lock-wait DURATION] PROFILE\n"
	"\n"
	"Remove everything hanet created for the profile (namespaces, links,\n"
	"addresses, VIPs, routes, rules), and put back the values it changed on\n"
	"devices it did not create.  Objects hanet did not create stay.  PROFILE\n"
	"is the profile file, or its name when the file is gone.\n"
	"\n"
	"  -n, --dry-run            print what would be removed\n"
	"  -j, --json               as JSON\n"
	"  -l, --lock-wait DURATION wait for another run to finish (default: exit 4)\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit status: 0 done, 2 invalid profile, 3 the kernel refused (rolled back),\n"
	"4 another run holds the lock, 64 usage.\n";

int cmd_down(int argc, char **argv) {
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct session s;
	struct session_result res = { 0 };
	bool dry = false, as_json = false;
	uint64_t lock_us = 0;
	int c, r, lock_fd = -1, ret = EXIT_RUNTIME;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+njl:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'j': as_json = true; break;
		case 'l':
			if (cmd_duration_opt("down", "lock-wait", optarg, 0, 0, &lock_us))
				return EXIT_USAGE;
			break;
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error("down", usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error("down", usage_text, "expected one PROFILE");
	r = cmd_load(&s, argv[optind], SESSION_NAME_OK | SESSION_NO_ROUTES | SESSION_DOWN);
	if (r != 0)
		return r;
	if (!dry) {
		r = cmd_lock(s.name, lock_us, &lock_fd);
		if (r != 0) {
			ret = r;
			goto out;
		}
	}
	/* a change not confirmed whose process is gone comes first; every
	 * owned route may go: read them now (their tables too) */
	if (cmd_recover_observe(&s, lock_fd, "down") < 0)
		goto out;
	r = session_plan(&s, PLAN_DOWN);
	if (r < 0) {
		log_error_errno(r, "%s: %s", s.name, s.err[0] ? s.err : "planning: %m");
		goto out;
	}
	if (dry || s.plan->n == 0) {
		if (as_json) {
			cmd_plan_json(&s);
		} else if (s.plan->n == 0) {
			printf("%s: nothing to remove\n", s.name);
		} else {
			plan_print(s.plan, stdout);
		}
		if (!dry && s.plan->n == 0 && !owner_is_empty(s.owner)) {
			/* records of objects that are gone already */
			owner_clear(s.owner, netns_exists);
			owner_save(s.owner);
		}
		ret = EXIT_OK;
		goto out;
	}
	r = session_apply(&s,
	                  &(struct session_apply_opts){
	                          .apply = cmd_apply_opts(),
	                          .seed = true,
	                          .verify = true,
	                          .verify_flags = PLAN_DOWN,
	                          .rollback = true,
	                  },
	                  &res);
	if (r < 0) {
		for (size_t i = 0; res.status == SESSION_MISMATCH && i < res.left->n; i++)
			log_error("%s: verify: still there: %s", s.name, res.left->v[i].text);
		cmd_apply_failed(&s, &res);
		goto out;
	}
	/* what is left in the records is gone already (a route its link took
	 * along, a device given back with nothing to restore); a namespace
	 * kept for its foreign devices stays recorded */
	owner_clear(s.owner, netns_exists);
	r = owner_save(s.owner);
	if (r < 0)
		log_warning_errno(r, "%s: writing the records: %m", s.name);
	if (as_json) {
		cmd_plan_json(&s);
	} else {
		plan_print(s.plan, stdout);
		printf("%s: removed (%zu action%s)\n", s.name, s.plan->n, s.plan->n == 1 ? "" : "s");
	}
	ret = EXIT_OK;
out:
	session_result_fini(&res);
	session_fini(&s);
	lock_release(lock_fd);
	return ret;
}
