/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ownership records, one file per profile under /run/hanet/owned:
 *
 *   PROFILE.owned    hanet-owned 1
 *                    profile NAME
 *                    netns NAME
 *                    link NS NAME KIND
 *                    nic NS NAME [mtu=N] [mac=M] [up=0|1] [alias=HEX|-] [netns=NS] [master=NAME|-]
 *                    addr NS DEV CIDR        vip NS DEV CIDR
 *                    rule NS FAMILY SETMASK PRIORITY TABLE FROM TO FWMARK FWMASK IIF OIF
 *                    sysctl NS FORWARDING4 FORWARDING6
 *                    route-tables NS TABLE...
 *                    routes COUNT
 *   PROFILE.routes   hanet-routes 1 COUNT, then "NS TABLE METRIC CIDR" lines
 *
 * NS is "-" for the namespace hanet runs in; unset fields are "-".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owner.h"
#include "rule.h"
#include "util.h"

#define MAX_FIELDS 16

static const char *ns_field(const char *netns) { return netns && *netns ? netns : "-"; }

static int path_of(const char *profile, const char *ext, char *buf, size_t size) {
	if (!profile || !*profile || strchr(profile, '/'))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s.%s", HANET_OWNED_DIR, profile, ext) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static void addr_unindex(struct owner *o);
static void netns_reindex(struct owner *o);
static void links_unindex(struct owner *o);

static const char *intern_ns(struct owner *o, const char *s) {
	if (!s || strcmp(s, "-") == 0 || !*s)
		return NULL;
	return strpool_intern(o->pool, s);
}

static int owner_new(const char *profile, struct owner **ret) {
	struct owner *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->profile = strdup(profile);
	o->pool = strpool_new();
	if (!o->profile || !o->pool) {
		owner_free(o);
		return -ENOMEM;
	}
	*ret = o;
	return 0;
}

int owner_new_empty(const char *profile, struct owner **ret) {
	struct owner *o;
	int r = owner_new(profile, &o);

	if (r < 0)
		return r;
	o->routes_loaded = true;
	*ret = o;
	return 0;
}

static void owned_routes_fini(struct owned_routes *or) {
	route_map_free(or->keys);
	free(or->tables);
}

void owner_free(struct owner *o) {
	if (!o)
		return;
	free(o->profile);
	free(o->netns);
	namemap_clear(&o->netns_idx);
	free(o->links);
	namemap_clear(&o->link_idx);
	for (size_t i = 0; i < o->n_nics; i++)
		free(o->nics[i].alias);
	free(o->nics);
	free(o->addrs);
	namemap_clear(&o->addr_idx);
	free(o->rules);
	free(o->sysctls);
	for (size_t i = 0; i < o->n_routes; i++)
		owned_routes_fini(&o->routes[i]);
	free(o->routes);
	namemap_clear(&o->routes_idx);
	for (size_t i = 0; i < o->n_disk_tables; i++)
		free(o->disk_tables[i].v);
	free(o->disk_tables);
	namemap_clear(&o->disk_idx);
	strpool_free(o->pool);
	free(o);
}

bool owner_is_empty(const struct owner *o) {
	return !o->n_netns && !o->n_links && !o->n_nics && !o->n_addrs && !o->n_rules && !o->n_sysctls &&
	       owner_route_count(o) == 0;
}

size_t owner_route_count(const struct owner *o) {
	size_t n = 0;

	if (!o->routes_loaded)
		return o->routes_on_disk;
	for (size_t i = 0; i < o->n_routes; i++)
		n += route_map_size(o->routes[i].keys);
	return n;
}

/* ---- small array helpers ---------------------------------------------------- */

static void *grow1(void *v, size_t n, size_t size) {
	return realloc(v, (n + 1) * size);
}

#define APPEND(arr, n, ...) ({                                       \
	__typeof__(arr) _v = grow1((arr), (n), sizeof(*(arr)));         \
	int _r = -ENOMEM;                                                \
	if (_v) {                                                        \
		(arr) = _v;                                              \
		(arr)[(n)++] = (__typeof__(*(arr)))__VA_ARGS__;         \
		_r = 0;                                                  \
	}                                                                \
	_r; })

#define REMOVE_AT(arr, n, i) do {                                     \
	memmove(&(arr)[i], &(arr)[(i) + 1], ((n) - (i) - 1) * sizeof(*(arr))); \
	(n)--;                                                           \
} while (0)

