/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan-internal.h"

/* ---- the desired links ---------------------------------------------------------- */

/* Found by hash: the entries added since the last call are indexed
 * first (want_add hands out an entry its caller fills; its name is
 * interned, the array moves).  The first of a name wins, as a scan's. */

struct want_link *want_find(struct planner *pl, const char *netns, const char *name) {
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

bool plan_kind_is_created(enum link_kind k) {
	return k != LINK_NIC && k != LINK_OTHER;
}

static const struct namelist *ports_of(const struct link *l) {
	return link_ports_const(l);
}

const char *plan_lower_of(const struct link *l) {
	return link_lower(l);
}

/* The namespace of a link's lower device: the same as the link's when a
 * link of that name is desired or exists there, else wherever the
 * profile declares it, else the current namespace. */

static const char *lower_ns(struct planner *pl, const struct link *l) {
	const char *lower = plan_lower_of(l);

	if (!lower)
		return l->netns;
	if (want_find(pl, l->netns, lower) || sim_link(pl, l->netns, lower))
		return l->netns;
	for (size_t i = 0; i < pl->n_want; i++)
		if (strcmp(pl->want[i].l.name, lower) == 0)
			return pl->want[i].l.netns;
	return NULL;
}

/* The depth of each desired link: below it its lower device, and for a
 * master its ports (their mtu first: a bridge follows them).  ports
 * lists a master's ports through the array (first[m], then next[i];
 * -1 ends); depth[] is filled as found (-1: not yet). */
struct depths {
	int *first, *next, *depth;
};

static int want_depth(struct planner *pl, struct depths *x, size_t i, int guard) {
	struct want_link *w = &pl->want[i];
	const char *lower;
	int d = 0;

	if (guard > 16)
		return 0;
	if (x->depth[i] >= 0)
		return x->depth[i];
	if (w->provider >= 0) {
		d = want_depth(pl, x, (size_t)w->provider, guard + 1);
	} else {
		lower = plan_lower_of(&w->l);
		if (lower) {
			struct want_link *lw = want_find(pl, lower_ns(pl, &w->l), lower);

			d = lw ? 1 + want_depth(pl, x, (size_t)(lw - pl->want), guard + 1) : 1;
		}
		for (int k = x->first[i]; k >= 0; k = x->next[k]) {
			int pd = 1 + want_depth(pl, x, (size_t)k, guard + 1);

			if (pd > d)
				d = pd;
		}
	}
	x->depth[i] = d;
	return d;
}

static int want_depths(struct planner *pl) {
	size_t n = pl->n_want ? pl->n_want : 1;
	struct depths x = { malloc(n * sizeof(int)), malloc(n * sizeof(int)), malloc(n * sizeof(int)) };
	int r = -ENOMEM;

	if (!x.first || !x.next || !x.depth)
		goto out;
	for (size_t i = 0; i < pl->n_want; i++)
		x.first[i] = x.next[i] = x.depth[i] = -1;
	/* listed in reverse so that each list is in the array's order */
	for (size_t i = pl->n_want; i-- > 0;) {
		struct want_link *w = &pl->want[i], *m;

		if (!w->l.master[0])
			continue;
		m = want_find(pl, w->l.netns, w->l.master);
		if (!m || m == w)
			continue;
		x.next[i] = x.first[m - pl->want];
		x.first[m - pl->want] = (int)i;
	}
	for (size_t i = 0; i < n && i < pl->n_want; i++)
		pl->want[i].depth = want_depth(pl, &x, i, 0);
	r = 0;
out:
	free(x.first);
	free(x.next);
	free(x.depth);
	return r;
}

int plan_build_want(struct planner *pl) {
	const struct profile *p = pl->prof;

	if (!p)
		return 0;
	/* room for the links and a peer each (want_add grows one at a
	 * time): untouched room costs no memory, copies do */
	if (!pl->want && p->n_links && !(pl->want = malloc(2 * p->n_links * sizeof(*pl->want))))
		return -ENOMEM;
	for (size_t i = 0; i < p->n_links; i++) {
		struct want_link *w = want_add(pl);

		if (!w || link_copy(&w->l, &p->links[i]) < 0)
			return -ENOMEM;
		w->l.netns = plan_intern(pl, w->l.netns);
		w->l.master[0] = '\0';
		if (w->l.kind == LINK_VETH) {
			const char *pns = veth_peer_ns(&w->l);

			w->l.u.veth.peer_netns = pns && *pns ? plan_intern(pl, pns) : (w->l.netns ? "" : NULL);
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
				return plan_fail(pl, -EINVAL, "[veth %s] peer %s: also declared as [%s %s]", w->l.name, w->l.u.veth.peer,
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
				return plan_fail(pl, -EINVAL, "link %s: listed by both %s and %s", port->l.name, port->l.master,
				            pl->want[i].l.name);
			memcpy(port->l.master, pl->want[i].l.name, IFNAMSIZ);
		}
	}
	return want_depths(pl);
}

static int cmp_depth(const void *a, const void *b) {
	const struct want_link *const *x = a, *const *y = b;

	if ((*x)->depth != (*y)->depth)
		return (*x)->depth - (*y)->depth;
	return (*x < *y) ? -1 : (*x > *y);
}

/* The desired links, lower before upper (stable: profile order within a depth). */

struct want_link **want_sorted(struct planner *pl) {
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
	return plan_kind_is_created(w->l.kind) && !w->foreign_port;
}

/* Each (netns, dev) of the VIPs points at its last VIP, which chains to
 * the earlier ones. */
static int vips_index(struct planner *pl) {
	const struct profile *p = pl->prof;

	pl->vip_next = calloc(p->n_vips ? p->n_vips : 1, sizeof(*pl->vip_next));
	if (!pl->vip_next)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_vips; i++) {
		const struct vip *v = &p->vips[i];

		pl->vip_next[i] = (uintptr_t)namemap_get(&pl->vip_idx, v->netns, v->dev);
		if (namemap_put(&pl->vip_idx, v->netns, v->dev, (void *)(uintptr_t)(i + 1)) < 0) {
			namemap_clear(&pl->vip_idx);
			free(pl->vip_next);
			pl->vip_next = NULL;
			return -ENOMEM;
		}
	}
	pl->vips_indexed = true;
	return 0;
}

bool want_has_addr(struct planner *pl, const char *netns, const char *dev, const struct ipaddr *ip) {
	struct want_link *w = want_find(pl, netns, dev);

	if (w)
		for (size_t i = 0; i < w->l.n_addrs; i++)
			if (ipaddr_eq(&w->l.addrs[i], ip))
				return true;
	if (!pl->prof)
		return false;
	if (!pl->vips_indexed && vips_index(pl) < 0) {
		for (size_t i = 0; i < pl->prof->n_vips; i++) {
			const struct vip *v = &pl->prof->vips[i];

			if (netns_eq(v->netns, netns) && strcmp(v->dev, dev) == 0 && ipaddr_eq(&v->address, ip))
				return true;
		}
		return false;
	}
	for (size_t i = (uintptr_t)namemap_get(&pl->vip_idx, netns, dev); i; i = pl->vip_next[i - 1])
		if (ipaddr_eq(&pl->prof->vips[i - 1].address, ip))
			return true;
	return false;
}

/* ---- creation ------------------------------------------------------------------------ */

int plan_create_netns(struct planner *pl) {
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
	return act_text(a, "link %s%s: create %s%s", l->name, plan_ns_suffix(l->netns, sfx, sizeof(sfx)), link_kind_name(l->kind),
	                extra);
}

static int plan_link_create(struct planner *pl, struct want_link *w, enum disruption level) {
	struct sim_ns *ns = sim_ns(pl, w->l.netns);
	struct action *a;
	struct sim_link *sl;

	if (!ns || !ns->exists)
		return plan_fail(pl, -ENOENT, "link %s: netns %s does not exist", w->l.name, netns_str(w->l.netns));
	if (w->l.kind == LINK_VETH) {
		struct sim_ns *pns = sim_ns(pl, w->l.u.veth.peer_netns);

		if (!pns || !pns->exists)
			return plan_fail(pl, -ENOENT, "link %s: peer netns %s does not exist", w->l.name,
			            netns_str(w->l.u.veth.peer_netns));
	}
	a = act_new(pl, ACT_LINK_CREATE, level, w->l.netns, w->l.name);
	if (!a)
		return -ENOMEM;
	a->link = plan_link_dup(pl, &w->l);
	if (!a->link)
		return -ENOMEM;
	/* the alias and addresses come in their own phases; so does the mtu,
	 * except a veth's: an upper device may not exceed its lower one, and a
	 * bridge created with an mtu still follows its ports */
	a->link->set &= w->l.kind == LINK_VETH ? LINK_SET_MTU | LINK_SET_MAC : LINK_SET_MAC;
	a->owned = true;
	/* "" (not NULL) when the request goes to the current namespace */
	a->sock_netns = plan_intern_peer(pl, lower_ns(pl, &w->l) ? lower_ns(pl, &w->l) : "");
	if (create_text(a, &w->l) < 0)
		return -ENOMEM;
	sl = sim_link_add(pl, ns, a->link);
	if (!sl)
		return -ENOMEM;
	sl->created = true;
	sl->l.up = false;
	sl->l.master[0] = '\0';
	if (!(a->link->set & LINK_SET_MTU)) {
		const char *lower = plan_lower_of(&w->l);
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

bool plan_owned_link(struct planner *pl, const char *netns, const char *name, enum link_kind kind) {
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
	a->link = plan_link_dup(pl, &w->l);
	a->have = plan_link_dup(pl, &sl->l);
	if (!a->link || !a->have)
		return -ENOMEM;
	if (act_text(a, "link %s%s: change %s %s", sl->l.name, plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
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

int plan_create_links(struct planner *pl, struct want_link **sorted) {
	char sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl;
		const struct link_ops *ops;
		struct link_diff d = { .level = DISRUPT_NONE };
		int r;

		if (!plan_kind_is_created(w->l.kind) || w->implicit)
			continue;
		ops = link_ops_get(w->l.kind);
		if (!ops)
			return plan_fail(pl, -EOPNOTSUPP, "link %s: hanet was built without the %s backend", w->l.name,
			            link_kind_name(w->l.kind));
		sl = sim_link(pl, w->l.netns, w->l.name);
		if (!sl) {
			r = plan_link_create(pl, w, DISRUPT_LIVE);
			if (r < 0)
				return r;
			continue;
		}
		if (sl->created)
			return plan_fail(pl, -EEXIST, "link %s%s: declared twice (a veth peer has the same name?)", w->l.name,
			            plan_ns_suffix(w->l.netns, sfx, sizeof(sfx)));
		if (sl->l.kind != w->l.kind) {
			if (!plan_owned_link(pl, w->l.netns, w->l.name, sl->l.kind))
				return plan_fail(pl, -EEXIST, "link %s%s: exists as a %s%s%s that hanet did not create; cannot make it a %s",
				            w->l.name, plan_ns_suffix(w->l.netns, sfx, sizeof(sfx)), link_kind_name(sl->l.kind),
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

			/* the kernel puts a macvlan on a macvlan onto the lower one's
			 * lower (link_ops.lower_flattens) */
			for (int guard = 0; ops->lower_flattens && guard < 8; guard++) {
				lw = want_find(pl, lower_ns(pl, &cmp), link_lower(&cmp));
				if (!lw || lw->l.kind != cmp.kind)
					break;
				memcpy(link_lower_buf(&cmp), link_lower(&lw->l), IFNAMSIZ);
			}
			ops->diff(&cmp, &sl->l, &d);
		}
		if (d.level == DISRUPT_NONE)
			continue;
		if (d.level == DISRUPT_RECREATE) {
			if (!plan_owned_link(pl, w->l.netns, w->l.name, sl->l.kind))
				return plan_fail(pl, -EBUSY, "link %s%s: %s needs the link deleted and created again, and hanet did not create it",
				            w->l.name, plan_ns_suffix(w->l.netns, sfx, sizeof(sfx)), d.what);
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

int plan_place_nics(struct planner *pl, struct want_link **sorted) {
	char sfx[300];

	for (size_t i = 0; i < pl->n_want; i++) {
		struct want_link *w = sorted[i];
		struct sim_link *sl, *cur;
		struct action *a;
		struct sim_ns *to;
		int r;

		if (plan_kind_is_created(w->l.kind) && !w->implicit)
			continue;
		sl = sim_link(pl, w->l.netns, w->l.name);
		if (sl)
			continue;
		if (w->implicit || w->provider >= 0)
			return plan_fail(pl, -ENODEV, "link %s%s: the veth %s did not make it", w->l.name,
			            plan_ns_suffix(w->l.netns, sfx, sizeof(sfx)), w->provider >= 0 ? pl->want[w->provider].l.name : "?");
		cur = w->l.netns ? sim_link(pl, NULL, w->l.name) : NULL;
		if (!cur)
			return plan_fail(pl, -ENODEV, "link %s%s: no such device", w->l.name, plan_ns_suffix(w->l.netns, sfx, sizeof(sfx)));
		to = sim_ns(pl, w->l.netns);
		if (!to || !to->exists)
			return plan_fail(pl, -ENOENT, "link %s: netns %s does not exist", w->l.name, netns_str(w->l.netns));
		a = act_new(pl, ACT_LINK_MOVE, DISRUPT_FLAP, NULL, w->l.name);
		if (!a)
			return -ENOMEM;
		a->to_netns = to->name;
		a->nic_keys = NIC_ORIG_NETNS;
		a->nic_before = plan_link_dup(pl, &cur->l);
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

	if (sl->created || plan_owned_link(pl, sl->l.netns, sl->l.name, sl->l.kind))
		return true;
	/* the other end of a veth pair hanet made: recorded under the end
	 * that made it */
	w = want_find(pl, sl->l.netns, sl->l.name);
	if (w && w->provider >= 0 && sl->l.kind == LINK_VETH) {
		const struct want_link *v = &pl->want[w->provider];

		return plan_owned_link(pl, v->l.netns, v->l.name, LINK_VETH);
	}
	return false;
}

static int fill_nic(struct planner *pl, struct action *a, const struct sim_link *sl, unsigned nic_keys) {
	if (!nic_keys || link_is_owned(pl, sl))
		return 0;
	a->nic_keys = nic_keys;
	a->nic_before = plan_link_dup(pl, &sl->l);
	return a->nic_before ? 0 : -ENOMEM;
}

int plan_link_master(struct planner *pl, struct sim_link *sl, const char *master, unsigned nic_keys,
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
		    !(a->have = plan_link_dup(pl, &old->l)))
			return -ENOMEM;
	}
	r = fill_nic(pl, a, sl, nic_keys);
	if (r < 0)
		return r;
	if (master[0])
		r = act_text(a, "link %s%s: enslave to %s", sl->l.name, plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)), master);
	else
		r = act_text(a, "link %s%s: release from %s", sl->l.name, plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
		             sl->l.master);
	if (r < 0)
		return r;
	{
		struct sim_link *old = sl->l.master[0] ? sim_link(pl, sl->l.netns, sl->l.master) : NULL;

		if (old) {
			old->ports_changed = true;
			/* a bond or team closes the port it lets go (and the
			 * vlans on it follow) */
			if (old->l.kind == LINK_BOND || old->l.kind == LINK_TEAM) {
				bool was_up = sl->l.up;

				sl->l.up = false;
				if ((r = sim_port_released(pl, a, sl, was_up)) < 0)
					return r;
			}
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
			/* a bond or team opens the port it takes, and the
			 * vlans on it come up with it */
			if ((m->l.kind == LINK_BOND || m->l.kind == LINK_TEAM) && !sl->l.up) {
				sl->l.up = true;
				if ((r = sim_link_state_follows(pl, a, sl, true)) < 0)
					return r;
			}
		}
		r = sim_mtu_changed(pl, a, sl, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int plan_link_state(struct planner *pl, struct sim_link *sl, bool up, unsigned nic_keys, enum disruption level) {
	char sfx[300];
	struct action *a = act_new(pl, up ? ACT_LINK_UP : ACT_LINK_DOWN, level, sl->l.netns, sl->l.name);
	int r;

	if (!a)
		return -ENOMEM;
	r = fill_nic(pl, a, sl, nic_keys);
	if (r < 0)
		return r;
	if (act_text(a, "link %s%s: %s", sl->l.name, plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)), up ? "up" : "down") < 0)
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
		r = act_text(a, "link %s%s: set mac of %s", port->l.name, plan_ns_suffix(port->l.netns, sfx, sizeof(sfx)),
		             team->l.name);
	else
		r = act_text(a, "link %s%s: set mac of %s (was %s)", port->l.name, plan_ns_suffix(port->l.netns, sfx, sizeof(sfx)),
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

int plan_enslave(struct planner *pl, struct want_link **sorted) {
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

int plan_extras(struct planner *pl, struct want_link **sorted) {
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
		a->link = plan_link_dup(pl, &w->l);
		if (!a->link)
			return -ENOMEM;
		if (!sl->created && !(a->have = plan_link_dup(pl, &sl->l)))
			return -ENOMEM;
		if (act_text(a, "link %s%s: %s settings with %s attached", w->l.name, plan_ns_suffix(w->l.netns, sfx, sizeof(sfx)),
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

int plan_link_set(struct planner *pl, struct sim_link *sl, unsigned set, uint32_t mtu, const uint8_t *mac,
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
	if (act_text(a, "link %s%s: %s %s", sl->l.name, plan_ns_suffix(sl->l.netns, sfx, sizeof(sfx)),
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

int plan_attributes(struct planner *pl, struct want_link **sorted) {
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

int plan_team_port_macs(struct planner *pl, struct want_link **sorted) {
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

int plan_updown(struct planner *pl, struct want_link **sorted) {
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
		if (!(w->l.set & LINK_SET_STATE) && !(plan_kind_is_created(w->l.kind) && !w->foreign_port))
			continue;
		r = plan_link_state(pl, sl, up, LINK_SET_STATE, up ? DISRUPT_LIVE : DISRUPT_FLAP);
		if (r < 0)
			return r;
	}
	return 0;
}

int plan_addresses(struct planner *pl) {
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
			             plan_ns_suffix(w->l.netns, sfx, sizeof(sfx))) < 0)
				return -ENOMEM;
			if ((r = sim_addr_inverse_loses(pl, a, &a->addr)) < 0)
				return r;
			if (ns && (r = sim_addr_add(ns, &x)) < 0)
				return r;
		}
	}
	return 0;
}

int plan_vips(struct planner *pl) {
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
			return plan_fail(pl, -ENODEV, "vip %s: device %s%s does not exist", v->name, v->dev,
			            plan_ns_suffix(v->netns, sfx, sizeof(sfx)));
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
			             format_ipaddr(&v->address, true, ip, sizeof(ip)), v->dev, plan_ns_suffix(v->netns, sfx, sizeof(sfx)),
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
			a->old_addr = malloc(sizeof(*a->old_addr));
			if (!a->old_addr)
				return -ENOMEM;
			*a->old_addr = have->a;
			a->old_addr->netns = a->netns;
			have->a = want;
			have->a.flags = (want.flags & ~(uint32_t)IFA_F_SECONDARY) | (a->old_addr->flags & IFA_F_SECONDARY);
			r = act_text(a, "vip %s %s dev %s%s: change %s", v->name, format_ipaddr(&v->address, true, ip, sizeof(ip)),
			             v->dev, plan_ns_suffix(v->netns, sfx, sizeof(sfx)), why);
		} else {
			r = act_text(a, "vip %s %s dev %s%s: add", v->name, format_ipaddr(&v->address, true, ip, sizeof(ip)), v->dev,
			             plan_ns_suffix(v->netns, sfx, sizeof(sfx)));
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
