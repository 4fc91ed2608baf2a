/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes: identity, effective values, comparison, messages, and the hash
 * map that makes 100k-route tables cheap to diff. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "util.h"

/* ---- identity and effective values ------------------------------------- */

uint32_t route_eff_table(const struct route *r) {
	return r->table ? r->table : RT_TABLE_MAIN;
}

uint32_t route_eff_metric(const struct route *r) {
	if (r->set & ROUTE_SET_METRIC)
		return r->metric;
	return r->dst.family == AF_INET6 ? 1024 : 0;
}

uint8_t route_eff_type(const struct route *r) {
	return (r->set & ROUTE_SET_TYPE) && r->type ? r->type : RTN_UNICAST;
}

uint8_t route_eff_scope(const struct route *r) {
	uint8_t type = route_eff_type(r);

	if (r->set & ROUTE_SET_SCOPE)
		return r->scope;
	if (type == RTN_UNICAST && !(r->set & (ROUTE_SET_VIA | ROUTE_SET_NEXTHOPS)) && r->dst.family == AF_INET)
		return RT_SCOPE_LINK;
	return RT_SCOPE_UNIVERSE;
}

void route_key_of(const struct route *r, struct route_key *ret) {
	struct route_key k;
	size_t len = ipaddr_len(r->dst.family);

	memset(&k, 0, sizeof(k));
	k.family = r->dst.family;
	k.plen = r->dst.plen;
	k.table = route_eff_table(r);
	k.metric = route_eff_metric(r);
	memcpy(k.dst, r->dst.a, len);
	/* host bits do not count (the kernel refuses them for IPv4) */
	for (size_t i = 0; i < len; i++) {
		int bits = (int)k.plen - (int)(i * 8);

		if (bits >= 8)
			continue;
		k.dst[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	*ret = k;
}

bool route_key_eq(const struct route_key *a, const struct route_key *b) {
	return memcmp(a, b, sizeof(*a)) == 0;
}

const char *route_key_format(const struct route_key *k, char *buf, size_t size) {
	struct ipaddr a = { .family = k->family, .plen = k->plen };
	char s[IPADDR_STRLEN];

	memcpy(a.a, k->dst, sizeof(a.a));
	if (k->plen == 0)
		snprintf(s, sizeof(s), "default%s", k->family == AF_INET6 ? " (inet6)" : "");
	else
		format_ipaddr(&a, true, s, sizeof(s));
	snprintf(buf, size, "%s table %u metric %u", s, k->table, k->metric);
	return buf;
}

/* ---- comparison and text ------------------------------------------------- */

static void why_add(char *why, size_t size, const char *fmt, ...) _printf_(3, 4);
static void why_add(char *why, size_t size, const char *fmt, ...) {
	size_t len;
	va_list ap;

	if (!why || !size)
		return;
	len = strlen(why);
	if (len && len + 2 < size) {
		memcpy(why + len, ", ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(why + len, size - len, fmt, ap);
	va_end(ap);
}

static bool nexthops_eq(const struct route *w, const struct route *h) {
	if (w->n_nexthops != h->n_nexthops)
		return false;
	for (size_t i = 0; i < w->n_nexthops; i++) {
		const struct nexthop *a = &w->nexthops[i], *b = &h->nexthops[i];

		if (!ipaddr_eq(&a->via, &b->via) || (a->dev[0] && strcmp(a->dev, b->dev) != 0) ||
		    (a->weight ? a->weight : 1) != b->weight || a->onlink != b->onlink)
			return false;
	}
	return true;
}

bool route_matches(const struct route *want, const struct route *have, char *why, size_t size) {
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
	bool ok = true;

	if (why && size)
		why[0] = '\0';
	if (route_eff_type(want) != have->type) {
		why_add(why, size, "type %s -> %s", route_type_name(have->type), route_type_name(route_eff_type(want)));
		ok = false;
	}
	if (want->set & ROUTE_SET_NEXTHOPS) {
		if (!nexthops_eq(want, have)) {
			why_add(why, size, "nexthops differ");
			ok = false;
		}
	} else if (have->n_nexthops) {
		why_add(why, size, "nexthops -> none");
		ok = false;
	}
	if ((want->set & ROUTE_SET_VIA) && !ipaddr_eq(&want->via, &have->via)) {
		why_add(why, size, "via %s -> %s", have->via.family ? format_ipaddr(&have->via, false, a, sizeof(a)) : "none",
		        format_ipaddr(&want->via, false, b, sizeof(b)));
		ok = false;
	} else if (!(want->set & (ROUTE_SET_VIA | ROUTE_SET_NEXTHOPS)) && have->via.family) {
		why_add(why, size, "via %s -> none", format_ipaddr(&have->via, false, a, sizeof(a)));
		ok = false;
	}
	if ((want->set & ROUTE_SET_DEV) && strcmp(want->dev, have->dev) != 0) {
		why_add(why, size, "dev %s -> %s", have->dev[0] ? have->dev : "none", want->dev);
		ok = false;
	}
	if ((want->set & ROUTE_SET_SRC) && !ipaddr_eq(&want->src, &have->src)) {
		why_add(why, size, "src %s -> %s", have->src.family ? format_ipaddr(&have->src, false, a, sizeof(a)) : "none",
		        format_ipaddr(&want->src, false, b, sizeof(b)));
		ok = false;
	}
	if ((want->set & ROUTE_SET_SCOPE) && want->dst.family == AF_INET && want->scope != have->scope) {
		why_add(why, size, "scope %s -> %s", route_scope_name(have->scope), route_scope_name(want->scope));
		ok = false;
	}
	if (((want->set & ROUTE_SET_ONLINK) && want->onlink) != have->onlink) {
		why_add(why, size, "onlink %s -> %s", have->onlink ? "yes" : "no", want->onlink ? "yes" : "no");
		ok = false;
	}
	if ((want->set & ROUTE_SET_MTU) && (!(have->set & ROUTE_SET_MTU) || want->mtu != have->mtu)) {
		why_add(why, size, "mtu %u -> %u", have->set & ROUTE_SET_MTU ? have->mtu : 0, want->mtu);
		ok = false;
	}
	return ok;
}

const char *route_format(const struct route *r, char *buf, size_t size) {
	char a[IPADDR_STRLEN];
	uint8_t type = route_eff_type(r);
	size_t len = 0;

#define PUT(...) do { if (len < size) len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__); } while (0)
	if (type != RTN_UNICAST)
		PUT("%s ", route_type_name(type));
	if (r->dst.plen == 0)
		PUT("default%s", r->dst.family == AF_INET6 ? " (inet6)" : "");
	else
		PUT("%s", format_ipaddr(&r->dst, true, a, sizeof(a)));
	if (r->set & ROUTE_SET_VIA)
		PUT(" via %s", format_ipaddr(&r->via, false, a, sizeof(a)));
	if ((r->set & ROUTE_SET_DEV) && r->dev[0] && (type == RTN_UNICAST || r->set & ROUTE_SET_VIA))
		PUT(" dev %s", r->dev);
	for (size_t i = 0; i < r->n_nexthops; i++) {
		const struct nexthop *nh = &r->nexthops[i];

		PUT(" nexthop");
		if (nh->via.family)
			PUT(" via %s", format_ipaddr(&nh->via, false, a, sizeof(a)));
		if (nh->dev[0])
			PUT(" dev %s", nh->dev);
		PUT(" weight %u%s", nh->weight ? nh->weight : 1, nh->onlink ? " onlink" : "");
	}
	if (route_eff_table(r) != RT_TABLE_MAIN)
		PUT(" table %u", route_eff_table(r));
	if (route_eff_metric(r))
		PUT(" metric %u", route_eff_metric(r));
	if (r->set & ROUTE_SET_SRC)
		PUT(" src %s", format_ipaddr(&r->src, false, a, sizeof(a)));
	if ((r->set & ROUTE_SET_SCOPE) && r->dst.family == AF_INET) {
		/* only when it is not what the kernel picks by itself */
		struct route dflt = *r;

		dflt.set &= (uint16_t)~ROUTE_SET_SCOPE;
		if (route_eff_scope(&dflt) != r->scope)
			PUT(" scope %s", route_scope_name(r->scope));
	}
	if (r->onlink)
		PUT(" onlink");
	if (r->set & ROUTE_SET_MTU)
		PUT(" mtu %u", r->mtu);
#undef PUT
	return buf;
}

/* ---- the map ------------------------------------------------------------- */

struct route_map_slot {
	struct route_key k;
	uint32_t val;
	uint8_t state;              /* 0 empty, 1 used, 2 deleted */
};

struct route_map {
	struct route_map_slot *slots;
	size_t cap;                 /* a power of two */
	size_t used;                /* live entries */
	size_t filled;              /* live + deleted */
};

static uint64_t route_key_hash(const struct route_key *k) {
	uint64_t w[4] = { 0 }, h;

	memcpy(w, k, sizeof(*k));
	h = w[0] * 0x9e3779b97f4a7c15ull;
	h = (h ^ w[1]) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ w[2]) * 0x94d049bb133111ebull;
	h = (h ^ w[3]) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

/* Big tables get their own mapping (huge pages), small ones the heap. */
#define SLOTS_BIG (256 * 1024)

static struct route_map_slot *slots_alloc(size_t cap) {
	size_t size = cap * sizeof(struct route_map_slot);

	return size >= SLOTS_BIG ? big_alloc(size) : calloc(cap, sizeof(struct route_map_slot));
}

static void slots_free(struct route_map_slot *s, size_t cap) {
	size_t size = cap * sizeof(struct route_map_slot);

	if (size >= SLOTS_BIG)
		big_free(s, size);
	else
		free(s);
}

static int route_map_resize(struct route_map *m, size_t cap) {
	struct route_map_slot *old = m->slots;
	size_t old_cap = m->cap;

	m->slots = slots_alloc(cap);
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->used = m->filled = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].state == 1)
			route_map_put(m, &old[i].k, old[i].val);
	slots_free(old, old_cap);
	return 0;
}

int route_map_new(size_t hint, struct route_map **ret) {
	struct route_map *m = calloc(1, sizeof(*m));
	size_t cap = 8;                     /* a namespace of a few routes: one per router, a thousand routers */

	if (!m)
		return -ENOMEM;
	while (cap < hint * 2)
		cap <<= 1;
	if (route_map_resize(m, cap) < 0) {
		free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

void route_map_free(struct route_map *m) {
	if (!m)
		return;
	slots_free(m->slots, m->cap);
	free(m);
}

static struct route_map_slot *route_map_find(const struct route_map *m, const struct route_key *k) {
	size_t mask = m->cap - 1, i = route_key_hash(k) & mask;

	for (;;) {
		struct route_map_slot *s = &m->slots[i];

		if (s->state == 0)
			return NULL;
		if (s->state == 1 && route_key_eq(&s->k, k))
			return s;
		i = (i + 1) & mask;
	}
}

int route_map_put(struct route_map *m, const struct route_key *k, uint32_t val) {
	struct route_map_slot *s = route_map_find(m, k);
	size_t mask, i;

	if (s) {
		s->val = val;
		return 0;
	}
	if ((m->filled + 1) * 4 > m->cap * 3) {
		int r = route_map_resize(m, m->used * 4 > m->cap ? m->cap * 2 : m->cap);
		if (r < 0)
			return r;
	}
	mask = m->cap - 1;
	i = route_key_hash(k) & mask;
	while (m->slots[i].state == 1)
		i = (i + 1) & mask;
	if (m->slots[i].state == 0)
		m->filled++;
	m->slots[i].k = *k;
	m->slots[i].val = val;
	m->slots[i].state = 1;
	m->used++;
	return 0;
}

bool route_map_get(const struct route_map *m, const struct route_key *k, uint32_t *ret) {
	const struct route_map_slot *s = route_map_find(m, k);

	if (!s)
		return false;
	if (ret)
		*ret = s->val;
	return true;
}

bool route_map_del(struct route_map *m, const struct route_key *k) {
	struct route_map_slot *s = route_map_find(m, k);

	if (!s)
		return false;
	s->state = 2;
	m->used--;
	return true;
}

size_t route_map_size(const struct route_map *m) { return m ? m->used : 0; }

int route_map_foreach(const struct route_map *m, int (*cb)(const struct route_key *k, uint32_t val, void *data),
                      void *data) {
	for (size_t i = 0; m && i < m->cap; i++)
		if (m->slots[i].state == 1) {
			int r = cb(&m->slots[i].k, m->slots[i].val, data);
			if (r < 0)
				return r;
		}
	return 0;
}

/* ---- messages -------------------------------------------------------------- */

static void put_gateway(struct nlmsghdr *nlh, uint8_t family, const struct ipaddr *via) {
	if (via->family == family) {
		mnl_attr_put(nlh, RTA_GATEWAY, ipaddr_len(family), via->a);
	} else {
		struct {
			uint16_t family;
			uint8_t addr[16];
		} v;

		v.family = via->family;
		memcpy(v.addr, via->a, 16);
		mnl_attr_put(nlh, RTA_VIA, sizeof(uint16_t) + ipaddr_len(via->family), &v);
	}
}

static void put_rtmsg(struct nlmsghdr *nlh, const struct route *r, uint8_t protocol, uint8_t scope, uint8_t type) {
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	uint32_t table = route_eff_table(r);

	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = protocol;
	rtm->rtm_scope = scope;
	rtm->rtm_type = type;
	if (r->dst.plen)
		mnl_attr_put(nlh, RTA_DST, ipaddr_len(r->dst.family), r->dst.a);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
}

int route_build_new(struct nlmsghdr *nlh, const struct route *r, uint8_t protocol, route_ifindex_fn ifindex,
                    void *data) {
	uint8_t type = route_eff_type(r);
	struct rtmsg *rtm;
	int idx;

	put_rtmsg(nlh, r, protocol ? protocol : RTPROT_HANET, route_eff_scope(r), type);
	rtm = mnl_nlmsg_get_payload(nlh);
	if (r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (route_eff_metric(r))
		mnl_attr_put_u32(nlh, RTA_PRIORITY, route_eff_metric(r));
	if (type == RTN_UNICAST) {
		if (r->set & ROUTE_SET_VIA)
			put_gateway(nlh, r->dst.family, &r->via);
		if ((r->set & ROUTE_SET_DEV) && r->dev[0]) {
			idx = ifindex(r->dev, data);
			if (idx < 0)
				return idx;
			mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
		}
	}
	if (r->set & ROUTE_SET_SRC)
		mnl_attr_put(nlh, RTA_PREFSRC, ipaddr_len(r->src.family), r->src.a);
	if (r->set & ROUTE_SET_MTU) {
		struct nlattr *mx = mnl_attr_nest_start(nlh, RTA_METRICS);

		mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
		mnl_attr_nest_end(nlh, mx);
	}
	if (r->n_nexthops) {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

		for (size_t i = 0; i < r->n_nexthops; i++) {
			const struct nexthop *nh = &r->nexthops[i];
			struct rtnexthop *rtnh = (struct rtnexthop *)mnl_nlmsg_get_payload_tail(nlh);
			size_t start = nlh->nlmsg_len;

			nlh->nlmsg_len += MNL_ALIGN(sizeof(*rtnh));
			memset(rtnh, 0, sizeof(*rtnh));
			rtnh->rtnh_hops = (uint8_t)((nh->weight ? nh->weight : 1) - 1);
			rtnh->rtnh_flags = nh->onlink ? RTNH_F_ONLINK : 0;
			if (nh->dev[0]) {
				idx = ifindex(nh->dev, data);
				if (idx < 0)
					return idx;
				rtnh->rtnh_ifindex = idx;
			}
			if (nh->via.family)
				put_gateway(nlh, r->dst.family, &nh->via);
			rtnh->rtnh_len = (unsigned short)(nlh->nlmsg_len - start);
		}
		mnl_attr_nest_end(nlh, mp);
	}
	return 0;
}

int route_build_del(struct nlmsghdr *nlh, const struct route *r, uint8_t protocol) {
	put_rtmsg(nlh, r, protocol ? protocol : r->protocol, RT_SCOPE_NOWHERE, route_eff_type(r));
	mnl_attr_put_u32(nlh, RTA_PRIORITY, route_eff_metric(r));
	return 0;
}

/* ---- the desired routes ------------------------------------------------------ */

/* A compact open-addressing table per namespace: 8 bytes a slot (a hash
 * tag and an index into v), so a 100k-route table's index is 2 MiB; the
 * key itself is compared in v, which the caller reads anyway. */

static uint64_t netns_hash(const char *netns) {
	uint64_t h = 1469598103934665603ull;    /* FNV-1a; NULL and "" alike */

	for (const char *c = netns ? netns : ""; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	return h;
}

static struct route_index_ns *index_ns(const struct route_index *ix, const char *netns) {
	size_t mask = ix->ns_tab_cap - 1, i;

	if (!ix->ns_tab_cap)
		return NULL;
	for (i = netns_hash(netns) & mask; ix->ns_tab[i]; i = (i + 1) & mask)
		if (netns_eq(ix->ns[ix->ns_tab[i] - 1].netns, netns))
			return &ix->ns[ix->ns_tab[i] - 1];
	return NULL;
}

int route_index_ns_positions(const struct route_index *ix, const char *netns, size_t **v, size_t *n, size_t *cap) {
	const struct route_index_ns *ns = index_ns(ix, netns);

	for (size_t i = 0; ns && i < ns->cap; i++) {
		if (!ns->slots[i])
			continue;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 8;
			size_t *nv = realloc(*v, c * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			*v = nv;
			*cap = c;
		}
		(*v)[(*n)++] = (size_t)(uint32_t)ns->slots[i] - 1;
	}
	return 0;
}

/* The namespace's entry, added (without slots) when new. */
static struct route_index_ns *index_ns_add(struct route_index *ix, const char *netns) {
	struct route_index_ns *ns = index_ns(ix, netns), *nv;
	size_t mask, i;

	if (ns)
		return ns;
	if ((ix->n_ns + 1) * 2 > ix->ns_tab_cap) {
		size_t cap = ix->ns_tab_cap ? ix->ns_tab_cap * 2 : 16;
		uint32_t *t = calloc(cap, sizeof(*t));

		if (!t)
			return NULL;
		for (size_t k = 0; k < ix->n_ns; k++) {
			for (i = netns_hash(ix->ns[k].netns) & (cap - 1); t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = (uint32_t)(k + 1);
		}
		free(ix->ns_tab);
		ix->ns_tab = t;
		ix->ns_tab_cap = cap;
	}
	nv = realloc(ix->ns, (ix->n_ns + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	ix->ns = nv;
	ns = &ix->ns[ix->n_ns];
	memset(ns, 0, sizeof(*ns));
	ns->netns = netns && *netns ? netns : NULL;
	mask = ix->ns_tab_cap - 1;
	for (i = netns_hash(netns) & mask; ix->ns_tab[i]; i = (i + 1) & mask)
		;
	ix->ns_tab[i] = (uint32_t)++ix->n_ns;
	return ns;
}

/* A namespace's slots: its own mapping when big (huge pages), the heap
 * when small -- most namespaces of a network node have a few routes. */
static uint64_t *index_slots_alloc(size_t cap) {
	size_t size = cap * sizeof(uint64_t);

	return size >= SLOTS_BIG ? big_alloc(size) : calloc(cap, sizeof(uint64_t));
}

static void index_slots_free(uint64_t *slots, size_t cap) {
	size_t size = cap * sizeof(uint64_t);

	if (size >= SLOTS_BIG)
		big_free(slots, size);
	else
		free(slots);
}

static ssize_t index_lookup(const struct route_index *ix, const struct route_index_ns *ns, const struct route_key *k,
                            uint64_t h, size_t *ret_slot) {
	size_t mask = ns->cap - 1, i = h & mask;
	uint32_t tag = (uint32_t)(h >> 32);

	for (;;) {
		uint64_t s = ns->slots[i];

		if (s == 0) {
			if (ret_slot)
				*ret_slot = i;
			return -1;
		}
		if ((uint32_t)(s >> 32) == tag) {
			size_t idx = (size_t)(uint32_t)s - 1;
			struct route_key other;

			route_key_of(ix->v[idx], &other);
			if (route_key_eq(&other, k))
				return (ssize_t)idx;
		}
		i = (i + 1) & mask;
	}
}

int route_index_build(struct route_index *ix, const struct route *const *v, size_t n, char *err, size_t errsize) {
	memset(ix, 0, sizeof(*ix));
	ix->v = malloc((n ? n : 1) * sizeof(*ix->v));
	ix->present = calloc(n ? n : 1, 1);
	if (!ix->v || !ix->present)
		return -ENOMEM;
	memcpy(ix->v, v, n * sizeof(*v));
	ix->n = n;
	/* count per namespace (in used), then size each one's table for its
	 * own routes: a table sized for all of them in each of a thousand
	 * namespaces would be a thousand times too big */
	for (size_t i = 0; i < n; i++) {
		struct route_index_ns *ns = index_ns_add(ix, v[i]->netns);

		if (!ns)
			return -ENOMEM;
		ns->used++;
	}
	for (size_t i = 0; i < ix->n_ns; i++) {
		struct route_index_ns *ns = &ix->ns[i];

		ns->cap = 16;
		while (ns->cap < ns->used * 2)
			ns->cap <<= 1;
		ns->used = 0;
		ns->slots = index_slots_alloc(ns->cap);
		if (!ns->slots)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct route_index_ns *ns = index_ns(ix, v[i]->netns);
		struct route_key k;
		uint64_t h;
		size_t slot;
		ssize_t dup;

		route_key_of(v[i], &k);
		h = route_key_hash(&k);
		dup = index_lookup(ix, ns, &k, h, &slot);
		if (dup >= 0) {
			char buf[128];

			if (err && errsize)
				snprintf(err, errsize, "route %s declared twice%s%s%s", route_key_format(&k, buf, sizeof(buf)),
				         v[i]->name ? " (in [route " : "", v[i]->name ? v[i]->name : "", v[i]->name ? "])" : "");
			return -EEXIST;
		}
		ns->slots[slot] = (h >> 32) << 32 | (uint64_t)(i + 1);
		ns->used++;
	}
	return 0;
}

void route_index_fini(struct route_index *ix) {
	for (size_t i = 0; i < ix->n_ns; i++)
		index_slots_free(ix->ns[i].slots, ix->ns[i].cap);
	free(ix->ns);
	free(ix->ns_tab);
	free(ix->v);
	free(ix->present);
	memset(ix, 0, sizeof(*ix));
}

ssize_t route_index_find(const struct route_index *ix, const char *netns, const struct route_key *k) {
	struct route_index_ns *ns = index_ns(ix, netns);

	if (!ns)
		return -1;
	return index_lookup(ix, ns, k, route_key_hash(k), NULL);
}

void route_index_reset(struct route_index *ix) {
	if (ix->present)
		memset(ix->present, 0, ix->n ? ix->n : 1);
}

bool route_index_filter(const struct route *r, const char *netns, void *data) {
	struct route_index *ix = data;
	struct route_key k;
	ssize_t i;

	if (r->protocol != RTPROT_HANET)
		return true;
	route_key_of(r, &k);
	i = route_index_find(ix, netns, &k);
	if (i < 0 || !route_matches(ix->v[i], r, NULL, 0))
		return true;
	ix->present[i] = 1;
	return false;
}
