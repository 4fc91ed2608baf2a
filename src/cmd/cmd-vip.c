/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hanet vip takeover|release|status: what keepalived's notify scripts
 * and Pacemaker's resource agent call to move a VIP between controllers.
 *
 * A takeover is on the failover path: it reads the profile, and touches
 * one address and nothing else: no observation of the profile's
 * namespaces, no plan.  One RTM_NEWADDR with NLM_F_REPLACE (a repeated
 * takeover changes nothing), the first announcement at once, the others
 * from a background process that stops when the VIP is released.  It
 * takes the VIP's own lock (vip.h), never /run/hanet/lock: it does not
 * wait behind an apply.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "announce.h"
#include "cmd-common.h"
#include "confirm.h"
#include "commands.h"
#include "json.h"
#include "log.h"
#include "hnl.h"
#include "profile.h"
#include "observe.h"
#include "util.h"
#include "vip-move.h"
#include "vip.h"

#define LOCK_WAIT_DEFAULT_US 2000000ull

static const char usage_text[] =
	"Usage: hanet vip takeover [--json] [--foreground] [--lock-wait DURATION] [--collision-check DURATION]\n"
	"                          [--announce-count N] [--announce-interval DURATION] [--nodad] PROFILE VIP[,VIP...]\n"
	"       hanet vip release [--json] [--lock-wait DURATION] PROFILE VIP[,VIP...]\n"
	"       hanet vip status [--json] PROFILE [VIP[,VIP...]]\n"
	"       hanet vip announce [--json] [--foreground] [--announce-count N] [--announce-interval DURATION]\n"
	"                          PROFILE VIP[,VIP...]\n"
	"       hanet vip follow [--lock-wait DURATION] [--rt-priority N] [INSTANCE=VIP[,VIP...]]... PROFILE FIFO\n"
	"\n"
	"Move VIPs ([vip NAME] of the profile) to or away from this node: what\n"
	"keepalived's notify scripts and Pacemaker's resource agent call.  Several\n"
	"VIPs, comma-separated, move together: one lock set, one announcement schedule.\n"
	"\n"
	"  takeover  add the VIP's address on its device in its namespace (added,\n"
	"            or left as it is when it is there) and announce it (gratuitous\n"
	"            ARP / unsolicited NA): the first announcement at once, the\n"
	"            others in the background; record that this node holds it\n"
	"            (hanet watch then keeps it there, also with owner = external)\n"
	"  release   remove it (absent is success) and forget the record\n"
	"  status    where the VIP's address is, and whether this node holds it\n"
	"  announce  announce VIPs that are on their device again (ARP refresh)\n"
	"  follow    read keepalived's notify FIFO and move the VIPs of each VRRP\n"
	"            instance as it changes state (see hanet(8))\n"
	"\n"
	"  -j, --json              as JSON\n"
	"  -f, --foreground        takeover, announce: send every announcement before returning\n"
	"  -l, --lock-wait DURATION  wait this long for another takeover or release of\n"
	"                          the same VIPs (default 2s)\n"
	"  -c, --collision-check DURATION  takeover: first probe the addresses that are\n"
	"                          not here (ARP probe / DAD solicitation) for this long;\n"
	"                          one that answers elsewhere fails the takeover (exit 1)\n"
	"  -n, --announce-count N  announcements of each VIP, instead of the profile's\n"
	"  -i, --announce-interval DURATION  their interval, instead of the profile's\n"
	"  -D, --nodad             takeover: IPv6 addresses without duplicate address\n"
	"                          detection, whatever the profile says (a migration:\n"
	"                          the source still holds them)\n"
	"  -P, --rt-priority N     follow: run SCHED_RR at priority N (default 1; 0: not)\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 done (status: every VIP named is on its device), 1 status,\n"
	"announce: a VIP is not; takeover: an address answered elsewhere (nothing\n"
	"changed), 2 invalid profile or no such VIP, 3 the kernel refused or a device\n"
	"or namespace is missing (takeover), 4 another takeover or release of a VIP\n"
	"holds its lock, 64 usage.\n";