void owner_clear(struct owner *o, bool (*keep_netns)(const char *name)) {
	size_t kept = 0;

	o->changes++;
	for (size_t i = 0; i < o->n_netns; i++)
		if (keep_netns && keep_netns(o->netns[i]))
			o->netns[kept++] = o->netns[i];
	o->n_netns = kept;
	netns_reindex(o);
	o->n_links = o->n_addrs = o->n_rules = o->n_sysctls = 0;
	links_unindex(o);
	addr_unindex(o);
	for (size_t i = 0; i < o->n_nics; i++)
		free(o->nics[i].alias);
	o->n_nics = 0;
	for (size_t i = 0; i < o->n_routes; i++)
		owned_routes_fini(&o->routes[i]);
	o->n_routes = 0;
	namemap_clear(&o->routes_idx);
	for (size_t i = 0; i < o->n_disk_tables; i++)
		free(o->disk_tables[i].v);
	o->n_disk_tables = 0;
	namemap_clear(&o->disk_idx);
	o->routes_on_disk = 0;
	o->routes_loaded = true;
	o->routes_dirty = true;
}

/* ---- netns ---------------------------------------------------------------------- */

static void netns_reindex(struct owner *o) {
	namemap_clear(&o->netns_idx);
	o->netns_indexed = SIZE_MAX;
	for (size_t i = 0; i < o->n_netns; i++)
		if (namemap_put(&o->netns_idx, o->netns[i], NULL, (void *)1) < 0)
			return;                     /* scanned */
	o->netns_indexed = o->n_netns;
}

bool owner_has_netns(const struct owner *o, const char *netns) {
	if (o->netns_indexed == o->n_netns)
		return namemap_get(&o->netns_idx, netns, NULL) != NULL;
	for (size_t i = 0; i < o->n_netns; i++)
		if (netns_eq(o->netns[i], netns))
			return true;
	return false;
}

int owner_add_netns(struct owner *o, const char *netns) {
	const char *s;
	int r;

	if (!netns || owner_has_netns(o, netns))
		return 0;
	s = strpool_intern(o->pool, netns);
	if (!s)
		return -ENOMEM;
	o->changes++;
	r = APPEND(o->netns, o->n_netns, s);
	if (r >= 0 && o->netns_indexed == o->n_netns - 1 && namemap_put(&o->netns_idx, s, NULL, (void *)1) >= 0)
		o->netns_indexed = o->n_netns;
	else
		o->netns_indexed = SIZE_MAX;
	return r;
}

/* Records keep their namespace interned in the pool: the same name is
 * the same pointer (NULL for the current namespace). */
struct ns_match {
	const char *key, *netns;
	bool interned;
};

static bool ns_match(const struct ns_match *m, const char *x) {
	return m->interned ? x == m->key : netns_eq(x, m->netns);
}

#define REMOVE_IF(arr, n, match) do {                                 \
	size_t _kept = 0;                                                \
	for (size_t _i = 0; _i < (n); _i++)                              \
		if (!ns_match((match), (arr)[_i].netns))                 \
			(arr)[_kept++] = (arr)[_i];                      \
	(n) = _kept;                                                     \
} while (0)

void owner_del_netns(struct owner *o, const char *netns) {
	struct ns_match m = { .netns = netns };
	size_t had_links = o->n_links, had_addrs = o->n_addrs;

	m.key = intern_ns(o, netns);
	m.interned = m.key || !netns || !*netns;
	o->changes++;
	for (size_t i = 0; i < o->n_netns; i++)
		if (ns_match(&m, o->netns[i])) {
			bool indexed = o->netns_indexed == o->n_netns;

			namemap_del(&o->netns_idx, o->netns[i], NULL);
			REMOVE_AT(o->netns, o->n_netns, i);
			o->netns_indexed = indexed ? o->n_netns : SIZE_MAX;
			break;
		}
	/* what was in it went with it (down deletes a namespace hanet made
	 * whole, with the devices, addresses and rules it holds); one pass
	 * each, a thousand namespaces deleted one by one */
	REMOVE_IF(o->links, o->n_links, &m);
	if (o->n_links != had_links)
		links_unindex(o);
	REMOVE_IF(o->addrs, o->n_addrs, &m);
	if (o->n_addrs != had_addrs)
		addr_unindex(o);
	REMOVE_IF(o->rules, o->n_rules, &m);
}

/* ---- links ---------------------------------------------------------------------- */

static void links_unindex(struct owner *o) {
	namemap_clear(&o->link_idx);
	o->links_indexed = SIZE_MAX;
}

static int link_index(struct owner *o, size_t i) {
	const char *k = strpool_intern(o->pool, o->links[i].name);

	if (!k || namemap_put(&o->link_idx, o->links[i].netns, k, (void *)(uintptr_t)(i + 1)) < 0) {
		links_unindex(o);
		return -ENOMEM;
	}
	o->links_indexed = i + 1;
	return 0;
}

struct owned_link *owner_link(const struct owner *o, const char *netns, const char *name) {
	if (o->links_indexed == o->n_links) {
		uintptr_t k = (uintptr_t)namemap_get(&o->link_idx, netns, name);

		return k ? &o->links[k - 1] : NULL;
	}
	for (size_t i = 0; i < o->n_links; i++)
		if (netns_eq(o->links[i].netns, netns) && strcmp(o->links[i].name, name) == 0)
			return &o->links[i];
	return NULL;
}

