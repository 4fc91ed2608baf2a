/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan-internal.h"

/* ---- the simulation ---------------------------------------------------------- */

int plan_fail(struct planner *pl, int r, const char *fmt, ...) {
	va_list ap;

	if (pl->err && pl->errsize) {
		va_start(ap, fmt);
		vsnprintf(pl->err, pl->errsize, fmt, ap);
		va_end(ap);
	}
	return r;
}

const char *plan_intern(struct planner *pl, const char *s) {
	return s && *s ? strpool_intern(pl->p->pool, s) : NULL;
}

/* A veth's peer namespace: "" (not NULL) stands for the current one, as
 * in the model, where NULL means "the veth's own". */

const char *plan_intern_peer(struct planner *pl, const char *s) {
	if (!s)
		return NULL;
	return *s ? strpool_intern(pl->p->pool, s) : "";
}

const char *plan_ns_suffix(const char *netns, char *buf, size_t size) {
	if (!netns)
		buf[0] = '\0';
	else
		snprintf(buf, size, " (netns %s)", netns);
	return buf;
}

struct sim_ns *sim_ns(struct planner *pl, const char *netns) {
	uintptr_t i;

	for (unsigned k = 0; k < 2; k++)
		if (pl->ns_hit[k] && pl->ns_hit_key[k] == netns && netns_eq(pl->ns[pl->ns_hit[k] - 1].name, netns))
			return &pl->ns[pl->ns_hit[k] - 1];
	if (pl->n_ns_miss == pl->n_ns + 1 && netns_eq(pl->ns_miss, netns))
		return NULL;            /* namespaces are only ever added: still not there */
	i = (uintptr_t)namemap_get(&pl->ns_idx, netns, NULL);
	if (!i) {
		size_t len = netns ? strnlen(netns, sizeof(pl->ns_miss) - 1) : 0;

		memcpy(pl->ns_miss, netns ? netns : "", len);
		pl->ns_miss[len] = '\0';
		pl->n_ns_miss = pl->n_ns + 1;
		return NULL;
	}
	pl->ns_hit_key[pl->ns_hit_next] = netns;
	pl->ns_hit[pl->ns_hit_next] = i;
	pl->ns_hit_next ^= 1;
	return &pl->ns[i - 1];
}

struct sim_ns *sim_ns_add(struct planner *pl, const char *netns) {
	struct sim_ns *ns = sim_ns(pl, netns), *v;

	if (ns)
		return ns;
	v = realloc(pl->ns, (pl->n_ns + 1) * sizeof(*v));
	if (!v)
		return NULL;
	pl->ns = v;
	ns = &pl->ns[pl->n_ns];
	memset(ns, 0, sizeof(*ns));
	ns->name = plan_intern(pl, netns);
	if ((netns && *netns && !ns->name) || namemap_put(&pl->ns_idx, ns->name, NULL, (void *)(uintptr_t)(pl->n_ns + 1)) < 0)
		return NULL;
	pl->n_ns++;
	return ns;
}

struct sim_link *sim_link(struct planner *pl, const char *netns, const char *name) {
	struct sim_ns *ns = sim_ns(pl, netns);

	uintptr_t k;

	if (!ns || !ns->exists)
		return NULL;
	/* the last of a name added: a live one unless it went (then scan:
	 * an older one may still be there) */
	k = (uintptr_t)namemap_get(&ns->link_idx, NULL, name);
	if (!k)
		return NULL;
	if (!ns->links[k - 1].gone)
		return &ns->links[k - 1];
	for (size_t i = 0; i < ns->n_links; i++)
		if (!ns->links[i].gone && strcmp(ns->links[i].l.name, name) == 0)
			return &ns->links[i];
	return NULL;
}

struct sim_link *sim_link_add(struct planner *pl, struct sim_ns *ns, const struct link *l) {
	struct sim_link *v = realloc(ns->links, (ns->n_links + 1) * sizeof(*v));
	const char *key = strpool_intern(pl->p->pool, l->name);

	if (v)
		ns->links = v;
	if (!v || !key)
		return NULL;
	memset(&v[ns->n_links], 0, sizeof(v[0]));
	if (link_copy(&v[ns->n_links].l, l) < 0)
		return NULL;
	if (namemap_put(&ns->link_idx, NULL, key, (void *)(uintptr_t)(ns->n_links + 1)) < 0) {
		link_fini(&v[ns->n_links].l);
		return NULL;
	}
	v[ns->n_links].l.netns = ns->name;
	if (v[ns->n_links].l.kind == LINK_VETH)
		v[ns->n_links].l.u.veth.peer_netns = plan_intern_peer(pl, v[ns->n_links].l.u.veth.peer_netns);
	return &ns->links[ns->n_links++];
}