struct vip_opts {
	bool json;
	bool foreground;
	uint64_t lock_wait_us;
	uint64_t collision_wait_us;
	bool count_set, interval_set, nodad;
	uint32_t count;
	uint64_t interval_us;
};

static const char *ns_name(const char *netns) {
	return netns && *netns ? netns : "(current)";
}

static double ms_of(uint64_t from_ns, uint64_t to_ns) {
	return to_ns > from_ns ? (double)(to_ns - from_ns) / 1e6 : 0;
}

/* ---- takeover, release, announce ---------------------------------------------------- */

static void json_vip_fields(struct json *j, const struct vip *v, const char *ip) {
	json_str(j, "vip", v->name);
	json_str(j, "address", ip);
	json_str(j, "netns", v->netns);
	json_str(j, "dev", v->dev);
}

/* With several VIPs, one object: { "profile", "action", "vips": [ ... ] };
 * with one, the VIP's object alone (as it always was). */
static void json_moves_begin(struct json *j, const struct profile *p, const char *action, size_t n) {
	json_init(j, stdout, false);
	json_obj_begin(j, NULL);
	json_str(j, "profile", p->name);
	if (n > 1) {
		json_str(j, "action", action);
		json_arr_begin(j, "vips");
	}
}

static void json_move_begin(struct json *j, const struct profile *p, const struct vip *v, const char *action,
                            const char *ip, size_t n) {
	if (n > 1) {
		json_obj_begin(j, NULL);
		json_vip_fields(j, v, ip);
		return;
	}
	json_str(j, "vip", v->name);
	json_str(j, "action", action);
	json_str(j, "address", ip);
	json_str(j, "netns", v->netns);
	json_str(j, "dev", v->dev);
	(void)p;
}

static void json_moves_end(struct json *j, size_t n, uint64_t t_start, uint64_t t_done) {
	if (n > 1) {
		json_arr_end(j);
		json_double(j, "total_ms", ms_of(t_start, t_done));
	}
	json_obj_end(j);
	json_finish(j);
}

/* The announcements of one VIP, the last fields of its object. */
static void json_announced(struct json *j, const struct vip_move *m, uint32_t rest, size_t n) {
	json_uint(j, "announce_count", m->count);
	json_uint(j, "announce_interval_us", m->interval_us);
	json_uint(j, "announced", m->sent);
	json_uint(j, "announcing_in_background", rest);
	if (n > 1)
		json_obj_end(j);
}

static void takeover_print(const struct profile *p, const struct vip_move *m, size_t n, const struct vip_opts *o,
                           uint64_t t_start) {
	struct json j;

	if (o->json)
		json_moves_begin(&j, p, "takeover", n);
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		char ip[IPADDR_STRLEN], iv[32];
		uint32_t rest = m[i].count - m[i].sent;

		format_ipaddr(&v->address, true, ip, sizeof(ip));
		format_duration(m[i].interval_us, iv, sizeof(iv));
		if (o->json) {
			json_move_begin(&j, p, v, "takeover", ip, n);
			json_str(&j, "owner", v->owner == VIP_OWNER_EXTERNAL ? "external" : "local");
			json_bool(&j, "readded", m[i].readded);
			if (m[i].readded)
				json_str(&j, "readded_why", m[i].why);
			json_double(&j, "added_ms", ms_of(m[i].t_begin, m[i].t_added));
			if (m[i].t_announced)
				json_double(&j, "first_announcement_ms", ms_of(m[i].t_begin, m[i].t_announced));
			else
				json_null(&j, "first_announcement_ms");
			json_double(&j, "total_ms", ms_of(t_start, m[i].t_done));
			json_announced(&j, &m[i], rest, n);
			continue;
		}
		printf("vip %s %s taken over on %s in netns %s: added in %.3f ms", v->name, ip, v->dev, ns_name(v->netns),
		       ms_of(m[i].t_begin, m[i].t_added));
		if (m[i].t_announced)
			printf(", first announcement at %.3f ms", ms_of(m[i].t_begin, m[i].t_announced));
		else
			printf(", not announced (announce_count = 0)");
		if (rest)
			printf(", %" PRIu32 " more %s apart in the background", rest, iv);
		else if (m[i].sent > 1)
			printf(", %" PRIu32 " sent %s apart", m[i].sent, iv);
		printf(" (%.3f ms with the profile's loading)\n", ms_of(t_start, m[i].t_done));
		if (m[i].readded)
			printf("vip %s: it was there with other flags (%s): removed and added again\n", v->name, m[i].why);
	}
	if (o->json)
		json_moves_end(&j, n, t_start, n ? m[n - 1].t_done : t_start);
}

