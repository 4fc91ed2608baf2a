/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps the engine commands share (cmd-common.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
#include "json.h"
#include "lock.h"
#include "log.h"
#include "owner.h"
#include "plan.h"
#include "profile.h"
#include "session.h"

int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...) {
	va_list ap;

	fprintf(stderr, "hanet %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", usage);
	return EXIT_USAGE;
}

int cmd_duration_opt(const char *cmd, const char *opt, const char *arg, uint64_t min_us, uint64_t max_us,
                     uint64_t *ret_us) {
	char limit[32] = "";
	uint64_t us;

	if (parse_duration_us(arg, &us) == 0 && us >= min_us && (!max_us || us <= max_us)) {
		*ret_us = us;
		return 0;
	}
	if (max_us) {
		memcpy(limit, " up to ", 8);
		format_duration(max_us, limit + 7, sizeof(limit) - 7);
	}
	fprintf(stderr, "hanet %s: --%s: expected a duration%s, got \"%s\"\n", cmd, opt, limit, arg);
	return EXIT_USAGE;
}

int cmd_load(struct session *s, const char *arg, unsigned flags) {
	int r;

	r = session_load(s, arg, flags);
	if (r >= 0)
		return 0;
	if (r != -EINVAL)
		log_error_errno(r, "%s: %s", arg, s->err[0] ? s->err : strerror(-r));
	session_fini(s);
	return r == -EINVAL ? EXIT_INVALID : EXIT_RUNTIME;
}

int cmd_load_profile(const char *path, struct profile **ret) {
	struct profile *p = NULL;
	struct diags d;
	int r;

	diags_init(&d);
	r = profile_load(path, &p, &d);
	if (r < 0 && d.n_errors == 0)
		diag_add(&d, DIAG_ERROR, path, 0, NULL, NULL, NULL, "cannot load: %s", strerror(-r));
	/* warnings are validate's business: keep a failover's log short */
	if (r < 0 || d.n_errors) {
		diags_print(&d, stderr);
		diags_fini(&d);
		profile_free(p);
		return -EINVAL;
	}
	diags_fini(&d);
	*ret = p;
	return 0;
}

int cmd_lock(const char *name, uint64_t wait_us, int *ret_fd) {
	int r, fd, holder = 0;

	r = lock_take(wait_us, &fd, &holder);
	if (r == -EBUSY) {
		log_error("%s: another hanet run (pid %d) holds %s; try again, or --lock-wait DURATION", name, holder,
		          HANET_LOCK_PATH);
		return EXIT_LOCKED;
	}
	if (r < 0) {
		log_error_errno(r, "%s: taking %s: %m", name, HANET_LOCK_PATH);
		return EXIT_RUNTIME;
	}
	*ret_fd = fd;
	return 0;
}

int cmd_recover(struct session *s, int lock_fd, const char *cmd) {
	struct owner *o;
	int r = confirm_recover(lock_fd, cmd);

	if (r <= 0)
		return r;
	/* the records of the profile may have been put back */
	r = owner_load(s->name, &o);
	if (r < 0) {
		log_error_errno(r, "%s: reading the records of %s again: %m", s->name, s->name);
		return r;
	}
	owner_free(s->owner);
	s->owner = o;
	return 0;
}

int cmd_observe(struct session *s) {
	int r;

	r = session_observe(s);
	if (r < 0)
		log_error_errno(r, "%s: %s", s->name, s->err[0] ? s->err : strerror(-r));
	return r;
}

void cmd_plan_json(const struct session *s) {
	struct json j;

	json_init(&j, stdout, true);
	plan_json(s->plan, s->name, &j);
}

struct apply_opts cmd_apply_opts(void) {
	return (struct apply_opts){
		.fail_at = apply_fail_at_from_env(),
		.verbose = log_get_level() >= LOG_LEVEL_DEBUG,
		.progress = true,
	};
}

void cmd_apply_failed(const struct session *s, const struct session_result *res) {
	switch (res->status) {
	case SESSION_APPLIED:
	case SESSION_NOT_STARTED:
	case SESSION_MISMATCH:
		break;
	case SESSION_APPLY_FAILED:
		if (res->undo_failed)
			log_error("%s: %s; the rollback could not undo everything", s->name, s->err);
		else
			log_error("%s: %s; every change was rolled back", s->name, s->err);
		break;
	case SESSION_VERIFY_FAILED:
		log_error_errno(res->error, "%s: verify: %s", s->name, s->err);
		break;
	}
	if (res->rolled_back && res->rollback_error < 0)
		log_error("%s: rollback: %s", s->name, res->rollback_err);
}

int cmd_json_profile_args(int argc, char **argv, const char *cmd, const char *usage, bool *as_json,
                          const char **ret_profile) {
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*as_json = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *as_json = true; break;
		case 'h': usage_print(usage); return EXIT_OK;
		default: return cmd_usage_error(cmd, usage, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(cmd, usage, "expected one PROFILE");
	*ret_profile = argv[optind];
	return -1;
}

int cmd_recover_observe(struct session *s, int lock_fd, const char *cmd) {
	int r = cmd_recover(s, lock_fd, cmd);

	if (r < 0)
		return r;
	r = owner_load_routes(s->owner);
	if (r < 0) {
		log_error_errno(r, "%s: reading the routes it owns: %m", s->name);
		return r;
	}
	return cmd_observe(s);
}
