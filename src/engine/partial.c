/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The part of a profile that does not depend on missing devices (partial.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link-ops.h"
#include "partial.h"
#include "observe.h"
#include "util.h"

static bool ns_declared(const struct profile *p, const char *netns) {
	return profile_find_netns(p, netns) != NULL;
}

/* A namespace objects can go to: the current one, a declared one (apply
 * makes it), or one that exists. */
static bool ns_usable(const struct profile *p, const struct state *st, const char *netns) {
	const struct ns_state *ns;

	if (!netns || !*netns || ns_declared(p, netns))
		return true;
	ns = state_ns(st, netns);
	return ns && ns->exists;
}

static const char *veth_peer_ns(const struct link *l) {
	return l->u.veth.peer_netns ? (*l->u.veth.peer_netns ? l->u.veth.peer_netns : NULL) : l->netns;
}

/* The veth of the profile that makes (netns, name) as its peer, or -1. */
static ssize_t veth_provider(const struct profile *p, const char *netns, const char *name) {
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		if (l->kind == LINK_VETH && strcmp(l->u.veth.peer, name) == 0 && netns_eq(veth_peer_ns(l), netns))
			return (ssize_t)i;
	}
	return -1;
}

static bool removed_name(const struct profile *p, const bool *removed, const char *name) {
	for (size_t i = 0; i < p->n_links; i++)
		if (removed[i] && strcmp(p->links[i].name, name) == 0)
			return true;
	return false;
}

/* Append "WHAT NAME" to the list of what is missing. */
static void note(struct profile_view *v, const char *what, const char *name) {
	size_t len = strlen(v->missing);

	if (len + 4 >= sizeof(v->missing))
		return;
	snprintf(v->missing + len, sizeof(v->missing) - len, "%s%s %s", len ? ", " : "", what, name);
}

/* Say a missing namespace once. */
static void note_ns(struct profile_view *v, const struct profile *p, const struct state *st, const char *netns) {
	char buf[NETNS_NAME_MAX + 16];

	if (ns_usable(p, st, netns))
		return;
	snprintf(buf, sizeof(buf), "netns %s", netns);
	for (const char *s = strstr(v->missing, buf); s; s = strstr(s + 1, buf))
		if (s[strlen(buf)] == '\0' || s[strlen(buf)] == ',')
			return;
	note(v, "netns", netns);
}

/* Which links go: missing devices and namespaces, then what stands on them. */
static bool mark_removed(const struct profile *p, const struct state *st, bool *removed, struct profile_view *v) {
	bool any = false, changed;

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		if (!ns_usable(p, st, l->netns) || (l->kind == LINK_VETH && !ns_usable(p, st, veth_peer_ns(l)))) {
			removed[i] = any = true;
			note_ns(v, p, st, l->netns);
			if (l->kind == LINK_VETH)
				note_ns(v, p, st, veth_peer_ns(l));
			continue;
		}
		if (l->kind != LINK_NIC || veth_provider(p, l->netns, l->name) >= 0)
			continue;
		if (state_link(st, l->netns, l->name) || (l->netns && state_link(st, NULL, l->name)))
			continue;
		removed[i] = any = true;
		note(v, "link", l->name);
		if (l->netns) {
			size_t len = strlen(v->missing);

			snprintf(v->missing + len, sizeof(v->missing) - len, " (netns %s)", l->netns);
		}
	}
	do {
		changed = false;
		for (size_t i = 0; i < p->n_links; i++) {
			const struct link *l = &p->links[i];
			const char *lower = NULL;
			ssize_t prov;

			if (removed[i])
				continue;
			lower = link_lower(l);
			prov = l->kind == LINK_NIC ? veth_provider(p, l->netns, l->name) : -1;
			if ((lower && removed_name(p, removed, lower)) || (prov >= 0 && removed[prov])) {
				removed[i] = changed = any = true;
			}
		}
	} while (changed);
	return any;
}

