/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet apply [--dry-run] [--json] [--wait DURATION] [--confirm DURATION]
 *             [--lock-wait DURATION] PROFILE
 *
 * load -> (wait for devices) -> observe -> plan -> apply (journal) ->
 * verify -> announce VIPs; a failure or a mismatch rolls everything back.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "apply.h"
#include "commands.h"
#include "confirm.h"
#include "json.h"
#include "lock.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "nlevent.h"
#include "owner.h"
#include "plan.h"
#include "session.h"
#include "state.h"
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
	"run holds the lock, 64 usage.  HANET_FAIL_AT=K (a testing aid) fails\n"
	"step K.  See hanet(8).\n";

/* ---- --wait: devices that do not exist yet ------------------------------- */

static bool veth_makes(const struct profile *p, const char *netns, const char *name) {
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const char *pns;

		if (l->kind != LINK_VETH || strcmp(l->u.veth.peer, name) != 0)
			continue;
		pns = l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns;
		if (netns_eq(pns, netns))
			return true;
	}
	return false;
}

static bool dev_exists(struct nls *nls, const char *netns, const char *name) {
	struct nl *nl;
	struct link l;

	if (netns && !netns_exists(netns))
		return false;
	if (nls_get(nls, netns, &nl) < 0 || observe_get_link(nl, name, &l) < 0)
		return false;
	link_fini(&l);
	return true;
}

/* The first [nic] of the profile that is neither in its namespace nor in
 * the current one (from where apply would move it), or NULL. */
static const struct link *first_missing(struct session *s) {
	const struct profile *p = s->profile;

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		if (l->kind != LINK_NIC || veth_makes(p, l->netns, l->name))
			continue;
		if (dev_exists(s->nls, l->netns, l->name))
			continue;
		if (l->netns && dev_exists(s->nls, NULL, l->name))
			continue;
		return l;
	}
	return NULL;
}

static void ignore_event(const struct nlev *ev, void *data) {
	bool *changed = data;

	if (ev->type == NLEV_LINK_NEW || ev->type == NLEV_LINK_CHANGE || ev->type == NLEV_OVERFLOW)
		*changed = true;
}

static int wait_for_devices(struct session *s, uint64_t timeout_us) {
	uint64_t deadline = now_us() + timeout_us;
	const struct link *missing = first_missing(s);
	struct nlev_set *ev = NULL;
	int r;

	if (!missing)
		return 0;
	r = nlev_set_new(&ev);
	if (r < 0)
		return r;
	r = nlev_add_netns(ev, NULL, NLEV_G_LINK);
	for (size_t i = 0; r >= 0 && i < s->profile->n_netns; i++)
		if (netns_exists(s->profile->netns[i].name))
			r = nlev_add_netns(ev, s->profile->netns[i].name, NLEV_G_LINK);
	if (r < 0)
		goto out;
	log_info("waiting up to %.1fs for %s%s%s", (double)timeout_us / 1e6, missing->name,
	         missing->netns ? " in netns " : "", missing->netns ? missing->netns : "");
	/* it may have come while subscribing */
	while ((missing = first_missing(s))) {
		struct pollfd pfd = { .fd = nlev_fd(ev), .events = POLLIN };
		uint64_t now = now_us();
		bool changed = false;
		int ms;

		if (now >= deadline) {
			r = -ETIMEDOUT;
			snprintf(s->err, sizeof(s->err), "link %s%s%s: no such device after waiting %.1fs", missing->name,
			         missing->netns ? " in netns " : "", missing->netns ? missing->netns : "",
			         (double)timeout_us / 1e6);
			goto out;
		}
		ms = (int)((deadline - now + 999) / 1000);
		r = poll(&pfd, 1, ms);
		if (r < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		if (r > 0 && nlev_dispatch(ev, ignore_event, &changed) < 0)
			changed = true;
	}
	r = 0;
out:
	nlev_set_free(ev);
	return r;
}

/* ---- announcements, in the background --------------------------------- */

struct announce_job {
	const struct vip *v;
};

static void *announce_thread(void *data) {
	const struct vip *v = ((struct announce_job *)data)->v;

	announce_send(v->netns, v->dev, &v->address, v->announce_count, v->announce_interval_us, v->announce_mode, NULL);
	return NULL;
}

static void detach_stdio(void) {
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	if (!isatty(STDERR_FILENO))
		dup2(fd, STDERR_FILENO);
	close(fd);
}

/* A process of its own sends the announcements (count frames, interval
 * apart, every VIP at once), so apply does not wait for them; it is not
 * waited for either: apply exits right after, and init reaps it. */
static void announce_background(const struct vip *const *vips, size_t n) {
	pid_t pid;

	if (!n)
		return;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		log_warning_errno(-errno, "announcing VIPs: fork: %m");
		return;
	}
	if (pid > 0)
		return;
	setsid();
	detach_stdio();
	{
		pthread_t th[64];
		struct announce_job jobs[64];
		size_t k = n < 64 ? n : 64;

		for (size_t i = 0; i < k; i++) {
			jobs[i].v = vips[i];
			if (pthread_create(&th[i], NULL, announce_thread, &jobs[i]) != 0) {
				announce_thread(&jobs[i]);
				th[i] = 0;
			}
		}
		for (size_t i = 0; i < k; i++)
			if (th[i])
				pthread_join(th[i], NULL);
	}
	_exit(0);
}