int owner_add_link(struct owner *o, const char *netns, const char *name, enum link_kind kind) {
	struct owned_link l = { .kind = kind };
	struct owned_link *have = owner_link(o, netns, name);
	int r;

	if (have && have->kind == kind)
		return 0;
	o->changes++;
	if (have) {
		have->kind = kind;
		return 0;
	}
	if (STRCPY(l.name, name) < 0)
		return -ENAMETOOLONG;
	l.netns = intern_ns(o, netns);
	if (netns && !l.netns)
		return -ENOMEM;
	r = APPEND(o->links, o->n_links, l);
	if (r < 0)
		return r;
	if (o->links_indexed != o->n_links - 1) {
		/* the records moved since they were indexed: all again */
		namemap_clear(&o->link_idx);
		for (size_t i = 0; i < o->n_links - 1; i++)
			if (link_index(o, i) < 0)
				return 0;               /* scanned */
	}
	link_index(o, o->n_links - 1);
	return 0;
}

void owner_del_link(struct owner *o, const char *netns, const char *name) {
	o->changes++;
	for (size_t i = 0; i < o->n_links; i++)
		if (netns_eq(o->links[i].netns, netns) && strcmp(o->links[i].name, name) == 0) {
			REMOVE_AT(o->links, o->n_links, i);
			links_unindex(o);
			return;
		}
}

/* ---- nics ----------------------------------------------------------------------- */

struct owned_nic *owner_nic(const struct owner *o, const char *netns, const char *name) {
	for (size_t i = 0; i < o->n_nics; i++)
		if (netns_eq(o->nics[i].netns, netns) && strcmp(o->nics[i].name, name) == 0)
			return &o->nics[i];
	return NULL;
}

int owner_note_nic(struct owner *o, const char *netns, const struct link *have, unsigned set, const char *orig_netns) {
	struct owned_nic *n = owner_nic(o, netns, have->name);
	unsigned add;

	o->changes++;
	if (!n) {
		struct owned_nic z = { 0 };
		int r;

		memcpy(z.name, have->name, IFNAMSIZ);
		z.netns = intern_ns(o, netns);
		if (netns && !z.netns)
			return -ENOMEM;
		r = APPEND(o->nics, o->n_nics, z);
		if (r < 0)
			return r;
		n = &o->nics[o->n_nics - 1];
	}
	add = set & ~n->set;
	if (add & LINK_SET_MTU)
		n->mtu = have->mtu;
	if (add & LINK_SET_MAC)
		memcpy(n->mac, have->mac, ETH_ALEN_);
	if (add & LINK_SET_STATE)
		n->up = have->up;
	if (add & LINK_SET_ALIAS) {
		free(n->alias);
		n->alias = have->alias ? strdup(have->alias) : NULL;
		if (have->alias && !n->alias)
			return -ENOMEM;
	}
	if (add & NIC_ORIG_NETNS) {
		n->orig_netns = intern_ns(o, orig_netns);
		if (orig_netns && !n->orig_netns)
			return -ENOMEM;
	}
	if (add & NIC_ORIG_MASTER)
		memcpy(n->orig_master, have->master, IFNAMSIZ);
	n->set |= add;
	return 0;
}

void owner_del_nic(struct owner *o, const char *netns, const char *name) {
	o->changes++;
	for (size_t i = 0; i < o->n_nics; i++)
		if (netns_eq(o->nics[i].netns, netns) && strcmp(o->nics[i].name, name) == 0) {
			free(o->nics[i].alias);
			REMOVE_AT(o->nics, o->n_nics, i);
			return;
		}
}

void owner_forget_nic_keys(struct owner *o, const char *netns, const char *name, unsigned set) {
	struct owned_nic *n = owner_nic(o, netns, name);

	if (!n)
		return;
	o->changes++;
	n->set &= ~set;
	if ((set & LINK_SET_ALIAS) && n->alias) {
		free(n->alias);
		n->alias = NULL;
	}
	if (!n->set)
		owner_del_nic(o, netns, name);
}

int owner_move_nic(struct owner *o, const char *from, const char *to, const char *name) {
	struct owned_nic *n = owner_nic(o, from, name);

	if (!n)
		return 0;
	o->changes++;
	n->netns = intern_ns(o, to);
	return to && !n->netns ? -ENOMEM : 0;
}

/* ---- addresses ------------------------------------------------------------------ */

/* The key of an address record in addr_idx: "dev address", in the pool.
 * NULL: out of memory. */
static const char *addr_key(struct owner *o, const char *dev, const struct ipaddr *ip) {
	char buf[IFNAMSIZ + IPADDR_STRLEN + 2], a[IPADDR_STRLEN];

	snprintf(buf, sizeof(buf), "%s %s", dev, format_ipaddr(ip, true, a, sizeof(a)));
	return strpool_intern(o->pool, buf);
}

