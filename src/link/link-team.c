/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Teams: the device is an RTM_NEWLINK of kind "team" (no IFLA_INFO_DATA:
 * the team driver takes its settings over generic netlink); mode,
 * notify_peers and mcast_rejoin, port priorities and the active port of
 * activebackup go through libteam, which opens its own sockets: they are
 * made inside the team's namespace.
 *
 * The kernel's rules (drivers/net/team/team.c): the mode changes only
 * without ports (and not to the mode it has); a port must be down to be
 * added, comes up when added and goes down when removed; per-port options
 * (priority) are lost with the port.  Without teamd the kernel picks no
 * active port in activebackup: apply picks one (keeps the current one
 * while it has a link, else the port with a link and the highest
 * priority, the first listed among equals).  A port has a link when the
 * team says so or its device has a carrier: the team learns of a carrier
 * from the operstate, which the kernel updates a moment later (linkwatch,
 * up to a second), so a port that just came up has a carrier before the
 * team sees its link.  The LACP runner is teamd's, not the kernel's: the profile points
 * to a bond in 802.3ad mode instead.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libteam-dl.h"
#include "link.h"
#include "log.h"
#include "netns.h"
#include "hnl.h"

static const char *const team_mode_names[_TEAM_MODE_MAX] = {
	[TEAM_MODE_ROUNDROBIN] = "roundrobin",
	[TEAM_MODE_ACTIVEBACKUP] = "activebackup",
	[TEAM_MODE_LOADBALANCE] = "loadbalance",
	[TEAM_MODE_BROADCAST] = "broadcast",
	[TEAM_MODE_RANDOM] = "random",
};

static int team_mode_from_name(const char *s, enum team_mode *ret) {
	for (int m = 0; m < _TEAM_MODE_MAX; m++)
		if (s && strcmp(team_mode_names[m], s) == 0) {
			*ret = (enum team_mode)m;
			return 0;
		}
	return -EINVAL;
}

/* libteam logs to stderr by default: keep it at debug level. */
static void team_log_debug(struct team_handle *th, int priority, const char *file, int line, const char *fn,
                           const char *format, va_list args) {
	char msg[512];

	vsnprintf(msg, sizeof(msg), format, args);
	log_debug("libteam: %s: %s", fn, msg);
}

/* A libteam handle on team `name` (or ifindex when > 0), its sockets
 * opened inside namespace netns (NULL: the one hanet started in). */
static int team_open(struct hnl *nl, const char *name, int ifindex, struct team_handle **ret) {
	struct team_handle *th = NULL;
	int saved = -1, r, q;

	r = libteam_load();
	if (r < 0) {
		hnl_set_errmsg(nl, "libteam: %s", libteam_load_error());
		return r;
	}
	r = netns_enter(hnl_netns(nl), &saved);
	if (r < 0)
		return r;
	th = team_alloc();
	if (!th) {
		r = -ENOMEM;
		goto leave;
	}
	team_set_log_fn(th, team_log_debug);
	if (ifindex <= 0)
		ifindex = (int)team_ifname2ifindex(th, name);
	if (ifindex <= 0) {
		r = -ENODEV;
		goto leave;
	}
	r = team_init(th, (uint32_t)ifindex);
leave:
	q = netns_leave(saved);
	if (r == 0 && q < 0)
		r = q;
	if (r < 0) {
		if (th)
			team_free(th);
		return r;
	}
	*ret = th;
	return 0;
}

/* The options of the team as numbers, by TEAM_SET_* bit. */
static const struct {
	unsigned bit;
	const char *name;
	/* libteam's functions, once loaded (libteam-dl.h) */
	int (**get)(struct team_handle *th, uint32_t *v);
	int (**set)(struct team_handle *th, uint32_t v);
	size_t offset;
} team_opts[] = {
	{ TEAM_SET_NOTIFY_PEERS_COUNT, "notify_peers_count", &team_get_notify_peers_count, &team_set_notify_peers_count,
	  offsetof(struct team_conf, notify_peers_count) },
	{ TEAM_SET_NOTIFY_PEERS_INTERVAL, "notify_peers_interval", &team_get_notify_peers_interval,
	  &team_set_notify_peers_interval, offsetof(struct team_conf, notify_peers_interval) },
	{ TEAM_SET_MCAST_REJOIN_COUNT, "mcast_rejoin_count", &team_get_mcast_rejoin_count, &team_set_mcast_rejoin_count,
	  offsetof(struct team_conf, mcast_rejoin_count) },
	{ TEAM_SET_MCAST_REJOIN_INTERVAL, "mcast_rejoin_interval", &team_get_mcast_rejoin_interval,
	  &team_set_mcast_rejoin_interval, offsetof(struct team_conf, mcast_rejoin_interval) },
};