struct sim_addr *sim_addr(struct planner *pl, const char *netns, const char *dev, const struct ipaddr *ip) {
	struct sim_ns *ns = sim_ns(pl, netns);

	if (!ns || !ns->exists)
		return NULL;
	for (size_t i = 0; i < ns->n_addrs; i++)
		if (!ns->addrs[i].gone && strcmp(ns->addrs[i].a.dev, dev) == 0 && ipaddr_eq(&ns->addrs[i].a.ip, ip))
			return &ns->addrs[i];
	return NULL;
}

/* Two IPv4 addresses of one subnet: the kernel makes the later one a
 * secondary of the earlier (same prefix length, same network). */
static bool addr4_same_subnet(const struct ipaddr *x, const struct ipaddr *y) {
	struct ipaddr nx, ny;

	if (x->family != AF_INET || y->family != AF_INET || x->plen != y->plen)
		return false;
	ipaddr_network(x, &nx);
	ipaddr_network(y, &ny);
	return ipaddr_eq(&nx, &ny);
}

/* An address added: after those there (the kernel's order), an IPv4
 * secondary when the device has one of its subnet already. */
int sim_addr_add(struct sim_ns *ns, const struct addr *a) {
	struct sim_addr *v = realloc(ns->addrs, (ns->n_addrs + 1) * sizeof(*v));
	struct sim_addr *x;

	if (!v)
		return -ENOMEM;
	ns->addrs = v;
	x = &v[ns->n_addrs];
	x->a = *a;
	x->a.netns = ns->name;
	x->a.flags &= ~(uint32_t)IFA_F_SECONDARY;
	x->gone = false;
	for (size_t i = 0; i < ns->n_addrs; i++)
		if (!v[i].gone && strcmp(v[i].a.dev, a->dev) == 0 && addr4_same_subnet(&v[i].a.ip, &a->ip))
			x->a.flags |= IFA_F_SECONDARY;
	ns->n_addrs++;
	return 0;
}

/* The mtu a device had, for the inverse of an action that lowers it. */