static bool addr_is(const struct owned_addr *a, const char *netns, const char *dev, const struct ipaddr *ip) {
	return ipaddr_eq(&a->ip, ip) && netns_eq(a->netns, netns) && strcmp(a->dev, dev) == 0;
}

static void addr_unindex(struct owner *o) {
	namemap_clear(&o->addr_idx);
	o->addr_indexed = SIZE_MAX;
}

static int addr_index(struct owner *o, size_t i) {
	const char *k = addr_key(o, o->addrs[i].dev, &o->addrs[i].ip);

	if (!k || namemap_put(&o->addr_idx, o->addrs[i].netns, k, (void *)(uintptr_t)(i + 1)) < 0) {
		addr_unindex(o);
		return -ENOMEM;
	}
	o->addr_indexed = i + 1;
	return 0;
}

static struct owned_addr *find_addr(const struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip) {
	if (o->addr_indexed == o->n_addrs) {
		char buf[IFNAMSIZ + IPADDR_STRLEN + 2], a[IPADDR_STRLEN];
		uintptr_t k;

		snprintf(buf, sizeof(buf), "%s %s", dev, format_ipaddr(ip, true, a, sizeof(a)));
		k = (uintptr_t)namemap_get(&o->addr_idx, netns, buf);
		return k && addr_is(&o->addrs[k - 1], netns, dev, ip) ? &o->addrs[k - 1] : NULL;
	}
	for (size_t i = 0; i < o->n_addrs; i++)
		if (addr_is(&o->addrs[i], netns, dev, ip))
			return &o->addrs[i];
	return NULL;
}

bool owner_has_addr(const struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip) {
	return find_addr(o, netns, dev, ip) != NULL;
}

int owner_add_addr(struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip, bool vip) {
	struct owned_addr a = { .ip = *ip, .vip = vip };
	struct owned_addr *have;
	int r;

	if (o->addr_indexed != o->n_addrs) {
		/* records moved: index them again (on failure, scans) */
		addr_unindex(o);
		o->addr_indexed = 0;
		for (size_t i = 0; i < o->n_addrs && addr_index(o, i) >= 0;)
			i++;
	}
	have = find_addr(o, netns, dev, ip);
	if (have && have->vip == vip)
		return 0;
	o->changes++;
	if (have) {
		have->vip = vip;
		return 0;
	}
	if (STRCPY(a.dev, dev) < 0)
		return -ENAMETOOLONG;
	a.netns = intern_ns(o, netns);
	if (netns && !a.netns)
		return -ENOMEM;
	r = APPEND(o->addrs, o->n_addrs, a);
	if (r >= 0 && o->addr_indexed == o->n_addrs - 1)
		addr_index(o, o->n_addrs - 1);
	return r;
}

void owner_del_addr(struct owner *o, const char *netns, const char *dev, const struct ipaddr *ip) {
	for (size_t i = 0; i < o->n_addrs; i++)
		if (addr_is(&o->addrs[i], netns, dev, ip)) {
			o->changes++;
			REMOVE_AT(o->addrs, o->n_addrs, i);
			addr_unindex(o);
			return;
		}
}

/* ---- rules ------------------------------------------------------------------------ */

static bool rule_same(const struct rule *a, const struct rule *b) {
	return a->family == b->family && a->set == b->set && (!(a->set & RULE_SET_PRIORITY) || a->priority == b->priority) &&
	       a->table == b->table && ipaddr_eq(&a->from, &b->from) && ipaddr_eq(&a->to, &b->to) &&
	       a->fwmark == b->fwmark && a->fwmask == b->fwmask && strcmp(a->iif, b->iif) == 0 &&
	       strcmp(a->oif, b->oif) == 0;
}

/* A record is the rule as the profile declared it: it owns every
 * observed rule it matches (see rule_matches). */
bool owner_has_rule(const struct owner *o, const char *netns, const struct rule *u) {
	for (size_t i = 0; i < o->n_rules; i++)
		if (netns_eq(o->rules[i].netns, netns) && rule_matches(&o->rules[i], u))
			return true;
	return false;
}

int owner_add_rule(struct owner *o, const struct rule *u) {
	struct rule c = *u;

	for (size_t i = 0; i < o->n_rules; i++)
		if (netns_eq(o->rules[i].netns, u->netns) && rule_same(&o->rules[i], u))
			return 0;
	o->changes++;
	c.name[0] = '\0';
	c.line = 0;
	c.netns = intern_ns(o, u->netns);
	if (u->netns && !c.netns)
		return -ENOMEM;
	return APPEND(o->rules, o->n_rules, c);
}

void owner_del_rule(struct owner *o, const char *netns, const struct rule *u) {
	o->changes++;
	for (size_t i = o->n_rules; i-- > 0;)
		if (netns_eq(o->rules[i].netns, netns) && (rule_matches(&o->rules[i], u) || rule_same(&o->rules[i], u)))
			REMOVE_AT(o->rules, o->n_rules, i);
}

/* ---- sysctls ---------------------------------------------------------------------- */

