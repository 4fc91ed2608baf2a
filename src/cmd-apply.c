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
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "apply.h"
#include "cmd-common.h"
#include "commands.h"
#include "confirm.h"
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
	"run holds the lock, 64 usage.  See hanet(8).\n";

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

/* A VIP to announce as one argument of `hanet __announce`:
 * NETNS|DEV|ADDRESS/PLEN|COUNT|INTERVAL_US|MODE ("-": the current namespace). */
static char *announce_spec(const struct vip *v) {
	char ip[IPADDR_STRLEN], *s = NULL;

	if (asprintf(&s, "%s|%s|%s|%u|%u|%d", v->netns && *v->netns ? v->netns : "-", v->dev,
	             format_ipaddr(&v->address, true, ip, sizeof(ip)), v->announce_count, v->announce_interval_us,
	             (int)v->announce_mode) < 0)
		return NULL;
	return s;
}

static int announce_parse(char *spec, struct vip *v) {
	char *f[6], *save = NULL;
	uint32_t mode;
	int n = 0;

	memset(v, 0, sizeof(*v));
	for (char *t = strtok_r(spec, "|", &save); t && n < 6; t = strtok_r(NULL, "|", &save))
		f[n++] = t;
	if (n != 6 || STRCPY(v->dev, f[1]) < 0 || parse_prefix(f[2], true, &v->address) < 0 ||
	    parse_u32(f[3], &v->announce_count) < 0 || parse_u32(f[4], &v->announce_interval_us) < 0 ||
	    parse_u32(f[5], &mode) < 0 || mode > ANNOUNCE_BOTH)
		return -EINVAL;
	v->netns = strcmp(f[0], "-") == 0 ? NULL : f[0];
	v->announce_mode = (enum announce_mode)mode;
	return 0;
}

/* hanet __announce SPEC...: what apply starts to announce the VIPs it
 * added, every one at once, each `count` times `interval` apart.  One
 * thread sends the rounds of all of them as each falls due: a thousand
 * VIPs cost no thousand threads. */
int cmd_announce_internal(int argc, char **argv) {
	struct pending {
		struct vip v;
		uint32_t sent;
	} *p = calloc(argc > 1 ? (size_t)argc - 1 : 1, sizeof(*p));
	size_t n = 0, left;
	uint64_t t0 = now_us();

	if (!p)
		return EXIT_RUNTIME;
	for (int i = 1; i < argc; i++)
		if (announce_parse(argv[i], &p[n].v) == 0 && p[n].v.announce_count > 0)
			n++;
	for (left = n; left;) {
		uint64_t now = now_us(), next = UINT64_MAX;

		for (size_t i = 0; i < n; i++) {
			struct pending *x = &p[i];
			uint64_t due;

			if (x->sent == x->v.announce_count)
				continue;
			due = t0 + (uint64_t)x->sent * x->v.announce_interval_us;
			if (due <= now) {
				/* a VIP that cannot be announced (its device
				 * went away) is given up, the others go on */
				if (announce_send(x->v.netns, x->v.dev, &x->v.address, 1, 0, x->v.announce_mode, NULL) < 0)
					x->sent = x->v.announce_count;
				else
					x->sent++;
				if (x->sent == x->v.announce_count) {
					left--;
					continue;
				}
				due = t0 + (uint64_t)x->sent * x->v.announce_interval_us;
			}
			if (due < next)
				next = due;
		}
		now = now_us();
		if (left && next > now) {
			struct timespec ts = { .tv_sec = (time_t)((next - now) / 1000000),
			                       .tv_nsec = (long)((next - now) % 1000000) * 1000 };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
	}
	free(p);
	return EXIT_OK;
}

/* The announcements go from a process of their own (`hanet __announce`,
 * spawned with posix_spawn: no copy of apply's memory), so apply does
 * not wait for the last frame; nor for the process: init reaps it.
 * Every VIP added is announced: a process per ANNOUNCE_CHUNK of them
 * keeps each command line short. */
#define ANNOUNCE_CHUNK 512

static void announce_spawn(const struct vip *const *vips, size_t n) {
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **args;
	pid_t pid;
	int r;

	args = calloc(n + 3, sizeof(*args));
	if (!args) {
		log_warning("announcing VIPs: out of memory");
		return;
	}
	args[0] = (char *)"hanet";
	args[1] = (char *)"__announce";
	for (size_t i = 0; i < n; i++)
		if (!(args[i + 2] = announce_spec(vips[i]))) {
			log_warning("announcing VIPs: out of memory");
			goto out;
		}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	/* a $(hanet apply ...) must not wait for it */
	if (!isatty(STDERR_FILENO))
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	fflush(NULL);
	r = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, args, environ);
	if (r != 0)
		log_warning_errno(-r, "announcing VIPs: %m");
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
out:
	for (size_t i = 0; i < n; i++)
		free(args[i + 2]);
	free(args);
}

