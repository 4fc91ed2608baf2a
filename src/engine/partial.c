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

/* The routes of a view: those of the session's index `routes` that
 * keep() takes, each with its `present`.  [route] sections are copied
 * into the view's profile (which lists them), bulk routes are shared.
 * The index points at the view's copy of a section, or with `shared` at
 * the session's own route (a scope: its plan's actions then name the
 * same routes as the whole profile's). */
static int view_routes(struct profile_view *v, const struct profile *p, const struct route_index *routes,
                       size_t n_bulk, const size_t *bulk_file, bool shared,
                       bool (*keep)(const struct route *r, void *data), void *data) {
	size_t n = routes->n, n_sections = n - n_bulk, n_rv = 0, n_kept = 0, n_copies = 0;
	const struct route **rv = NULL;
	size_t *orig = NULL;
	uint8_t *kept = malloc(n ? n : 1);
	char err[256];
	int r = -ENOMEM;

	if (!kept)
		goto out;
	for (size_t i = 0; i < n; i++) {
		kept[i] = keep(routes->v[i], data);
		n_kept += kept[i];
		n_copies += kept[i] && i < n_sections && i < p->n_routes;
	}
	/* arrays of the size kept: a scope of one namespace among a
	 * thousand copies a few routes, not the whole profile's */
	rv = calloc(n_kept ? n_kept : 1, sizeof(*rv));
	orig = malloc((n_kept ? n_kept : 1) * sizeof(*orig));
	v->bulk_file = malloc((n_kept - n_copies ? n_kept - n_copies : 1) * sizeof(*v->bulk_file));
	v->profile.routes = malloc((n_copies ? n_copies : 1) * sizeof(struct route));
	v->profile.n_routes = 0;
	if (!rv || !orig || !v->bulk_file || !v->profile.routes)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!kept[i])
			continue;
		rv[n_rv] = routes->v[i];
		if (i < n_sections && i < p->n_routes) {
			struct route *c = &v->profile.routes[v->profile.n_routes++];

			*c = *routes->v[i];
			if (!shared)
				rv[n_rv] = c;
		} else {
			v->bulk_file[v->n_bulk++] = bulk_file ? bulk_file[i - n_sections] : 0;
		}
		orig[n_rv++] = i;
	}
	r = route_index_build(&v->routes, rv, n_rv, err, sizeof(err));
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n_rv; i++)
		v->routes.present[i] = routes->present[orig[i]];
	r = 0;
out:
	free(kept);
	free(rv);
	free(orig);
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

		r = view_routes(v, p, routes, n_bulk, bulk_file, false, route_kept_cb, &k);
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