struct owned_sysctl *owner_sysctl(const struct owner *o, const char *netns) {
	for (size_t i = 0; i < o->n_sysctls; i++)
		if (netns_eq(o->sysctls[i].netns, netns))
			return &o->sysctls[i];
	return NULL;
}

int owner_note_sysctl(struct owner *o, const char *netns, bool forwarding4, bool forwarding6) {
	struct owned_sysctl s = { .forwarding4 = forwarding4, .forwarding6 = forwarding6 };

	if (owner_sysctl(o, netns))
		return 0;
	o->changes++;
	s.netns = intern_ns(o, netns);
	if (netns && !s.netns)
		return -ENOMEM;
	return APPEND(o->sysctls, o->n_sysctls, s);
}

void owner_del_sysctl(struct owner *o, const char *netns) {
	o->changes++;
	for (size_t i = 0; i < o->n_sysctls; i++)
		if (netns_eq(o->sysctls[i].netns, netns)) {
			REMOVE_AT(o->sysctls, o->n_sysctls, i);
			return;
		}
}

/* ---- routes ------------------------------------------------------------------------ */

static struct owned_routes *routes_of(const struct owner *o, const char *netns) {
	uintptr_t i = (uintptr_t)namemap_get(&o->routes_idx, netns, NULL);

	return i ? &o->routes[i - 1] : NULL;
}

static int routes_of_new(struct owner *o, const char *netns, struct owned_routes **ret) {
	struct owned_routes *or = routes_of(o, netns), z = { 0 };
	int r;

	if (or) {
		*ret = or;
		return 0;
	}
	z.netns = intern_ns(o, netns);
	if (netns && !z.netns)
		return -ENOMEM;
	r = route_map_new(4, &z.keys);     /* grows: a router namespace has a few */
	if (r < 0)
		return r;
	r = APPEND(o->routes, o->n_routes, z);
	if (r >= 0) {
		r = namemap_put(&o->routes_idx, z.netns, NULL, (void *)(uintptr_t)o->n_routes);
		if (r < 0)
			o->n_routes--;
	}
	if (r < 0) {
		route_map_free(z.keys);
		return r;
	}
	*ret = &o->routes[o->n_routes - 1];
	return 0;
}

bool owner_has_route(const struct owner *o, const char *netns, const struct route_key *k) {
	struct owned_routes *or = routes_of(o, netns);

	return or && route_map_get(or->keys, k, NULL);
}

static struct owned_table_count *table_count(const struct owned_routes *or, uint32_t table) {
	for (size_t i = 0; i < or->n_tables; i++)
		if (or->tables[i].table == table)
			return &or->tables[i];
	return NULL;
}

int owner_add_route(struct owner *o, const char *netns, const struct route_key *k) {
	struct owned_routes *or;
	struct owned_table_count *t;
	int r = routes_of_new(o, netns, &or);

	if (r < 0)
		return r;
	if (route_map_get(or->keys, k, NULL))
		return 0;
	t = table_count(or, k->table);
	if (!t) {
		r = APPEND(or->tables, or->n_tables, { .table = k->table });
		if (r < 0)
			return r;
		t = &or->tables[or->n_tables - 1];
	}
	r = route_map_put(or->keys, k, 0);
	if (r < 0) {
		if (t->n == 0)
			or->n_tables--;
		return r;
	}
	t->n++;
	o->routes_dirty = true;
	o->changes++;
	return 0;
}

void owner_del_route(struct owner *o, const char *netns, const struct route_key *k) {
	struct owned_routes *or = routes_of(o, netns);
	struct owned_table_count *t;

	if (!or || !route_map_del(or->keys, k))
		return;
	o->routes_dirty = true;
	o->changes++;
	t = table_count(or, k->table);
	if (t && --t->n == 0)
		REMOVE_AT(or->tables, or->n_tables, (size_t)(t - or->tables));
}