static void release_print(const struct profile *p, const struct vip_move *m, size_t n, const struct vip_opts *o,
                          uint64_t t_start) {
	struct json j;

	if (o->json)
		json_moves_begin(&j, p, "release", n);
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		char ip[IPADDR_STRLEN];

		format_ipaddr(&v->address, true, ip, sizeof(ip));
		if (o->json) {
			json_move_begin(&j, p, v, "release", ip, n);
			json_bool(&j, "removed", m[i].removed);
			json_bool(&j, "was_held", m[i].was_held);
			json_double(&j, "removed_ms", ms_of(m[i].t_begin, m[i].t_done));
			json_double(&j, "total_ms", ms_of(t_start, m[i].t_done));
			if (n > 1)
				json_obj_end(&j);
		} else if (m[i].removed) {
			printf("vip %s %s released from %s in netns %s: removed in %.3f ms\n", v->name, ip, v->dev,
			       ns_name(v->netns), ms_of(m[i].t_begin, m[i].t_done));
		} else {
			printf("vip %s %s released: it was not on %s in netns %s\n", v->name, ip, v->dev, ns_name(v->netns));
		}
	}
	if (o->json)
		json_moves_end(&j, n, t_start, n ? m[n - 1].t_done : t_start);
}

static void announce_print(const struct profile *p, const struct vip_move *m, size_t n, const struct vip_opts *o,
                           uint64_t t_start) {
	struct json j;

	if (o->json)
		json_moves_begin(&j, p, "announce", n);
	for (size_t i = 0; i < n; i++) {
		const struct vip *v = m[i].v;
		char ip[IPADDR_STRLEN], iv[32];
		uint32_t rest = m[i].present ? m[i].count - m[i].sent : 0;

		format_ipaddr(&v->address, true, ip, sizeof(ip));
		format_duration(m[i].interval_us, iv, sizeof(iv));
		if (o->json) {
			json_move_begin(&j, p, v, "announce", ip, n);
			json_bool(&j, "present", m[i].present);
			json_announced(&j, &m[i], rest, n);
		} else if (!m[i].present) {
			printf("vip %s %s is not on %s in netns %s: not announced\n", v->name, ip, v->dev, ns_name(v->netns));
		} else {
			printf("vip %s %s announced on %s in netns %s: %" PRIu32 " sent", v->name, ip, v->dev,
			       ns_name(v->netns), m[i].sent);
			if (rest)
				printf(", %" PRIu32 " more %s apart in the background", rest, iv);
			printf("\n");
		}
	}
	if (o->json)
		json_moves_end(&j, n, t_start, n ? m[n - 1].t_done : t_start);
}

/* ---- status -------------------------------------------------------------------------- */

static void flags_text(const struct addr *a, char *buf, size_t size) {
	size_t len = 0;

	buf[0] = '\0';
#define ADD(...) do { if (len < size) len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__); } while (0)
	if (a->ip.family == AF_INET && a->label[0] && strcmp(a->label, a->dev) != 0)
		ADD("%slabel %s", len ? ", " : "", a->label);
	if (a->preferred_lft == 0 || (a->flags & IFA_F_DEPRECATED))
		ADD("%sdeprecated", len ? ", " : "");
	if (a->flags & IFA_F_NOPREFIXROUTE)
		ADD("%snoprefixroute", len ? ", " : "");
	if (a->flags & IFA_F_NODAD)
		ADD("%snodad", len ? ", " : "");
	if (a->flags & IFA_F_TENTATIVE)
		ADD("%stentative", len ? ", " : "");
	if (a->flags & IFA_F_DADFAILED)
		ADD("%sdadfailed", len ? ", " : "");
#undef ADD
}