/* A port list without the removed names; NULL when nothing changes. */
static int filter_ports(struct profile_view *v, const struct profile *p, const bool *removed, struct link *l,
                        struct namelist *ports) {
	struct namelist *nl, *lists;
	bool change = false;

	for (size_t i = 0; i < ports->n; i++)
		change |= removed_name(p, removed, ports->v[i]);
	if (!change)
		return 0;
	lists = realloc(v->lists, (v->n_lists + 1) * sizeof(*lists));
	if (!lists)
		return -ENOMEM;
	v->lists = lists;
	nl = &v->lists[v->n_lists];
	memset(nl, 0, sizeof(*nl));
	v->n_lists++;
	if (l->kind == LINK_TEAM && l->u.team.port_priority) {
		int32_t **pv = realloc(v->prios, (v->n_prios + 1) * sizeof(*pv));
		bool **sv = pv ? realloc(v->prio_sets, (v->n_prios + 1) * sizeof(*sv)) : NULL;
		size_t k = 0;

		if (pv)
			v->prios = pv;
		if (sv)
			v->prio_sets = sv;
		if (!pv || !sv)
			return -ENOMEM;
		pv[v->n_prios] = calloc(ports->n, sizeof(int32_t));
		sv[v->n_prios] = calloc(ports->n, sizeof(bool));
		v->n_prios++;
		if (!pv[v->n_prios - 1] || !sv[v->n_prios - 1])
			return -ENOMEM;
		for (size_t i = 0; i < ports->n; i++) {
			if (removed_name(p, removed, ports->v[i]))
				continue;
			pv[v->n_prios - 1][k] = l->u.team.port_priority[i];
			sv[v->n_prios - 1][k] = l->u.team.port_priority_set && l->u.team.port_priority_set[i];
			k++;
		}
		l->u.team.port_priority = pv[v->n_prios - 1];
		l->u.team.port_priority_set = sv[v->n_prios - 1];
	}
	for (size_t i = 0; i < ports->n; i++)
		if (!removed_name(p, removed, ports->v[i]) && namelist_add(nl, ports->v[i]) < 0)
			return -ENOMEM;
	*ports = *nl;
	return 0;
}

static bool route_kept(const struct profile *p, const struct state *st, const bool *removed, const struct route *r) {
	if (!ns_usable(p, st, r->netns))
		return false;
	if ((r->set & ROUTE_SET_DEV) && r->dev[0] && removed_name(p, removed, r->dev))
		return false;
	for (size_t i = 0; i < r->n_nexthops; i++)
		if (r->nexthops[i].dev[0] && removed_name(p, removed, r->nexthops[i].dev))
			return false;
	return true;
}

struct kept {
	const struct profile *p;
	const struct state *st;
	const bool *removed;
};

static bool route_kept_cb(const struct route *r, void *data) {
	const struct kept *k = data;

	return route_kept(k->p, k->st, k->removed, r);
}

/* Positions in an array, ascending: what a view or a scope takes. */
struct pick {
	size_t *v;
	size_t n, cap;
};