/* Tables are also kept in PROFILE.owned, so this works without the routes. */
int owner_route_tables(const struct owner *o, const char *netns, uint32_t **ret, size_t *ret_n) {
	uint32_t *v = NULL;
	size_t n = 0;

	if (!o->routes_loaded) {
		uintptr_t i = (uintptr_t)namemap_get(&o->disk_idx, netns, NULL);
		const struct owned_route_tables *t = i ? &o->disk_tables[i - 1] : NULL;

		if (t) {
			v = malloc(t->n * sizeof(*v));
			if (!v)
				return -ENOMEM;
			memcpy(v, t->v, t->n * sizeof(*v));
			n = t->n;
		}
	} else {
		struct owned_routes *or = routes_of(o, netns);

		if (or && or->n_tables) {
			v = malloc(or->n_tables * sizeof(*v));
			if (!v)
				return -ENOMEM;
			for (size_t i = 0; i < or->n_tables; i++)
				v[n++] = or->tables[i].table;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- reading ---------------------------------------------------------------------- */

static int split_fields(char *line, char **f, int max) {
	int n = 0;

	for (char *s = strtok(line, " \t\n"); s && n < max; s = strtok(NULL, " \t\n"))
		f[n++] = s;
	return n;
}

static int unhex(const char *s, char **ret) {
	size_t n = strlen(s);
	char *out;

	if (n % 2)
		return -EINVAL;
	out = malloc(n / 2 + 1);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1) {
			free(out);
			return -EINVAL;
		}
		out[i] = (char)v;
	}
	out[n / 2] = '\0';
	*ret = out;
	return 0;
}

static int parse_nic(struct owner *o, char **f, int n) {
	struct owned_nic z = { 0 };
	int r = -EINVAL;

	if (n < 3 || STRCPY(z.name, f[2]) < 0)
		return -EINVAL;
	z.netns = intern_ns(o, f[1]);
	for (int i = 3; i < n; i++) {
		char *v = strchr(f[i], '=');

		if (!v)
			goto fail;
		*v++ = '\0';
		if (strcmp(f[i], "mtu") == 0) {
			if (parse_u32(v, &z.mtu) < 0)
				goto fail;
			z.set |= LINK_SET_MTU;
		} else if (strcmp(f[i], "mac") == 0) {
			if (parse_mac(v, z.mac) < 0)
				goto fail;
			z.set |= LINK_SET_MAC;
		} else if (strcmp(f[i], "up") == 0) {
			z.up = strcmp(v, "1") == 0;
			z.set |= LINK_SET_STATE;
		} else if (strcmp(f[i], "alias") == 0) {
			/* a corrupt record may say it twice: the last one counts */
			free(z.alias);
			z.alias = NULL;
			if (strcmp(v, "-") != 0) {
				int e = unhex(v, &z.alias);
				if (e < 0) {
					r = e;
					goto fail;
				}
			}
			z.set |= LINK_SET_ALIAS;
		} else if (strcmp(f[i], "netns") == 0) {
			z.orig_netns = intern_ns(o, v);
			z.set |= NIC_ORIG_NETNS;
		} else if (strcmp(f[i], "master") == 0) {
			if (strcmp(v, "-") != 0 && STRCPY(z.orig_master, v) < 0)
				goto fail;
			z.set |= NIC_ORIG_MASTER;
		}
	}
	r = APPEND(o->nics, o->n_nics, z);
	if (r >= 0)
		return r;
fail:
	free(z.alias);
	return r;
}

static int parse_opt_prefix(const char *s, struct ipaddr *ret) {
	if (strcmp(s, "-") == 0) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	return parse_prefix(s, false, ret);
}

static int parse_rule_line(struct owner *o, char **f, int n) {
	struct rule u = { 0 };
	uint32_t family, set;

	if (n != 12)
		return -EINVAL;
	u.netns = intern_ns(o, f[1]);
	if (parse_u32(f[2], &family) < 0 || parse_u32(f[3], &set) < 0 || parse_u32(f[4], &u.priority) < 0 ||
	    parse_u32(f[5], &u.table) < 0 || parse_opt_prefix(f[6], &u.from) < 0 || parse_opt_prefix(f[7], &u.to) < 0 ||
	    parse_u32(f[8], &u.fwmark) < 0 || parse_u32(f[9], &u.fwmask) < 0)
		return -EINVAL;
	u.family = (uint8_t)family;
	u.set = set;
	if (strcmp(f[10], "-") != 0 && STRCPY(u.iif, f[10]) < 0)
		return -EINVAL;
	if (strcmp(f[11], "-") != 0 && STRCPY(u.oif, f[11]) < 0)
		return -EINVAL;
	return APPEND(o->rules, o->n_rules, u);
}

static int parse_line(struct owner *o, char *line) {
	char *f[MAX_FIELDS + 2];
	int n = split_fields(line, f, MAX_FIELDS + 2);
	struct ipaddr ip;
	enum link_kind kind;

	if (n == 0 || f[0][0] == '#')
		return 0;
	if (strcmp(f[0], "hanet-owned") == 0 || strcmp(f[0], "profile") == 0)
		return 0;
	if (strcmp(f[0], "netns") == 0 && n == 2)
		return owner_add_netns(o, f[1]);
	if (strcmp(f[0], "link") == 0 && n == 4) {
		if (link_kind_from_name(f[3], &kind) < 0)
			return -EINVAL;
		return owner_add_link(o, intern_ns(o, f[1]), f[2], kind);
	}
	if (strcmp(f[0], "nic") == 0)
		return parse_nic(o, f, n);
	if ((strcmp(f[0], "addr") == 0 || strcmp(f[0], "vip") == 0) && n == 4) {
		if (parse_prefix(f[3], true, &ip) < 0)
			return -EINVAL;
		return owner_add_addr(o, intern_ns(o, f[1]), f[2], &ip, f[0][0] == 'v');
	}
	if (strcmp(f[0], "rule") == 0)
		return parse_rule_line(o, f, n);
	if (strcmp(f[0], "sysctl") == 0 && n == 4)
		return owner_note_sysctl(o, intern_ns(o, f[1]), strcmp(f[2], "1") == 0, strcmp(f[3], "1") == 0);
	if (strcmp(f[0], "route-tables") == 0 && n >= 2) {
		struct owned_route_tables t = { .netns = intern_ns(o, f[1]) };
		struct owned_route_tables *v;

		t.v = calloc((size_t)n, sizeof(*t.v));
		if (!t.v)
			return -ENOMEM;
		for (int i = 2; i < n; i++)
			if (parse_u32(f[i], &t.v[t.n++]) < 0) {
				free(t.v);
				return -EINVAL;
			}
		v = realloc(o->disk_tables, (o->n_disk_tables + 1) * sizeof(*v));
		if (!v) {
			free(t.v);
			return -ENOMEM;
		}
		o->disk_tables = v;
		o->disk_tables[o->n_disk_tables++] = t;
		/* the last line of a namespace with tables is the one that counts */
		return t.n ? namemap_put(&o->disk_idx, t.netns, NULL, (void *)(uintptr_t)o->n_disk_tables) : 0;
	}
	if (strcmp(f[0], "routes") == 0 && n == 2) {
		uint64_t c;

		if (parse_u64(f[1], &c) < 0)
			return -EINVAL;
		o->routes_on_disk = (size_t)c;
		return 0;
	}
	return -EINVAL;
}

int owner_load(const char *profile, struct owner **ret) {
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	struct owner *o;
	FILE *f;
	int r;

	r = path_of(profile, "owned", path, sizeof(path));
	if (r < 0)
		return r;
	r = owner_new(profile, &o);
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f) {
		if (errno != ENOENT) {
			r = -errno;
			owner_free(o);
			return r;
		}
		o->routes_loaded = true;
		*ret = o;
		return 0;
	}
	while (getline(&line, &cap, f) > 0) {
		r = parse_line(o, line);
		if (r < 0) {
			free(line);
			fclose(f);
			owner_free(o);
			return r == -ENOMEM ? r : -EBADMSG;
		}
	}
	free(line);
	fclose(f);
	if (o->routes_on_disk == 0)
		o->routes_loaded = true;
	o->saved = o->changes;              /* the file is what was read */
	*ret = o;
	return 0;
}