static void json_flags(struct json *j, const struct addr *a) {
	json_arr_begin(j, "flags");
	if (a->preferred_lft == 0 || (a->flags & IFA_F_DEPRECATED))
		json_str(j, NULL, "deprecated");
	if (a->flags & IFA_F_NOPREFIXROUTE)
		json_str(j, NULL, "noprefixroute");
	if (a->flags & IFA_F_NODAD)
		json_str(j, NULL, "nodad");
	if (a->flags & IFA_F_TENTATIVE)
		json_str(j, NULL, "tentative");
	if (a->flags & IFA_F_DADFAILED)
		json_str(j, NULL, "dadfailed");
	json_arr_end(j);
}

/* One VIP: returns whether its address is on its device. */
static bool status_one(const struct profile *p, const struct vip *v, const struct state *st, struct json *j) {
	struct vip_status vs;
	const struct vip_place *where = vs.where;
	const struct addr *on_dev;
	const struct vip_held *h = &vs.h;
	const char *why = vs.why;
	size_t n;
	bool held;
	char ip[IPADDR_STRLEN], buf[256];

	vip_status(p, v, st, &vs);
	on_dev = vs.on_dev;
	n = vs.n_where;
	held = vs.held;
	format_ipaddr(&v->address, true, ip, sizeof(ip));

	if (j) {
		json_obj_begin(j, NULL);
		json_str(j, "name", v->name);
		json_str(j, "address", ip);
		json_str(j, "owner", v->owner == VIP_OWNER_EXTERNAL ? "external" : "local");
		json_str(j, "netns", v->netns);
		json_str(j, "dev", v->dev);
		json_bool(j, "present", on_dev != NULL);
		if (on_dev) {
			json_bool(j, "matches", why[0] == '\0');
			json_str(j, "differences", why[0] ? why : NULL);
		}
		json_bool(j, "held", held);
		if (held) {
			json_obj_begin(j, "held_record");
			json_str(j, "netns", h->netns[0] ? h->netns : NULL);
			json_str(j, "dev", h->dev);
			json_str(j, "address", format_ipaddr(&h->ip, true, buf, sizeof(buf)));
			json_uint(j, "since_us", h->since_us);
			json_int(j, "pid", h->pid);
			json_bool(j, "nodad", h->nodad);
			json_obj_end(j);
		}
		json_arr_begin(j, "locations");
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(j, NULL);
			json_str(j, "netns", where[i].ns->name);
			json_str(j, "dev", where[i].a->dev);
			json_str(j, "address", format_ipaddr(&where[i].a->ip, true, buf, sizeof(buf)));
			json_str(j, "label", where[i].a->ip.family == AF_INET && where[i].a->label[0] ? where[i].a->label : NULL);
			json_flags(j, where[i].a);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		return on_dev != NULL;
	}

	printf("vip %s %s (owner %s) on %s in netns %s: %s", v->name, ip,
	       v->owner == VIP_OWNER_EXTERNAL ? "external" : "local", v->dev, ns_name(v->netns),
	       on_dev ? "present" : "absent");
	if (held) {
		time_t t = (time_t)(h->since_us / 1000000);
		struct tm tm;
		char when[64] = "?";

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf(", held by this node since %s (takeover pid %d%s)", when, h->pid, h->nodad ? ", without DAD" : "");
	} else {
		printf(", not held by this node");
	}
	printf("\n");
	if (on_dev && why[0])
		printf("  differs from the profile: %s\n", why);
	for (size_t i = 0; i < n; i++) {
		flags_text(where[i].a, buf, sizeof(buf));
		printf("  %s %s on %s in netns %s%s%s\n", where[i].a == on_dev ? "here:" : "also:",
		       format_ipaddr(&where[i].a->ip, true, ip, sizeof(ip)), where[i].a->dev, ns_name(where[i].ns->name),
		       buf[0] ? ": " : "", buf);
	}
	if (held && (!netns_eq(h->netns[0] ? h->netns : NULL, v->netns) || strcmp(h->dev, v->dev) != 0 ||
	             !ipaddr_eq(&h->ip, &v->address)))
		printf("  the record of the takeover names %s on %s in netns %s (the profile changed since)\n",
		       format_ipaddr(&h->ip, true, ip, sizeof(ip)), h->dev, ns_name(h->netns));
	return on_dev != NULL;
}

