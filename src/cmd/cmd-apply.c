/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet apply [--dry-run] [--json] [--wait DURATION] [--confirm DURATION]
 *             [--lock-wait DURATION] PROFILE
 *
 * load -> (wait for devices) -> observe -> plan -> apply (journal) ->
 * verify -> announce VIPs; a failure or a mismatch rolls everything back.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "apply.h"
#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
#include "lock.h"
#include "log.h"
#include "netns.h"
#include "hnl.h"
#include "owner.h"
#include "plan.h"
#include "session.h"
#include "observe.h"
#include "util.h"

static const char usage_text[] =
	"Usage: hanet apply [OPTIONS] PROFILE\n"
	"\n"
	"Make the kernel match the profile: namespaces, links, addresses, VIPs,\n"
	"routes and rules.  Runs as one transaction: a failure, or a result that\n"
	"does not match the profile, rolls every change back.\n"
	"\n"
	"  -n, --dry-run            print the plan (one line per action, with its\n"
	"                           disruption: live, flap, recreate) and change nothing\n"
	"  -j, --json               the plan as JSON\n"
	"  -w, --wait DURATION      wait (driven by link events) up to DURATION for\n"
	"                           [nic] devices that do not exist yet\n"
	"  -c, --confirm DURATION   roll back after DURATION unless `hanet confirm`\n"
	"                           says to keep the change\n"
	"  -l, --lock-wait DURATION wait up to DURATION for another run to finish\n"
	"                           (default: give up at once, exit 4)\n"
	"  -h, --help               this text\n"
	"\n"
	"Exit status: 0 applied (or nothing to do), 2 invalid profile (nothing\n"
	"changed), 3 the kernel refused or verify failed (rolled back), 4 another\n"
	"run holds the lock, 64 usage.  See hanet(8).\n";

/* hanet __announce SPEC...: what apply starts to announce the VIPs it
 * added (announce_background). */
int cmd_announce_internal(int argc, char **argv) {
	return announce_background_main(argc - 1, argv + 1) < 0 ? EXIT_RUNTIME : EXIT_OK;
}

/* ---- the command ----------------------------------------------------------- */

struct args {
	const char *profile;
	bool dry, as_json;
	uint64_t wait_us, confirm_us, lock_us;
};