#define OPT_VAL(t, i) (*(uint32_t *)((char *)(t) + team_opts[i].offset))
#define OPT_CVAL(t, i) (*(const uint32_t *)((const char *)(t) + team_opts[i].offset))

static bool is_interval(size_t i) {
	return team_opts[i].bit == TEAM_SET_NOTIFY_PEERS_INTERVAL || team_opts[i].bit == TEAM_SET_MCAST_REJOIN_INTERVAL;
}

/* The current mode: -ENOENT when the team has none yet. */
static int team_mode_get(struct team_handle *th, enum team_mode *ret) {
	char *name = NULL;
	int r;

	r = team_get_mode_name(th, &name);
	if (r < 0)
		return r;
	return team_mode_from_name(name, ret) < 0 ? -ENOENT : (int)0;
}

static int port_index(const struct namelist *l, const char *name) {
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return (int)i;
	return -1;
}

static int team_observe_extra(struct link *l, struct hnl *nl) {
	struct team_conf *t = &l->u.team;
	struct team_handle *th;
	struct team_port *port;
	enum team_mode mode;
	uint32_t active = 0;
	size_t n;
	int r;

	t->set = 0;
	t->active_port[0] = '\0';
	r = team_open(nl, l->name, l->ifindex, &th);
	if (r < 0)
		return r;
	if (team_mode_get(th, &mode) >= 0) {
		t->mode = mode;
		t->set |= TEAM_SET_MODE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(team_opts); i++)
		if ((*team_opts[i].get)(th, &OPT_VAL(t, i)) >= 0)
			t->set |= team_opts[i].bit;

	/* the ports as libteam sees them, with their priorities, in the
	 * order observe listed them (ports it did not list at the end) */
	team_for_each_port(port, th) {
		char name[IFNAMSIZ];

		if (!team_ifindex2ifname(th, team_get_port_ifindex(port), name, sizeof(name)))
			continue;
		if (!namelist_contains(&t->ports, name)) {
			r = namelist_add(&t->ports, name);
			if (r < 0)
				goto out;
		}
	}
	n = t->ports.n;
	free(t->port_priority);
	free(t->port_priority_set);
	t->port_priority = n ? calloc(n, sizeof(*t->port_priority)) : NULL;
	t->port_priority_set = n ? calloc(n, sizeof(*t->port_priority_set)) : NULL;
	if (n && (!t->port_priority || !t->port_priority_set)) {
		r = -ENOMEM;
		goto out;
	}
	team_for_each_port(port, th) {
		uint32_t ifindex = team_get_port_ifindex(port);
		char name[IFNAMSIZ];
		int32_t prio;
		int k;

		if (!team_ifindex2ifname(th, ifindex, name, sizeof(name)))
			continue;
		k = port_index(&t->ports, name);
		if (k >= 0 && team_get_port_priority(th, ifindex, &prio) >= 0) {
			t->port_priority[k] = prio;
			t->port_priority_set[k] = true;
		}
	}
	if ((t->set & TEAM_SET_MODE) && t->mode == TEAM_MODE_ACTIVEBACKUP && team_get_active_port(th, &active) >= 0 &&
	    active > 0 && !team_ifindex2ifname(th, active, t->active_port, sizeof(t->active_port)))
		t->active_port[0] = '\0';
	r = 0;
out:
	team_free(th);
	return r;
}

/* The priority declared for a port, or 0 (the kernel's default). */
static int32_t want_priority(const struct team_conf *t, size_t i) {
	return t->port_priority && t->port_priority_set && t->port_priority_set[i] ? t->port_priority[i] : 0;
}

