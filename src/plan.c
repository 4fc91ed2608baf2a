/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include "bond.h"
#include "json.h"
#include "link.h"
#include "owner.h"
#include "plan.h"
#include "route.h"
#include "rule.h"
#include "state.h"
#include "util.h"

/* ---- the simulation ---------------------------------------------------------- */

struct sim_link {
	struct link l;                      /* deep copy: observed, or what an action created */
	bool gone;
	bool created;                       /* by this plan */
	bool mtu_user;                      /* a bridge whose mtu was set (no longer follows its ports) */
	bool ports_changed;                 /* a master that lost or gained ports in this plan */
	bool mac_of_master;                 /* a team's port given the team's MAC, which the plan does not
	                                       know (a team it makes without `mac =`) */
};

struct sim_addr {
	struct addr a;
	bool gone;
};

struct sim_ns {
	const char *name;                   /* plan pool */
	bool exists;
	bool created;
	bool fwd4, fwd6;
	struct sim_link *links;
	size_t n_links;
	struct sim_addr *addrs;
	size_t n_addrs;
	const struct ns_state *obs;         /* NULL for a namespace this plan creates */
	bool doomed;                        /* deleted whole: what is in it goes with it */
	uint8_t *route_gone;                /* per obs->routes */
	struct route_map *route_idx;        /* key -> index in obs->routes */
	uint8_t *rule_gone;                 /* per obs->rules */
};

struct want_link {
	struct link l;                      /* copy, netns interned in the plan pool, master derived */
	bool implicit;                      /* a veth peer, created with its veth */
	bool foreign_port;                  /* only listed as a port/slave: only its master is declared */
	int provider;                       /* the veth (index in want) that creates this nic, or -1 */
	int depth;
};

struct planner {
	const struct plan_input *in;
	const struct profile *prof;
	struct plan *p;
	struct sim_ns *ns;
	size_t n_ns;
	struct namemap ns_idx;              /* namespace -> index in ns + 1 */
	struct want_link *want;
	size_t n_want;
	struct namemap want_idx;            /* (netns, name) -> index in want + 1, of the first want_indexed */
	size_t want_indexed;
	const struct route *const *routes;  /* desired: [route] sections, then bulk */
	size_t n_routes;
	uint8_t *present;                   /* desired routes the kernel has as declared (updated by the simulation) */
	char *err;
	size_t errsize;
	bool owner_routes_tried;
};