/* The command line: 0 and *a, or the exit code after saying why. */
static int parse_args(int argc, char **argv, struct args *a) {
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", required_argument, NULL, 'w' },
		{ "confirm", required_argument, NULL, 'c' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct args){ 0 };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+njw:c:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': a->dry = true; break;
		case 'j': a->as_json = true; break;
		case 'w':
		case 'c':
		case 'l': {
			int q = cmd_duration_opt("apply", c == 'w' ? "wait" : c == 'c' ? "confirm" : "lock-wait", optarg, 0, 0,
			                         c == 'w' ? &a->wait_us : c == 'c' ? &a->confirm_us : &a->lock_us);

			if (q)
				return q;
			break;
		}
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error("apply", usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error("apply", usage_text, "expected one PROFILE");
	if (a->confirm_us && a->dry) {
		fprintf(stderr, "hanet apply: --confirm and --dry-run do not go together\n");
		return EXIT_USAGE;
	}
	a->profile = argv[optind];
	return 0;
}

/* A dry run, or nothing to do. */
static void print_unchanged(const struct session *s, bool dry, bool as_json) {
	if (!dry)
		for (size_t i = 0; i < s->plan->n_notes; i++)
			log_notice("%s: note: %s", s->name, s->plan->notes[i]);
	if (as_json) {
		cmd_plan_json(s);
	} else if (s->plan->n == 0) {
		printf("%s: nothing to do\n", s->name);
		if (dry)
			plan_print(s->plan, stdout);
	} else {
		plan_print(s->plan, stdout);
	}
}

static void print_applied(const struct session *s, bool as_json) {
	size_t counts[DISRUPT_RECREATE + 1];

	if (as_json) {
		cmd_plan_json(s);
		return;
	}
	plan_print(s->plan, stdout);
	plan_counts(s->plan, counts);
	printf("%s: applied %zu action%s (%zu live, %zu flap, %zu recreate)\n", s->name, s->plan->n,
	       s->plan->n == 1 ? "" : "s", counts[DISRUPT_LIVE], counts[DISRUPT_FLAP], counts[DISRUPT_RECREATE]);
}

static void say_failed(const struct session *s, const struct session_result *res) {
	if (res->status != SESSION_NOT_STARTED && res->status != SESSION_APPLY_FAILED) {
		log_debug("%s: applied in %.1fms", s->name, (double)res->apply_us / 1000);
		log_debug("%s: verified in %.1fms", s->name, (double)res->verify_us / 1000);
	}
	if (res->status == SESSION_APPLIED)
		return;
	if (res->status == SESSION_MISMATCH) {
		log_error("%s: verify: the kernel does not match the profile after apply:", s->name);
		for (size_t i = 0; i < res->left->n; i++)
			log_error("  %s", res->left->v[i].text);
	}
	cmd_apply_failed(s, res);
	if (res->rolled_back && res->rollback_error >= 0)
		log_error("%s: every change was rolled back", s->name);
}

int cmd_apply(int argc, char **argv) {
	struct args a;
	struct session s;
	struct session_result res = { 0 };
	struct apply *ap;
	struct confirm *cf = NULL;
	const struct vip *const *vips;
	size_t n_vips;
	uint64_t t0;
	int r, lock_fd = -1, ret = EXIT_RUNTIME;

	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r;
	t0 = now_us();
	r = cmd_load(&s, a.profile, 0);
	log_debug("%s: loaded in %.1fms", a.profile, (double)(now_us() - t0) / 1000);
	if (r != 0)
		return r;
	if (!a.dry) {
		r = cmd_lock(s.name, a.lock_us, &lock_fd);
		if (r != 0) {
			session_fini(&s);
			return r;
		}
	}
	/* a change not confirmed whose process is gone comes first */
	if (cmd_recover(&s, lock_fd, "apply") < 0)
		goto out;
	if (a.wait_us) {
		r = session_wait_devices(&s, a.wait_us);
		if (r < 0) {
			log_error_errno(r, "%s: %s", s.name, s.err[0] ? s.err : "waiting for devices: %m");
			goto out;
		}
	}
	t0 = now_us();
	r = cmd_observe(&s);
	log_debug("%s: observed in %.1fms", s.name, (double)(now_us() - t0) / 1000);
	if (r < 0)
		goto out;
	t0 = now_us();
	r = session_plan(&s, 0);
	log_debug("%s: planned in %.1fms (%zu actions)", s.name, (double)(now_us() - t0) / 1000, s.plan ? s.plan->n : 0);
	if (r < 0) {
		log_error_errno(r, "%s: %s", s.name, s.err[0] ? s.err : "planning: %m");
		goto out;
	}
	if (a.dry || s.plan->n == 0) {
		print_unchanged(&s, a.dry, a.as_json);
		ret = EXIT_OK;
		goto out;
	}

	if (a.confirm_us) {
		r = confirm_new(s.name, &cf);
		if (r < 0) {
			log_error_errno(r, "%s: --confirm: %m", s.name);
			goto out;
		}
	}
	/* with --confirm, the journal is on disk before the first change */
	r = session_apply(&s,
	                  &(struct session_apply_opts){
	                          .apply = cmd_apply_opts(),
	                          .hook = cf ? confirm_hook(cf) : NULL,
	                          .seed = true,
	                          .verify = true,
	                          .rollback = true,
	                  },
	                  &res);
	say_failed(&s, &res);
	if (r < 0) {
		confirm_abandon(cf);
		goto out;
	}
	ap = res.ap;
	print_applied(&s, a.as_json);
	n_vips = apply_vips(ap, &vips);
	announce_background(vips, n_vips);
	if (a.confirm_us) {
		r = confirm_wait_background(cf, a.confirm_us, ap);
		if (r < 0) {
			char rb[1024];

			log_error_errno(r, "%s: --confirm: cannot start the waiting process: %m", s.name);
			if (apply_rollback(ap, rb, sizeof(rb)) < 0)
				log_error("%s: rollback: %s", s.name, rb);
			confirm_abandon(cf);
			goto out;
		}
		/* the waiting process holds the lock now: do not release it */
		close(lock_fd);
		lock_fd = -1;
	}
	ret = EXIT_OK;
out:
	log_debug("%s: %" PRIu64 " netlink write requests", s.name[0] ? s.name : argv[argc - 1], hnl_write_count_total());
	confirm_free(cf);
	session_result_fini(&res);
	session_fini(&s);
	lock_release(lock_fd);
	return ret;
}