static void team_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct team_conf *w = &want->u.team, *h = &have->u.team;
	bool ab = (w->set & TEAM_SET_MODE) ? w->mode == TEAM_MODE_ACTIVEBACKUP
	          : (h->set & TEAM_SET_MODE) && h->mode == TEAM_MODE_ACTIVEBACKUP;

	if ((w->set & TEAM_SET_MODE) && (!(h->set & TEAM_SET_MODE) || w->mode != h->mode)) {
		bool ports = h->ports.n > 0 || w->ports.n > 0;

		if (ports)
			ret->need_no_slaves = true;
		link_diff_add(ret, ports ? DISRUPT_FLAP : DISRUPT_LIVE, "mode %s -> %s",
		              h->set & TEAM_SET_MODE ? team_mode_names[h->mode] : "(none)", team_mode_names[w->mode]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(team_opts); i++) {
		char a[32], b[32];

		if (!(w->set & team_opts[i].bit) ||
		    ((h->set & team_opts[i].bit) && OPT_CVAL(w, i) == OPT_CVAL(h, i)))
			continue;
		if (is_interval(i)) {
			format_duration((uint64_t)OPT_CVAL(h, i) * 1000, a, sizeof(a));
			format_duration((uint64_t)OPT_CVAL(w, i) * 1000, b, sizeof(b));
		} else {
			snprintf(a, sizeof(a), "%u", OPT_CVAL(h, i));
			snprintf(b, sizeof(b), "%u", OPT_CVAL(w, i));
		}
		link_diff_add(ret, DISRUPT_LIVE, "%s %s -> %s", team_opts[i].name, h->set & team_opts[i].bit ? a : "?", b);
	}
	for (size_t i = 0; i < w->ports.n; i++) {
		int j;

		if (!w->port_priority_set || !w->port_priority_set[i])
			continue;
		j = port_index(&h->ports, w->ports.v[i]);
		if (j < 0)
			/* set once the port is attached */
			link_diff_add(ret, DISRUPT_LIVE, "priority.%s %d (new port)", w->ports.v[i], w->port_priority[i]);
		else if (want_priority(h, (size_t)j) != w->port_priority[i])
			link_diff_add(ret, DISRUPT_LIVE, "priority.%s %d -> %d", w->ports.v[i], want_priority(h, (size_t)j),
			              w->port_priority[i]);
	}
	/* activebackup carries nothing without an active port */
	if (ab && w->ports.n > 0 && (!h->active_port[0] || !namelist_contains(&w->ports, h->active_port)))
		link_diff_add(ret, DISRUPT_LIVE, "active port %s -> a port with a link",
		              h->active_port[0] ? h->active_port : "(none)");
}

struct port_state {
	uint32_t ifindex;
	bool link_up;
	int32_t priority;
};

/* Read the team's ports (at most max). */
static size_t ports_read(struct team_handle *th, struct port_state *v, size_t max) {
	struct team_port *port;
	size_t n = 0;

	team_for_each_port(port, th) {
		if (n == max)
			break;
		v[n].ifindex = team_get_port_ifindex(port);
		v[n].link_up = team_is_port_link_up(port);
		if (team_get_port_priority(th, v[n].ifindex, &v[n].priority) < 0)
			v[n].priority = 0;
		n++;
	}
	return n;
}

/* A port the team does not see a link on yet, whose device has a carrier
 * (the team follows once the kernel's linkwatch ran). */
static int ports_carrier(struct team_handle *th, const struct link_ctx *ctx, struct port_state *v, size_t n) {
	for (size_t i = 0; i < n; i++) {
		char name[IFNAMSIZ];
		struct link l;
		int r;

		if (v[i].link_up || !team_ifindex2ifname(th, v[i].ifindex, name, sizeof(name)))
			continue;
		r = ctx->get_link ? ctx->get_link(ctx, name, &l) : -EOPNOTSUPP;
		if (r == -ENODEV)
			continue;
		if (r < 0)
			return r;
		v[i].link_up = l.carrier && (l.flags & IFF_UP);
		link_fini(&l);
	}
	return 0;
}

#define TEAM_PORTS_MAX 64