int owner_load_routes(struct owner *o) {
	char path[PATH_MAX], line[256];
	bool synced;
	FILE *f;
	int r;

	if (o->routes_loaded)
		return 0;
	synced = o->saved == o->changes;
	r = path_of(o->profile, "routes", path, sizeof(path));
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f) {
		if (errno != ENOENT)
			return -errno;
		o->routes_loaded = true;
		return 0;
	}
	o->routes_loaded = true;     /* owner_add_route needs it */
	while (fgets(line, sizeof(line), f)) {
		char *fl[5];
		struct route r0 = { 0 };
		struct route_key k;
		int n = split_fields(line, fl, 5);

		if (n == 0 || strcmp(fl[0], "hanet-routes") == 0)
			continue;
		if (n != 4 || parse_u32(fl[1], &r0.table) < 0 || parse_u32(fl[2], &r0.metric) < 0 ||
		    parse_prefix(fl[3], true, &r0.dst) < 0) {
			fclose(f);
			return -EBADMSG;
		}
		r0.set = ROUTE_SET_TABLE | ROUTE_SET_METRIC;
		route_key_of(&r0, &k);
		r = owner_add_route(o, intern_ns(o, fl[0]), &k);
		if (r < 0) {
			fclose(f);
			return r;
		}
	}
	fclose(f);
	o->routes_dirty = false;
	if (synced)
		o->saved = o->changes;
	return 0;
}

void owner_unsaved(struct owner *o) {
	o->changes++;
}

/* ---- writing ------------------------------------------------------------------------ */

static void put_hex(FILE *f, const char *s) {
	for (; *s; s++)
		fprintf(f, "%02x", (unsigned char)*s);
}

struct routes_write {
	FILE *f;
	const char *netns;
	size_t n;
};

static int write_route(const struct route_key *k, uint32_t val, void *data) {
	struct routes_write *w = data;
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(k->family, k->dst, buf, sizeof(buf));
	fprintf(w->f, "%s %u %u %s/%u\n", ns_field(w->netns), k->table, k->metric, buf, k->plen);
	w->n++;
	return 0;
}