static int pick_add(struct pick *pk, size_t pos) {
	if (pk->n == pk->cap) {
		size_t cap = pk->cap ? pk->cap * 2 : 8;
		size_t *v = realloc(pk->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pk->v = v;
		pk->cap = cap;
	}
	pk->v[pk->n++] = pos;
	return 0;
}

static int cmp_pos(const void *a, const void *b) {
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void pick_sort(struct pick *pk) {
	if (pk->n > 1)
		qsort(pk->v, pk->n, sizeof(*pk->v), cmp_pos);
}

static void pick_fini(struct pick *pk) {
	free(pk->v);
	*pk = (struct pick){ 0 };
}

/* The routes of the session's index that keep() takes. */
static int pick_routes(const struct route_index *routes, bool (*keep)(const struct route *r, void *data), void *data,
                       struct pick *pk) {
	for (size_t i = 0; i < routes->n; i++)
		if (keep(routes->v[i], data) && pick_add(pk, i) < 0)
			return -ENOMEM;
	return 0;
}

/* The routes of a view: those of the session's index `routes` at the
 * positions kept (ascending), each with its `present`.  [route] sections
 * are copied into the view's profile (which lists them), bulk routes are
 * shared.  The index points at the view's copy of a section, or with
 * `shared` at the session's own route (a scope: its plan's actions then
 * name the same routes as the whole profile's). */
static int view_routes(struct profile_view *v, const struct profile *p, const struct route_index *routes,
                       size_t n_bulk, const size_t *bulk_file, bool shared, const struct pick *kept) {
	size_t n_sections = routes->n - n_bulk, n_kept = kept->n, n_copies = 0;
	const struct route **rv = NULL;
	char err[256];
	int r = -ENOMEM;

	for (size_t k = 0; k < n_kept; k++)
		n_copies += kept->v[k] < n_sections && kept->v[k] < p->n_routes;
	/* arrays of the size kept: a scope of one namespace among a
	 * thousand copies a few routes, not the whole profile's */
	rv = calloc(n_kept ? n_kept : 1, sizeof(*rv));
	v->bulk_file = malloc((n_kept - n_copies ? n_kept - n_copies : 1) * sizeof(*v->bulk_file));
	v->profile.routes = malloc((n_copies ? n_copies : 1) * sizeof(struct route));
	v->profile.n_routes = 0;
	if (!rv || !v->bulk_file || !v->profile.routes)
		goto out;
	for (size_t k = 0; k < n_kept; k++) {
		size_t i = kept->v[k];

		rv[k] = routes->v[i];
		if (i < n_sections && i < p->n_routes) {
			struct route *c = &v->profile.routes[v->profile.n_routes++];

			*c = *routes->v[i];
			if (!shared)
				rv[k] = c;
		} else {
			v->bulk_file[v->n_bulk++] = bulk_file ? bulk_file[i - n_sections] : 0;
		}
	}
	r = route_index_build(&v->routes, rv, n_kept, err, sizeof(err));
	if (r < 0)
		goto out;
	for (size_t k = 0; k < n_kept; k++)
		v->routes.present[k] = routes->present[kept->v[k]];
	r = 0;
out:
	free(rv);
	return r;
}

int profile_view_build(const struct profile *p, const struct route_index *routes, size_t n_bulk,
                       const size_t *bulk_file, const struct state *st, struct profile_view **ret) {
	struct profile_view *v = calloc(1, sizeof(*v));
	bool *removed = calloc(p->n_links ? p->n_links : 1, sizeof(bool));
	int r = -ENOMEM;

	if (!v || !removed)
		goto fail;
	if (!mark_removed(p, st, removed, v)) {
		bool ns_missing = false;

		for (size_t i = 0; i < p->n_vips; i++)
			ns_missing |= !ns_usable(p, st, p->vips[i].netns);
		for (size_t i = 0; i < p->n_rules; i++)
			ns_missing |= !ns_usable(p, st, p->rules[i].netns);
		for (size_t i = 0; routes && i < routes->n; i++)
			ns_missing |= !ns_usable(p, st, routes->v[i]->netns);
		if (!ns_missing) {
			r = -ENODATA;
			goto fail;
		}
	}
	for (size_t i = 0; i < p->n_vips; i++)
		note_ns(v, p, st, p->vips[i].netns);
	for (size_t i = 0; i < p->n_rules; i++)
		note_ns(v, p, st, p->rules[i].netns);
	for (size_t i = 0; routes && i < routes->n; i++)
		note_ns(v, p, st, routes->v[i]->netns);
	v->profile = *p;
	v->profile.index = NULL;            /* arrays of its own: indexed below */
	v->profile.links = calloc(p->n_links ? p->n_links : 1, sizeof(struct link));
	v->profile.vips = calloc(p->n_vips ? p->n_vips : 1, sizeof(struct vip));
	v->profile.routes = routes ? NULL : calloc(1, sizeof(struct route));
	v->profile.rules = calloc(p->n_rules ? p->n_rules : 1, sizeof(struct rule));
	if (!v->profile.links || !v->profile.vips || (!routes && !v->profile.routes) || !v->profile.rules)
		goto fail;
	v->profile.n_links = v->profile.n_vips = v->profile.n_routes = v->profile.n_rules = 0;

	for (size_t i = 0; i < p->n_links; i++) {
		struct link *l;

		if (removed[i])
			continue;
		l = &v->profile.links[v->profile.n_links++];
		*l = p->links[i];
		r = link_ports(l) ? filter_ports(v, p, removed, l, link_ports(l)) : 0;
		if (r >= 0 && l->kind == LINK_BOND && (l->u.bond.set & (1ull << BOND_OPT_PRIMARY)) &&
		    removed_name(p, removed, l->u.bond.primary))
			l->u.bond.set &= ~(1ull << BOND_OPT_PRIMARY);
		if (r < 0)
			goto fail;
		if (l->master[0] && removed_name(p, removed, l->master))
			l->master[0] = '\0';
	}
	for (size_t i = 0; i < p->n_vips; i++)
		if (ns_usable(p, st, p->vips[i].netns) && !removed_name(p, removed, p->vips[i].dev))
			v->profile.vips[v->profile.n_vips++] = p->vips[i];
	for (size_t i = 0; i < p->n_rules; i++)
		if (ns_usable(p, st, p->rules[i].netns))
			v->profile.rules[v->profile.n_rules++] = p->rules[i];
	r = profile_index_build(&v->profile);
	if (r < 0)
		goto fail;

	if (routes) {
		struct kept k = { p, st, removed };
		struct pick kept = { 0 };

		r = pick_routes(routes, route_kept_cb, &k, &kept);
		if (r >= 0)
			r = view_routes(v, p, routes, n_bulk, bulk_file, false, &kept);
		pick_fini(&kept);
		if (r < 0)
			goto fail;
	}
	free(removed);
	*ret = v;
	return 0;
fail:
	free(removed);
	profile_view_free(v);
	return r;
}

void profile_view_free(struct profile_view *v) {
	if (!v)
		return;
	for (size_t i = 0; i < v->n_lists; i++)
		namelist_fini(&v->lists[i]);
	free(v->lists);
	for (size_t i = 0; i < v->n_prios; i++) {
		free(v->prios[i]);
		free(v->prio_sets[i]);
	}
	free(v->prios);
	free(v->prio_sets);
	if (v->owns_netns)
		free(v->profile.netns);
	free(v->profile.links);
	free(v->profile.vips);
	free(v->profile.routes);
	free(v->profile.rules);
	profile_index_free(v->profile.index);
	route_index_fini(&v->routes);
	free(v->bulk_file);
	free(v);
}

/* ---- a scope: the namespaces a repair is about ---------------------------------------------------- */

/* A scope's state: the scoped namespaces as observed, then a shadow of
 * each namespace a veth of theirs has its peer in, with only that peer
 * and the loopback, out of any master (what else is there is not the
 * scope's business: its plan neither sees nor changes it). */

struct scope_state {
	struct state st;
	size_t first_shadow;
};

static int shadow_add(struct scope_state *ss, const struct ns_state *o, const struct namemap *peers) {
	struct ns_state *x = &ss->st.ns[ss->st.n_ns];
	uint8_t *take = malloc(o->n_links ? o->n_links : 1);
	size_t n = 0;

	if (!take)
		return -ENOMEM;
	for (size_t j = 0; j < o->n_links; j++) {
		take[j] = strcmp(o->links[j].name, "lo") == 0 || namemap_get(peers, o->name, o->links[j].name);
		n += take[j];
	}
	memset(x, 0, sizeof(*x));
	x->name = o->name;
	x->exists = o->exists;
	x->forwarding4 = o->forwarding4;
	x->forwarding6 = o->forwarding6;
	x->links = calloc(n ? n : 1, sizeof(*x->links));
	if (!x->links) {
		free(take);
		return -ENOMEM;
	}
	ss->st.n_ns++;
	for (size_t j = 0; j < o->n_links; j++) {
		if (!take[j])
			continue;
		x->links[x->n_links] = o->links[j];
		x->links[x->n_links].master[0] = '\0';
		x->n_links++;
	}
	free(take);
	return namemap_put(&ss->st.index, x->name, NULL, x);
}

/* in(), asked once for a run of objects in one namespace or two (a
 * profile lists a router's objects together, its veth's peer in the
 * bridges' namespace between): the last two answers, by the name's
 * pointer (interned: one pointer, one name). */
struct scope_in {
	netns_pred_fn in;
	void *data;
	const char *ns[2];
	bool val[2], known[2];
	unsigned next;
};

static bool scope_has(struct scope_in *x, const char *netns) {
	unsigned k;

	for (k = 0; k < 2; k++)
		if (x->known[k] && x->ns[k] == netns)
			return x->val[k];
	k = x->next;
	x->next ^= 1;
	x->ns[k] = netns;
	x->known[k] = true;
	return x->val[k] = x->in(netns, x->data);
}

static bool route_in_cb(const struct route *r, void *data) {
	return scope_has(data, r->netns);
}

/* What a scope takes, by position (ascending): the profile's links,
 * VIPs, rules, namespace sections and routes; the observed namespaces
 * (scoped) and those holding a peer of a scoped veth (shadows); and the
 * peers, (netns, name). */
struct scope_picks {
	struct pick link, vip, rule, netns, route, st, shadow;
	struct namemap peers, peer_ns;
};

static void picks_each(struct scope_picks *pk, void (*fn)(struct pick *pk)) {
	struct pick *all[] = { &pk->link, &pk->vip, &pk->rule, &pk->netns, &pk->route, &pk->st, &pk->shadow };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		fn(all[i]);
}

static void picks_fini(struct scope_picks *pk) {
	picks_each(pk, pick_fini);
	namemap_clear(&pk->peers);
	namemap_clear(&pk->peer_ns);
}

/* A scoped veth's peer outside the scope: its namespace is shadowed. */
static int picks_peer(struct scope_picks *pk, const struct link *l, bool peer_in_scope) {
	if (l->kind != LINK_VETH || peer_in_scope)
		return 0;
	if (namemap_put(&pk->peers, veth_peer_ns(l), l->u.veth.peer, (void *)1) < 0 ||
	    namemap_put(&pk->peer_ns, veth_peer_ns(l), NULL, (void *)1) < 0)
		return -ENOMEM;
	return 0;
}

/* A namespace section is taken when its namespace is scoped, or shadowed
 * and observed. */
static bool netns_taken(const struct scope_picks *pk, const struct state *st, const char *name, bool scoped) {
	return scoped || (pk->peer_ns.n && namemap_get(&pk->peer_ns, name, NULL) && state_ns(st, name));
}

/* The picks of the namespaces in() says yes to: one pass over the whole
 * profile and state (a scope of many namespaces). */
static int picks_scan(const struct profile *p, const struct route_index *routes, const struct state *st,
                      netns_pred_fn in, void *data, struct scope_picks *pk) {
	struct scope_in x = { .in = in, .data = data };

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];

		if (!scope_has(&x, l->netns))
			continue;
		if (pick_add(&pk->link, i) < 0 || picks_peer(pk, l, l->kind == LINK_VETH && scope_has(&x, veth_peer_ns(l))) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < st->n_ns; i++) {
		if (scope_has(&x, st->ns[i].name)) {
			if (pick_add(&pk->st, i) < 0)
				return -ENOMEM;
		} else if (pk->peer_ns.n && namemap_get(&pk->peer_ns, st->ns[i].name, NULL) && pick_add(&pk->shadow, i) < 0) {
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < p->n_netns; i++)
		if (netns_taken(pk, st, p->netns[i].name, scope_has(&x, p->netns[i].name)) && pick_add(&pk->netns, i) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < p->n_vips; i++)
		if (scope_has(&x, p->vips[i].netns) && pick_add(&pk->vip, i) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++)
		if (scope_has(&x, p->rules[i].netns) && pick_add(&pk->rule, i) < 0)
			return -ENOMEM;
	if (routes && pick_routes(routes, route_in_cb, &x, &pk->route) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- the objects of each namespace, for scopes of a few ---------------------------------------------- */

enum { OBJ_LINK, OBJ_VIP, OBJ_RULE, OBJ_NETNS, _OBJ_MAX };

struct ns_objs {
	size_t *v[_OBJ_MAX];
	size_t n[_OBJ_MAX];
};

struct scope_index {
	const struct link *links;
	const struct vip *vips;
	const struct rule *rules;
	const struct netns_conf *netns;
	size_t n_links, n_vips, n_rules, n_netns;
	struct namemap map;             /* netns -> its index in objs + 1 */
	struct ns_objs *objs;
	size_t n_objs;
};

static const char *obj_netns(const struct profile *p, int k, size_t i) {
	switch (k) {
	case OBJ_LINK: return p->links[i].netns;
	case OBJ_VIP: return p->vips[i].netns;
	case OBJ_RULE: return p->rules[i].netns;
	default: return p->netns[i].name;
	}
}

static size_t obj_count(const struct profile *p, int k) {
	return k == OBJ_LINK ? p->n_links : k == OBJ_VIP ? p->n_vips : k == OBJ_RULE ? p->n_rules : p->n_netns;
}

void scope_index_free(struct scope_index *x) {
	if (!x)
		return;
	for (size_t i = 0; i < x->n_objs; i++)
		for (int k = 0; k < _OBJ_MAX; k++)
			free(x->objs[i].v[k]);
	free(x->objs);
	namemap_clear(&x->map);
	free(x);
}

int scope_index_build(const struct profile *p, struct scope_index **ret) {
	struct scope_index *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->links = p->links;
	x->vips = p->vips;
	x->rules = p->rules;
	x->netns = p->netns;
	x->n_links = p->n_links;
	x->n_vips = p->n_vips;
	x->n_rules = p->n_rules;
	x->n_netns = p->n_netns;
	/* counted, then filled */
	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < _OBJ_MAX; k++)
			for (size_t i = 0; i < obj_count(p, k); i++) {
				const char *ns = obj_netns(p, k, i);
				uintptr_t j = (uintptr_t)namemap_get(&x->map, ns, NULL);
				struct ns_objs *o;

				if (!j) {
					struct ns_objs *v = realloc(x->objs, (x->n_objs + 1) * sizeof(*v));

					if (!v)
						goto fail;
					x->objs = v;
					memset(&v[x->n_objs], 0, sizeof(*v));
					if (namemap_put(&x->map, ns, NULL, (void *)(uintptr_t)(x->n_objs + 1)) < 0)
						goto fail;
					j = ++x->n_objs;
				}
				o = &x->objs[j - 1];
				if (pass == 1)
					o->v[k][o->n[k]] = i;
				o->n[k]++;
			}
		if (pass == 0)
			for (size_t j = 0; j < x->n_objs; j++)
				for (int k = 0; k < _OBJ_MAX; k++) {
					if (x->objs[j].n[k] && !(x->objs[j].v[k] = malloc(x->objs[j].n[k] * sizeof(size_t))))
						goto fail;
					x->objs[j].n[k] = 0;
				}
	}
	*ret = x;
	return 0;
fail:
	scope_index_free(x);
	return -ENOMEM;
}

bool scope_index_valid(const struct scope_index *x, const struct profile *p) {
	return x && x->links == p->links && x->n_links == p->n_links && x->vips == p->vips && x->n_vips == p->n_vips &&
	       x->rules == p->rules && x->n_rules == p->n_rules && x->netns == p->netns && x->n_netns == p->n_netns;
}

static int pick_objs(const struct scope_index *x, const char *netns, int k, struct pick *pk) {
	uintptr_t j = (uintptr_t)namemap_get(&x->map, netns, NULL);

	for (size_t i = 0; j && i < x->objs[j - 1].n[k]; i++)
		if (pick_add(pk, x->objs[j - 1].v[k][i]) < 0)
			return -ENOMEM;
	return 0;
}

static bool name_in(const char *const *names, size_t n, const char *netns) {
	for (size_t i = 0; i < n; i++)
		if (names[i] == netns || netns_eq(names[i], netns))
			return true;
	return false;
}

/* The picks of a few namespaces, from their objects alone. */
static int picks_named(const struct profile *p, const struct scope_index *x, const struct route_index *routes,
                       const struct state *st, const char *const *names, size_t n_names, struct scope_picks *pk) {
	struct pick shadow_names = { 0 };   /* indexes in p->links of the veths whose peers are shadowed */
	int r = -ENOMEM;

	for (size_t i = 0; i < n_names; i++)
		if (pick_objs(x, names[i], OBJ_LINK, &pk->link) < 0 || pick_objs(x, names[i], OBJ_VIP, &pk->vip) < 0 ||
		    pick_objs(x, names[i], OBJ_RULE, &pk->rule) < 0 || pick_objs(x, names[i], OBJ_NETNS, &pk->netns) < 0)
			goto out;
	for (size_t k = 0; k < pk->link.n; k++) {
		const struct link *l = &p->links[pk->link.v[k]];
		bool known;

		if (l->kind != LINK_VETH || name_in(names, n_names, veth_peer_ns(l)))
			continue;
		known = namemap_get(&pk->peer_ns, veth_peer_ns(l), NULL) != NULL;
		if (picks_peer(pk, l, false) < 0 || (!known && pick_add(&shadow_names, pk->link.v[k]) < 0))
			goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		const struct ns_state *ns = state_ns(st, names[i]);

		if (ns && pick_add(&pk->st, (size_t)(ns - st->ns)) < 0)
			goto out;
	}
	for (size_t k = 0; k < shadow_names.n; k++) {
		const char *pns = veth_peer_ns(&p->links[shadow_names.v[k]]);
		const struct ns_state *ns = state_ns(st, pns);

		if (ns && (pick_add(&pk->shadow, (size_t)(ns - st->ns)) < 0 || pick_objs(x, pns, OBJ_NETNS, &pk->netns) < 0))
			goto out;
	}
	for (size_t i = 0; routes && i < n_names; i++)
		if (route_index_ns_positions(routes, names[i], &pk->route.v, &pk->route.n, &pk->route.cap) < 0)
			goto out;
	picks_each(pk, pick_sort);
	r = 0;
out:
	pick_fini(&shadow_names);
	return r;
}

/* ---- a scope from its picks ------------------------------------------------------------------------- */

static void *copy_picked(const void *v, size_t size, const struct pick *pk, size_t *ret_n) {
	char *c = malloc((pk->n ? pk->n : 1) * size);

	for (size_t k = 0; c && k < pk->n; k++)
		memcpy(c + k * size, (const char *)v + pk->v[k] * size, size);
	*ret_n = c ? pk->n : 0;
	return c;
}

static int scope_from_picks(const struct profile *p, const struct route_index *routes, size_t n_bulk,
                            const size_t *bulk_file, const struct state *st, const struct scope_picks *pk,
                            struct profile_view **ret_view, struct state **ret_st) {
	struct profile_view *v = calloc(1, sizeof(*v));
	struct scope_state *ss = calloc(1, sizeof(*ss));
	struct state *s = ss ? &ss->st : NULL;
	int r = -ENOMEM;

	if (!v || !s)
		goto fail;
	ss->first_shadow = SIZE_MAX;        /* no shadow of its own yet: nothing of st freed on failure */
	/* every array the size of what the scope takes: a repair of one
	 * namespace among a thousand copies little */
	s->ns = calloc(pk->st.n + pk->shadow.n ? pk->st.n + pk->shadow.n : 1, sizeof(*s->ns));
	if (!s->ns)
		goto fail;
	for (size_t k = 0; k < pk->st.n; k++) {
		s->ns[s->n_ns] = st->ns[pk->st.v[k]];
		if (namemap_put(&s->index, s->ns[s->n_ns].name, NULL, &s->ns[s->n_ns]) < 0)
			goto fail;
		s->n_ns++;
	}
	ss->first_shadow = s->n_ns;
	for (size_t k = 0; k < pk->shadow.n; k++)
		if (shadow_add(ss, &st->ns[pk->shadow.v[k]], &pk->peers) < 0)
			goto fail;
	v->profile = *p;
	v->profile.index = NULL;            /* arrays of its own: indexed below */
	v->profile.routes = NULL;
	v->owns_netns = true;
	v->profile.netns = copy_picked(p->netns, sizeof(*p->netns), &pk->netns, &v->profile.n_netns);
	v->profile.links = copy_picked(p->links, sizeof(*p->links), &pk->link, &v->profile.n_links);
	v->profile.vips = copy_picked(p->vips, sizeof(*p->vips), &pk->vip, &v->profile.n_vips);
	v->profile.rules = copy_picked(p->rules, sizeof(*p->rules), &pk->rule, &v->profile.n_rules);
	v->profile.n_routes = 0;
	if (!routes)
		v->profile.routes = calloc(1, sizeof(struct route));
	if (!v->profile.netns || !v->profile.links || !v->profile.vips || (!routes && !v->profile.routes) ||
	    !v->profile.rules)
		goto fail;
	r = profile_index_build(&v->profile);
	if (r < 0)
		goto fail;
	if (routes) {
		r = view_routes(v, p, routes, n_bulk, bulk_file, true, &pk->route);
		if (r < 0)
			goto fail;
	}
	*ret_view = v;
	*ret_st = s;
	return 0;
fail:
	profile_view_free(v);
	state_scope_free(s);
	return r;
}

int profile_scope_build(const struct profile *p, const struct route_index *routes, size_t n_bulk,
                        const size_t *bulk_file, const struct state *st, netns_pred_fn in, void *data,
                        struct profile_view **ret_view, struct state **ret_st) {
	struct scope_picks pk = { 0 };
	int r = picks_scan(p, routes, st, in, data, &pk);

	if (r >= 0)
		r = scope_from_picks(p, routes, n_bulk, bulk_file, st, &pk, ret_view, ret_st);
	picks_fini(&pk);
	return r;
}

int profile_scope_build_named(const struct profile *p, const struct scope_index *x, const struct route_index *routes,
                              size_t n_bulk, const size_t *bulk_file, const struct state *st,
                              const char *const *names, size_t n_names, struct profile_view **ret_view,
                              struct state **ret_st) {
	struct scope_picks pk = { 0 };
	int r;

	if (!scope_index_valid(x, p))
		return -ESTALE;
	r = picks_named(p, x, routes, st, names, n_names, &pk);
	if (r >= 0)
		r = scope_from_picks(p, routes, n_bulk, bulk_file, st, &pk, ret_view, ret_st);
	picks_fini(&pk);
	return r;
}

void state_scope_free(struct state *st) {
	struct scope_state *ss = (struct scope_state *)st;

	if (!st)
		return;
	for (size_t i = ss->first_shadow; i < st->n_ns; i++)
		free(st->ns[i].links);
	namemap_clear(&st->index);
	free(st->ns);
	free(ss);
}