int act_mtu_back_add(struct action *a, const char *netns, const char *name, uint32_t mtu) {
	struct mtu_back *v = realloc(a->mtu_back, (a->n_mtu_back + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	a->mtu_back = v;
	v[a->n_mtu_back].netns = netns;
	snprintf(v[a->n_mtu_back].name, sizeof(v[0].name), "%s", name);
	v[a->n_mtu_back++].mtu = mtu;
	return 0;
}

/* The kernel's own MTU changes: a bridge that follows its ports (its mtu
 * was never set) takes the smallest of theirs, a bond gives its own to
 * its slaves, and a macvlan or vlan never stays above its lower device. */

int sim_mtu_changed(struct planner *pl, struct action *a, struct sim_link *sl, int guard) {
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
					if (act_mtu_back_add(a, ns->name, u->l.name, u->l.mtu) < 0)
						return -ENOMEM;
					if (act_text_add(a, "; the kernel lowers the mtu of %s%s to %u with it", u->l.name,
					                 plan_ns_suffix(ns->name, sfx, sizeof(sfx)), sl->l.mtu) < 0)
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

void sim_ns_free(struct sim_ns *ns) {
	for (size_t i = 0; i < ns->n_links; i++)
		link_fini(&ns->links[i].l);
	free(ns->links);
	namemap_clear(&ns->link_idx);
	free(ns->addrs);
	free(ns->route_gone);
	free(ns->rule_gone);
	route_map_free(ns->route_idx);
}

int sim_init(struct planner *pl) {
	const struct state *st = pl->in->st;

	for (size_t i = 0; i < st->n_ns; i++) {
		const struct ns_state *o = &st->ns[i];
		struct sim_ns *ns = sim_ns_add(pl, o->name);
		int r;

		if (!ns)
			return -ENOMEM;
		ns->obs = o;
		ns->promote_all = -1;
		ns->exists = o->exists;
		ns->fwd4 = o->forwarding4;
		ns->fwd6 = o->forwarding6;
		/* room for what is there at once (sim_link_add and sim_addr_add
		 * grow one at a time): a bridge namespace of a thousand ports
		 * is not copied a thousand times */
		if (o->n_links && !ns->links && !(ns->links = malloc(o->n_links * sizeof(*ns->links))))
			return -ENOMEM;
		if (o->n_addrs && !ns->addrs && !(ns->addrs = malloc(o->n_addrs * sizeof(*ns->addrs))))
			return -ENOMEM;
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

struct action *act_new(struct planner *pl, enum action_type type, enum disruption level, const char *netns,
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
	a->netns = plan_intern(pl, netns);
	if (name)
		snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

struct rule *act_rule(const struct rule *u) {
	struct rule *c = malloc(sizeof(*c));

	if (c)
		*c = *u;
	return c;
}

int act_text(struct action *a, const char *fmt, ...) {
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

struct link *plan_link_dup(struct planner *pl, const struct link *src) {
	struct link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (link_copy(l, src) < 0) {
		free(l);
		return NULL;
	}
	l->netns = plan_intern(pl, l->netns);
	if (l->kind == LINK_VETH)
		l->u.veth.peer_netns = plan_intern_peer(pl, l->u.veth.peer_netns);
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
	free(a->rule);
	free(a->old_addr);
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
	free(p->want_links);
	strpool_free(p->pool);
	free(p);
}

int plan_note(struct planner *pl, const char *fmt, ...) {
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

int act_dev_add(struct act_dev **list, size_t *n, const char *netns, const char *dev) {
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

int sim_link_loses(struct planner *pl, struct action *a, const char *netns, const char *dev, bool all_addrs) {
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

int act_text_add(struct action *a, const char *fmt, ...) {
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

int act_text_lost(struct action *a, const char *what, size_t n_addrs0, size_t n_routes0) {
	char buf[256], sfx[300];
	size_t n = (a->n_lost_addrs - n_addrs0) + (a->n_lost_routes - n_routes0), shown = 0;
	int r;

	if (!n)
		return 0;
	r = act_text_add(a, "%s", what);
	for (size_t i = n_addrs0; r >= 0 && i < a->n_lost_addrs && shown < 4; i++, shown++)
		r = act_text_add(a, "%s addr %s dev %s%s", shown ? "," : "", format_ipaddr(&a->lost_addrs[i].ip, true, buf, sizeof(buf)),
		                 a->lost_addrs[i].dev, plan_ns_suffix(a->lost_addrs[i].netns, sfx, sizeof(sfx)));
	for (size_t i = n_routes0; r >= 0 && i < a->n_lost_routes && shown < 4; i++, shown++)
		r = act_text_add(a, "%s route %s%s", shown ? "," : "", route_format(a->lost_routes[i], buf, sizeof(buf)),
		                 plan_ns_suffix(a->lost_routes[i]->netns, sfx, sizeof(sfx)));
	if (r >= 0 && n > shown)
		r = act_text_add(a, " (%zu in all)", n);
	return r;
}

/* An IPv4 address that goes takes the routes with it as their source in
 * the device's own table only (main, or its vrf's); with the device's
 * last IPv4 address, every IPv4 route through the device, in every
 * table. */
static bool route_match_addr(const struct route *r, const void *data) {
	const struct addr_ctx *c = data;

	if (r->dst.family != AF_INET)
		return false;
	if ((r->set & ROUTE_SET_SRC) && r->src.family == AF_INET && memcmp(r->src.a, c->ip->a, 4) == 0 &&
	    route_eff_table(r) == c->table)
		return true;
	return c->last && route_uses_dev(r, c->dev);
}

/* The table the kernel looks a device's routes up in: its vrf's, or main. */
static uint32_t sim_dev_table(struct planner *pl, const char *netns, const char *dev) {
	struct sim_link *sl = sim_link(pl, netns, dev), *m;

	if (sl && sl->l.master[0] && (m = sim_link(pl, netns, sl->l.master)) && m->l.kind == LINK_VRF)
		return m->l.u.vrf.table;
	return RT_TABLE_MAIN;
}

/* net.ipv4.conf.{all,DEV}.promote_secondaries, as observed (a device
 * this plan makes is taken not to promote: its addresses go with it).
 * "all" is read the first time a namespace needs it. */
static bool sim_promotes(struct planner *pl, const char *netns, const char *dev) {
	struct sim_ns *ns = sim_ns(pl, netns);
	struct sim_link *sl = sim_link(pl, netns, dev);
	bool all = false;

	if (sl && !sl->created && sl->l.promote_secondaries)
		return true;
	if (!ns || !ns->obs || !ns->obs->exists)
		return false;
	if (ns->promote_all < 0) {
		/* unreadable: taken as off, what a namespace starts with */
		observe_promote_all(netns, &all);
		ns->promote_all = all;
	}
	return ns->promote_all;
}

static bool sim_has_addr4(struct planner *pl, const char *netns, const char *dev) {
	struct sim_ns *ns = sim_ns(pl, netns);

	for (size_t i = 0; ns && i < ns->n_addrs; i++)
		if (!ns->addrs[i].gone && ns->addrs[i].a.ip.family == AF_INET && strcmp(ns->addrs[i].a.dev, dev) == 0)
			return true;
	return false;
}

/* A primary IPv4 address goes: the secondaries of its subnet go with it,
 * or (promote_secondaries) the first of them becomes the primary.  Either
 * way they are in the action's lost addresses, in the kernel's order: its
 * inverse removes those still there and adds them again after the
 * primary, which makes it the primary again. */
static int sim_secondaries_lose(struct planner *pl, struct action *a, const struct addr *x, uint32_t table,
                                size_t *ret_promoted) {
	struct sim_ns *ns = sim_ns(pl, x->netns);
	size_t promoted = 0;
	int promote = -1;                   /* asked at the first secondary: most primaries have none */
	int r;

	for (size_t i = 0; ns && i < ns->n_addrs; i++) {
		struct sim_addr *y = &ns->addrs[i];
		struct addr_ctx c = { .dev = y->a.dev, .ip = &y->a.ip, .table = table };
		struct addr *v;

		if (y->gone || !(y->a.flags & IFA_F_SECONDARY) || strcmp(y->a.dev, x->dev) != 0 ||
		    !addr4_same_subnet(&y->a.ip, &x->ip))
			continue;
		v = realloc(a->lost_addrs, (a->n_lost_addrs + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->lost_addrs = v;
		v[a->n_lost_addrs++] = y->a;
		if (promote < 0)
			promote = sim_promotes(pl, x->netns, x->dev);
		if (promote) {
			if (!promoted++)
				y->a.flags &= ~(uint32_t)IFA_F_SECONDARY;
			continue;
		}
		y->gone = true;
		if ((r = sim_routes_lose(pl, a, x->netns, route_match_addr, &c)) < 0)
			return r;
	}
	*ret_promoted = promoted;
	return 0;
}

/* An IPv4 address goes (already marked gone): the kernel drops the routes
 * that have it as their source and, with the device's last IPv4 address,
 * every IPv4 route through the device, in every table; a primary's
 * secondaries (above). */

int sim_addr_loses(struct planner *pl, struct action *a, const struct addr *x) {
	struct addr_ctx c = { .dev = x->dev, .ip = &x->ip };
	size_t n_addrs0 = a->n_lost_addrs, n_routes0 = a->n_lost_routes, promoted = 0;
	char buf[IPADDR_STRLEN];
	int r;

	if (act_disturbs(a, x->netns, x->dev) < 0)
		return -ENOMEM;
	if (x->ip.family != AF_INET)
		return 0;
	c.table = sim_dev_table(pl, x->netns, x->dev);
	if (!(x->flags & IFA_F_SECONDARY)) {
		if ((r = sim_secondaries_lose(pl, a, x, c.table, &promoted)) < 0)
			return r;
		if (promoted && act_text_add(a, "; the kernel makes %s the primary (promote_secondaries)%s",
		                             format_ipaddr(&a->lost_addrs[n_addrs0].ip, true, buf, sizeof(buf)),
		                             promoted > 1 ? " and keeps the other secondaries" : "") < 0)
			return -ENOMEM;
		/* kept, not lost: not in the text below */
		if (promoted)
			n_addrs0 = a->n_lost_addrs;
	}
	c.last = !sim_has_addr4(pl, x->netns, x->dev);
	r = sim_routes_lose(pl, a, x->netns, route_match_addr, &c);
	if (r < 0)
		return r;
	return act_text_lost(a, "; the kernel drops with it:", n_addrs0, n_routes0);
}

/* An IPv4 address added to a device that has none: removing it again
 * (the inverse) drops every IPv4 route through the device, which the
 * inverse then puts back (the routes there now, not marked gone). */

int sim_addr_inverse_loses(struct planner *pl, struct action *a, const struct addr *x) {
	struct sim_ns *ns = sim_ns(pl, x->netns);
	struct addr_ctx c = { .dev = x->dev, .ip = &x->ip, .last = true };

	if (x->ip.family != AF_INET || !ns || sim_has_addr4(pl, x->netns, x->dev))
		return 0;
	c.table = sim_dev_table(pl, x->netns, x->dev);
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