static int save_routes(struct owner *o, const char *path) {
	char *buf = NULL;
	size_t len = 0, count = owner_route_count(o);
	FILE *f;
	int r;

	if (count == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "hanet-routes 1 %zu\n", count);
	for (size_t i = 0; i < o->n_routes; i++) {
		struct routes_write w = { .f = f, .netns = o->routes[i].netns };

		route_map_foreach(o->routes[i].keys, write_route, &w);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	r = write_file_atomic(path, buf, len, 0600);
	free(buf);
	if (r >= 0)
		o->saved = o->changes;
	return r;
}

static void put_prefix_or_dash(FILE *f, const struct ipaddr *a, bool set) {
	char buf[IPADDR_STRLEN];

	fprintf(f, " %s", set && a->family ? format_ipaddr(a, true, buf, sizeof(buf)) : "-");
}

int owner_save(struct owner *o) {
	char path[PATH_MAX], rpath[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	/* nothing changed since the records were read or written (a
	 * repair of what hanet owns already): the file says it all */
	if (o->saved == o->changes && !o->routes_dirty)
		return 0;
	r = path_of(o->profile, "owned", path, sizeof(path));
	if (r < 0)
		return r;
	r = path_of(o->profile, "routes", rpath, sizeof(rpath));
	if (r < 0)
		return r;
	r = private_dir(HANET_RUN_DIR, HANET_OWNED_DIR, NULL);
	if (r < 0)
		return r;
	if (o->routes_loaded && (o->routes_dirty || owner_route_count(o) == 0)) {
		r = save_routes(o, rpath);
		if (r < 0)
			return r;
		o->routes_dirty = false;
	}
	if (owner_is_empty(o)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		o->saved = o->changes;
		return 0;
	}

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "hanet-owned 1\nprofile %s\n", o->profile);
	for (size_t i = 0; i < o->n_netns; i++)
		fprintf(f, "netns %s\n", o->netns[i]);
	for (size_t i = 0; i < o->n_links; i++)
		fprintf(f, "link %s %s %s\n", ns_field(o->links[i].netns), o->links[i].name, link_kind_name(o->links[i].kind));
	for (size_t i = 0; i < o->n_nics; i++) {
		const struct owned_nic *n = &o->nics[i];
		char mac[18];

		fprintf(f, "nic %s %s", ns_field(n->netns), n->name);
		if (n->set & LINK_SET_MTU)
			fprintf(f, " mtu=%u", n->mtu);
		if (n->set & LINK_SET_MAC) {
			format_mac(n->mac, mac);
			fprintf(f, " mac=%s", mac);
		}
		if (n->set & LINK_SET_STATE)
			fprintf(f, " up=%d", n->up);
		if (n->set & LINK_SET_ALIAS) {
			fputs(" alias=", f);
			if (n->alias && *n->alias)
				put_hex(f, n->alias);
			else
				fputc('-', f);
		}
		if (n->set & NIC_ORIG_NETNS)
			fprintf(f, " netns=%s", ns_field(n->orig_netns));
		if (n->set & NIC_ORIG_MASTER)
			fprintf(f, " master=%s", n->orig_master[0] ? n->orig_master : "-");
		fputc('\n', f);
	}
	for (size_t i = 0; i < o->n_addrs; i++) {
		char ip[IPADDR_STRLEN];

		fprintf(f, "%s %s %s %s\n", o->addrs[i].vip ? "vip" : "addr", ns_field(o->addrs[i].netns), o->addrs[i].dev,
		        format_ipaddr(&o->addrs[i].ip, true, ip, sizeof(ip)));
	}
	for (size_t i = 0; i < o->n_rules; i++) {
		const struct rule *u = &o->rules[i];

		fprintf(f, "rule %s %u %u %u %u", ns_field(u->netns), u->family, u->set, u->priority, u->table);
		put_prefix_or_dash(f, &u->from, u->set & RULE_SET_FROM);
		put_prefix_or_dash(f, &u->to, u->set & RULE_SET_TO);
		fprintf(f, " %u %u %s %s\n", u->fwmark, u->fwmask, u->iif[0] ? u->iif : "-", u->oif[0] ? u->oif : "-");
	}
	for (size_t i = 0; i < o->n_sysctls; i++)
		fprintf(f, "sysctl %s %d %d\n", ns_field(o->sysctls[i].netns), o->sysctls[i].forwarding4,
		        o->sysctls[i].forwarding6);
	if (o->routes_loaded) {
		for (size_t i = 0; i < o->n_routes; i++) {
			uint32_t *t = NULL;
			size_t n = 0;

			if (owner_route_tables(o, o->routes[i].netns, &t, &n) == 0 && n) {
				fprintf(f, "route-tables %s", ns_field(o->routes[i].netns));
				for (size_t j = 0; j < n; j++)
					fprintf(f, " %u", t[j]);
				fputc('\n', f);
			}
			free(t);
		}
	} else {
		for (size_t i = 0; i < o->n_disk_tables; i++) {
			fprintf(f, "route-tables %s", ns_field(o->disk_tables[i].netns));
			for (size_t j = 0; j < o->disk_tables[i].n; j++)
				fprintf(f, " %u", o->disk_tables[i].v[j]);
			fputc('\n', f);
		}
	}
	fprintf(f, "routes %zu\n", owner_route_count(o));
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	r = write_file_atomic(path, buf, len, 0600);
	free(buf);
	return r;
}