int profile_scope_build(const struct profile *p, const struct route_index *routes, size_t n_bulk,
                        const size_t *bulk_file, const struct state *st, netns_pred_fn in, void *data,
                        struct profile_view **ret_view, struct state **ret_st) {
	struct profile_view *v = calloc(1, sizeof(*v));
	struct scope_state *ss = calloc(1, sizeof(*ss));
	struct state *s = ss ? &ss->st : NULL;
	struct namemap peers = { 0 }, peer_ns = { 0 };
	struct scope_in x = { .in = in, .data = data };
	uint8_t *take = NULL;
	size_t n;
	int r = -ENOMEM;

	if (!v || !s)
		goto fail;
	ss->first_shadow = SIZE_MAX;        /* no shadow of its own yet: nothing of st freed on failure */
	/* the peers of the scope's veths, and their namespaces */
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		const char *pns = l->kind == LINK_VETH ? veth_peer_ns(l) : NULL;

		if (l->kind != LINK_VETH || scope_has(&x, pns) || !scope_has(&x, l->netns))
			continue;
		if (namemap_put(&peers, pns, l->u.veth.peer, (void *)1) < 0 ||
		    namemap_put(&peer_ns, pns, NULL, (void *)1) < 0)
			goto fail;
	}
	/* every array the size of what the scope takes (counted first): a
	 * repair of one namespace among a thousand copies little */
	/* take: 1 a scoped namespace, 2 a shadow (each asked once) */
	take = malloc((st->n_ns > p->n_netns ? st->n_ns : p->n_netns) + 1);
	if (!take)
		goto fail;
	n = 0;
	for (size_t i = 0; i < st->n_ns; i++) {
		take[i] = scope_has(&x, st->ns[i].name) ? 1 : peer_ns.n && namemap_get(&peer_ns, st->ns[i].name, NULL) ? 2 : 0;
		n += take[i] != 0;
	}
	s->ns = calloc(n ? n : 1, sizeof(*s->ns));
	if (!s->ns)
		goto fail;
	for (size_t i = 0; i < st->n_ns; i++) {
		if (take[i] != 1)
			continue;
		s->ns[s->n_ns] = st->ns[i];
		if (namemap_put(&s->index, s->ns[s->n_ns].name, NULL, &s->ns[s->n_ns]) < 0)
			goto fail;
		s->n_ns++;
	}
	ss->first_shadow = s->n_ns;
	for (size_t i = 0; i < st->n_ns; i++)
		if (take[i] == 2 && shadow_add(ss, &st->ns[i], &peers) < 0)
			goto fail;
	v->profile = *p;
	v->profile.index = NULL;            /* arrays of its own: indexed below */
	v->profile.routes = NULL;
	v->owns_netns = true;
	n = 0;
	for (size_t i = 0; i < p->n_netns; i++) {
		take[i] = scope_has(&x, p->netns[i].name) || namemap_get(&s->index, p->netns[i].name, NULL);
		n += take[i];
	}
	v->profile.netns = malloc((n ? n : 1) * sizeof(*p->netns));
	n = 0;
	for (size_t i = 0; i < p->n_links; i++)
		n += scope_has(&x, p->links[i].netns);
	v->profile.links = malloc((n ? n : 1) * sizeof(struct link));
	n = 0;
	for (size_t i = 0; i < p->n_vips; i++)
		n += scope_has(&x, p->vips[i].netns);
	v->profile.vips = malloc((n ? n : 1) * sizeof(struct vip));
	n = 0;
	for (size_t i = 0; i < p->n_rules; i++)
		n += scope_has(&x, p->rules[i].netns);
	v->profile.rules = malloc((n ? n : 1) * sizeof(struct rule));
	if (!routes)
		v->profile.routes = calloc(1, sizeof(struct route));
	if (!v->profile.netns || !v->profile.links || !v->profile.vips || (!routes && !v->profile.routes) ||
	    !v->profile.rules)
		goto fail;
	v->profile.n_netns = v->profile.n_links = v->profile.n_vips = v->profile.n_routes = v->profile.n_rules = 0;
	for (size_t i = 0; i < p->n_netns; i++)
		if (take[i])
			v->profile.netns[v->profile.n_netns++] = p->netns[i];
	for (size_t i = 0; i < p->n_links; i++)
		if (scope_has(&x, p->links[i].netns))
			v->profile.links[v->profile.n_links++] = p->links[i];
	for (size_t i = 0; i < p->n_vips; i++)
		if (scope_has(&x, p->vips[i].netns))
			v->profile.vips[v->profile.n_vips++] = p->vips[i];
	for (size_t i = 0; i < p->n_rules; i++)
		if (scope_has(&x, p->rules[i].netns))
			v->profile.rules[v->profile.n_rules++] = p->rules[i];
	r = profile_index_build(&v->profile);
	if (r < 0)
		goto fail;
	if (routes) {
		r = view_routes(v, p, routes, n_bulk, bulk_file, true, route_in_cb, &x);
		if (r < 0)
			goto fail;
	}
	namemap_clear(&peers);
	namemap_clear(&peer_ns);
	free(take);
	*ret_view = v;
	*ret_st = s;
	return 0;
fail:
	namemap_clear(&peers);
	namemap_clear(&peer_ns);
	free(take);
	profile_view_free(v);
	state_scope_free(s);
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