static void announce_background(const struct vip *const *vips, size_t n) {
	for (size_t i = 0; i < n; i += ANNOUNCE_CHUNK)
		announce_spawn(vips + i, n - i < ANNOUNCE_CHUNK ? n - i : ANNOUNCE_CHUNK);
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
	struct session s;
	struct apply *ap = NULL;
	struct confirm *cf = NULL;
	struct plan *left = NULL;
	bool dry = false, as_json = false;
	uint64_t wait_us = 0, confirm_us = 0, lock_us = 0, t0;
	int c, r, lock_fd = -1, ret = EXIT_RUNTIME;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+njw:c:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'j': as_json = true; break;
		case 'w':
		case 'c':
		case 'l': {
			int q = cmd_duration_opt("apply", c == 'w' ? "wait" : c == 'c' ? "confirm" : "lock-wait", optarg, 0, 0,
			                         c == 'w' ? &wait_us : c == 'c' ? &confirm_us : &lock_us);

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
	if (confirm_us && dry) {
		fprintf(stderr, "hanet apply: --confirm and --dry-run do not go together\n");
		return EXIT_USAGE;
	}

	t0 = now_us();
	r = cmd_load(&s, argv[optind], 0);
	log_debug("%s: loaded in %.1fms", argv[optind], (double)(now_us() - t0) / 1000);
	if (r != 0)
		return r;
	if (!dry) {
		r = cmd_lock(s.name, lock_us, &lock_fd);
		if (r != 0) {
			session_fini(&s);
			return r;
		}
	}
	/* a change not confirmed whose process is gone comes first */
	if (cmd_recover(&s, lock_fd, "apply") < 0)
		goto out;
	if (wait_us) {
		r = wait_for_devices(&s, wait_us);
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
	if (dry) {
		if (as_json) {
			cmd_plan_json(&s);
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
		if (as_json)
			cmd_plan_json(&s);
		else
			printf("%s: nothing to do\n", s.name);
		ret = EXIT_OK;
		goto out;
	}

	if (confirm_us) {
		r = confirm_new(s.name, &cf);
		if (r < 0) {
			log_error_errno(r, "%s: --confirm: %m", s.name);
			goto out;
		}
	}
	t0 = now_us();
	/* with --confirm, the journal is on disk before the first change */
	r = cmd_apply_plan(&s, cf ? confirm_hook(cf) : NULL, &ap);
	if (r < 0) {
		confirm_abandon(cf);
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
		confirm_abandon(cf);
		goto out;
	}

	if (as_json) {
		cmd_plan_json(&s);
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
		r = confirm_wait_background(cf, confirm_us, ap);
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
	log_debug("%s: %" PRIu64 " netlink write requests", s.name[0] ? s.name : argv[argc - 1], nl_write_count_total());
	plan_free(left);
	confirm_free(cf);
	apply_free(ap);
	session_fini(&s);
	lock_release(lock_fd);
	return ret;
}