/* Mode, options, port priorities and the active port, as far as the
 * kernel's state allows.  A mode change with ports attached takes them
 * out and back (the plan calls that a flap and normally releases them
 * itself first). */
static int team_apply_extra(const struct link *want, const struct link *have, const struct link_ctx *ctx) {
	const struct team_conf *w = &want->u.team;
	struct port_state ports[TEAM_PORTS_MAX];
	struct team_handle *th;
	enum team_mode mode;
	bool have_mode;
	size_t n;
	int r;

	r = team_open(ctx->nl, want->name, 0, &th);
	if (r < 0)
		return r;
	have_mode = team_mode_get(th, &mode) >= 0;

	if ((w->set & TEAM_SET_MODE) && (!have_mode || mode != w->mode)) {
		n = ports_read(th, ports, ARRAY_SIZE(ports));
		for (size_t i = 0; i < n; i++) {
			r = team_port_remove(th, ports[i].ifindex);
			if (r < 0)
				goto out;
		}
		r = team_set_mode_name(th, team_mode_names[w->mode]);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < n; i++) {
			r = team_port_add(th, ports[i].ifindex);
			if (r < 0)
				goto out;
		}
		r = team_refresh(th);
		if (r < 0)
			goto out;
		mode = w->mode;
		have_mode = true;
	}

	for (size_t i = 0; i < ARRAY_SIZE(team_opts); i++) {
		uint32_t v;

		if (!(w->set & team_opts[i].bit))
			continue;
		r = (*team_opts[i].get)(th, &v);
		if (r >= 0 && v == OPT_CVAL(w, i))
			continue;
		r = (*team_opts[i].set)(th, OPT_CVAL(w, i));
		if (r < 0)
			goto out;
	}

	for (size_t i = 0; i < w->ports.n; i++) {
		uint32_t ifindex;
		int32_t prio;

		if (!w->port_priority_set || !w->port_priority_set[i])
			continue;
		ifindex = team_ifname2ifindex(th, w->ports.v[i]);
		if (!ifindex || !team_is_our_port(th, ifindex))
			continue;       /* not attached (yet): set when it is */
		if (team_get_port_priority(th, ifindex, &prio) >= 0 && prio == w->port_priority[i])
			continue;
		r = team_set_port_priority(th, ifindex, w->port_priority[i]);
		if (r < 0)
			goto out;
	}

	if (have_mode && mode == TEAM_MODE_ACTIVEBACKUP) {
		uint32_t active = 0;
		const struct port_state *best = NULL;
		bool keep = false;

		r = team_refresh(th);
		if (r < 0)
			goto out;
		n = ports_read(th, ports, ARRAY_SIZE(ports));
		r = ports_carrier(th, ctx, ports, n);
		if (r < 0)
			goto out;
		if (team_get_active_port(th, &active) < 0)
			active = 0;
		for (size_t i = 0; i < n; i++)
			if (ports[i].ifindex == active && ports[i].link_up)
				keep = true;
		/* in the order of `ports`: the first listed wins among equals */
		for (size_t k = 0; !keep && k < w->ports.n; k++) {
			uint32_t ifindex = team_ifname2ifindex(th, w->ports.v[k]);

			for (size_t i = 0; i < n; i++) {
				if (ports[i].ifindex != ifindex)
					continue;
				if (!best || (ports[i].link_up && !best->link_up) ||
				    (ports[i].link_up == best->link_up && ports[i].priority > best->priority))
					best = &ports[i];
			}
		}
		if (!keep && best && best->ifindex != active) {
			r = team_set_active_port(th, best->ifindex);
			if (r < 0)
				goto out;
		}
	}
	r = 0;
out:
	team_free(th);
	return r;
}

static struct namelist *team_ports(struct link *l) {
	return &l->u.team.ports;
}

static void team_mask(struct link *l, const struct link *by) {
	l->u.team.set &= by->u.team.set;
}

static void *memdup_or_null(const void *p, size_t n) {
	void *d;

	if (!p || !n)
		return NULL;
	d = malloc(n);
	if (d)
		memcpy(d, p, n);
	return d;
}

