/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan-internal.h"

/*
 * plan: desired (profile + bulk routes + ownership) against actual
 * (observe), as an ordered list of actions.  See plan.h for the order
 * and the simulation the phases share.
 */

#include <errno.h>

#include <linux/if_addr.h>

#include <linux/rtnetlink.h>

#include <stdarg.h>

#include <stdio.h>

#include <stdlib.h>

#include <string.h>

#include "addr.h"

#include "bond-opts.h"

#include "json.h"

#include "link.h"

#include "owner.h"

#include "plan.h"

#include "route.h"

#include "rule.h"

#include "observe.h"

#include "util.h"

/* ---- the whole plan ------------------------------------------------------------------------ */

int plan_build(const struct plan_input *in, struct plan **ret, char *err, size_t errsize) {
	struct planner pl = { .in = in, .err = err, .errsize = errsize };
	struct want_link **sorted = NULL;
	bool down = in->flags & PLAN_DOWN;
	int r;

	if (err && errsize)
		err[0] = '\0';
	pl.prof = down ? NULL : in->profile;
	pl.p = calloc(1, sizeof(*pl.p));
	if (!pl.p)
		return -ENOMEM;
	pl.p->pool = strpool_new();
	if (!pl.p->pool) {
		r = -ENOMEM;
		goto out;
	}
	r = sim_init(&pl);
	if (r < 0)
		goto out;
	r = plan_build_want(&pl);
	if (r < 0)
		goto out;
	if (!down) {
		r = plan_build_want_routes(&pl);
		if (r < 0)
			goto out;
	}
	sorted = want_sorted(&pl);
	if (!sorted) {
		r = -ENOMEM;
		goto out;
	}

	/* removals, in reverse order of creation */
	plan_doom_netns(&pl);
	if ((r = plan_remove_rules(&pl)) < 0 || (r = plan_remove_routes(&pl)) < 0 || (r = plan_remove_addrs(&pl)) < 0 ||
	    (r = plan_remove_links(&pl)) < 0 || (r = plan_restore_nics(&pl)) < 0 || (r = plan_restore_sysctls(&pl)) < 0 ||
	    (r = plan_remove_netns(&pl)) < 0)
		goto out;
	if (!down) {
		if ((r = plan_create_netns(&pl)) < 0 || (r = plan_create_links(&pl, sorted)) < 0 || (r = plan_place_nics(&pl, sorted)) < 0 ||
		    (r = plan_enslave(&pl, sorted)) < 0 || (r = plan_extras(&pl, sorted)) < 0 || (r = plan_attributes(&pl, sorted)) < 0 ||
		    (r = plan_team_port_macs(&pl, sorted)) < 0 || (r = plan_updown(&pl, sorted)) < 0 ||
		    (r = plan_addresses(&pl)) < 0 || (r = plan_vips(&pl)) < 0 || (r = plan_routes(&pl)) < 0 || (r = plan_rules(&pl)) < 0)
			goto out;
	}
	/* hand the desired links to the caller (show, wait); a verify, alive
	 * with the plan it checks, has no use for them */
	pl.p->want_links = calloc(pl.n_want && !(in->flags & PLAN_ACTIONS_ONLY) ? pl.n_want : 1, sizeof(*pl.p->want_links));
	if (!pl.p->want_links) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; !(in->flags & PLAN_ACTIONS_ONLY) && i < pl.n_want; i++) {
		struct plan_want *pw = &pl.p->want_links[i];

		pw->netns = plan_intern(&pl, pl.want[i].l.netns);
		if (pl.want[i].l.netns && *pl.want[i].l.netns && !pw->netns) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(pw->name, pl.want[i].l.name, IFNAMSIZ);
		pw->kind = pl.want[i].l.kind;
		pl.p->n_want_links++;
	}
	/* the actions' array grew by doubling: a thousand namespaces leave
	 * megabytes unused, alive while the apply and verify run */
	if (pl.p->n && pl.p->n < pl.p->cap) {
		struct action *v = realloc(pl.p->v, pl.p->n * sizeof(*v));

		if (v) {
			pl.p->v = v;
			pl.p->cap = pl.p->n;
		}
	}
	r = 0;
out:
	free(sorted);
	for (size_t i = 0; i < pl.n_ns; i++)
		sim_ns_free(&pl.ns[i]);
	free(pl.ns);
	namemap_clear(&pl.ns_idx);
	for (size_t i = 0; i < pl.n_want; i++)
		link_fini(&pl.want[i].l);
	free(pl.want);
	namemap_clear(&pl.want_idx);
	namemap_clear(&pl.vip_idx);
	free(pl.vip_next);
	free(pl.present);
	if (r < 0) {
		if (r == -ENOMEM && err && errsize && !err[0])
			snprintf(err, errsize, "out of memory");
		plan_free(pl.p);
		return r;
	}
	*ret = pl.p;
	return 0;
}

/* ---- what to observe ---------------------------------------------------------------------------- */

static struct observe_ns_req *req_for(struct reqs *q, const char *netns) {
	uintptr_t i = (uintptr_t)namemap_get(&q->index, netns, NULL);
	struct observe_ns_req *v;

