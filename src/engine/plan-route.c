/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan-internal.h"

/* ---- routes ---------------------------------------------------------------------------- */

int plan_build_want_routes(struct planner *pl) {
	const struct route_index *ix = pl->in->routes;

	if (!ix)
		return 0;
	pl->routes = ix->v;
	pl->n_routes = ix->n;
	pl->p->n_routes_total = ix->n;
	pl->present = malloc(ix->n ? ix->n : 1);
	if (!pl->present)
		return -ENOMEM;
	memcpy(pl->present, ix->present, ix->n);
	for (size_t i = 0; i < ix->n; i++)
		if (!sim_ns_add(pl, ix->v[i]->netns))
			return -ENOMEM;
	return 0;
}

static int push(const struct route ***v, size_t n, const struct route *r) {
	const struct route **nv = realloc(*v, (n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	nv[n] = r;
	*v = nv;
	return 0;
}

static int route_action(struct planner *pl, enum action_type type, const char *netns, const char *object,
                        const struct route **routes, const struct route **old, size_t n) {
	char buf[256], sfx[300];
	struct action *a = act_new(pl, type, DISRUPT_LIVE, netns, NULL);
	const char *verb = type == ACT_ROUTE_ADD ? "add" : "replace";

	/* the arrays are the action's (freed with it), or freed here */
	if (!a) {
		free(routes);
		free(old);
		return -ENOMEM;
	}
	a->routes = routes;
	a->old_routes = old;
	a->n_routes = n;
	a->object = object;
	a->owned = true;
	if (n == 1 && routes[0]->name)
		return act_text(a, "route %s%s: %s %s", routes[0]->name, plan_ns_suffix(netns, sfx, sizeof(sfx)), verb,
		                route_format(routes[0], buf, sizeof(buf)));
	if (n == 1)
		return act_text(a, "route%s: %s %s", plan_ns_suffix(netns, sfx, sizeof(sfx)), verb,
		                route_format(routes[0], buf, sizeof(buf)));
	return act_text(a, "routes %s%s: %s %zu routes", object ? object : "", plan_ns_suffix(netns, sfx, sizeof(sfx)), verb, n);
}

/* Compare one desired route; queue it for adding or replacing. */

static int route_want(struct planner *pl, size_t idx_want, struct route_group *g) {
	const struct route *r = pl->routes[idx_want];
	struct sim_ns *ns = sim_ns(pl, r->netns);
	struct route_key k;
	uint32_t idx;
	const struct route *have;
	char why[256], buf[256], sfx[300];
	int q;

	if (pl->present[idx_want])
		return 0;
	if (!ns || !ns->exists)
		return plan_fail(pl, -ENOENT, "route %s: netns %s does not exist", route_format(r, buf, sizeof(buf)),
		            netns_str(r->netns));
	route_key_of(r, &k);
	if (!ns->obs || !route_map_get(ns->route_idx, &k, &idx) || ns->route_gone[idx])
		return push(&g->add, g->n_add++, r);
	have = &ns->obs->routes[idx];
	if (route_matches(r, have, why, sizeof(why)))
		return 0;
	if (have->protocol != RTPROT_HANET) {
		return plan_fail(pl, -EEXIST, "route %s%s: a route hanet did not create is in the way (%s)",
		            route_key_format(&k, buf, sizeof(buf)), plan_ns_suffix(r->netns, sfx, sizeof(sfx)), why);
	}
	q = plan_load_owner_routes(pl);
	if (q < 0)
		return q;
	if (!owner_has_route(pl->in->owner, r->netns, &k))
		return plan_fail(pl, -EEXIST, "route %s%s: a route of another profile is in the way (%s)",
		            route_key_format(&k, buf, sizeof(buf)), plan_ns_suffix(r->netns, sfx, sizeof(sfx)), why);
	q = push(&g->old, g->n_rep, have);
	if (q < 0)
		return q;
	return push(&g->rep, g->n_rep++, r);
}

int plan_routes(struct planner *pl) {
	const struct profile *p = pl->prof;
	size_t i = 0;
	int r;

	/* [route NAME]: one action each */
	for (; p && i < p->n_routes; i++) {
		struct route_group g = { 0 };

		r = route_want(pl, i, &g);
		if (r < 0) {
			free(g.add);
			free(g.rep);
			free(g.old);
			return r;
		}
		if (g.n_add)
			r = route_action(pl, ACT_ROUTE_ADD, pl->routes[i]->netns, pl->routes[i]->name, g.add, NULL, 1);
		else if (g.n_rep) {
			r = route_action(pl, ACT_ROUTE_REPLACE, pl->routes[i]->netns, pl->routes[i]->name, g.rep, g.old, 1);
			if (r >= 0)
				pl->p->v[pl->p->n - 1].owned = true;
		}
		if (r < 0)
			return r;
	}
	/* [routes NAME]: one add and one replace action per section */
	while (i < pl->n_routes) {
		size_t file = pl->in->bulk_file ? pl->in->bulk_file[i - (p ? p->n_routes : 0)] : 0;
		const char *netns = pl->routes[i]->netns;
		const char *object = p && file < p->n_routes_files ? p->routes_files[file].name : NULL;
		struct route_group g = { 0 };

		for (; i < pl->n_routes; i++) {
			size_t f = pl->in->bulk_file ? pl->in->bulk_file[i - (p ? p->n_routes : 0)] : 0;

			if (f != file)
				break;
			r = route_want(pl, i, &g);
			if (r < 0) {
				free(g.add);
				free(g.rep);
				free(g.old);
				return r;
			}
		}
		if (g.n_add && (r = route_action(pl, ACT_ROUTE_ADD, netns, object, g.add, NULL, g.n_add)) < 0) {
			free(g.rep);
			free(g.old);
			return r;
		}
		if (g.n_rep && (r = route_action(pl, ACT_ROUTE_REPLACE, netns, object, g.rep, g.old, g.n_rep)) < 0)
			return r;
		if (!g.n_add)
			free(g.add);
		if (!g.n_rep) {
			free(g.rep);
			free(g.old);
		}
	}
	return 0;
}

int plan_rules(struct planner *pl) {
	char buf[256], sfx[300];

	for (size_t i = 0; pl->prof && i < pl->prof->n_rules; i++) {
		const struct rule *u = &pl->prof->rules[i];
		struct sim_ns *ns = sim_ns(pl, u->netns);
		bool found = false;
		struct action *a;

		if (!ns || !ns->exists)
			return plan_fail(pl, -ENOENT, "rule %s: netns %s does not exist", u->name, netns_str(u->netns));
		for (size_t j = 0; ns->obs && j < ns->obs->n_rules; j++)
			if (!ns->rule_gone[j] && rule_matches(u, &ns->obs->rules[j]))
				found = true;
		if (found)
			continue;
		a = act_new(pl, ACT_RULE_ADD, DISRUPT_LIVE, u->netns, NULL);
		if (!a)
			return -ENOMEM;
		a->rule = act_rule(u);
		if (!a->rule)
			return -ENOMEM;
		a->rule->netns = a->netns;
		a->rule->family = rule_family(u);
		a->object = u->name;
		a->owned = true;
		if (act_text(a, "rule %s%s: add %s", u->name, plan_ns_suffix(u->netns, sfx, sizeof(sfx)),
		             rule_format(u, buf, sizeof(buf))) < 0)
			return -ENOMEM;
	}
	return 0;
}