static int status(const struct profile *p, const struct vip_move *only, size_t n_only, const struct vip_opts *o) {
	struct state *st = NULL;
	struct json j;
	bool all_present = true;
	int r, ret = EXIT_RUNTIME;

	r = vip_status_observe(p, &st);
	if (r < 0) {
		log_error_errno(r, "%s: reading the kernel's state: %m", p->name);
		goto out;
	}
	if (o->json) {
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "profile", p->name);
		json_arr_begin(&j, "vips");
	}
	if (only) {
		for (size_t i = 0; i < n_only; i++)
			all_present &= status_one(p, only[i].v, st, o->json ? &j : NULL);
	} else {
		for (size_t i = 0; i < p->n_vips; i++)
			status_one(p, &p->vips[i], st, o->json ? &j : NULL);
	}
	if (o->json) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	} else if (p->n_vips == 0) {
		printf("%s: the profile declares no vip\n", p->name);
	}
	ret = only && !all_present ? EXIT_FAIL : EXIT_OK;
out:
	state_free(st);
	return ret;
}

/* ---- the command ------------------------------------------------------------------------ */

enum vip_sub { VIP_TAKEOVER, VIP_RELEASE, VIP_STATUS, VIP_ANNOUNCE };

/* The options besides --json and --help, and which subcommand takes which. */
enum {
	OPT_FOREGROUND = 1u << 0,
	OPT_LOCK_WAIT = 1u << 1,
	OPT_COLLISION = 1u << 2,
	OPT_ANNOUNCE = 1u << 3,        /* --announce-count, --announce-interval */
	OPT_NODAD = 1u << 4,
};

static const struct {
	const char *name;
	unsigned opts;
} vip_subs[] = {
	[VIP_TAKEOVER] = { "takeover", OPT_FOREGROUND | OPT_LOCK_WAIT | OPT_COLLISION | OPT_ANNOUNCE | OPT_NODAD },
	[VIP_RELEASE] = { "release", OPT_LOCK_WAIT },
	[VIP_STATUS] = { "status", 0 },
	[VIP_ANNOUNCE] = { "announce", OPT_FOREGROUND | OPT_ANNOUNCE },
};

/* The options and arguments after SUBCOMMAND: -1 and *o, *ret_path,
 * *ret_list (NULL: none given); else the exit code after saying why. */