static int team_copy(struct link *dst, const struct link *src) {
	struct team_conf *d = &dst->u.team;
	const struct team_conf *s = &src->u.team;

	d->port_priority = NULL;
	d->port_priority_set = NULL;
	if (namelist_copy(&d->ports, &s->ports) < 0)
		return -ENOMEM;
	if (s->ports.n) {
		size_t n = s->ports.n;

		d->port_priority = memdup_or_null(s->port_priority, n * sizeof(int32_t));
		d->port_priority_set = memdup_or_null(s->port_priority_set, n * sizeof(bool));
		if ((s->port_priority && !d->port_priority) || (s->port_priority_set && !d->port_priority_set))
			return -ENOMEM;
	}
	return 0;
}

static void team_fini(struct link *l) {
	namelist_fini(&l->u.team.ports);
	free(l->u.team.port_priority);
	free(l->u.team.port_priority_set);
}

static const struct name_value team_modes[] = {
	{ "roundrobin", TEAM_MODE_ROUNDROBIN }, { "activebackup", TEAM_MODE_ACTIVEBACKUP },
	{ "loadbalance", TEAM_MODE_LOADBALANCE }, { "broadcast", TEAM_MODE_BROADCAST },
	{ "random", TEAM_MODE_RANDOM }, { NULL, 0 },
};

static int team_parse_mode(struct key_ctx *c, void *field) {
	if (strcmp(c->value, "lacp") == 0) {
		key_bad(c, "the LACP runner lives in teamd, not in the kernel, and hanet drives the kernel's team "
		           "modes only: use [bond %s] with mode = 802.3ad instead", c->name);
		return -EINVAL;
	}
	return key_parse_enum(c, field);
}

/* Its keys in [team NAME] (keydef.h), after those every link takes. */
static const struct key_def team_keys[] = {
	/* priority.PORT is read by the profile loader, once the ports are known */
	{ .key = "mode", .parse = team_parse_mode, KEY_FIELD(struct link, u.team.mode),
	  KEY_SETBIT(struct link, u.team.set, TEAM_SET_MODE), .aux = team_modes },
	{ .key = "runner", .parse = team_parse_mode, KEY_FIELD(struct link, u.team.mode),
	  KEY_SETBIT(struct link, u.team.set, TEAM_SET_MODE), .aux = team_modes },
	{ .key = "ports", .parse = key_parse_namelist, KEY_FIELD(struct link, u.team.ports) },
	{ .key = "notify_peers_count", .parse = key_parse_uint, KEY_FIELD(struct link, u.team.notify_peers_count),
	  KEY_SETBIT(struct link, u.team.set, TEAM_SET_NOTIFY_PEERS_COUNT), KEY_RANGE(0, 255) },
	{ .key = "notify_peers_interval", .parse = key_parse_duration, KEY_FIELD(struct link, u.team.notify_peers_interval),
	  KEY_SETBIT(struct link, u.team.set, TEAM_SET_NOTIFY_PEERS_INTERVAL), KEY_RANGE(0, INT_MAX), .aux = &key_unit_ms },
	{ .key = "mcast_rejoin_count", .parse = key_parse_uint, KEY_FIELD(struct link, u.team.mcast_rejoin_count),
	  KEY_SETBIT(struct link, u.team.set, TEAM_SET_MCAST_REJOIN_COUNT), KEY_RANGE(0, 255) },
	{ .key = "mcast_rejoin_interval", .parse = key_parse_duration, KEY_FIELD(struct link, u.team.mcast_rejoin_interval),
	  KEY_SETBIT(struct link, u.team.set, TEAM_SET_MCAST_REJOIN_INTERVAL), KEY_RANGE(0, INT_MAX), .aux = &key_unit_ms },
};

const struct link_ops link_ops_team = {
	.keys = team_keys,
	.n_keys = ARRAY_SIZE(team_keys),
	.kind = LINK_TEAM,
	.info_kind = "team",
	.section = "team",
	.plural = "teams",
	.ports = team_ports,
	.ports_key = "ports",
	.mask = team_mask,
	.copy = team_copy,
	.fini = team_fini,
	.diff = team_diff,
	.apply_extra = team_apply_extra,
	.observe_extra = team_observe_extra,
};