/* ---- the command ----------------------------------------------------------- */

int cmd_apply(int argc, char **argv) {
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", required_argument, NULL, 'w' },
		{ "confirm", required_argument, NULL, 'c' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct apply_opts aopts = { 0 };
	struct session s;
	struct apply *ap = NULL;
	struct plan *left = NULL;
	bool dry = false, as_json = false;
	uint64_t wait_us = 0, confirm_us = 0, lock_us = 0, t0;
	int c, r, lock_fd = -1, holder = 0, ret = EXIT_RUNTIME;
	char err[2048];

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+njw:c:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'j': as_json = true; break;
		case 'w':
		case 'c':
		case 'l': {
			uint64_t us;

			if (parse_duration_us(optarg, &us) < 0) {
				fprintf(stderr, "hanet apply: --%s: expected a duration, got \"%s\"\n",
				        c == 'w' ? "wait" : c == 'c' ? "confirm" : "lock-wait", optarg);
				return EXIT_USAGE;
			}
			*(c == 'w' ? &wait_us : c == 'c' ? &confirm_us : &lock_us) = us;
			break;
		}
		case 'h': usage_print(usage_text); return EXIT_OK;
		default:
			fprintf(stderr, "hanet apply: unknown option %s\n\n%s", argv[optind - 1], usage_text);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "hanet apply: expected one PROFILE\n\n%s", usage_text);
		return EXIT_USAGE;
	}
	if (confirm_us && dry) {
		fprintf(stderr, "hanet apply: --confirm and --dry-run do not go together\n");
		return EXIT_USAGE;
	}

	t0 = now_us();
	r = session_load(&s, argv[optind], 0);
	log_debug("%s: loaded in %.1fms", argv[optind], (double)(now_us() - t0) / 1000);
	if (r == -EINVAL) {
		session_fini(&s);
		return EXIT_INVALID;
	}
	if (r < 0) {
		log_error_errno(r, "%s: %s", argv[optind], s.err[0] ? s.err : strerror(-r));
		session_fini(&s);
		return EXIT_RUNTIME;
	}
	if (!dry) {
		r = lock_take(lock_us, &lock_fd, &holder);
		if (r == -EBUSY) {
			log_error("%s: another hanet run (pid %d) holds %s; try again, or --lock-wait DURATION", s.name,
			          holder, HANET_LOCK_PATH);
			session_fini(&s);
			return EXIT_LOCKED;
		}
		if (r < 0) {
			log_error_errno(r, "%s: taking %s: %m", s.name, HANET_LOCK_PATH);
			session_fini(&s);
			return EXIT_RUNTIME;
		}
	}
	if (wait_us) {
		r = wait_for_devices(&s, wait_us);
		if (r < 0) {
			log_error_errno(r, "%s: %s", s.name, s.err[0] ? s.err : "waiting for devices: %m");
			goto out;
		}
	}
	t0 = now_us();
	r = session_observe(&s);
	log_debug("%s: observed in %.1fms", s.name, (double)(now_us() - t0) / 1000);
	if (r < 0) {
		log_error_errno(r, "%s: %s", s.name, s.err);
		goto out;
	}
	t0 = now_us();
	r = session_plan(&s, 0);
	log_debug("%s: planned in %.1fms (%zu actions)", s.name, (double)(now_us() - t0) / 1000, s.plan ? s.plan->n : 0);
	if (r < 0) {
		log_error_errno(r, "%s: %s", s.name, s.err[0] ? s.err : "planning: %m");
		goto out;
	}
	if (dry) {
		if (as_json) {
			struct json j;

			json_init(&j, stdout, true);
			plan_json(s.plan, s.name, &j);
		} else if (s.plan->n == 0) {
			printf("%s: nothing to do\n", s.name);
			plan_print(s.plan, stdout);
		} else {
			plan_print(s.plan, stdout);
		}
		ret = EXIT_OK;
		goto out;
	}
	if (s.plan->n == 0) {
		for (size_t i = 0; i < s.plan->n_notes; i++)
			log_notice("%s: note: %s", s.name, s.plan->notes[i]);
		if (as_json) {
			struct json j;

			json_init(&j, stdout, true);
			plan_json(s.plan, s.name, &j);
		} else {
			printf("%s: nothing to do\n", s.name);
		}
		ret = EXIT_OK;
		goto out;
	}

	aopts.fail_at = apply_fail_at_from_env();
	aopts.verbose = log_get_level() >= LOG_LEVEL_DEBUG;
	aopts.progress = true;
	r = apply_new(s.nls, s.owner, &ap);
	if (r < 0)
		goto out;
	apply_seed(ap, s.st);
	t0 = now_us();
	r = apply_run(ap, s.plan, &aopts, err, sizeof(err));
	if (r < 0) {
		if (apply_undo_failed(ap))
			log_error("%s: %s; the rollback could not undo everything", s.name, err);
		else
			log_error("%s: %s; every change was rolled back", s.name, err);
		goto out;
	}
	log_debug("%s: applied in %.1fms", s.name, (double)(now_us() - t0) / 1000);
	t0 = now_us();
	r = session_verify(&s, 0, &left);
	log_debug("%s: verified in %.1fms", s.name, (double)(now_us() - t0) / 1000);
	if (r < 0 || left->n) {
		char rb[1024];

		if (r < 0)
			log_error_errno(r, "%s: verify: %s", s.name, s.err);
		else {
			log_error("%s: verify: the kernel does not match the profile after apply:", s.name);
			for (size_t i = 0; i < left->n; i++)
				log_error("  %s", left->v[i].text);
		}
		if (apply_rollback(ap, rb, sizeof(rb)) < 0)
			log_error("%s: rollback: %s", s.name, rb);
		else
			log_error("%s: every change was rolled back", s.name);
		r = r < 0 ? r : -EPROTO;
		goto out;
	}

	if (as_json) {
		struct json j;

		json_init(&j, stdout, true);
		plan_json(s.plan, s.name, &j);
	} else {
		size_t counts[DISRUPT_RECREATE + 1];

		plan_print(s.plan, stdout);
		plan_counts(s.plan, counts);
		printf("%s: applied %zu action%s (%zu live, %zu flap, %zu recreate)\n", s.name, s.plan->n,
		       s.plan->n == 1 ? "" : "s", counts[DISRUPT_LIVE], counts[DISRUPT_FLAP], counts[DISRUPT_RECREATE]);
	}
	{
		const struct vip *const *vips;
		size_t n = apply_vips(ap, &vips);

		announce_background(vips, n);
	}
	if (confirm_us) {
		r = confirm_wait_background(s.name, confirm_us, ap);
		if (r < 0) {
			char rb[1024];

			log_error_errno(r, "%s: --confirm: cannot start the waiting process: %m", s.name);
			if (apply_rollback(ap, rb, sizeof(rb)) < 0)
				log_error("%s: rollback: %s", s.name, rb);
			goto out;
		}
		/* the waiting process holds the lock now: do not release it */
		close(lock_fd);
		lock_fd = -1;
	}
	ret = EXIT_OK;
out:
	log_debug("%s: %" PRIu64 " netlink write requests", s.name[0] ? s.name : argv[argc - 1], nl_write_count_total());
	plan_free(left);
	apply_free(ap);
	session_fini(&s);
	lock_release(lock_fd);
	return ret;
}