static int parse_args(enum vip_sub sub, const char *cmd, int argc, char **argv, struct vip_opts *o,
                      const char **ret_path, const char **ret_list) {
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "lock-wait", required_argument, NULL, 'l' },
		{ "collision-check", required_argument, NULL, 'c' },
		{ "announce-count", required_argument, NULL, 'n' },
		{ "announce-interval", required_argument, NULL, 'i' },
		{ "nodad", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned used = 0;
	int c, nargs;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jfl:c:n:i:Dh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'f':
			o->foreground = true;
			used |= OPT_FOREGROUND;
			break;
		case 'l':
			if (cmd_duration_opt(cmd, "lock-wait", optarg, 0, 0, &o->lock_wait_us))
				return EXIT_USAGE;
			used |= OPT_LOCK_WAIT;
			break;
		case 'c':
			if (cmd_duration_opt(cmd, "collision-check", optarg, 1000, 60000000, &o->collision_wait_us))
				return EXIT_USAGE;
			used |= OPT_COLLISION;
			break;
		case 'n':
			if (parse_u32(optarg, &o->count) < 0 || o->count > 1000)
				return cmd_usage_error(cmd, usage_text, "--announce-count: expected 0..1000, got \"%s\"", optarg);
			o->count_set = true;
			used |= OPT_ANNOUNCE;
			break;
		case 'i':
			if (cmd_duration_opt(cmd, "announce-interval", optarg, 0, 60000000, &o->interval_us))
				return EXIT_USAGE;
			o->interval_set = true;
			used |= OPT_ANNOUNCE;
			break;
		case 'D':
			o->nodad = true;
			used |= OPT_NODAD;
			break;
		case 'h': usage_print(usage_text); return EXIT_OK;
		default: return cmd_usage_error(cmd, usage_text, "unknown option %s", argv[optind - 1]);
		}
	}
	nargs = argc - optind;
	if (sub == VIP_STATUS ? (nargs < 1 || nargs > 2) : nargs != 2)
		return cmd_usage_error(cmd, usage_text, "expected PROFILE %s",
		                       sub == VIP_STATUS ? "[VIP[,VIP...]]" : "VIP[,VIP...]");
	if (used & ~vip_subs[sub].opts)
		return cmd_usage_error(cmd, usage_text, "an option of another subcommand");
	*ret_path = argv[optind];
	*ret_list = nargs == 2 ? argv[optind + 1] : NULL;
	return -1;
}

int cmd_vip(int argc, char **argv) {
	struct vip_opts o = { .lock_wait_us = LOCK_WAIT_DEFAULT_US };
	struct vip_move_opts mo;
	uint64_t t_start = now_ns();
	struct profile *p = NULL;
	struct vip_move *m = NULL;
	size_t n = 0;
	const char *path = NULL, *list = NULL;
	char cmd[32];
	enum vip_sub sub;
	int ret;

	if (argc < 2)
		return cmd_usage_error("vip", usage_text, "expected takeover, release, status, announce or follow");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage_print(usage_text);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "follow") == 0)
		return vip_follow_main(argc - 1, argv + 1, usage_text);
	for (sub = 0; sub < ARRAY_SIZE(vip_subs) && strcmp(argv[1], vip_subs[sub].name) != 0; sub++)
		;
	if (sub == ARRAY_SIZE(vip_subs))
		return cmd_usage_error("vip", usage_text, "unknown subcommand \"%s\"", argv[1]);
	snprintf(cmd, sizeof(cmd), "vip %s", argv[1]);
	ret = parse_args(sub, cmd, argc - 1, argv + 1, &o, &path, &list);
	if (ret >= 0)
		return ret;

	if (cmd_load_profile(path, &p) < 0)
		return EXIT_INVALID;
	/* a change not confirmed whose process is gone comes first (one
	 * readdir when there is none) */
	confirm_recover(-1, cmd);
	if (list) {
		ret = vip_moves_parse(p, path, list, &m, &n);
		if (ret != EXIT_OK)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (o.count_set)
			m[i].count = o.count;
		if (o.interval_set)
			m[i].interval_us = (uint32_t)o.interval_us;
		m[i].nodad = o.nodad;
	}
	mo = (struct vip_move_opts){ .lock_wait_us = o.lock_wait_us, .collision_wait_us = o.collision_wait_us,
	                             .foreground = o.foreground };
	switch (sub) {
	case VIP_TAKEOVER:
		ret = vip_moves_takeover(p->name, m, n, &mo);
		if (ret == EXIT_OK)
			takeover_print(p, m, n, &o, t_start);
		break;
	case VIP_RELEASE:
		ret = vip_moves_release(p->name, m, n, &mo);
		if (ret == EXIT_OK)
			release_print(p, m, n, &o, t_start);
		break;
	case VIP_ANNOUNCE:
		ret = vip_moves_announce(m, n, &mo);
		if (ret == EXIT_OK || ret == EXIT_FAIL)
			announce_print(p, m, n, &o, t_start);
		break;
	case VIP_STATUS:
		ret = status(p, m, n, &o);
		break;
	}
out:
	free(m);
	profile_free(p);
	return ret;
}