	if (i)
		return &q->v[i - 1];
	v = realloc(q->v, (q->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	q->v = v;
	memset(&v[q->n], 0, sizeof(v[0]));
	v[q->n].netns = netns && *netns ? strdup(netns) : NULL;
	if (netns && *netns && !v[q->n].netns)
		return NULL;
	if (namemap_put(&q->index, v[q->n].netns, NULL, (void *)(uintptr_t)(q->n + 1)) < 0) {
		free((char *)v[q->n].netns);
		return NULL;
	}
	return &q->v[q->n++];
}

static int add_table(struct reqs *q, const char *netns, uint32_t table) {
	struct observe_ns_req *r = req_for(q, netns);

	return r ? table_set_add(&r->tables, table) : -ENOMEM;
}

int plan_observe_reqs(const struct profile *p, const struct route_index *routes, const struct owner *o,
                      unsigned plan_flags, struct observe_ns_req **ret, size_t *ret_n) {
	struct reqs q = { 0 };
	int r = 0;

	if (!req_for(&q, NULL))
		goto oom;
	for (size_t i = 0; p && i < p->n_netns; i++) {
		struct observe_ns_req *x = req_for(&q, p->netns[i].name);

		if (!x)
			goto oom;
		if (p->netns[i].set & NETNS_SET_FORWARDING)
			x->sysctls = true;
	}
	for (size_t i = 0; p && i < p->n_links; i++) {
		if (!req_for(&q, p->links[i].netns))
			goto oom;
		if (p->links[i].kind == LINK_VETH && !req_for(&q, p->links[i].u.veth.peer_netns))
			goto oom;
	}
	/* no sysctl where a VIP is, or an address on record: what the kernel
	 * does with the secondaries of an address removed there
	 * (promote_secondaries) the plan reads where a primary with
	 * secondaries goes (sim_promotes) */
	for (size_t i = 0; p && i < p->n_vips; i++)
		if (!req_for(&q, p->vips[i].netns))
			goto oom;
	for (size_t i = 0; routes && i < routes->n; i++) {
		const struct route *x = routes->v[i], *prev = i ? routes->v[i - 1] : NULL;

		/* bulk routes are mostly in one table: skip the lookup for repeats */
		if (prev && netns_eq(x->netns, prev->netns) && route_eff_table(x) == route_eff_table(prev))
			continue;
		if ((r = add_table(&q, x->netns, route_eff_table(x))) < 0)
			goto plan_fail;
	}
	for (size_t i = 0; p && i < p->n_rules; i++) {
		struct observe_ns_req *x = req_for(&q, p->rules[i].netns);

		if (!x)
			goto oom;
		x->rules = true;
	}
	/* a namespace hanet may delete: what a rollback would make again
	 * (its forwarding); one the profile keeps is not deleted, but by a
	 * down */
	{
		struct namemap kept = { 0 };

		for (size_t i = 0; p && !(plan_flags & PLAN_DOWN) && i < p->n_netns; i++)
			if (namemap_put(&kept, p->netns[i].name, NULL, &kept) < 0) {
				namemap_clear(&kept);
				goto oom;
			}
		for (size_t i = 0; o && i < o->n_netns; i++) {
			struct observe_ns_req *x = req_for(&q, o->netns[i]);

			if (!x) {
				namemap_clear(&kept);
				goto oom;
			}
			if (!namemap_get(&kept, o->netns[i], NULL))
				x->sysctls = true;
		}
		namemap_clear(&kept);
	}
	for (size_t i = 0; o && i < o->n_links; i++)
		if (!req_for(&q, o->links[i].netns))
			goto oom;
	for (size_t i = 0; o && i < o->n_nics; i++)
		if (!req_for(&q, o->nics[i].netns) || !req_for(&q, o->nics[i].orig_netns))
			goto oom;
	for (size_t i = 0; o && i < o->n_addrs; i++)
		if (!req_for(&q, o->addrs[i].netns))
			goto oom;
	for (size_t i = 0; o && i < o->n_sysctls; i++) {
		struct observe_ns_req *x = req_for(&q, o->sysctls[i].netns);

		if (!x)
			goto oom;
		x->sysctls = true;
	}
	for (size_t i = 0; o && i < o->n_rules; i++) {
		struct observe_ns_req *x = req_for(&q, o->rules[i].netns);

		if (!x)
			goto oom;
		x->rules = true;
	}
	for (size_t i = 0; o && i < q.n; i++) {
		uint32_t *t = NULL;
		size_t n = 0;

		r = owner_route_tables(o, q.v[i].netns, &t, &n);
		if (r < 0)
			goto plan_fail;
		for (size_t j = 0; j < n && r >= 0; j++)
			r = table_set_add(&q.v[i].tables, t[j]);
		free(t);
		if (r < 0)
			goto plan_fail;
	}
	/* owned routes in namespaces seen only through the route records */
	for (size_t i = 0; o && i < o->n_disk_tables; i++)
		for (size_t j = 0; j < o->disk_tables[i].n; j++)
			if ((r = add_table(&q, o->disk_tables[i].netns, o->disk_tables[i].v[j])) < 0)
				goto plan_fail;
	for (size_t i = 0; o && o->routes_loaded && i < o->n_routes; i++) {
		uint32_t *t = NULL;
		size_t n = 0;

		r = owner_route_tables(o, o->routes[i].netns, &t, &n);
		for (size_t j = 0; r >= 0 && j < n; j++)
			r = add_table(&q, o->routes[i].netns, t[j]);
		free(t);
		if (r < 0)
			goto plan_fail;
	}
	namemap_clear(&q.index);
	*ret = q.v;
	*ret_n = q.n;
	return 0;
oom:
	r = -ENOMEM;
plan_fail:
	namemap_clear(&q.index);
	plan_observe_reqs_free(q.v, q.n);
	return r;
}

void plan_observe_reqs_free(struct observe_ns_req *reqs, size_t n) {
	for (size_t i = 0; i < n; i++) {
		free((char *)reqs[i].netns);
		table_set_fini(&reqs[i].tables);
	}
	free(reqs);
}