static int fail(struct planner *pl, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(struct planner *pl, int r, const char *fmt, ...) {
	va_list ap;

	if (pl->err && pl->errsize) {
		va_start(ap, fmt);
		vsnprintf(pl->err, pl->errsize, fmt, ap);
		va_end(ap);
	}
	return r;
}

static const char *intern(struct planner *pl, const char *s) {
	return s && *s ? strpool_intern(pl->p->pool, s) : NULL;
}

/* A veth's peer namespace: "" (not NULL) stands for the current one, as
 * in the model, where NULL means "the veth's own". */
static const char *intern_peer(struct planner *pl, const char *s) {
	if (!s)
		return NULL;
	return *s ? strpool_intern(pl->p->pool, s) : "";
}

static const char *ns_suffix(const char *netns, char *buf, size_t size) {
	if (!netns)
		buf[0] = '\0';
	else
		snprintf(buf, size, " (netns %s)", netns);
	return buf;
}

static struct sim_ns *sim_ns(struct planner *pl, const char *netns) {
	uintptr_t i = (uintptr_t)namemap_get(&pl->ns_idx, netns, NULL);

	return i ? &pl->ns[i - 1] : NULL;
}

static struct sim_ns *sim_ns_add(struct planner *pl, const char *netns) {
	struct sim_ns *ns = sim_ns(pl, netns), *v;

	if (ns)
		return ns;
	v = realloc(pl->ns, (pl->n_ns + 1) * sizeof(*v));
	if (!v)
		return NULL;
	pl->ns = v;
	ns = &pl->ns[pl->n_ns];
	memset(ns, 0, sizeof(*ns));
	ns->name = intern(pl, netns);
	if ((netns && *netns && !ns->name) || namemap_put(&pl->ns_idx, ns->name, NULL, (void *)(uintptr_t)(pl->n_ns + 1)) < 0)
		return NULL;
	pl->n_ns++;
	return ns;
}

static struct sim_link *sim_link(struct planner *pl, const char *netns, const char *name) {
	struct sim_ns *ns = sim_ns(pl, netns);

	if (!ns || !ns->exists)
		return NULL;
	for (size_t i = 0; i < ns->n_links; i++)
		if (!ns->links[i].gone && strcmp(ns->links[i].l.name, name) == 0)
			return &ns->links[i];
	return NULL;
}

static struct sim_link *sim_link_add(struct planner *pl, struct sim_ns *ns, const struct link *l) {
	struct sim_link *v = realloc(ns->links, (ns->n_links + 1) * sizeof(*v));

	if (!v)
		return NULL;
	ns->links = v;
	memset(&v[ns->n_links], 0, sizeof(v[0]));
	if (link_copy(&v[ns->n_links].l, l) < 0)
		return NULL;
	v[ns->n_links].l.netns = ns->name;
	if (v[ns->n_links].l.kind == LINK_VETH)
		v[ns->n_links].l.u.veth.peer_netns = intern_peer(pl, v[ns->n_links].l.u.veth.peer_netns);
	return &ns->links[ns->n_links++];
}

static struct sim_addr *sim_addr(struct planner *pl, const char *netns, const char *dev, const struct ipaddr *ip) {
	struct sim_ns *ns = sim_ns(pl, netns);

	if (!ns || !ns->exists)
		return NULL;
	for (size_t i = 0; i < ns->n_addrs; i++)
		if (!ns->addrs[i].gone && strcmp(ns->addrs[i].a.dev, dev) == 0 && ipaddr_eq(&ns->addrs[i].a.ip, ip))
			return &ns->addrs[i];
	return NULL;
}

static int sim_addr_add(struct sim_ns *ns, const struct addr *a) {
	struct sim_addr *v = realloc(ns->addrs, (ns->n_addrs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	ns->addrs = v;
	v[ns->n_addrs].a = *a;
	v[ns->n_addrs].a.netns = ns->name;
	v[ns->n_addrs].gone = false;
	ns->n_addrs++;
	return 0;
}

static int act_text_add(struct action *a, const char *fmt, ...) _printf_(2, 3);

/* The kernel's own MTU changes: a bridge that follows its ports (its mtu
 * was never set) takes the smallest of theirs, a bond gives its own to
 * its slaves, and a macvlan or vlan never stays above its lower device. */
static int sim_mtu_changed(struct planner *pl, struct action *a, struct sim_link *sl, int guard) {
	char sfx[300];
	int r;

	if (guard > 8)
		return 0;
	/* uppers in any namespace */
	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];

		for (size_t j = 0; j < ns->n_links; j++) {
			struct sim_link *u = &ns->links[j];
			const char *lower = link_lower(&u->l);

			if (u->gone || !lower || strcmp(lower, sl->l.name) != 0 || u == sl)
				continue;
			if (!netns_eq(ns->name, sl->l.netns) && u->l.link_netnsid < 0 && !u->created)
				continue;
			if (u->l.mtu > sl->l.mtu) {
				/* the kernel never raises it again: the inverse does */
				if (a) {
					struct mtu_back *v = realloc(a->mtu_back, (a->n_mtu_back + 1) * sizeof(*v));

					if (!v)
						return -ENOMEM;
					a->mtu_back = v;
					v[a->n_mtu_back].netns = ns->name;
					memcpy(v[a->n_mtu_back].name, u->l.name, IFNAMSIZ);
					v[a->n_mtu_back++].mtu = u->l.mtu;
					if (act_text_add(a, "; the kernel lowers the mtu of %s%s to %u with it", u->l.name,
					                 ns_suffix(ns->name, sfx, sizeof(sfx)), sl->l.mtu) < 0)
						return -ENOMEM;
				}
				u->l.mtu = sl->l.mtu;
				if ((r = sim_mtu_changed(pl, a, u, guard + 1)) < 0)
					return r;
			}
		}
	}
	/* a bridge that follows its ports */
	if (sl->l.master[0]) {
		struct sim_link *m = NULL;
		struct sim_ns *ns = NULL;

		for (size_t i = 0; i < pl->n_ns; i++)
			if (netns_eq(pl->ns[i].name, sl->l.netns))
				ns = &pl->ns[i];
		for (size_t j = 0; ns && j < ns->n_links; j++)
			if (!ns->links[j].gone && strcmp(ns->links[j].l.name, sl->l.master) == 0)
				m = &ns->links[j];
		if (m && m->l.kind == LINK_BRIDGE && !m->mtu_user) {
			uint32_t min = 0;

			for (size_t j = 0; j < ns->n_links; j++)
				if (!ns->links[j].gone && strcmp(ns->links[j].l.master, m->l.name) == 0 &&
				    (!min || ns->links[j].l.mtu < min))
					min = ns->links[j].l.mtu;
			if (min && min != m->l.mtu) {
				m->l.mtu = min;
				if ((r = sim_mtu_changed(pl, a, m, guard + 1)) < 0)
					return r;
			}
		}
	}
	/* a bond's slaves take its mtu */
	if (sl->l.kind == LINK_BOND) {
		for (size_t i = 0; i < pl->n_ns; i++)
			for (size_t j = 0; netns_eq(pl->ns[i].name, sl->l.netns) && j < pl->ns[i].n_links; j++) {
				struct sim_link *x = &pl->ns[i].links[j];

				if (!x->gone && strcmp(x->l.master, sl->l.name) == 0 && x->l.mtu != sl->l.mtu) {
					x->l.mtu = sl->l.mtu;
					if ((r = sim_mtu_changed(pl, a, x, guard + 1)) < 0)
						return r;
				}
			}
	}
	return 0;
}

static bool route_uses_dev(const struct route *r, const char *dev) {
	if ((r->set & ROUTE_SET_DEV) && strcmp(r->dev, dev) == 0)
		return true;
	for (size_t i = 0; i < r->n_nexthops; i++)
		if (strcmp(r->nexthops[i].dev, dev) == 0)
			return true;
	return false;
}

static void sim_ns_free(struct sim_ns *ns) {
	for (size_t i = 0; i < ns->n_links; i++)
		link_fini(&ns->links[i].l);
	free(ns->links);
	free(ns->addrs);
	free(ns->route_gone);
	free(ns->rule_gone);
	route_map_free(ns->route_idx);
}

static int sim_init(struct planner *pl) {
	const struct state *st = pl->in->st;

	for (size_t i = 0; i < st->n_ns; i++) {
		const struct ns_state *o = &st->ns[i];
		struct sim_ns *ns = sim_ns_add(pl, o->name);
		int r;

		if (!ns)
			return -ENOMEM;
		ns->obs = o;
		ns->exists = o->exists;
		ns->fwd4 = o->forwarding4;
		ns->fwd6 = o->forwarding6;
		for (size_t j = 0; j < o->n_links; j++)
			if (!sim_link_add(pl, ns, &o->links[j]))
				return -ENOMEM;
		for (size_t j = 0; j < o->n_addrs; j++)
			if ((r = sim_addr_add(ns, &o->addrs[j])) < 0)
				return r;
		ns->route_gone = calloc(o->n_routes ? o->n_routes : 1, 1);
		ns->rule_gone = calloc(o->n_rules ? o->n_rules : 1, 1);
		if (!ns->route_gone || !ns->rule_gone)
			return -ENOMEM;
		r = route_map_new(o->n_routes, &ns->route_idx);
		if (r < 0)
			return r;
		for (size_t j = 0; j < o->n_routes; j++) {
			struct route_key k;

			route_key_of(&o->routes[j], &k);
			r = route_map_put(ns->route_idx, &k, (uint32_t)j);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* ---- actions ------------------------------------------------------------------- */

static struct action *act_new(struct planner *pl, enum action_type type, enum disruption level, const char *netns,
                              const char *name) {
	struct plan *p = pl->p;
	struct action *a;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct action *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	a = &p->v[p->n++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->level = level;
	a->netns = intern(pl, netns);
	if (name)
		snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

static int act_text(struct action *a, const char *fmt, ...) _printf_(2, 3);
static int act_text(struct action *a, const char *fmt, ...) {
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&a->text, fmt, ap);
	va_end(ap);
	if (r < 0) {
		a->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

static struct link *link_dup(struct planner *pl, const struct link *src) {
	struct link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (link_copy(l, src) < 0) {
		free(l);
		return NULL;
	}
	l->netns = intern(pl, l->netns);
	if (l->kind == LINK_VETH)
		l->u.veth.peer_netns = intern_peer(pl, l->u.veth.peer_netns);
	return l;
}

static void link_free(struct link *l) {
	if (!l)
		return;
	link_fini(l);
	free(l);
}

static void action_fini(struct action *a) {
	free(a->text);
	link_free(a->link);
	link_free(a->have);
	link_free(a->nic_before);
	free(a->alias);
	free(a->old_alias);
	free(a->routes);
	free(a->old_routes);
	free(a->lost_addrs);
	free(a->lost_routes);
	free(a->mtu_back);
	free(a->disturbed);
	free(a->stay_down);
	free(a->ports);
}

void plan_free(struct plan *p) {
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		action_fini(&p->v[i]);
	free(p->v);
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	for (size_t i = 0; i < p->n_want_links; i++)
		link_fini(&p->want_links[i]);
	free(p->want_links);
	strpool_free(p->pool);
	free(p);
}

static int note(struct planner *pl, const char *fmt, ...) _printf_(2, 3);
static int note(struct planner *pl, const char *fmt, ...) {
	char **v = realloc(pl->p->notes, (pl->p->n_notes + 1) * sizeof(*v));
	va_list ap;
	int r;

	if (!v)
		return -ENOMEM;
	pl->p->notes = v;
	va_start(ap, fmt);
	r = vasprintf(&v[pl->p->n_notes], fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	pl->p->n_notes++;
	return 0;
}

/* What the kernel drops from a namespace's routes (every table) with an
 * action: the desired routes that matched and the observed ones for
 * which `match` says so.  Marked gone in the simulation (so that the
 * routes phase adds the desired ones again) and remembered in the action
 * (its inverse puts them back). */
typedef bool (*route_match_fn)(const struct route *r, const void *ctx);

static int sim_routes_lose(struct planner *pl, struct action *a, const char *netns, route_match_fn match,
                           const void *ctx) {
	struct sim_ns *ns = sim_ns(pl, netns);

	if (!ns)
		return 0;
	/* desired routes that matched (not kept in the observed state) */
	for (size_t i = 0; pl->present && i < pl->n_routes; i++) {
		const struct route **v;

		if (!pl->present[i] || !netns_eq(pl->routes[i]->netns, netns) || !match(pl->routes[i], ctx))
			continue;
		pl->present[i] = 0;
		v = realloc(a->lost_routes, (a->n_lost_routes + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->lost_routes = v;
		v[a->n_lost_routes++] = pl->routes[i];
	}
	if (!ns->obs)
		return 0;
	for (size_t i = 0; i < ns->obs->n_routes; i++) {
		const struct route *r = &ns->obs->routes[i];
		const struct route **v;

		if (ns->route_gone[i] || !match(r, ctx))
			continue;
		ns->route_gone[i] = 1;
		/* the kernel brings back the routes of addresses by itself */
		if (r->protocol == RTPROT_KERNEL)
			continue;
		v = realloc(a->lost_routes, (a->n_lost_routes + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->lost_routes = v;
		v[a->n_lost_routes++] = r;
	}
	return 0;
}

/* Add a device to a list of an action, once. */
static int act_dev_add(struct act_dev **list, size_t *n, const char *netns, const char *dev) {
	struct act_dev *v;

	for (size_t i = 0; i < *n; i++)
		if (netns_eq((*list)[i].netns, netns) && strcmp((*list)[i].name, dev) == 0)
			return 0;
	v = realloc(*list, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*list = v;
	v[*n].netns = netns;
	snprintf(v[*n].name, sizeof(v[0].name), "%s", dev);
	(*n)++;
	return 0;
}

/* The kernel may drop routes through this device with the action, in
 * tables the plan does not see: say so. */
static int act_disturbs(struct action *a, const char *netns, const char *dev) {
	return act_dev_add(&a->disturbed, &a->n_disturbed, netns, dev);
}

static bool route_match_dev(const struct route *r, const void *dev) {
	return route_uses_dev(r, dev);
}

/* The kernel drops the routes through a link and (IPv6) its addresses
 * when it goes down, and everything on it when it is deleted or moved:
 * mark them gone in the simulation and remember them in the action. */
static int sim_link_loses(struct planner *pl, struct action *a, const char *netns, const char *dev, bool all_addrs) {
	struct sim_ns *ns = sim_ns(pl, netns);

	if (!ns)
		return 0;
	if (act_disturbs(a, ns->name, dev) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ns->n_addrs; i++) {
		struct sim_addr *x = &ns->addrs[i];
		struct addr *v;

		if (x->gone || strcmp(x->a.dev, dev) != 0)
			continue;
		if (!all_addrs && x->a.ip.family != AF_INET6)
			continue;
		x->gone = true;
		if (addr_is_kernel(&x->a))
			continue;
		v = realloc(a->lost_addrs, (a->n_lost_addrs + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->lost_addrs = v;
		v[a->n_lost_addrs++] = x->a;
	}
	return sim_routes_lose(pl, a, netns, route_match_dev, dev);
}

/* Append to an action's text what else the kernel changes with it. */
static int act_text_add(struct action *a, const char *fmt, ...) {
	char *more = NULL, *t = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = asprintf(&t, "%s%s", a->text ? a->text : "", more);
	free(more);
	if (r < 0)
		return -ENOMEM;
	free(a->text);
	a->text = t;
	return 0;
}

/* "WHAT addr X, route Y, ... (N in all)": what an action lost from index
 * n_addrs0/n_routes0 on. */
static int act_text_lost(struct action *a, const char *what, size_t n_addrs0, size_t n_routes0) {
	char buf[256], sfx[300];
	size_t n = (a->n_lost_addrs - n_addrs0) + (a->n_lost_routes - n_routes0), shown = 0;
	int r;

	if (!n)
		return 0;
	r = act_text_add(a, "%s", what);
	for (size_t i = n_addrs0; r >= 0 && i < a->n_lost_addrs && shown < 4; i++, shown++)
		r = act_text_add(a, "%s addr %s dev %s%s", shown ? "," : "", format_ipaddr(&a->lost_addrs[i].ip, true, buf, sizeof(buf)),
		                 a->lost_addrs[i].dev, ns_suffix(a->lost_addrs[i].netns, sfx, sizeof(sfx)));
	for (size_t i = n_routes0; r >= 0 && i < a->n_lost_routes && shown < 4; i++, shown++)
		r = act_text_add(a, "%s route %s%s", shown ? "," : "", route_format(a->lost_routes[i], buf, sizeof(buf)),
		                 ns_suffix(a->lost_routes[i]->netns, sfx, sizeof(sfx)));
	if (r >= 0 && n > shown)
		r = act_text_add(a, " (%zu in all)", n);
	return r;
}

struct addr_ctx {
	const char *dev;
	const struct ipaddr *ip;
	bool last;                          /* the device's last IPv4 address */
};

static bool route_match_addr(const struct route *r, const void *data) {
	const struct addr_ctx *c = data;

	if (r->dst.family != AF_INET)
		return false;
	if ((r->set & ROUTE_SET_SRC) && r->src.family == AF_INET && memcmp(r->src.a, c->ip->a, 4) == 0)
		return true;
	return c->last && route_uses_dev(r, c->dev);
}

static bool sim_has_addr4(struct planner *pl, const char *netns, const char *dev) {
	struct sim_ns *ns = sim_ns(pl, netns);

	for (size_t i = 0; ns && i < ns->n_addrs; i++)
		if (!ns->addrs[i].gone && ns->addrs[i].a.ip.family == AF_INET && strcmp(ns->addrs[i].a.dev, dev) == 0)
			return true;
	return false;
}

/* An IPv4 address goes (already marked gone): the kernel drops the routes
 * that have it as their source and, with the device's last IPv4 address,
 * every IPv4 route through the device, in every table. */
static int sim_addr_loses(struct planner *pl, struct action *a, const struct addr *x) {
	struct addr_ctx c = { .dev = x->dev, .ip = &x->ip };
	size_t n_addrs0 = a->n_lost_addrs, n_routes0 = a->n_lost_routes;
	int r;

	if (act_disturbs(a, x->netns, x->dev) < 0)
		return -ENOMEM;
	if (x->ip.family != AF_INET)
		return 0;
	c.last = !sim_has_addr4(pl, x->netns, x->dev);
	r = sim_routes_lose(pl, a, x->netns, route_match_addr, &c);
	if (r < 0)
		return r;
	return act_text_lost(a, "; the kernel drops with it:", n_addrs0, n_routes0);
}

/* An IPv4 address added to a device that has none: removing it again
 * (the inverse) drops every IPv4 route through the device, which the
 * inverse then puts back (the routes there now, not marked gone). */
static int sim_addr_inverse_loses(struct planner *pl, struct action *a, const struct addr *x) {
	struct sim_ns *ns = sim_ns(pl, x->netns);
	struct addr_ctx c = { .dev = x->dev, .ip = &x->ip, .last = true };

	if (x->ip.family != AF_INET || !ns || sim_has_addr4(pl, x->netns, x->dev))
		return 0;
	if (act_disturbs(a, x->netns, x->dev) < 0)
		return -ENOMEM;
	for (size_t i = 0; pl->present && i < pl->n_routes; i++) {
		const struct route **v;

		if (!pl->present[i] || !netns_eq(pl->routes[i]->netns, x->netns) || !route_match_addr(pl->routes[i], &c))
			continue;
		v = realloc(a->lost_routes, (a->n_lost_routes + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->lost_routes = v;
		v[a->n_lost_routes++] = pl->routes[i];
	}
	for (size_t i = 0; ns->obs && i < ns->obs->n_routes; i++) {
		const struct route *r = &ns->obs->routes[i];
		const struct route **v;

		if (ns->route_gone[i] || r->protocol == RTPROT_KERNEL || !route_match_addr(r, &c))
			continue;
		v = realloc(a->lost_routes, (a->n_lost_routes + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->lost_routes = v;
		v[a->n_lost_routes++] = r;
	}
	return 0;
}

/* ---- the desired links ---------------------------------------------------------- */

/* Found by hash: the entries added since the last call are indexed
 * first (want_add hands out an entry its caller fills; its name is
 * interned, the array moves).  The first of a name wins, as a scan's. */
static struct want_link *want_find(struct planner *pl, const char *netns, const char *name) {
	uintptr_t i;

	for (; pl->want_indexed < pl->n_want; pl->want_indexed++) {
		const struct link *l = &pl->want[pl->want_indexed].l;
		const char *key = strpool_intern(pl->p->pool, l->name);

		if (key && !namemap_get(&pl->want_idx, l->netns, key) &&
		    namemap_put(&pl->want_idx, l->netns, key, (void *)(uintptr_t)(pl->want_indexed + 1)) < 0)
			break;
		if (!key)
			break;
	}
	if (pl->want_indexed < pl->n_want) {
		/* out of memory: a scan */
		for (size_t k = 0; k < pl->n_want; k++)
			if (netns_eq(pl->want[k].l.netns, netns) && strcmp(pl->want[k].l.name, name) == 0)
				return &pl->want[k];
		return NULL;
	}
	i = (uintptr_t)namemap_get(&pl->want_idx, netns, name);
	return i ? &pl->want[i - 1] : NULL;
}

static struct want_link *want_add(struct planner *pl) {
	struct want_link *v = realloc(pl->want, (pl->n_want + 1) * sizeof(*v));

	if (!v)
		return NULL;
	pl->want = v;
	memset(&v[pl->n_want], 0, sizeof(v[0]));
	v[pl->n_want].provider = -1;
	return &v[pl->n_want++];
}

/* The peer's namespace as a literal name: NULL or "" = the current one. */
static const char *veth_peer_ns(const struct link *l) {
	return l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns;
}

static bool kind_is_created(enum link_kind k) {
	return k != LINK_NIC && k != LINK_OTHER;
}

static const struct namelist *ports_of(const struct link *l) {
	return link_ports_const(l);
}

static const char *lower_of(const struct link *l) {
	return link_lower(l);
}

/* The namespace of a link's lower device: the same as the link's when a
 * link of that name is desired or exists there, else wherever the
 * profile declares it, else the current namespace. */
static const char *lower_ns(struct planner *pl, const struct link *l) {
	const char *lower = lower_of(l);

	if (!lower)
		return l->netns;
	if (want_find(pl, l->netns, lower) || sim_link(pl, l->netns, lower))
		return l->netns;
	for (size_t i = 0; i < pl->n_want; i++)
		if (strcmp(pl->want[i].l.name, lower) == 0)
			return pl->want[i].l.netns;
	return NULL;
}

static int want_depth(struct planner *pl, struct want_link *w, int guard) {
	const char *lower;
	struct want_link *lw;

	if (guard > 16)
		return 0;
	if (w->implicit && w->provider >= 0)
		return want_depth(pl, &pl->want[w->provider], guard + 1);
	if (w->provider >= 0)
		return want_depth(pl, &pl->want[w->provider], guard + 1);
	{
		int d = 0;

		lower = lower_of(&w->l);
		if (lower) {
			lw = want_find(pl, lower_ns(pl, &w->l), lower);
			d = lw ? 1 + want_depth(pl, lw, guard + 1) : 1;
		}
		/* a master after its ports: their mtu first (a bridge follows them) */
		for (size_t i = 0; i < pl->n_want; i++)
			if (&pl->want[i] != w && netns_eq(pl->want[i].l.netns, w->l.netns) &&
			    strcmp(pl->want[i].l.master, w->l.name) == 0) {
				int pd = 1 + want_depth(pl, &pl->want[i], guard + 1);

				if (pd > d)
					d = pd;
			}
		return d;
	}
}

static int build_want(struct planner *pl) {
	const struct profile *p = pl->prof;

	if (!p)
		return 0;
	for (size_t i = 0; i < p->n_links; i++) {
		struct want_link *w = want_add(pl);

		if (!w || link_copy(&w->l, &p->links[i]) < 0)
			return -ENOMEM;
		w->l.netns = intern(pl, w->l.netns);
		w->l.master[0] = '\0';
		if (w->l.kind == LINK_VETH) {
			const char *pns = veth_peer_ns(&w->l);

			w->l.u.veth.peer_netns = pns && *pns ? intern(pl, pns) : (w->l.netns ? "" : NULL);
		}
	}
	/* veth peers: created with their veth; a [nic] of that name declares keys on it */
	for (size_t i = 0, n = pl->n_want; i < n; i++) {
		struct want_link *w = &pl->want[i], *peer;
		struct link l = { 0 };

		if (w->l.kind != LINK_VETH || w->implicit)
			continue;
		peer = want_find(pl, w->l.u.veth.peer_netns, w->l.u.veth.peer);
		if (peer && peer->l.kind == LINK_VETH && netns_eq(peer->l.u.veth.peer_netns, w->l.netns) &&
		    strcmp(peer->l.u.veth.peer, w->l.name) == 0) {
			/* declared from both ends: created once, from this end */
			peer->implicit = true;
			peer->provider = (int)i;
			continue;
		}
		if (peer) {
			if (peer->l.kind != LINK_NIC)
				return fail(pl, -EINVAL, "[veth %s] peer %s: also declared as [%s %s]", w->l.name, w->l.u.veth.peer,
				            link_kind_name(peer->l.kind), peer->l.name);
			peer->provider = (int)i;
			continue;
		}
		memcpy(l.name, w->l.u.veth.peer, IFNAMSIZ);
		l.netns = w->l.u.veth.peer_netns;
		l.kind = LINK_VETH;
		l.up = true;
		l.set = LINK_SET_STATE;
		memcpy(l.u.veth.peer, w->l.name, IFNAMSIZ);
		l.u.veth.peer_netns = w->l.netns ? w->l.netns : (l.netns ? "" : NULL);
		peer = want_add(pl);
		if (!peer)
			return -ENOMEM;
		/* w points into the array want_add may have moved: not used below */
		peer->l = l;
		peer->implicit = true;
		peer->provider = (int)i;
	}
	/* masters: the ports each bond, team or bridge lists */
	for (size_t i = 0; i < pl->n_want; i++) {
		const struct namelist *ports = ports_of(&pl->want[i].l);

		for (size_t j = 0; ports && j < ports->n; j++) {
			struct want_link *port = want_find(pl, pl->want[i].l.netns, ports->v[j]);

			if (!port) {
				port = want_add(pl);
				if (!port)
					return -ENOMEM;
				/* want_add may have moved the array ports points into */
				ports = ports_of(&pl->want[i].l);
				memcpy(port->l.name, ports->v[j], IFNAMSIZ);
				port->l.netns = pl->want[i].l.netns;
				port->l.kind = LINK_NIC;
				port->foreign_port = true;
			}
			if (port->l.master[0] && strcmp(port->l.master, pl->want[i].l.name) != 0)
				return fail(pl, -EINVAL, "link %s: listed by both %s and %s", port->l.name, port->l.master,
				            pl->want[i].l.name);
			memcpy(port->l.master, pl->want[i].l.name, IFNAMSIZ);
		}
	}
	for (size_t i = 0; i < pl->n_want; i++)
		pl->want[i].depth = want_depth(pl, &pl->want[i], 0);
	return 0;
}

static int cmp_depth(const void *a, const void *b) {
	const struct want_link *const *x = a, *const *y = b;

	if ((*x)->depth != (*y)->depth)
		return (*x)->depth - (*y)->depth;
	return (*x < *y) ? -1 : (*x > *y);
}

/* The desired links, lower before upper (stable: profile order within a depth). */
static struct want_link **want_sorted(struct planner *pl) {
	struct want_link **v = malloc((pl->n_want ? pl->n_want : 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < pl->n_want; i++)
		v[i] = &pl->want[i];
	qsort(v, pl->n_want, sizeof(*v), cmp_depth);
	return v;
}

static bool want_up(const struct want_link *w) {
	if (w->l.set & LINK_SET_STATE)
		return w->l.up;
	return kind_is_created(w->l.kind) && !w->foreign_port;
}

static bool want_has_addr(struct planner *pl, const char *netns, const char *dev, const struct ipaddr *ip) {
	struct want_link *w = want_find(pl, netns, dev);

	if (w)
		for (size_t i = 0; i < w->l.n_addrs; i++)
			if (ipaddr_eq(&w->l.addrs[i], ip))
				return true;
	for (size_t i = 0; pl->prof && i < pl->prof->n_vips; i++) {
		const struct vip *v = &pl->prof->vips[i];

		if (netns_eq(v->netns, netns) && strcmp(v->dev, dev) == 0 && ipaddr_eq(&v->address, ip))
			return true;
	}
	return false;
}

/* ---- removal ----------------------------------------------------------------------- */

static bool want_rule_matches(struct planner *pl, const char *netns, const struct rule *have) {
	for (size_t i = 0; pl->prof && i < pl->prof->n_rules; i++)
		if (netns_eq(pl->prof->rules[i].netns, netns) && rule_matches(&pl->prof->rules[i], have))
			return true;
	return false;
}

static int remove_rules(struct planner *pl) {
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
			a->rule = *u;
			a->rule.netns = ns->name;
			ns->rule_gone[j] = 1;
			if (act_text(a, "rule %s%s: remove", rule_format(u, buf, sizeof(buf)),
			             ns_suffix(ns->name, sfx, sizeof(sfx))) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int load_owner_routes(struct planner *pl) {
	int r;

	if (pl->owner_routes_tried)
		return 0;
	pl->owner_routes_tried = true;
	r = owner_load_routes(pl->in->owner);
	if (r < 0)
		return fail(pl, r, "reading the routes %s owns", pl->in->owner->profile);
	return 0;
}

static int remove_routes(struct planner *pl) {
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
			r = load_owner_routes(pl);
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
				             ns_suffix(ns->name, sfx, sizeof(sfx))) < 0) {
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
			if (act_text(a, "routes%s: remove %zu routes", ns_suffix(ns->name, sfx, sizeof(sfx)), n_dead) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int remove_addrs(struct planner *pl) {
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
		             oa->dev, ns_suffix(oa->netns, sfx, sizeof(sfx))) < 0)
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
			if (!a->have && !(a->have = link_dup(pl, &peer->l)))
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
	const char *lower = lower_of(l);

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

static bool owned_link(struct planner *pl, const char *netns, const char *name, enum link_kind kind);

/* Whether u (in namespace ns) is a vlan or macvlan on lower, in any
 * namespace. */
static bool sim_is_upper(struct planner *pl, const struct sim_ns *ns, const struct sim_link *u,
                         const struct sim_link *lower) {
	const char *name = lower_of(&u->l);

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
 * up: a vlan goes down and up with its lower device (8021q; hanet makes
 * no vlan with loose_binding), and going down it loses its IPv6
 * addresses and its routes, in every table, like any link; the devices
 * on it follow in turn.  A macvlan only follows its lower device's
 * carrier: it keeps its addresses, and its routes are marked linkdown. */
/* A link goes down: the vlans on it that are down already (and those on
 * them) come up with it again when it does, which the inverse undoes. */
static int sim_vlans_stay_down(struct planner *pl, struct action *a, struct sim_link *lower, int guard) {
	if (guard > 8)
		return 0;
	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];

		for (size_t j = 0; j < ns->n_links; j++) {
			struct sim_link *u = &ns->links[j];
			int r;

			if (!sim_is_upper(pl, ns, u, lower) || u->l.kind != LINK_VLAN || u->l.up)
				continue;
			r = act_dev_add(&a->stay_down, &a->n_stay_down, ns->name, u->l.name);
			if (r >= 0)
				r = sim_vlans_stay_down(pl, a, u, guard + 1);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int sim_uppers_follow(struct planner *pl, struct action *a, struct sim_link *lower, bool up, int guard,
                             char *names, size_t size) {
	char sfx[300];

	if (guard > 8)
		return 0;
	for (size_t i = 0; i < pl->n_ns; i++) {
		struct sim_ns *ns = &pl->ns[i];

		for (size_t j = 0; j < ns->n_links; j++) {
			struct sim_link *u = &ns->links[j];
			size_t len = strlen(names);
			int r;

			if (!sim_is_upper(pl, ns, u, lower) || u->l.kind != LINK_VLAN || u->l.up == up)
				continue;
			u->l.up = up;
			snprintf(names + len, size - len, "%s%s%s", len ? ", " : "", u->l.name,
			         ns_suffix(ns->name, sfx, sizeof(sfx)));
			if (!up && (r = sim_link_loses(pl, a, ns->name, u->l.name, false)) < 0)
				return r;
			r = sim_uppers_follow(pl, a, u, up, guard + 1, names, size);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int sim_link_state_follows(struct planner *pl, struct action *a, struct sim_link *lower, bool up) {
	size_t n_addrs0 = a->n_lost_addrs, n_routes0 = a->n_lost_routes;
	char names[1024] = "";
	int r = sim_uppers_follow(pl, a, lower, up, 0, names, sizeof(names));

	if (r < 0 || !names[0])
		return r;
	r = act_text_add(a, "; the kernel %s %s %s with it", up ? "brings" : "takes", names, up ? "up" : "down");
	if (r >= 0)
		r = act_text_lost(a, ", which loses", n_addrs0, n_routes0);
	return r;
}

static int plan_link_delete(struct planner *pl, struct sim_link *sl, enum disruption level, const char *why) {
	char sfx[300];
	struct sim_link *up;
	struct action *a;

	/* the devices on it go first, each with what undoing needs */
	while ((up = sim_upper_of(pl, sl))) {
		char buf[IFNAMSIZ + 64];
		int r;

		if (!owned_link(pl, up->l.netns, up->l.name, up->l.kind) && !up->created &&
		    !want_find(pl, up->l.netns, up->l.name))
			return fail(pl, -EBUSY, "link %s%s: deleting it would delete %s, which hanet did not create", sl->l.name,
			            ns_suffix(sl->l.netns, sfx, sizeof(sfx)), up->l.name);
		snprintf(buf, sizeof(buf), "(its lower device %s goes)", sl->l.name);
		r = plan_link_delete(pl, up, level, buf);
		if (r < 0)
			return r;
	}
	a = act_new(pl, ACT_LINK_DELETE, level, sl->l.netns, sl->l.name);

	if (!a)
		return -ENOMEM;
	a->link = link_dup(pl, &sl->l);
	if (!a->link)
		return -ENOMEM;
	a->sock_netns = intern_peer(pl, sim_lower_ns(pl, &sl->l));
	if (act_text(a, "link %s%s: delete %s%s%s", sl->l.name, ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
	             link_kind_name(sl->l.kind), why ? " " : "", why ? why : "") < 0)
		return -ENOMEM;
	return sim_delete_link(pl, a, sl);
}

static int remove_links(struct planner *pl) {
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

static int plan_link_set(struct planner *pl, struct sim_link *sl, unsigned set, uint32_t mtu, const uint8_t *mac,
                         const char *alias, unsigned nic_keys, bool restoring);
static int plan_link_state(struct planner *pl, struct sim_link *sl, bool up, unsigned nic_keys, enum disruption level);
static int plan_link_master(struct planner *pl, struct sim_link *sl, const char *master, unsigned nic_keys,
                            enum disruption level);

static bool profile_declares_netns(const struct planner *pl, const char *netns) {
	for (size_t i = 0; pl->prof && i < pl->prof->n_netns; i++)
		if (netns_eq(pl->prof->netns[i].name, netns))
			return true;
	return false;
}

/* Devices hanet changed but did not create, dropped from the profile:
 * give back what they had. */
static int restore_nics(struct planner *pl) {
	struct owner *o = pl->in->owner;
	char sfx[300];

	for (size_t i = 0; i < o->n_nics; i++) {
		const struct owned_nic *n = &o->nics[i];
		struct want_link *w = want_find(pl, n->netns, n->name);
		struct sim_link *sl = sim_link(pl, n->netns, n->name);
		int r;

		if (!sl)
			continue;
		if (w && (w->l.kind == LINK_NIC || !kind_is_created(w->l.kind)))
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
			a->to_netns = intern(pl, n->orig_netns);
			if (act_text(a, "link %s%s: move back to netns %s", n->name, ns_suffix(n->netns, sfx, sizeof(sfx)),
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
	for (size_t i = 0; pl->prof && i < pl->prof->n_netns; i++)
		if (netns_eq(pl->prof->netns[i].name, netns) && (pl->prof->netns[i].set & NETNS_SET_FORWARDING)) {
			*ret = pl->prof->netns[i].forwarding;
			return true;
		}
	return false;
}

static bool want_netns(struct planner *pl, const char *netns) {
	for (size_t i = 0; pl->prof && i < pl->prof->n_netns; i++)
		if (netns_eq(pl->prof->netns[i].name, netns))
			return true;
	return false;
}

static int restore_sysctls(struct planner *pl) {
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
	bool owned = owned_link(pl, sl->l.netns, sl->l.name, sl->l.kind);

	if (strcmp(sl->l.name, "lo") == 0)
		return true;
	/* a veth pair is recorded by the end hanet created it from */
	if (!owned && sl->l.kind == LINK_VETH && sl->l.u.veth.peer[0])
		owned = owned_link(pl, sl->l.u.veth.peer_netns, sl->l.u.veth.peer, LINK_VETH);
	return owned && !want_find(pl, sl->l.netns, sl->l.name);
}

static void doom_netns(struct planner *pl) {
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
				} else if (!ns->doomed && lower_of(&sl->l) && sl->l.link_netnsid >= 0) {
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

static int remove_netns(struct planner *pl) {
	struct owner *o = pl->in->owner;

	for (size_t i = o->n_netns; i-- > 0;) {
		const char *name = o->netns[i];
		struct sim_ns *ns = sim_ns(pl, name);
		struct action *a;
		char foreign[256] = "";
		size_t len = 0;

		if (want_netns(pl, name) || !ns || !ns->exists)
			continue;
		for (size_t j = 0; !ns->doomed && j < ns->n_links; j++) {
			const struct sim_link *sl = &ns->links[j];

			if (sl->gone || strcmp(sl->l.name, "lo") == 0)
				continue;
			if (len < sizeof(foreign))
				len += (size_t)snprintf(foreign + len, sizeof(foreign) - len, "%s%s", len ? ", " : "", sl->l.name);
		}
		if (len) {
			if (note(pl, "netns %s kept: it holds devices hanet did not create (%s)", name, foreign) < 0)
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

/* ---- creation ------------------------------------------------------------------------ */

static int create_netns(struct planner *pl) {
	for (size_t i = 0; pl->prof && i < pl->prof->n_netns; i++) {
		const char *name = pl->prof->netns[i].name;
		struct sim_ns *ns = sim_ns(pl, name);
		struct link lo = { .kind = LINK_NIC, .mtu = 65536, .set = LINK_SET_MTU | LINK_SET_STATE };
		struct action *a;

		if (ns && ns->exists)
			continue;
		a = act_new(pl, ACT_NETNS_ADD, DISRUPT_LIVE, name, NULL);
		if (!a)
			return -ENOMEM;
		a->owned = true;
		if (act_text(a, "netns %s: create", name) < 0)
			return -ENOMEM;
		ns = sim_ns_add(pl, name);
		if (!ns)
			return -ENOMEM;
		ns->exists = true;
		ns->created = true;
		ns->fwd4 = ns->fwd6 = false;
		strcpy(lo.name, "lo");
		if (!sim_link_add(pl, ns, &lo))
			return -ENOMEM;
	}
	return 0;
}

static int create_text(struct action *a, const struct link *l) {
	const struct link_ops *ops;
	char sfx[300], extra[300] = "";

	ops = link_ops_get(l->kind);
	if (ops && ops->describe)
		ops->describe(l, extra, sizeof(extra));
	return act_text(a, "link %s%s: create %s%s", l->name, ns_suffix(l->netns, sfx, sizeof(sfx)), link_kind_name(l->kind),
	                extra);
}

static int plan_link_create(struct planner *pl, struct want_link *w, enum disruption level) {
	struct sim_ns *ns = sim_ns(pl, w->l.netns);
	struct action *a;
	struct sim_link *sl;

	if (!ns || !ns->exists)
		return fail(pl, -ENOENT, "link %s: netns %s does not exist", w->l.name, netns_str(w->l.netns));
	if (w->l.kind == LINK_VETH) {
		struct sim_ns *pns = sim_ns(pl, w->l.u.veth.peer_netns);

		if (!pns || !pns->exists)
			return fail(pl, -ENOENT, "link %s: peer netns %s does not exist", w->l.name,
			            netns_str(w->l.u.veth.peer_netns));
	}
	a = act_new(pl, ACT_LINK_CREATE, level, w->l.netns, w->l.name);
	if (!a)
		return -ENOMEM;
	a->link = link_dup(pl, &w->l);
	if (!a->link)
		return -ENOMEM;
	/* the alias and addresses come in their own phases; so does the mtu,
	 * except a veth's: an upper device may not exceed its lower one, and a
	 * bridge created with an mtu still follows its ports */
	a->link->set &= w->l.kind == LINK_VETH ? LINK_SET_MTU | LINK_SET_MAC : LINK_SET_MAC;
	a->owned = true;
	/* "" (not NULL) when the request goes to the current namespace */
	a->sock_netns = intern_peer(pl, lower_ns(pl, &w->l) ? lower_ns(pl, &w->l) : "");
	if (create_text(a, &w->l) < 0)
		return -ENOMEM;
	sl = sim_link_add(pl, ns, a->link);
	if (!sl)
		return -ENOMEM;
	sl->created = true;
	sl->l.up = false;
	sl->l.master[0] = '\0';
	if (!(a->link->set & LINK_SET_MTU)) {
		const char *lower = lower_of(&w->l);
		struct sim_link *lo = lower ? sim_link(pl, lower_ns(pl, &w->l), lower) : NULL;

		sl->l.mtu = lo ? lo->l.mtu : 1500;
	}
	free(sl->l.alias);
	sl->l.alias = NULL;
	free(sl->l.addrs);
	sl->l.addrs = NULL;
	sl->l.n_addrs = 0;
	if (w->l.kind == LINK_VETH) {
		struct sim_ns *pns = sim_ns(pl, w->l.u.veth.peer_netns);
		struct link peer = { .kind = LINK_VETH };

		memcpy(peer.name, w->l.u.veth.peer, IFNAMSIZ);
		peer.mtu = 1500;
		peer.netns = pns->name;
		memcpy(peer.u.veth.peer, w->l.name, IFNAMSIZ);
		peer.u.veth.peer_netns = ns->name ? ns->name : (pns->name ? "" : NULL);
		sl = sim_link_add(pl, pns, &peer);
		if (!sl)
			return -ENOMEM;
		sl->created = true;
	}
	return 0;
}

static bool owned_link(struct planner *pl, const char *netns, const char *name, enum link_kind kind) {
	const struct owned_link *ol = owner_link(pl->in->owner, netns, name);

	return ol && ol->kind == kind;
}

static int plan_link_kind(struct planner *pl, struct want_link *w, struct sim_link *sl, const struct link_diff *d) {
	char sfx[300];
	struct action *a;
	int r;

	if (d->level >= DISRUPT_FLAP && d->need_no_slaves) {
		struct sim_ns *ns = sim_ns(pl, sl->l.netns);

		for (size_t i = 0; ns && i < ns->n_links; i++)
			if (!ns->links[i].gone && strcmp(ns->links[i].l.master, sl->l.name) == 0) {
				r = plan_link_master(pl, &ns->links[i], "", 0, DISRUPT_FLAP);
				if (r < 0)
					return r;
			}
	}
	if (d->level >= DISRUPT_FLAP && d->need_down && sl->l.up) {
		r = plan_link_state(pl, sl, false, 0, DISRUPT_FLAP);
		if (r < 0)
			return r;
	}
	a = act_new(pl, ACT_LINK_KIND, d->level, sl->l.netns, sl->l.name);
	if (!a)
		return -ENOMEM;
	a->link = link_dup(pl, &w->l);
	a->have = link_dup(pl, &sl->l);
	if (!a->link || !a->have)
		return -ENOMEM;
	if (act_text(a, "link %s%s: change %s %s", sl->l.name, ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
	             link_kind_name(sl->l.kind), d->what) < 0)
		return -ENOMEM;
	/* the simulation now has the wanted options */
	{
		struct link keep = sl->l;
		struct link nl;

		if (link_copy(&nl, &w->l) < 0)
			return -ENOMEM;
		nl.netns = keep.netns;
		nl.ifindex = keep.ifindex;
		nl.up = keep.up;
		nl.mtu = keep.mtu;
		memcpy(nl.mac, keep.mac, ETH_ALEN_);
		memcpy(nl.master, keep.master, IFNAMSIZ);
		nl.set = keep.set;
		free(nl.alias);
		nl.alias = keep.alias ? strdup(keep.alias) : NULL;
		free(nl.addrs);
		nl.addrs = NULL;
		nl.n_addrs = 0;
		link_fini(&sl->l);
		sl->l = nl;
	}
	return 0;
}

static int create_links(struct planner *pl, struct want_link **sorted) {
	char sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl;
		const struct link_ops *ops;
		struct link_diff d = { .level = DISRUPT_NONE };
		int r;

		if (!kind_is_created(w->l.kind) || w->implicit)
			continue;
		ops = link_ops_get(w->l.kind);
		if (!ops)
			return fail(pl, -EOPNOTSUPP, "link %s: hanet was built without the %s backend", w->l.name,
			            link_kind_name(w->l.kind));
		sl = sim_link(pl, w->l.netns, w->l.name);
		if (!sl) {
			r = plan_link_create(pl, w, DISRUPT_LIVE);
			if (r < 0)
				return r;
			continue;
		}
		if (sl->created)
			return fail(pl, -EEXIST, "link %s%s: declared twice (a veth peer has the same name?)", w->l.name,
			            ns_suffix(w->l.netns, sfx, sizeof(sfx)));
		if (sl->l.kind != w->l.kind) {
			if (!owned_link(pl, w->l.netns, w->l.name, sl->l.kind))
				return fail(pl, -EEXIST, "link %s%s: exists as a %s%s%s that hanet did not create; cannot make it a %s",
				            w->l.name, ns_suffix(w->l.netns, sfx, sizeof(sfx)), link_kind_name(sl->l.kind),
				            sl->l.kind_name[0] ? " " : "", sl->l.kind_name[0] ? sl->l.kind_name : "",
				            link_kind_name(w->l.kind));
			r = plan_link_delete(pl, sl, DISRUPT_RECREATE, "(recreate)");
			if (r < 0)
				return r;
			r = plan_link_create(pl, w, DISRUPT_RECREATE);
			if (r < 0)
				return r;
			continue;
		}
		if (ops->diff) {
			struct link cmp = w->l;
			struct want_link *lw;

			/* the kernel puts a macvlan on a macvlan onto the lower one's lower */
			for (int guard = 0; cmp.kind == LINK_MACVLAN && guard < 8; guard++) {
				lw = want_find(pl, lower_ns(pl, &cmp), cmp.u.macvlan.link);
				if (!lw || lw->l.kind != LINK_MACVLAN)
					break;
				memcpy(cmp.u.macvlan.link, lw->l.u.macvlan.link, IFNAMSIZ);
			}
			ops->diff(&cmp, &sl->l, &d);
		}
		if (d.level == DISRUPT_NONE)
			continue;
		if (d.level == DISRUPT_RECREATE) {
			if (!owned_link(pl, w->l.netns, w->l.name, sl->l.kind))
				return fail(pl, -EBUSY, "link %s%s: %s needs the link deleted and created again, and hanet did not create it",
				            w->l.name, ns_suffix(w->l.netns, sfx, sizeof(sfx)), d.what);
			r = plan_link_delete(pl, sl, DISRUPT_RECREATE, d.what[0] ? "(recreate: " : NULL);
			if (r < 0)
				return r;
			if (d.what[0]) {
				struct action *a = &pl->p->v[pl->p->n - 1];
				char *t = NULL;

				if (asprintf(&t, "%s%s)", a->text, d.what) < 0)
					return -ENOMEM;
				free(a->text);
				a->text = t;
			}
			r = plan_link_create(pl, w, DISRUPT_RECREATE);
			if (r < 0)
				return r;
			continue;
		}
		r = plan_link_kind(pl, w, sl, &d);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Devices the profile expects to exist: there, or in the current
 * namespace to be moved in, or made by one of the profile's veths. */
static int place_nics(struct planner *pl, struct want_link **sorted) {
	char sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl, *cur;
		struct action *a;
		struct sim_ns *to;
		int r;

		if (kind_is_created(w->l.kind) && !w->implicit)
			continue;
		sl = sim_link(pl, w->l.netns, w->l.name);
		if (sl)
			continue;
		if (w->implicit || w->provider >= 0)
			return fail(pl, -ENODEV, "link %s%s: the veth %s did not make it", w->l.name,
			            ns_suffix(w->l.netns, sfx, sizeof(sfx)), w->provider >= 0 ? pl->want[w->provider].l.name : "?");
		cur = w->l.netns ? sim_link(pl, NULL, w->l.name) : NULL;
		if (!cur)
			return fail(pl, -ENODEV, "link %s%s: no such device", w->l.name, ns_suffix(w->l.netns, sfx, sizeof(sfx)));
		to = sim_ns(pl, w->l.netns);
		if (!to || !to->exists)
			return fail(pl, -ENOENT, "link %s: netns %s does not exist", w->l.name, netns_str(w->l.netns));
		a = act_new(pl, ACT_LINK_MOVE, DISRUPT_FLAP, NULL, w->l.name);
		if (!a)
			return -ENOMEM;
		a->to_netns = to->name;
		a->nic_keys = NIC_ORIG_NETNS;
		a->nic_before = link_dup(pl, &cur->l);
		if (!a->nic_before)
			return -ENOMEM;
		if (act_text(a, "link %s: move to netns %s", w->l.name, netns_str(w->l.netns)) < 0)
			return -ENOMEM;
		r = sim_link_loses(pl, a, NULL, w->l.name, true);
		if (r < 0)
			return r;
		cur->gone = true;
		sl = sim_link_add(pl, to, &cur->l);
		if (!sl)
			return -ENOMEM;
		sl->l.up = false;
		sl->l.master[0] = '\0';
	}
	return 0;
}

static bool link_is_owned(struct planner *pl, const struct sim_link *sl) {
	const struct want_link *w;

	if (sl->created || owned_link(pl, sl->l.netns, sl->l.name, sl->l.kind))
		return true;
	/* the other end of a veth pair hanet made: recorded under the end
	 * that made it */
	w = want_find(pl, sl->l.netns, sl->l.name);
	if (w && w->provider >= 0 && sl->l.kind == LINK_VETH) {
		const struct want_link *v = &pl->want[w->provider];

		return owned_link(pl, v->l.netns, v->l.name, LINK_VETH);
	}
	return false;
}

static int fill_nic(struct planner *pl, struct action *a, const struct sim_link *sl, unsigned nic_keys) {
	if (!nic_keys || link_is_owned(pl, sl))
		return 0;
	a->nic_keys = nic_keys;
	a->nic_before = link_dup(pl, &sl->l);
	return a->nic_before ? 0 : -ENOMEM;
}

static int plan_link_master(struct planner *pl, struct sim_link *sl, const char *master, unsigned nic_keys,
                            enum disruption level) {
	char sfx[300];
	struct action *a = act_new(pl, ACT_LINK_MASTER, level, sl->l.netns, sl->l.name);
	int r;

	if (!a)
		return -ENOMEM;
	snprintf(a->master, sizeof(a->master), "%s", master);
	memcpy(a->old_master, sl->l.master, IFNAMSIZ);
	if (sl->l.master[0]) {
		struct sim_link *old = sim_link(pl, sl->l.netns, sl->l.master);

		if (old && old->l.kind == LINK_BOND && (old->l.set & LINK_SET_MAC)) {
			memcpy(a->master_mac, old->l.mac, ETH_ALEN_);
			a->master_mac_set = true;
		}
		/* what the port takes along when it leaves (a team's port
		 * priority, its active port): the inverse hands the master's
		 * settings to its backend again */
		if (old && link_ops_get(old->l.kind) && link_ops_get(old->l.kind)->apply_extra &&
		    !(a->have = link_dup(pl, &old->l)))
			return -ENOMEM;
	}
	r = fill_nic(pl, a, sl, nic_keys);
	if (r < 0)
		return r;
	if (master[0])
		r = act_text(a, "link %s%s: enslave to %s", sl->l.name, ns_suffix(sl->l.netns, sfx, sizeof(sfx)), master);
	else
		r = act_text(a, "link %s%s: release from %s", sl->l.name, ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
		             sl->l.master);
	if (r < 0)
		return r;
	{
		struct sim_link *old = sl->l.master[0] ? sim_link(pl, sl->l.netns, sl->l.master) : NULL;

		if (old) {
			old->ports_changed = true;
			/* a bond or team closes the port it lets go */
			if (old->l.kind == LINK_BOND || old->l.kind == LINK_TEAM)
				sl->l.up = false;
			/* and a bond gives it its permanent MAC address back,
			 * which observe does not read: a later change of the
			 * port's MAC reads it first, for its undo */
			if (old->l.kind == LINK_BOND)
				sl->l.set &= ~LINK_SET_MAC;
		}
	}
	snprintf(sl->l.master, sizeof(sl->l.master), "%s", master);
	if (master[0]) {
		struct sim_link *m = sim_link(pl, sl->l.netns, master);

		if (m) {
			m->ports_changed = true;
			if (m->l.kind == LINK_BOND && sl->l.mtu != m->l.mtu)
				sl->l.mtu = m->l.mtu;
			/* a bond or team opens the port it takes */
			if (m->l.kind == LINK_BOND || m->l.kind == LINK_TEAM)
				sl->l.up = true;
		}
		r = sim_mtu_changed(pl, a, sl, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int plan_link_state(struct planner *pl, struct sim_link *sl, bool up, unsigned nic_keys, enum disruption level) {
	char sfx[300];
	struct action *a = act_new(pl, up ? ACT_LINK_UP : ACT_LINK_DOWN, level, sl->l.netns, sl->l.name);
	int r;

	if (!a)
		return -ENOMEM;
	r = fill_nic(pl, a, sl, nic_keys);
	if (r < 0)
		return r;
	if (act_text(a, "link %s%s: %s", sl->l.name, ns_suffix(sl->l.netns, sfx, sizeof(sfx)), up ? "up" : "down") < 0)
		return -ENOMEM;
	if (!up) {
		r = sim_link_loses(pl, a, sl->l.netns, sl->l.name, false);
		if (r >= 0)
			r = sim_vlans_stay_down(pl, a, sl, 0);
		if (r < 0)
			return r;
	}
	sl->l.up = up;
	return sim_link_state_follows(pl, a, sl, up);
}

static int master_kind(struct planner *pl, const char *netns, const char *master) {
	struct want_link *w = want_find(pl, netns, master);
	struct sim_link *sl;

	if (w)
		return w->l.kind;
	sl = sim_link(pl, netns, master);
	return sl ? (int)sl->l.kind : -1;
}

/* A team gives its ports its MAC address, as teamd does by default
 * (hwaddr_policy same_all): frames for the team then arrive on a port
 * that takes them, whichever port is active.  The kernel's team driver
 * does it only in modes other than activebackup, and only when a port
 * joins.  Planned before a port joins (it is down then, and every driver
 * takes a new address while down), and again after the team's address
 * changed.  A device hanet did not create gets a record of the address it
 * had, given back when it leaves the team (restore_port_macs()). */
static int plan_port_mac(struct planner *pl, struct sim_link *port, const struct sim_link *team) {
	char sfx[300], m[18];
	struct action *a;
	int r;

	if (team->l.set & LINK_SET_MAC)
		return plan_link_set(pl, port, LINK_SET_MAC, 0, team->l.mac, NULL, LINK_SET_MAC, false);
	if (port->mac_of_master)
		return 0;
	/* a team this plan makes without `mac =`: the kernel chooses its
	 * address, read when the action runs */
	a = act_new(pl, ACT_LINK_SET, DISRUPT_LIVE, port->l.netns, port->l.name);
	if (!a)
		return -ENOMEM;
	a->set = LINK_SET_MAC;
	memcpy(a->mac_of, team->l.name, IFNAMSIZ);
	memcpy(a->old_mac, port->l.mac, ETH_ALEN_);
	a->old_mac_unknown = !(port->l.set & LINK_SET_MAC);
	a->old_mtu = port->l.mtu;
	r = fill_nic(pl, a, port, LINK_SET_MAC);
	if (r < 0)
		return r;
	format_mac(port->l.mac, m);
	if (a->old_mac_unknown)
		r = act_text(a, "link %s%s: set mac of %s", port->l.name, ns_suffix(port->l.netns, sfx, sizeof(sfx)),
		             team->l.name);
	else
		r = act_text(a, "link %s%s: set mac of %s (was %s)", port->l.name, ns_suffix(port->l.netns, sfx, sizeof(sfx)),
		             team->l.name, m);
	if (r < 0)
		return r;
	port->l.set &= ~LINK_SET_MAC;
	port->mac_of_master = true;
	return 0;
}

static bool sim_is_team(struct planner *pl, const char *netns, const char *name) {
	const struct sim_link *m = name[0] ? sim_link(pl, netns, name) : NULL;

	return m && m->l.kind == LINK_TEAM;
}

static bool sim_is_bond_or_team(struct planner *pl, const char *netns, const char *name) {
	const struct sim_link *m = name[0] ? sim_link(pl, netns, name) : NULL;

	return m && (m->l.kind == LINK_BOND || m->l.kind == LINK_TEAM);
}

/* Devices hanet did not create, still in the profile, that left their
 * team or bond (released, or the master deleted): what hanet changed on
 * them for it and the profile does not ask for comes back from their
 * record.  The MAC address they had before joining a team (unless they
 * join a team again, or declare `mac =`), and their state (a port goes
 * down to join and its master opens it; one let go is closed), unless
 * they declare `state =` or join a bond or team again.  The same gives
 * back a MAC address the profile no longer declares.  Devices the
 * profile dropped get everything back in restore_nics(). */
static int restore_nic_keys(struct planner *pl) {
	const struct owner *o = pl->in->owner;

	for (size_t i = 0; i < o->n_nics; i++) {
		const struct owned_nic *n = &o->nics[i];
		struct sim_link *sl = sim_link(pl, n->netns, n->name);
		struct want_link *w = want_find(pl, n->netns, n->name);
		size_t before;
		int mk, r;

		if (!sl || !w)
			continue;
		mk = master_kind(pl, w->l.netns, w->l.master);
		before = pl->p->n;
		if ((n->set & LINK_SET_MAC) && !(w->l.set & LINK_SET_MAC) && mk != LINK_TEAM &&
		    !sim_is_team(pl, sl->l.netns, sl->l.master)) {
			r = plan_link_set(pl, sl, LINK_SET_MAC, 0, n->mac, NULL, 0, true);
			if (r < 0)
				return r;
			if (pl->p->n > before)
				pl->p->v[pl->p->n - 1].nic_forget = LINK_SET_MAC;
		}
		before = pl->p->n;
		if ((n->set & LINK_SET_STATE) && !(w->l.set & LINK_SET_STATE) && mk != LINK_TEAM && mk != LINK_BOND &&
		    !sim_is_bond_or_team(pl, sl->l.netns, sl->l.master) && sl->l.up != n->up) {
			r = plan_link_state(pl, sl, n->up, 0, n->up ? DISRUPT_LIVE : DISRUPT_FLAP);
			if (r < 0)
				return r;
			if (pl->p->n > before)
				pl->p->v[pl->p->n - 1].nic_forget = LINK_SET_STATE;
		}
	}
	return 0;
}

static int enslave(struct planner *pl, struct want_link **sorted) {
	int r;

	/* releases first: a port may move from one master to another */
	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl = sim_link(pl, w->l.netns, w->l.name);
		struct want_link *cur_master;

		if (!sl || !sl->l.master[0] || strcmp(sl->l.master, w->l.master) == 0)
			continue;
		cur_master = want_find(pl, w->l.netns, sl->l.master);
		if (!cur_master && !w->l.master[0])
			continue;   /* a master the profile does not manage */
		r = plan_link_master(pl, sl, "", NIC_ORIG_MASTER, DISRUPT_LIVE);
		if (r < 0)
			return r;
	}
	/* out of a team or bond: what it had (before it joins a bond, which
	 * keeps the address a slave had when it joined) */
	r = restore_nic_keys(pl);
	if (r < 0)
		return r;
	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl = sim_link(pl, w->l.netns, w->l.name);
		int mk;

		if (!sl || !w->l.master[0] || strcmp(sl->l.master, w->l.master) == 0)
			continue;
		mk = master_kind(pl, w->l.netns, w->l.master);
		if ((mk == LINK_BOND || mk == LINK_TEAM) && sl->l.up) {
			/* the kernel wants a bond slave or team port down when it joins */
			r = plan_link_state(pl, sl, false, LINK_SET_STATE, DISRUPT_LIVE);
			if (r < 0)
				return r;
		}
		if (mk == LINK_TEAM && sim_is_team(pl, w->l.netns, w->l.master)) {
			r = plan_port_mac(pl, sl, sim_link(pl, w->l.netns, w->l.master));
			if (r < 0)
				return r;
		}
		r = plan_link_master(pl, sl, w->l.master, NIC_ORIG_MASTER, DISRUPT_LIVE);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Backends with settings that need the ports attached (team options and
 * port priorities, a bond's primary): after the links were made or got
 * new ports. */
static int extras(struct planner *pl, struct want_link **sorted) {
	char sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		const struct link_ops *ops = link_ops_get(w->l.kind);
		struct sim_link *sl = sim_link(pl, w->l.netns, w->l.name);
		struct action *a;

		if (!ops || !ops->apply_extra || !sl || w->implicit || (!sl->created && !sl->ports_changed))
			continue;
		a = act_new(pl, ACT_LINK_EXTRA, DISRUPT_LIVE, w->l.netns, w->l.name);
		if (!a)
			return -ENOMEM;
		a->link = link_dup(pl, &w->l);
		if (!a->link)
			return -ENOMEM;
		if (!sl->created && !(a->have = link_dup(pl, &sl->l)))
			return -ENOMEM;
		if (act_text(a, "link %s%s: %s settings with %s attached", w->l.name, ns_suffix(w->l.netns, sfx, sizeof(sfx)),
		             link_kind_name(w->l.kind), w->l.kind == LINK_BOND ? "its slaves" : "its ports") < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A team's ports no longer carry its MAC address (it changed): the
 * kernel passes the new one on to them in every mode but activebackup;
 * team_port_macs() plans it for all. */
static void sim_team_mac_changed(struct planner *pl, const struct sim_link *team) {
	struct sim_ns *ns = sim_ns(pl, team->l.netns);

	for (size_t i = 0; ns && i < ns->n_links; i++) {
		struct sim_link *port = &ns->links[i];

		if (!port->gone && strcmp(port->l.master, team->l.name) == 0) {
			port->l.set &= ~LINK_SET_MAC;
			port->mac_of_master = false;
		}
	}
}

static int plan_link_set(struct planner *pl, struct sim_link *sl, unsigned set, uint32_t mtu, const uint8_t *mac,
                         const char *alias, unsigned nic_keys, bool restoring) {
	char sfx[300], buf[512], m1[18], m2[18];
	size_t len = 0;
	struct action *a;
	int r;

	if ((set & LINK_SET_MTU) && sl->l.mtu == mtu)
		set &= ~LINK_SET_MTU;
	if ((set & LINK_SET_MAC) && (sl->l.set & LINK_SET_MAC) && memcmp(sl->l.mac, mac, ETH_ALEN_) == 0)
		set &= ~LINK_SET_MAC;
	if ((set & LINK_SET_ALIAS) && streq_ptr(sl->l.alias && *sl->l.alias ? sl->l.alias : NULL,
	                                        alias && *alias ? alias : NULL))
		set &= ~LINK_SET_ALIAS;
	if (!set)
		return 0;
	a = act_new(pl, ACT_LINK_SET, DISRUPT_LIVE, sl->l.netns, sl->l.name);
	if (!a)
		return -ENOMEM;
	a->set = set;
	a->mtu = mtu;
	a->old_mtu = sl->l.mtu;
	if (mac)
		memcpy(a->mac, mac, ETH_ALEN_);
	memcpy(a->old_mac, sl->l.mac, ETH_ALEN_);
	a->old_mac_unknown = (set & LINK_SET_MAC) && !(sl->l.set & LINK_SET_MAC);
	a->alias = alias && *alias ? strdup(alias) : NULL;
	a->old_alias = sl->l.alias && *sl->l.alias ? strdup(sl->l.alias) : NULL;
	r = fill_nic(pl, a, sl, nic_keys);
	if (r < 0)
		return r;
	buf[0] = '\0';
#define PUT(...) do { if (len < sizeof(buf)) len += (size_t)snprintf(buf + len, sizeof(buf) - len, __VA_ARGS__); } while (0)
	if (set & LINK_SET_MTU)
		PUT("mtu %u (was %u)", mtu, sl->l.mtu);
	if (set & LINK_SET_MAC) {
		format_mac(mac, m1);
		format_mac(sl->l.mac, m2);
		if (a->old_mac_unknown)
			PUT("%smac %s", len ? ", " : "", m1);
		else
			PUT("%smac %s (was %s)", len ? ", " : "", m1, m2);
	}
	if (set & LINK_SET_ALIAS)
		PUT("%salias \"%s\" (was \"%s\")", len ? ", " : "", alias ? alias : "", sl->l.alias ? sl->l.alias : "");
#undef PUT
	if (act_text(a, "link %s%s: %s %s", sl->l.name, ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
	             restoring ? "restore" : "set", buf) < 0)
		return -ENOMEM;
	if (set & LINK_SET_MTU) {
		sl->l.mtu = mtu;
		if (sl->l.kind == LINK_BRIDGE)
			sl->mtu_user = true;
		r = sim_mtu_changed(pl, a, sl, 0);
		if (r < 0)
			return r;
	}
	if (set & LINK_SET_MAC) {
		memcpy(sl->l.mac, mac, ETH_ALEN_);
		sl->l.set |= LINK_SET_MAC;
		sl->mac_of_master = false;
		if (sl->l.kind == LINK_TEAM)
			sim_team_mac_changed(pl, sl);
	}
	if (set & LINK_SET_ALIAS) {
		free(sl->l.alias);
		sl->l.alias = alias && *alias ? strdup(alias) : NULL;
	}
	return 0;
}

static int attributes(struct planner *pl, struct want_link **sorted) {
	char sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl = sim_link(pl, w->l.netns, w->l.name);
		unsigned set = w->l.set & (LINK_SET_MTU | LINK_SET_MAC | LINK_SET_ALIAS);
		int r;

		if (!sl || !set)
			continue;
		r = plan_link_set(pl, sl, set, w->l.mtu, w->l.mac, w->l.alias, set, false);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; pl->prof && i < pl->prof->n_netns; i++) {
		const struct netns_conf *c = &pl->prof->netns[i];
		struct sim_ns *ns = sim_ns(pl, c->name);
		struct action *a;

		if (!(c->set & NETNS_SET_FORWARDING) || !ns || !ns->exists)
			continue;
		if (ns->fwd4 == c->forwarding && ns->fwd6 == c->forwarding)
			continue;
		a = act_new(pl, ACT_FORWARDING, DISRUPT_LIVE, c->name, NULL);
		if (!a)
			return -ENOMEM;
		a->fwd4 = a->fwd6 = c->forwarding;
		a->old_fwd4 = ns->fwd4;
		a->old_fwd6 = ns->fwd6;
		a->fwd_record = !ns->created && !owner_has_netns(pl->in->owner, c->name);
		ns->fwd4 = ns->fwd6 = c->forwarding;
		if (act_text(a, "netns %s: forwarding %s", c->name, c->forwarding ? "on" : "off") < 0)
			return -ENOMEM;
		(void)sfx;
	}
	return 0;
}

/* Every port of a team carries the team's MAC address (plan_port_mac()):
 * after the ports joined and the team's own address was set. */
static int team_port_macs(struct planner *pl, struct want_link **sorted) {
	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *team = sim_link(pl, w->l.netns, w->l.name);
		struct sim_ns *ns = sim_ns(pl, w->l.netns);

		if (w->l.kind != LINK_TEAM || !team || team->l.kind != LINK_TEAM)
			continue;
		for (size_t j = 0; ns && j < ns->n_links; j++) {
			struct sim_link *port = &ns->links[j];
			int r;

			if (port->gone || strcmp(port->l.master, team->l.name) != 0)
				continue;
			r = plan_port_mac(pl, port, team);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int updown(struct planner *pl, struct want_link **sorted) {
	for (size_t i = 0; pl->prof && i < pl->prof->n_netns; i++) {
		const struct netns_conf *c = &pl->prof->netns[i];
		struct sim_link *lo = sim_link(pl, c->name, "lo");
		struct sim_ns *ns = sim_ns(pl, c->name);
		bool want = (c->set & NETNS_SET_LOOPBACK) ? c->loopback_up : true;
		/* a namespace hanet did not make: lo's state before is recorded,
		 * and down gives it back (restore_nics()) */
		bool record = ns && !ns->created && !owner_has_netns(pl->in->owner, c->name);
		int r;

		if (!lo || lo->l.up == want)
			continue;
		r = plan_link_state(pl, lo, want, record ? LINK_SET_STATE : 0, DISRUPT_LIVE);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl = sim_link(pl, w->l.netns, w->l.name);
		bool up = want_up(w);
		int r;

		if (!sl || sl->l.up == up)
			continue;
		if (!(w->l.set & LINK_SET_STATE) && !(kind_is_created(w->l.kind) && !w->foreign_port))
			continue;
		r = plan_link_state(pl, sl, up, LINK_SET_STATE, up ? DISRUPT_LIVE : DISRUPT_FLAP);
		if (r < 0)
			return r;
	}
	return 0;
}

static int addresses(struct planner *pl) {
	char ip[IPADDR_STRLEN], sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = &pl->want[i];
		struct sim_ns *ns = sim_ns(pl, w->l.netns);

		for (size_t j = 0; j < w->l.n_addrs; j++) {
			struct addr x = { 0 };
			struct action *a;
			int r;

			if (sim_addr(pl, w->l.netns, w->l.name, &w->l.addrs[j]))
				continue;
			x.ip = w->l.addrs[j];
			memcpy(x.dev, w->l.name, IFNAMSIZ);
			x.preferred_lft = x.valid_lft = UINT32_MAX;
			a = act_new(pl, ACT_ADDR_ADD, DISRUPT_LIVE, w->l.netns, w->l.name);
			if (!a)
				return -ENOMEM;
			a->addr = x;
			a->addr.netns = a->netns;
			a->owned = true;
			if (act_text(a, "addr %s dev %s%s: add", format_ipaddr(&x.ip, true, ip, sizeof(ip)), w->l.name,
			             ns_suffix(w->l.netns, sfx, sizeof(sfx))) < 0)
				return -ENOMEM;
			if ((r = sim_addr_inverse_loses(pl, a, &a->addr)) < 0)
				return r;
			if (ns && (r = sim_addr_add(ns, &x)) < 0)
				return r;
		}
	}
	return 0;
}

static int vips(struct planner *pl) {
	char ip[IPADDR_STRLEN], sfx[300], why[256];

	for (size_t i = 0; pl->prof && i < pl->prof->n_vips; i++) {
		const struct vip *v = &pl->prof->vips[i];
		struct sim_ns *ns = sim_ns(pl, v->netns);
		struct sim_addr *have;
		struct addr want;
		struct action *a;
		int r;

		if (v->owner == VIP_OWNER_EXTERNAL && !v->held)
			continue;
		if (!sim_link(pl, v->netns, v->dev))
			return fail(pl, -ENODEV, "vip %s: device %s%s does not exist", v->name, v->dev,
			            ns_suffix(v->netns, sfx, sizeof(sfx)));
		addr_from_vip(v, &want);
		have = sim_addr(pl, v->netns, v->dev, &v->address);
		if (have && addr_vip_matches(&want, &have->a, why, sizeof(why)))
			continue;
		if (have && !addr_change_is_live(&want, &have->a)) {
			/* the kernel keeps these on a replace: remove, add again */
			a = act_new(pl, ACT_ADDR_DEL, DISRUPT_FLAP, v->netns, v->dev);
			if (!a)
				return -ENOMEM;
			a->addr = have->a;
			a->addr.netns = a->netns;
			a->object = v->name;
			if (act_text(a, "vip %s %s dev %s%s: remove to change %s", v->name,
			             format_ipaddr(&v->address, true, ip, sizeof(ip)), v->dev, ns_suffix(v->netns, sfx, sizeof(sfx)),
			             why) < 0)
				return -ENOMEM;
			have->gone = true;
			r = sim_addr_loses(pl, a, &a->addr);
			if (r < 0)
				return r;
			have = NULL;
			a = act_new(pl, ACT_ADDR_ADD, DISRUPT_FLAP, v->netns, v->dev);
		} else {
			a = act_new(pl, have ? ACT_ADDR_REPLACE : ACT_ADDR_ADD, DISRUPT_LIVE, v->netns, v->dev);
		}
		if (!a)
			return -ENOMEM;
		a->addr = want;
		a->addr.netns = a->netns;
		a->vip = v;
		a->object = v->name;
		/* a held external VIP is recorded by its held record (vip.h),
		 * not in the ownership records */
		a->owned = !have && v->owner == VIP_OWNER_LOCAL;
		if (have) {
			a->old_addr = have->a;
			a->old_addr.netns = a->netns;
			have->a = want;
			r = act_text(a, "vip %s %s dev %s%s: change %s", v->name, format_ipaddr(&v->address, true, ip, sizeof(ip)),
			             v->dev, ns_suffix(v->netns, sfx, sizeof(sfx)), why);
		} else {
			r = act_text(a, "vip %s %s dev %s%s: add", v->name, format_ipaddr(&v->address, true, ip, sizeof(ip)), v->dev,
			             ns_suffix(v->netns, sfx, sizeof(sfx)));
			if (r >= 0)
				r = sim_addr_inverse_loses(pl, a, &a->addr);
			if (r >= 0 && ns)
				r = sim_addr_add(ns, &want);
		}
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- routes ---------------------------------------------------------------------------- */

static int build_want_routes(struct planner *pl) {
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

struct route_group {
	const struct route **add, **rep, **old;
	size_t n_add, n_rep;
};

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
		return act_text(a, "route %s%s: %s %s", routes[0]->name, ns_suffix(netns, sfx, sizeof(sfx)), verb,
		                route_format(routes[0], buf, sizeof(buf)));
	if (n == 1)
		return act_text(a, "route%s: %s %s", ns_suffix(netns, sfx, sizeof(sfx)), verb,
		                route_format(routes[0], buf, sizeof(buf)));
	return act_text(a, "routes %s%s: %s %zu routes", object ? object : "", ns_suffix(netns, sfx, sizeof(sfx)), verb, n);
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
		return fail(pl, -ENOENT, "route %s: netns %s does not exist", route_format(r, buf, sizeof(buf)),
		            netns_str(r->netns));
	route_key_of(r, &k);
	if (!ns->obs || !route_map_get(ns->route_idx, &k, &idx) || ns->route_gone[idx])
		return push(&g->add, g->n_add++, r);
	have = &ns->obs->routes[idx];
	if (route_matches(r, have, why, sizeof(why)))
		return 0;
	if (have->protocol != RTPROT_HANET) {
		return fail(pl, -EEXIST, "route %s%s: a route hanet did not create is in the way (%s)",
		            route_key_format(&k, buf, sizeof(buf)), ns_suffix(r->netns, sfx, sizeof(sfx)), why);
	}
	q = load_owner_routes(pl);
	if (q < 0)
		return q;
	if (!owner_has_route(pl->in->owner, r->netns, &k))
		return fail(pl, -EEXIST, "route %s%s: a route of another profile is in the way (%s)",
		            route_key_format(&k, buf, sizeof(buf)), ns_suffix(r->netns, sfx, sizeof(sfx)), why);
	q = push(&g->old, g->n_rep, have);
	if (q < 0)
		return q;
	return push(&g->rep, g->n_rep++, r);
}

static int routes(struct planner *pl) {
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

static int rules(struct planner *pl) {
	char buf[256], sfx[300];

	for (size_t i = 0; pl->prof && i < pl->prof->n_rules; i++) {
		const struct rule *u = &pl->prof->rules[i];
		struct sim_ns *ns = sim_ns(pl, u->netns);
		bool found = false;
		struct action *a;

		if (!ns || !ns->exists)
			return fail(pl, -ENOENT, "rule %s: netns %s does not exist", u->name, netns_str(u->netns));
		for (size_t j = 0; ns->obs && j < ns->obs->n_rules; j++)
			if (!ns->rule_gone[j] && rule_matches(u, &ns->obs->rules[j]))
				found = true;
		if (found)
			continue;
		a = act_new(pl, ACT_RULE_ADD, DISRUPT_LIVE, u->netns, NULL);
		if (!a)
			return -ENOMEM;
		a->rule = *u;
		a->rule.netns = a->netns;
		a->rule.family = rule_family(u);
		a->object = u->name;
		a->owned = true;
		if (act_text(a, "rule %s%s: add %s", u->name, ns_suffix(u->netns, sfx, sizeof(sfx)),
		             rule_format(u, buf, sizeof(buf))) < 0)
			return -ENOMEM;
	}
	return 0;
}

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
	r = build_want(&pl);
	if (r < 0)
		goto out;
	if (!down) {
		r = build_want_routes(&pl);
		if (r < 0)
			goto out;
	}
	sorted = want_sorted(&pl);
	if (!sorted) {
		r = -ENOMEM;
		goto out;
	}

	/* removals, in reverse order of creation */
	doom_netns(&pl);
	if ((r = remove_rules(&pl)) < 0 || (r = remove_routes(&pl)) < 0 || (r = remove_addrs(&pl)) < 0 ||
	    (r = remove_links(&pl)) < 0 || (r = restore_nics(&pl)) < 0 || (r = restore_sysctls(&pl)) < 0 ||
	    (r = remove_netns(&pl)) < 0)
		goto out;
	if (!down) {
		if ((r = create_netns(&pl)) < 0 || (r = create_links(&pl, sorted)) < 0 || (r = place_nics(&pl, sorted)) < 0 ||
		    (r = enslave(&pl, sorted)) < 0 || (r = extras(&pl, sorted)) < 0 || (r = attributes(&pl, sorted)) < 0 ||
		    (r = team_port_macs(&pl, sorted)) < 0 || (r = updown(&pl, sorted)) < 0 ||
		    (r = addresses(&pl)) < 0 || (r = vips(&pl)) < 0 || (r = routes(&pl)) < 0 || (r = rules(&pl)) < 0)
			goto out;
	}
	/* hand the desired links to the caller (show, wait) */
	pl.p->want_links = calloc(pl.n_want ? pl.n_want : 1, sizeof(*pl.p->want_links));
	if (!pl.p->want_links) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < pl.n_want; i++) {
		if (link_copy(&pl.p->want_links[i], &pl.want[i].l) < 0) {
			r = -ENOMEM;
			goto out;
		}
		pl.p->want_links[i].netns = intern(&pl, pl.want[i].l.netns);
		pl.p->n_want_links++;
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

/* ---- output --------------------------------------------------------------------------------- */

const char *action_type_name(enum action_type t) {
	static const char *const names[_ACT_MAX] = {
		[ACT_NETNS_ADD] = "netns-add",     [ACT_NETNS_DEL] = "netns-delete", [ACT_FORWARDING] = "forwarding",
		[ACT_LINK_CREATE] = "link-create", [ACT_LINK_DELETE] = "link-delete", [ACT_LINK_MOVE] = "link-move",
		[ACT_LINK_SET] = "link-set",       [ACT_LINK_KIND] = "link-kind",     [ACT_LINK_MASTER] = "link-master",
		[ACT_LINK_EXTRA] = "link-extra",   [ACT_LINK_UP] = "link-up",         [ACT_LINK_DOWN] = "link-down",     [ACT_ADDR_ADD] = "addr-add",
		[ACT_ADDR_DEL] = "addr-delete",    [ACT_ADDR_REPLACE] = "addr-replace", [ACT_ROUTE_ADD] = "route-add",
		[ACT_ROUTE_DEL] = "route-delete",  [ACT_ROUTE_REPLACE] = "route-replace", [ACT_RULE_ADD] = "rule-add",
		[ACT_RULE_DEL] = "rule-delete",
	};
	return (unsigned)t < _ACT_MAX ? names[t] : "?";
}

void plan_counts(const struct plan *p, size_t counts[DISRUPT_RECREATE + 1]) {
	memset(counts, 0, sizeof(size_t) * (DISRUPT_RECREATE + 1));
	for (size_t i = 0; i < p->n; i++)
		counts[p->v[i].level]++;
}

void plan_print(const struct plan *p, FILE *f) {
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%4zu  %-8s  %s\n", i + 1, disruption_name(p->v[i].level), p->v[i].text);
	for (size_t i = 0; i < p->n_notes; i++)
		fprintf(f, "note: %s\n", p->notes[i]);
}

void plan_json(const struct plan *p, const char *profile, struct json *j) {
	size_t counts[DISRUPT_RECREATE + 1];

	plan_counts(p, counts);
	json_obj_begin(j, NULL);
	json_str(j, "profile", profile);
	json_arr_begin(j, "actions");
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];

		json_obj_begin(j, NULL);
		json_uint(j, "step", i + 1);
		json_str(j, "action", action_type_name(a->type));
		json_str(j, "disruption", disruption_name(a->level));
		json_str(j, "netns", a->netns);
		if (a->name[0])
			json_str(j, "name", a->name);
		if (a->object)
			json_str(j, "object", a->object);
		if (a->n_routes)
			json_uint(j, "routes", a->n_routes);
		json_str(j, "text", a->text);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_begin(j, "summary");
	json_uint(j, "actions", p->n);
	json_uint(j, "live", counts[DISRUPT_LIVE]);
	json_uint(j, "flap", counts[DISRUPT_FLAP]);
	json_uint(j, "recreate", counts[DISRUPT_RECREATE]);
	json_obj_end(j);
	json_arr_begin(j, "notes");
	for (size_t i = 0; i < p->n_notes; i++)
		json_str(j, NULL, p->notes[i]);
	json_arr_end(j);
	json_obj_end(j);
	json_finish(j);
}

/* ---- what to observe ---------------------------------------------------------------------------- */

struct reqs {
	struct observe_ns_req *v;
	size_t n;
	struct namemap index;               /* netns -> index in v + 1 */
};

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
                      struct observe_ns_req **ret, size_t *ret_n) {
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
	for (size_t i = 0; p && i < p->n_vips; i++)
		if (!req_for(&q, p->vips[i].netns))
			goto oom;
	for (size_t i = 0; routes && i < routes->n; i++) {
		const struct route *x = routes->v[i], *prev = i ? routes->v[i - 1] : NULL;

		/* bulk routes are mostly in one table: skip the lookup for repeats */
		if (prev && netns_eq(x->netns, prev->netns) && route_eff_table(x) == route_eff_table(prev))
			continue;
		if ((r = add_table(&q, x->netns, route_eff_table(x))) < 0)
			goto fail;
	}
	for (size_t i = 0; p && i < p->n_rules; i++) {
		struct observe_ns_req *x = req_for(&q, p->rules[i].netns);

		if (!x)
			goto oom;
		x->rules = true;
	}
	/* a namespace hanet may delete: what a rollback would make again
	 * (one the profile keeps is not deleted) */
	{
		struct namemap kept = { 0 };

		for (size_t i = 0; p && i < p->n_netns; i++)
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
			goto fail;
		for (size_t j = 0; j < n && r >= 0; j++)
			r = table_set_add(&q.v[i].tables, t[j]);
		free(t);
		if (r < 0)
			goto fail;
	}
	/* owned routes in namespaces seen only through the route records */
	for (size_t i = 0; o && i < o->n_disk_tables; i++)
		for (size_t j = 0; j < o->disk_tables[i].n; j++)
			if ((r = add_table(&q, o->disk_tables[i].netns, o->disk_tables[i].v[j])) < 0)
				goto fail;
	for (size_t i = 0; o && o->routes_loaded && i < o->n_routes; i++) {
		uint32_t *t = NULL;
		size_t n = 0;

		r = owner_route_tables(o, o->routes[i].netns, &t, &n);
		for (size_t j = 0; r >= 0 && j < n; j++)
			r = add_table(&q, o->routes[i].netns, t[j]);
		free(t);
		if (r < 0)
			goto fail;
	}
	namemap_clear(&q.index);
	*ret = q.v;
	*ret_n = q.n;
	return 0;
oom:
	r = -ENOMEM;
fail:
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
