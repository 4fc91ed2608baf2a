/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch-internal.h"

/* ---- teams ----------------------------------------------------------------------------------------- */

static void team_selected(struct watch *w, struct wteam *t, const struct team_ab_change *c, uint64_t t_ns) {
	if (!c->changed)
		return;
	records_team_active(w->rec, t_ns, team_ab_netns(t->t), team_ab_name(t->t), c->from, c->to,
	                    c->by_us ? "hanet" : "kernel", c->by_us ? c->why : NULL);
	if (c->by_us)
		log_notice("team %s%s: active port %s -> %s (%s)", team_ab_name(t->t),
		           team_ab_netns(t->t) ? " (netns)" : "", c->from[0] ? c->from : "none", c->to, c->why);
	else
		log_info("team %s: active port %s -> %s", team_ab_name(t->t), c->from[0] ? c->from : "none",
		         c->to[0] ? c->to : "none");
}

void watch_team_select(struct watch *w, struct wteam *t, uint64_t t_ns) {
	struct team_ab_change c;
	int r = team_ab_select(t->t, &c);

	if (r < 0) {
		log_warning_errno(r, "team %s: choosing the active port: %m", team_ab_name(t->t));
		return;
	}
	team_selected(w, t, &c, t_ns);
}

/* Open a handle for every activebackup team of the profile that exists,
 * close the others, and choose the active ports. */

void watch_teams_sync(struct watch *w) {
	const struct profile *p = w->s.profile;

	for (size_t i = 0; i < w->n_teams; i++)
		w->teams[i]->used = false;
	for (size_t i = 0; p && i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const struct link *have;
		struct wteam *t = NULL, **v;
		struct wns *n;
		int r;

		if (l->kind != LINK_TEAM || !(l->u.team.set & TEAM_SET_MODE) || l->u.team.mode != TEAM_MODE_ACTIVEBACKUP)
			continue;
		have = w->s.st ? state_link(w->s.st, l->netns, l->name) : NULL;
		n = wns_find(w, l->netns);
		if (!have || !n || !n->ev)
			continue;
		for (size_t j = 0; j < w->n_teams; j++)
			if (netns_eq(team_ab_netns(w->teams[j]->t), l->netns) && strcmp(team_ab_name(w->teams[j]->t), l->name) == 0)
				t = w->teams[j];
		if (t && team_ab_ifindex(t->t) != have->ifindex) {
			for (size_t j = 0; j < w->n_teams; j++)
				if (w->teams[j] == t)
					watch_team_close(w, j);
			t = NULL;
		}
		if (!t) {
			t = calloc(1, sizeof(*t));
			v = realloc(w->teams, (w->n_teams + 1) * sizeof(*v));
			if (v)
				w->teams = v;
			if (!t || !v) {
				free(t);
				continue;
			}
			r = team_ab_open(l->netns, l->name, &t->t);
			if (r < 0) {
				log_warning_errno(r, "team %s: cannot follow its ports: %m%s", l->name,
				                  r == -ENOSYS ? " (libteam could not be loaded)" : "");
				free(t);
				continue;
			}
			t->w = w;
			t->src.type = SRC_TEAM;
			t->src.ptr = t;
			r = watch_epoll_add(w, team_ab_fd(t->t), &t->src);
			if (r < 0) {
				log_warning_errno(r, "team %s: cannot follow its events: %m", l->name);
				team_ab_free(t->t);
				free(t);
				continue;
			}
			w->teams[w->n_teams++] = t;
			log_debug("team %s: following its ports (activebackup)", l->name);
		}
		t->used = true;
		watch_team_select(w, t, now_ns());
	}
	for (size_t i = w->n_teams; i-- > 0;)
		if (!w->teams[i]->used)
			watch_team_close(w, i);
}

struct wteam *watch_team_of_port(struct watch *w, const char *netns, const struct nlev *ev) {
	for (size_t i = 0; i < w->n_teams; i++) {
		struct team_ab *t = w->teams[i]->t;

		if (!netns_eq(team_ab_netns(t), netns))
			continue;
		if ((ev->master_ifindex && ev->master_ifindex == team_ab_ifindex(t)) || team_ab_has_port(t, ev->ifindex))
			return w->teams[i];
	}
	return NULL;
}

void watch_on_team(struct watch *w, struct wteam *t) {
	uint64_t t_ns = now_ns();
	int r = team_ab_handle_events(t->t);

	if (r < 0) {
		log_warning_errno(r, "team %s: reading its events: %m", team_ab_name(t->t));
		/* the team may be gone: the next resync sees */
		watch_mark_dirty(w, wns_find(w, team_ab_netns(t->t)), NULL, t_ns, w->o->debounce_us);
		return;
	}
	watch_team_select(w, t, t_ns);
}

/* ---- bonds: the active slave as last seen ---------------------------------------------------------- */

struct bond_seen *watch_bond_seen(struct watch *w, const char *netns, const char *name, bool add) {
	struct bond_seen *v;

	for (size_t i = 0; i < w->n_bonds; i++)
		if (netns_eq(w->bonds[i].netns, netns) && strcmp(w->bonds[i].name, name) == 0)
			return &w->bonds[i];
	if (!add)
		return NULL;
	v = realloc(w->bonds, (w->n_bonds + 1) * sizeof(*v));
	if (!v)
		return NULL;
	w->bonds = v;
	memset(&v[w->n_bonds], 0, sizeof(v[0]));
	v[w->n_bonds].netns = netns ? strpool_intern(w->pool, netns) : NULL;
	snprintf(v[w->n_bonds].name, IFNAMSIZ, "%s", name);
	return &w->bonds[w->n_bonds++];
}

/* After observing: a change of active slave that no event reported
 * (lost in an overflow, or while the namespace was not watched). */

void watch_bonds_from_state(struct watch *w) {
	const struct state *st = w->s.st;

	for (size_t i = 0; st && i < w->n_want; i++) {
		const struct link *l;
		struct bond_seen *b;

		if (w->want[i].kind != LINK_BOND)
			continue;
		l = state_link(st, w->want[i].netns, w->want[i].name);
		if (!l || l->kind != LINK_BOND)
			continue;
		b = watch_bond_seen(w, w->want[i].netns, w->want[i].name, false);
		if (!b) {
			b = watch_bond_seen(w, w->want[i].netns, w->want[i].name, true);
			if (b)
				snprintf(b->active, sizeof(b->active), "%s", l->u.bond.active_slave);
			continue;
		}
		if (strcmp(b->active, l->u.bond.active_slave) != 0) {
			records_bond_active(w->rec, now_ns(), b->netns, b->name, b->active, l->u.bond.active_slave);
			log_info("bond %s: active slave %s -> %s", b->name, b->active[0] ? b->active : "none",
			         l->u.bond.active_slave[0] ? l->u.bond.active_slave : "none");
			snprintf(b->active, sizeof(b->active), "%s", l->u.bond.active_slave);
		}
	}
}
