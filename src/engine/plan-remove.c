/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan-internal.h"

/* ---- removal ----------------------------------------------------------------------- */

static bool want_rule_matches(struct planner *pl, const char *netns, const struct rule *have) {
	for (size_t i = 0; pl->prof && i < pl->prof->n_rules; i++)
		if (netns_eq(pl->prof->rules[i].netns, netns) && rule_matches(&pl->prof->rules[i], have))
			return true;
	return false;
}

int plan_remove_rules(struct planner *pl) {
	struct owner *o = pl->in->owner;
	char buf[256], sfx[300];

	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];

		if (!ns->obs || !ns->exists || ns->doomed)
			continue;
		for (size_t j = 0; j < ns->obs->n_rules; j++) {
			const struct rule *u = &ns->obs->rules[j];
			struct action *a;

			if (ns->rule_gone[j] || !owner_has_rule(o, ns->name, u) || want_rule_matches(pl, ns->name, u))
				continue;
			a = act_new(pl, ACT_RULE_DEL, DISRUPT_LIVE, ns->name, NULL);
			if (!a)
				return -ENOMEM;
			a->rule = act_rule(u);
			if (!a->rule)
				return -ENOMEM;
			a->rule->netns = ns->name;
			ns->rule_gone[j] = 1;
			if (act_text(a, "rule %s%s: remove", rule_format(u, buf, sizeof(buf)),
			             plan_ns_suffix(ns->name, sfx, sizeof(sfx))) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int plan_load_owner_routes(struct planner *pl) {
	int r;

	if (pl->owner_routes_tried)
		return 0;
	pl->owner_routes_tried = true;
	r = owner_load_routes(pl->in->owner);
	if (r < 0)
		return plan_fail(pl, r, "reading the routes %s owns", pl->in->owner->profile);
	return 0;
}

int plan_remove_routes(struct planner *pl) {
	char buf[256], sfx[300];

	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];
		const struct route **dead = NULL;
		size_t n_dead = 0;
		struct action *a;
		int r;

		if (!ns->obs || !ns->exists || ns->doomed)
			continue;
		for (size_t j = 0; j < ns->obs->n_routes; j++) {
			const struct route *rt = &ns->obs->routes[j];
			struct route_key k;
			const struct route **v;

			if (rt->protocol != RTPROT_HANET || ns->route_gone[j])
				continue;
			route_key_of(rt, &k);
			if (!(pl->in->flags & PLAN_DOWN) && pl->in->routes && route_index_find(pl->in->routes, ns->name, &k) >= 0)
				continue;
			r = plan_load_owner_routes(pl);
			if (r < 0) {
				free(dead);
				return r;
			}
			if (!owner_has_route(pl->in->owner, ns->name, &k))
				continue;
			v = realloc(dead, (n_dead + 1) * sizeof(*v));
			if (!v) {
				free(dead);
				return -ENOMEM;
			}
			dead = v;
			dead[n_dead++] = rt;
			ns->route_gone[j] = 1;
		}
		if (!n_dead)
			continue;
		if (n_dead <= 16) {
			for (size_t j = 0; j < n_dead; j++) {
				a = act_new(pl, ACT_ROUTE_DEL, DISRUPT_LIVE, ns->name, NULL);
				if (!a || !(a->routes = malloc(sizeof(*a->routes)))) {
					free(dead);
					return -ENOMEM;
				}
				a->routes[0] = dead[j];
				a->n_routes = 1;
				if (act_text(a, "route %s%s: remove", route_format(dead[j], buf, sizeof(buf)),
				             plan_ns_suffix(ns->name, sfx, sizeof(sfx))) < 0) {
					free(dead);
					return -ENOMEM;
				}
			}
			free(dead);
		} else {
			a = act_new(pl, ACT_ROUTE_DEL, DISRUPT_LIVE, ns->name, NULL);
			if (!a) {
				free(dead);
				return -ENOMEM;
			}
			a->routes = dead;
			a->n_routes = n_dead;
			if (act_text(a, "routes%s: remove %zu routes", plan_ns_suffix(ns->name, sfx, sizeof(sfx)), n_dead) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int plan_remove_addrs(struct planner *pl) {
	struct owner *o = pl->in->owner;
	char ip[IPADDR_STRLEN], sfx[300];

	/* newest first: a VIP (an IPv4 secondary) goes before the primary
	 * address of its subnet, whose removal would take it along */
	for (size_t i = o->n_addrs; i-- > 0;) {
		const struct owned_addr *oa = &o->addrs[i];
		struct sim_addr *x = sim_addr(pl, oa->netns, oa->dev, &oa->ip);
		struct action *a;
		int r;

		if (!x || sim_ns(pl, oa->netns)->doomed || want_has_addr(pl, oa->netns, oa->dev, &oa->ip))
			continue;
		a = act_new(pl, ACT_ADDR_DEL, DISRUPT_LIVE, oa->netns, oa->dev);
		if (!a)
			return -ENOMEM;
		a->addr = x->a;
		a->addr.netns = a->netns;
		x->gone = true;
		if (act_text(a, "%s %s dev %s%s: remove", oa->vip ? "vip" : "addr", format_ipaddr(&oa->ip, true, ip, sizeof(ip)),
		             oa->dev, plan_ns_suffix(oa->netns, sfx, sizeof(sfx))) < 0)
			return -ENOMEM;
		r = sim_addr_loses(pl, a, &a->addr);
		if (r < 0)
			return r;
	}
	return 0;
}

static int link_rank(const struct link *l) {
	/* upper devices go first */
	return link_lower(l) ? 0 : 1;
}

static bool link_wanted_as(struct planner *pl, const char *netns, const char *name, enum link_kind kind) {
	struct want_link *w = want_find(pl, netns, name);

	return w && (w->l.kind == kind || (w->l.kind == LINK_NIC && w->provider >= 0) || w->implicit);
}

/* Delete a link in the simulation: its addresses and routes, its ports'
 * master, a veth's peer. */

static int sim_delete_link(struct planner *pl, struct action *a, struct sim_link *sl) {
	const char *netns = sl->l.netns;
	struct sim_ns *ns = sim_ns(pl, netns);
	int r;

	r = sim_link_loses(pl, a, netns, sl->l.name, true);
	if (r < 0)
		return r;
	sl->gone = true;
	for (size_t i = 0; ns && i < ns->n_links; i++)
		if (!ns->links[i].gone && strcmp(ns->links[i].l.master, sl->l.name) == 0) {
			char (*v)[IFNAMSIZ] = realloc(a->ports, (a->n_ports + 1) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			a->ports = v;
			memcpy(v[a->n_ports++], ns->links[i].l.name, IFNAMSIZ);
			ns->links[i].l.master[0] = '\0';
			/* a bond or team closes the ports it lets go; a bond
			 * gives them their permanent MAC back (plan_link_master) */
			if (sl->l.kind == LINK_BOND || sl->l.kind == LINK_TEAM)
				ns->links[i].l.up = false;
			if (sl->l.kind == LINK_BOND)
				ns->links[i].l.set &= ~LINK_SET_MAC;
		}
	if (sl->l.kind == LINK_VETH && sl->l.u.veth.peer[0]) {
		struct sim_link *peer = sim_link(pl, sl->l.u.veth.peer_netns, sl->l.u.veth.peer);

		if (peer && peer != sl) {
			if (!a->have && !(a->have = plan_link_dup(pl, &peer->l)))
				return -ENOMEM;
			r = sim_link_loses(pl, a, peer->l.netns, peer->l.name, true);
			if (r < 0)
				return r;
			peer->gone = true;
			for (size_t i = 0; i < pl->n_ns; i++)
				for (size_t j = 0; j < pl->ns[i].n_links; j++)
					if (!pl->ns[i].links[j].gone && netns_eq(pl->ns[i].name, peer->l.netns) &&
					    strcmp(pl->ns[i].links[j].l.master, peer->l.name) == 0)
						pl->ns[i].links[j].l.master[0] = '\0';
		}
	}
	return 0;
}

/* Where an observed link's lower device is (for a macvlan or vlan moved
 * to another namespace than its lower's): "" for the current one. */

static const char *sim_lower_ns(struct planner *pl, const struct link *l) {
	const char *lower = plan_lower_of(l);

	if (!lower || l->link_netnsid < 0)
		return l->netns ? l->netns : "";
	for (size_t i = 0; i < pl->n_ns; i++) {
		const struct sim_ns *ns = &pl->ns[i];

		if (netns_eq(ns->name, l->netns))
			continue;
		for (size_t j = 0; j < ns->n_links; j++)
			if (!ns->links[j].gone && ns->links[j].l.ifindex == l->link_ifindex &&
			    strcmp(ns->links[j].l.name, lower) == 0)
				return ns->name ? ns->name : "";
	}
	return l->netns ? l->netns : "";
}

/* Whether u (in namespace ns) is a vlan or macvlan on lower, in any
 * namespace. */

static bool sim_is_upper(struct planner *pl, const struct sim_ns *ns, const struct sim_link *u,
                         const struct sim_link *lower) {
	const char *name = plan_lower_of(&u->l);

	if (u->gone || u == lower || !name || strcmp(name, lower->l.name) != 0)
		return false;
	return netns_eq(ns->name, lower->l.netns) ? u->l.link_netnsid < 0 || u->created
	                                          : netns_eq(sim_lower_ns(pl, &u->l), lower->l.netns);
}

/* The vlans and macvlans on a link (the kernel deletes them with it). */

static struct sim_link *sim_upper_of(struct planner *pl, const struct sim_link *lower) {
	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];

		for (size_t j = 0; j < ns->n_links; j++)
			if (sim_is_upper(pl, ns, &ns->links[j], lower))
				return &ns->links[j];
	}
	return NULL;
}

/* The kernel's own changes to the devices on a link that goes down or
 * up: a vlan goes down and up with its lower device (8021q; not one with
 * loose_binding: link_follows_lower_state), and going down it loses its IPv6
 * addresses and its routes, in every table, like any link; the devices
 * on it follow in turn.  A macvlan only follows its lower device's
 * carrier: it keeps its addresses, and its routes are marked linkdown. */

/* Visit the devices on lower (sim_is_upper, in any namespace) and those
 * on them, depth first and at most 8 deep.  visit returns < 0 to stop
 * with that error, 0 to leave the devices on u alone, 1 to visit them. */
typedef int (*upper_visit_fn)(struct planner *pl, struct sim_ns *ns, struct sim_link *u, void *data);

static int sim_walk_uppers(struct planner *pl, const struct sim_link *lower, int guard, upper_visit_fn visit,
                           void *data) {
	if (guard > 8)
		return 0;
	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];

		for (size_t j = 0; j < ns->n_links; j++) {
			struct sim_link *u = &ns->links[j];
			int r;

			if (!sim_is_upper(pl, ns, u, lower))
				continue;
			r = visit(pl, ns, u, data);
			if (r > 0)
				r = sim_walk_uppers(pl, u, guard + 1, visit, data);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* A link goes down: the vlans on it that are down already (and those on
 * them) come up with it again when it does, which the inverse undoes. */

static int visit_stay_down(struct planner *pl, struct sim_ns *ns, struct sim_link *u, void *data) {
	struct action *a = data;
	int r;

	(void)pl;
	if (!link_follows_lower_state(&u->l) || u->l.up)
		return 0;
	r = act_dev_add(&a->stay_down, &a->n_stay_down, ns->name, u->l.name);
	return r < 0 ? r : 1;
}

int sim_vlans_stay_down(struct planner *pl, struct action *a, struct sim_link *lower, int guard) {
	return sim_walk_uppers(pl, lower, guard, visit_stay_down, a);
}

struct follow {
	struct action *a;
	bool up;
	char names[1024];                   /* the devices that followed, for the action's text */
};

static int visit_follow(struct planner *pl, struct sim_ns *ns, struct sim_link *u, void *data) {
	struct follow *f = data;
	size_t len = strlen(f->names);
	char sfx[300];
	int r;

	if (!link_follows_lower_state(&u->l) || u->l.up == f->up)
		return 0;
	u->l.up = f->up;
	snprintf(f->names + len, sizeof(f->names) - len, "%s%s%s", len ? ", " : "", u->l.name,
	         plan_ns_suffix(ns->name, sfx, sizeof(sfx)));
	if (!f->up && (r = sim_link_loses(pl, f->a, ns->name, u->l.name, false)) < 0)
		return r;
	return 1;
}

int sim_link_state_follows(struct planner *pl, struct action *a, struct sim_link *lower, bool up) {
	size_t n_addrs0 = a->n_lost_addrs, n_routes0 = a->n_lost_routes;
	struct follow f = { .a = a, .up = up };
	int r = sim_walk_uppers(pl, lower, 0, visit_follow, &f);

	if (r < 0 || !f.names[0])
		return r;
	r = act_text_add(a, "; the kernel %s %s %s with it", up ? "brings" : "takes", f.names, up ? "up" : "down");
	if (r >= 0)
		r = act_text_lost(a, ", which loses", n_addrs0, n_routes0);
	return r;
}

/* The mtus of the devices on a link (and on those), for the inverse of
 * an action that may lower them to a value the plan does not know. */

struct mtu_walk {
	struct action *a;
	size_t n;
};

static int visit_mtu_back(struct planner *pl, struct sim_ns *ns, struct sim_link *u, void *data) {
	struct mtu_walk *m = data;

	(void)pl;
	if (act_mtu_back_add(m->a, ns->name, u->l.name, u->l.mtu) < 0)
		return -ENOMEM;
	m->n++;
	return 1;
}

/* A port leaves its bond or team, which closes it: the vlans on it go
 * down with it (what they lose, above), and come up with it when the
 * inverse enslaves it again (those that were down go down again).  The
 * bond or team also gives the port back the mtu it had before it joined,
 * which no dump shows, and the kernel lowers the vlans and macvlans on
 * it to that when it is lower: the inverse sets their mtus again, once
 * the port is back (a no-op where nothing was lowered). */

int sim_port_released(struct planner *pl, struct action *a, struct sim_link *port, bool was_up) {
	struct mtu_walk mb = { .a = a };
	int r;

	if (was_up) {
		if ((r = sim_link_loses(pl, a, port->l.netns, port->l.name, false)) < 0 ||
		    (r = sim_vlans_stay_down(pl, a, port, 0)) < 0 || (r = sim_link_state_follows(pl, a, port, false)) < 0)
			return r;
	}
	if ((r = sim_walk_uppers(pl, port, 0, visit_mtu_back, &mb)) < 0)
		return r;
	if (mb.n && act_text_add(a, "; it gets back its mtu from before %s (the devices on it are lowered to it if it is lower)",
	                      a->old_master) < 0)
		return -ENOMEM;
	return 0;
}

int plan_link_delete(struct planner *pl, struct sim_link *sl, enum disruption level, const char *why) {
	char sfx[300];
	struct sim_link *up;
	struct action *a;

	/* the devices on it go first, each with what undoing needs */
	while ((up = sim_upper_of(pl, sl))) {
		char buf[IFNAMSIZ + 64];
		int r;

		if (!plan_owned_link(pl, up->l.netns, up->l.name, up->l.kind) && !up->created &&
		    !want_find(pl, up->l.netns, up->l.name))
			return plan_fail(pl, -EBUSY, "link %s%s: deleting it would delete %s, which hanet did not create", sl->l.name,
			            plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)), up->l.name);
		snprintf(buf, sizeof(buf), "(its lower device %s goes)", sl->l.name);
		r = plan_link_delete(pl, up, level, buf);
		if (r < 0)
			return r;
	}
	a = act_new(pl, ACT_LINK_DELETE, level, sl->l.netns, sl->l.name);

	if (!a)
		return -ENOMEM;
	a->link = plan_link_dup(pl, &sl->l);
	if (!a->link)
		return -ENOMEM;
	a->sock_netns = plan_intern_peer(pl, sim_lower_ns(pl, &sl->l));
	if (act_text(a, "link %s%s: delete %s%s%s", sl->l.name, plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
	             link_kind_name(sl->l.kind), why ? " " : "", why ? why : "") < 0)
		return -ENOMEM;
	return sim_delete_link(pl, a, sl);
}

int plan_remove_links(struct planner *pl) {
	struct owner *o = pl->in->owner;

	for (int rank = 0; rank <= 1; rank++)
		for (size_t i = o->n_links; i-- > 0;) {
			const struct owned_link *ol = &o->links[i];
			struct sim_link *sl = sim_link(pl, ol->netns, ol->name);
			int r;

			if (!sl || sl->l.kind != ol->kind || link_rank(&sl->l) != rank || sim_ns(pl, ol->netns)->doomed)
				continue;
			if (link_wanted_as(pl, ol->netns, ol->name, ol->kind))
				continue;
			r = plan_link_delete(pl, sl, DISRUPT_LIVE, NULL);
			if (r < 0)
				return r;
		}
	return 0;
}

static bool profile_declares_netns(const struct planner *pl, const char *netns) {
	return pl->prof && profile_find_netns(pl->prof, netns);
}

/* Devices hanet changed but did not create, dropped from the profile:
 * give back what they had. */

int plan_restore_nics(struct planner *pl) {
	struct owner *o = pl->in->owner;
	char sfx[300];

	for (size_t i = 0; i < o->n_nics; i++) {
		const struct owned_nic *n = &o->nics[i];
		struct want_link *w = want_find(pl, n->netns, n->name);
		struct sim_link *sl = sim_link(pl, n->netns, n->name);
		int r;

		if (!sl)
			continue;
		if (w && (w->l.kind == LINK_NIC || !plan_kind_is_created(w->l.kind)))
			continue;   /* still declared: its keys are compared in the creation phases */
		if (strcmp(n->name, "lo") == 0 && n->netns && profile_declares_netns(pl, n->netns))
			continue;   /* the loopback of a [netns] still declared: updown() */
		if (!w) {
			/* still declared, in another namespace: it moves there */
			bool moves = false;

			for (size_t j = 0; j < pl->n_want; j++)
				if (pl->want[j].l.kind == LINK_NIC && pl->want[j].provider < 0 &&
				    strcmp(pl->want[j].l.name, n->name) == 0 && !sim_link(pl, pl->want[j].l.netns, n->name))
					moves = true;
			if (moves)
				continue;
		}
		if ((n->set & NIC_ORIG_MASTER) && strcmp(sl->l.master, n->orig_master) != 0) {
			r = plan_link_master(pl, sl, n->orig_master, 0, DISRUPT_LIVE);
			if (r < 0)
				return r;
		}
		if (n->set & (LINK_SET_MTU | LINK_SET_MAC | LINK_SET_ALIAS)) {
			r = plan_link_set(pl, sl, n->set & (LINK_SET_MTU | LINK_SET_MAC | LINK_SET_ALIAS), n->mtu, n->mac,
			                  n->alias, 0, true);
			if (r < 0)
				return r;
		}
		if ((n->set & LINK_SET_STATE) && n->up != sl->l.up) {
			r = plan_link_state(pl, sl, n->up, 0, DISRUPT_FLAP);
			if (r < 0)
				return r;
		}
		if ((n->set & NIC_ORIG_NETNS) && !netns_eq(n->orig_netns, n->netns)) {
			struct action *a = act_new(pl, ACT_LINK_MOVE, DISRUPT_FLAP, n->netns, n->name);
			struct sim_ns *to = sim_ns(pl, n->orig_netns);

			if (!a)
				return -ENOMEM;
			a->to_netns = plan_intern(pl, n->orig_netns);
			if (act_text(a, "link %s%s: move back to netns %s", n->name, plan_ns_suffix(n->netns, sfx, sizeof(sfx)),
			             netns_str(n->orig_netns)) < 0)
				return -ENOMEM;
			r = sim_link_loses(pl, a, n->netns, n->name, true);
			if (r < 0)
				return r;
			sl->gone = true;
			if (to && to->exists) {
				struct sim_link *moved = sim_link_add(pl, to, &sl->l);

				if (!moved)
					return -ENOMEM;
				moved->l.up = false;
				moved->l.master[0] = '\0';
			}
		}
		/* the last action of this device forgets its record */
		if (pl->p->n && strcmp(pl->p->v[pl->p->n - 1].name, n->name) == 0)
			pl->p->v[pl->p->n - 1].nic_restore = true;
	}
	return 0;
}

static bool want_forwarding(struct planner *pl, const char *netns, bool *ret) {
	const struct netns_conf *n = pl->prof ? profile_find_netns(pl->prof, netns) : NULL;

	if (!n || !(n->set & NETNS_SET_FORWARDING))
		return false;
	*ret = n->forwarding;
	return true;
}

static bool want_netns(struct planner *pl, const char *netns) {
	return profile_declares_netns(pl, netns);
}

int plan_restore_sysctls(struct planner *pl) {
	struct owner *o = pl->in->owner;
	char sfx[300];

	for (size_t i = 0; i < o->n_sysctls; i++) {
		const struct owned_sysctl *s = &o->sysctls[i];
		struct sim_ns *ns = sim_ns(pl, s->netns);
		bool fwd;
		struct action *a;

		if (want_forwarding(pl, s->netns, &fwd) || !ns || !ns->exists)
			continue;
		if (owner_has_netns(o, s->netns) && !want_netns(pl, s->netns))
			continue;   /* goes with its namespace */
		if (ns->fwd4 == s->forwarding4 && ns->fwd6 == s->forwarding6)
			continue;
		a = act_new(pl, ACT_FORWARDING, DISRUPT_LIVE, s->netns, NULL);
		if (!a)
			return -ENOMEM;
		a->fwd4 = s->forwarding4;
		a->fwd6 = s->forwarding6;
		a->old_fwd4 = ns->fwd4;
		a->old_fwd6 = ns->fwd6;
		a->fwd_forget = true;
		ns->fwd4 = a->fwd4;
		ns->fwd6 = a->fwd6;
		if (act_text(a, "netns %s: forwarding ipv4 %s ipv6 %s (restored)", netns_str(s->netns),
		             a->fwd4 ? "on" : "off", a->fwd6 ? "on" : "off") < 0)
			return -ENOMEM;
		(void)sfx;
	}
	return 0;
}

/* A namespace hanet made, dropped from the profile, that holds nothing
 * but what hanet made and no longer wants: deleting it takes it all
 * along in the kernel, at once (one veth deleted alone costs the kernel
 * tens of milliseconds).  Not when one of its veths has its peer in a
 * namespace that stays, nor when a vlan/macvlan elsewhere that hanet
 * did not make or still wants sits on one of its devices.  These
 * deletions are the last steps of a plan; undoing one makes the
 * namespace again, empty. */

static bool doomed_link_ok(struct planner *pl, const struct sim_link *sl) {
	bool owned = plan_owned_link(pl, sl->l.netns, sl->l.name, sl->l.kind);

	if (strcmp(sl->l.name, "lo") == 0)
		return true;
	/* a veth pair is recorded by the end hanet created it from */
	if (!owned && sl->l.kind == LINK_VETH && sl->l.u.veth.peer[0])
		owned = plan_owned_link(pl, sl->l.u.veth.peer_netns, sl->l.u.veth.peer, LINK_VETH);
	return owned && !want_find(pl, sl->l.netns, sl->l.name);
}

void plan_doom_netns(struct planner *pl) {
	struct owner *o = pl->in->owner;
	bool changed, any = false;

	for (size_t i = 0; i < o->n_netns; i++) {
		struct sim_ns *ns = sim_ns(pl, o->netns[i]);

		if (!ns || !ns->exists || !ns->obs || want_netns(pl, o->netns[i]))
			continue;
		ns->doomed = true;
		for (size_t j = 0; j < ns->n_links && ns->doomed; j++)
			if (!ns->links[j].gone && !doomed_link_ok(pl, &ns->links[j]))
				ns->doomed = false;
		any |= ns->doomed;
	}
	if (!any)
		return;
	do {
		changed = false;
		for (size_t i = 0; i < pl->n_ns; i++) {
			struct sim_ns *ns = &pl->ns[i];

			for (size_t j = 0; j < ns->n_links; j++) {
				const struct sim_link *sl = &ns->links[j];
				struct sim_ns *other;

				if (sl->gone)
					continue;
				if (sl->l.kind == LINK_VETH && ns->doomed && sl->l.u.veth.peer[0]) {
					/* a pair deleted from the other end, one that
					 * stays, takes this end's addresses along
					 * unrecorded: its namespace goes step by step */
					other = sim_ns(pl, sl->l.u.veth.peer_netns);
					if (other && other != ns && !other->doomed) {
						ns->doomed = false;
						changed = true;
					}
				} else if (!ns->doomed && plan_lower_of(&sl->l) && sl->l.link_netnsid >= 0) {
					other = sim_ns(pl, sim_lower_ns(pl, &sl->l));
					if (other && other != ns && other->doomed && !doomed_link_ok(pl, sl)) {
						other->doomed = false;
						changed = true;
					}
				}
			}
		}
	} while (changed);
}

int plan_remove_netns(struct planner *pl) {
	struct owner *o = pl->in->owner;

	for (size_t i = o->n_netns; i-- > 0;) {
		const char *name = o->netns[i];
		struct sim_ns *ns = sim_ns(pl, name);
		struct action *a;
		char foreign[256] = "";
		size_t len = 0;

		if (!ns || !ns->exists || want_netns(pl, name))
			continue;
		for (size_t j = 0; !ns->doomed && j < ns->n_links; j++) {
			const struct sim_link *sl = &ns->links[j];

			if (sl->gone || strcmp(sl->l.name, "lo") == 0)
				continue;
			if (len < sizeof(foreign))
				len += (size_t)snprintf(foreign + len, sizeof(foreign) - len, "%s%s", len ? ", " : "", sl->l.name);
		}
		if (len) {
			if (plan_note(pl, "netns %s kept: it holds devices hanet did not create (%s)", name, foreign) < 0)
				return -ENOMEM;
			continue;
		}
		a = act_new(pl, ACT_NETNS_DEL, DISRUPT_LIVE, name, NULL);
		if (!a)
			return -ENOMEM;
		a->old_fwd4 = ns->fwd4;
		a->old_fwd6 = ns->fwd6;
		for (size_t j = 0; j < ns->n_links; j++)
			if (!ns->links[j].gone && strcmp(ns->links[j].l.name, "lo") == 0)
				a->lo_up = ns->links[j].l.up;
		if (ns->doomed) {
			size_t n = 0;

			for (size_t j = 0; j < ns->n_links; j++)
				n += !ns->links[j].gone && strcmp(ns->links[j].l.name, "lo") != 0;
			if (n && act_text(a, "netns %s: delete, with the %zu device%s hanet made in it", name, n,
			                  n == 1 ? "" : "s") < 0)
				return -ENOMEM;
			if (!n && act_text(a, "netns %s: delete", name) < 0)
				return -ENOMEM;
		} else if (act_text(a, "netns %s: delete", name) < 0) {
			return -ENOMEM;
		}
		ns->exists = false;
		for (size_t j = 0; j < ns->n_links; j++)
			ns->links[j].gone = true;
		for (size_t j = 0; j < ns->n_addrs; j++)
			ns->addrs[j].gone = true;
	}
	return 0;
}
