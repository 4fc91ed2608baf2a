/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * observe: the kernel into the model, one namespace at a time.  Links
 * (shared attributes here, kind options through the backend's parse),
 * addresses, the routes of the tables in use (a filtered dump: strict
 * checking with RTA_TABLE, so a big table elsewhere costs nothing) and
 * rules.  Names that cross namespaces (a veth's peer, a macvlan's lower
 * device) are resolved through the namespace ids the kernel assigned.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/net_namespace.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "link-ops.h"
#include "netns.h"
#include "hnl.h"
#include "observe.h"
#include "util.h"

/* ---- the socket pool ------------------------------------------------------ */

/* An id another namespace has here (RTM_GETNSID), kept: the kernel keeps
 * it as long as both namespaces live, and the pool holds a namespace
 * while it has a socket there. */
struct nsid_known {
	int nsid;
	const char *netns;                  /* the other entry's name ("" current) */
};

struct nls_entry {
	char *netns;
	struct hnl *nl;
	struct nsid_known *ids;             /* by nsid: a namespace of a thousand peers finds one at once */
	size_t n_ids;
	struct namemap id_of;               /* netns -> its nsid + 1 in ids */
};

struct nls {
	struct nls_entry *v;
	size_t n;
	struct namemap index;               /* netns -> index in v + 1 */
	uint64_t closed_writes;
	uint64_t nsid_requests;
	struct hnl *fd_of;                  /* the socket whose namespace fd nsid_of() left open */
};

int nls_new(struct nls **ret) {
	struct nls *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

static void nls_entry_fini(struct nls_entry *e) {
	hnl_free(e->nl);
	free(e->netns);
	free(e->ids);
	namemap_clear(&e->id_of);
}

void nls_free(struct nls *s) {
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		nls_entry_fini(&s->v[i]);
	free(s->v);
	namemap_clear(&s->index);
	free(s);
}

static struct nls_entry *nls_find(const struct nls *s, const char *netns) {
	uintptr_t i = (uintptr_t)namemap_get(&s->index, netns, NULL);

	return i ? &s->v[i - 1] : NULL;
}

static int nls_reindex(struct nls *s) {
	namemap_clear(&s->index);
	for (size_t i = 0; i < s->n; i++) {
		int r = namemap_put(&s->index, s->v[i].netns, NULL, (void *)(uintptr_t)(i + 1));

		if (r < 0)
			return r;
	}
	return 0;
}

int nls_get(struct nls *s, const char *netns, struct hnl **ret) {
	struct nls_entry *v, *e = nls_find(s, netns);
	struct hnl *nl;
	int r;

	if (e) {
		*ret = e->nl;
		return 0;
	}
	r = hnl_open(netns, &nl);
	if (r < 0)
		return r;
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v) {
		hnl_free(nl);
		return -ENOMEM;
	}
	s->v = v;
	memset(&v[s->n], 0, sizeof(v[0]));
	v[s->n].netns = netns && *netns ? strdup(netns) : NULL;
	if (netns && *netns && !v[s->n].netns) {
		hnl_free(nl);
		return -ENOMEM;
	}
	v[s->n].nl = nl;
	r = namemap_put(&s->index, v[s->n].netns, NULL, (void *)(uintptr_t)(s->n + 1));
	if (r < 0) {
		nls_entry_fini(&v[s->n]);
		return r;
	}
	s->n++;
	*ret = nl;
	return 0;
}

static size_t nsid_pos(const struct nls_entry *e, int nsid);

void nls_drop(struct nls *s, const char *netns) {
	struct nls_entry *e = nls_find(s, netns);
	const char *name;

	if (!e)
		return;
	s->closed_writes += hnl_write_count(e->nl);
	/* the ids the others knew for it go with it (the kernel frees them
	 * once the namespace is gone, and may give them out again) */
	name = e->netns ? e->netns : "";
	for (size_t i = 0; i < s->n; i++) {
		struct nls_entry *o = &s->v[i];
		uintptr_t id = o->n_ids ? (uintptr_t)namemap_get(&o->id_of, name, NULL) : 0;
		size_t at;

		if (!id)
			continue;
		namemap_del(&o->id_of, name, NULL);
		at = nsid_pos(o, (int)(id - 1));
		if (at < o->n_ids && o->ids[at].nsid == (int)(id - 1)) {
			memmove(&o->ids[at], &o->ids[at + 1], (o->n_ids - at - 1) * sizeof(o->ids[0]));
			o->n_ids--;
		}
	}
	if (s->fd_of == e->nl)
		s->fd_of = NULL;
	/* out of the index before its name is freed; the last entry takes
	 * its place */
	namemap_del(&s->index, e->netns, NULL);
	nls_entry_fini(e);
	*e = s->v[--s->n];
	if (e != &s->v[s->n] && namemap_put(&s->index, e->netns, NULL, (void *)(uintptr_t)(e - s->v + 1)) < 0)
		(void)nls_reindex(s);
}

uint64_t nls_write_count(const struct nls *s) {
	uint64_t n = s->closed_writes;

	for (size_t i = 0; i < s->n; i++)
		n += hnl_write_count(s->v[i].nl);
	return n;
}

/* ---- table sets ------------------------------------------------------------ */

int table_set_add(struct table_set *t, uint32_t table) {
	uint32_t *v;

	if (table_set_contains(t, table))
		return 0;
	v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->v = v;
	t->v[t->n++] = table;
	return 0;
}

bool table_set_contains(const struct table_set *t, uint32_t table) {
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] == table)
			return true;
	return false;
}

void table_set_fini(struct table_set *t) {
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* ---- growing arrays ------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t size) {
	size_t c;
	void *nv;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 2;     /* most namespaces hold a few of each */
	nv = realloc(*v, c * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

/* The room grow() left past n handed back once a dump is complete: the
 * bridges' namespace of a thousand ports would otherwise keep half its
 * links' array unused for as long as the state lives. */
static void trim(void **v, size_t n, size_t size) {
	void *nv;

	if (n && (nv = realloc(*v, n * size)))
		*v = nv;
}

/* ---- parsing ---------------------------------------------------------------- */

struct attrs {
	const struct nlattr **tb;
	unsigned max;
};

static int attr_cb(const struct nlattr *a, void *data) {
	struct attrs *at = data;
	unsigned type = mnl_attr_get_type(a);

	if (type <= at->max)
		at->tb[type] = a;
	return MNL_CB_OK;
}

static int parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max) {
	struct attrs at = { .tb = tb, .max = max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse(nlh, (unsigned)hdrlen, attr_cb, &at) < 0)
		return -EBADMSG;
	return 0;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max) {
	struct attrs at = { .tb = tb, .max = max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, attr_cb, &at) < 0)
		return -EBADMSG;
	return 0;
}

static void str_attr(const struct nlattr *a, char *buf, size_t size) {
	size_t n;

	buf[0] = '\0';
	if (!a)
		return;
	n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	if (n >= size)
		n = size - 1;
	memcpy(buf, mnl_attr_get_payload(a), n);
	buf[n] = '\0';
}

static uint32_t u32_attr(const struct nlattr *a, uint32_t def) {
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : def;
}

static void addr_attr(const struct nlattr *a, uint8_t family, uint8_t plen, struct ipaddr *ret) {
	size_t len = ipaddr_len(family);

	memset(ret, 0, sizeof(*ret));
	if (!a || mnl_attr_get_payload_len(a) < len)
		return;
	ret->family = family;
	ret->plen = plen;
	memcpy(ret->a, mnl_attr_get_payload(a), len);
}

/* The device's own promote_secondaries, from IFLA_AF_SPEC -> AF_INET ->
 * IFLA_INET_CONF (an array of IPV4_DEVCONF_* - 1). */
static bool inet_promotes(const struct nlattr *af_spec) {
	const struct nlattr *af, *x;

	if (!af_spec)
		return false;
	mnl_attr_for_each_nested(af, af_spec) {
		if (mnl_attr_get_type(af) != AF_INET)
			continue;
		mnl_attr_for_each_nested(x, af) {
			if (mnl_attr_get_type(x) != IFLA_INET_CONF ||
			    mnl_attr_get_payload_len(x) < IPV4_DEVCONF_PROMOTE_SECONDARIES * sizeof(uint32_t))
				continue;
			return ((const uint32_t *)mnl_attr_get_payload(x))[IPV4_DEVCONF_PROMOTE_SECONDARIES - 1] != 0;
		}
	}
	return false;
}

int observe_parse_link(const struct nlmsghdr *nlh, struct link *ret) {
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	const struct link_ops *ops = NULL;
	struct link l = { 0 };
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	r = parse_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
	if (r < 0)
		return r;
	if (!tb[IFLA_IFNAME])
		return -EBADMSG;
	str_attr(tb[IFLA_IFNAME], l.name, sizeof(l.name));
	l.ifindex = ifi->ifi_index;
	l.flags = ifi->ifi_flags;
	l.up = ifi->ifi_flags & IFF_UP;
	l.mtu = u32_attr(tb[IFLA_MTU], 0);
	l.set = LINK_SET_MTU | LINK_SET_STATE | LINK_SET_ALIAS;
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == ETH_ALEN_) {
		memcpy(l.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), ETH_ALEN_);
		l.set |= LINK_SET_MAC;
	}
	if (tb[IFLA_IFALIAS] && mnl_attr_get_payload_len(tb[IFLA_IFALIAS]) > 0 &&
	    *(const char *)mnl_attr_get_payload(tb[IFLA_IFALIAS])) {
		l.alias = strndup(mnl_attr_get_payload(tb[IFLA_IFALIAS]), mnl_attr_get_payload_len(tb[IFLA_IFALIAS]));
		if (!l.alias)
			return -ENOMEM;
	}
	l.master_ifindex = (int)u32_attr(tb[IFLA_MASTER], 0);
	l.link_ifindex = (int)u32_attr(tb[IFLA_LINK], 0);
	l.link_netnsid = tb[IFLA_LINK_NETNSID] ? (int)(int32_t)u32_attr(tb[IFLA_LINK_NETNSID], 0) : -1;
	l.carrier = tb[IFLA_CARRIER] ? mnl_attr_get_u8(tb[IFLA_CARRIER]) != 0 : (ifi->ifi_flags & IFF_LOWER_UP) != 0;
	l.promote_secondaries = inet_promotes(tb[IFLA_AF_SPEC]);
	l.kind = LINK_NIC;

	memset(li, 0, sizeof(li));
	if (tb[IFLA_LINKINFO]) {
		r = parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX);
		if (r < 0)
			goto fail;
		str_attr(li[IFLA_INFO_KIND], l.kind_name, sizeof(l.kind_name));
		str_attr(li[IFLA_INFO_SLAVE_KIND], l.slave_kind, sizeof(l.slave_kind));
	}
	if (l.kind_name[0]) {
		ops = link_ops_by_info_kind(l.kind_name);
		l.kind = ops ? ops->kind : LINK_OTHER;
	}
	if (ops && ops->parse) {
		r = ops->parse(li[IFLA_INFO_DATA], tb, &l);
		if (r < 0)
			goto fail;
	}
	*ret = l;
	return 0;
fail:
	link_fini(&l);
	return r;
}

int observe_parse_addr(const struct nlmsghdr *nlh, struct addr *ret) {
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1];
	struct addr a = { 0 };
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	r = parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	if (r < 0)
		return r;
	addr_attr(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], ifa->ifa_family, ifa->ifa_prefixlen, &a.ip);
	if (!a.ip.family)
		return -EBADMSG;
	a.ifindex = (int)ifa->ifa_index;
	a.flags = u32_attr(tb[IFA_FLAGS], ifa->ifa_flags);
	a.scope = ifa->ifa_scope;
	str_attr(tb[IFA_LABEL], a.label, sizeof(a.label));
	a.preferred_lft = a.valid_lft = UINT32_MAX;
	if (tb[IFA_CACHEINFO] && mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);

		a.preferred_lft = ci->ifa_prefered;
		a.valid_lft = ci->ifa_valid;
	}
#ifdef IFA_PROTO
	if (tb[IFA_PROTO])
		a.protocol = mnl_attr_get_u8(tb[IFA_PROTO]);
#endif
	*ret = a;
	return 0;
}

static const struct link *ns_link_by_index(const struct ns_state *ns, int ifindex) {
	size_t lo = 0, hi;

	if (!ns)
		return NULL;
	hi = ns->n_links;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ns->links[mid].ifindex == ifindex)
			return &ns->links[mid];
		if (ns->links[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void ifname_of(const struct ns_state *ns, int ifindex, char buf[IFNAMSIZ]) {
	const struct link *l = ns_link_by_index(ns, ifindex);

	if (l)
		memcpy(buf, l->name, IFNAMSIZ);
	else
		snprintf(buf, IFNAMSIZ, "if%d", ifindex);
}

static void parse_gateway(const struct nlattr *gw, const struct nlattr *via, uint8_t family, struct ipaddr *ret) {
	memset(ret, 0, sizeof(*ret));
	if (gw) {
		addr_attr(gw, family, family == AF_INET ? 32 : 128, ret);
	} else if (via && mnl_attr_get_payload_len(via) >= sizeof(struct rtvia)) {
		const struct rtvia *v = mnl_attr_get_payload(via);
		size_t len = ipaddr_len(v->rtvia_family);

		if ((v->rtvia_family == AF_INET || v->rtvia_family == AF_INET6) &&
		    mnl_attr_get_payload_len(via) >= sizeof(*v) + len) {
			ret->family = v->rtvia_family;
			ret->plen = (uint8_t)(len * 8);
			memcpy(ret->a, v->rtvia_addr, len);
		}
	}
}

static int parse_multipath(const struct nlattr *mp, uint8_t family, const struct ns_state *ns, struct route *r) {
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp), n = 0;
	struct nexthop *nh = NULL;

	while (left >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *rtnh = (const struct rtnexthop *)p;
		const struct nlattr *tb[RTA_MAX + 1];
		struct attrs at = { .tb = tb, .max = RTA_MAX };
		struct nexthop *v;

		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > left)
			break;
		if (n >= ROUTE_MAX_NEXTHOPS)
			break;
		v = realloc(nh, (n + 1) * sizeof(*nh));
		if (!v) {
			free(nh);
			return -ENOMEM;
		}
		nh = v;
		memset(&nh[n], 0, sizeof(nh[n]));
		memset(tb, 0, sizeof(tb));
		if (rtnh->rtnh_len > sizeof(*rtnh))
			mnl_attr_parse_payload(p + sizeof(*rtnh), rtnh->rtnh_len - sizeof(*rtnh), attr_cb, &at);
		parse_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], family, &nh[n].via);
		if (rtnh->rtnh_ifindex)
			ifname_of(ns, rtnh->rtnh_ifindex, nh[n].dev);
		nh[n].weight = (uint16_t)(rtnh->rtnh_hops + 1);
		nh[n].onlink = rtnh->rtnh_flags & RTNH_F_ONLINK;
		n++;
		{
			size_t step = (size_t)RTNH_ALIGN(rtnh->rtnh_len);

			p += step;
			left = left > step ? left - step : 0;
		}
	}
	r->nexthops = nh;
	r->n_nexthops = (uint8_t)n;
	if (n)
		r->set |= ROUTE_SET_NEXTHOPS;
	return 0;
}

int observe_parse_route(const struct nlmsghdr *nlh, const struct ns_state *ns, struct route *ret) {
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	struct route r = { 0 };
	int q;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	q = parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	if (q < 0)
		return q;
	r.dst.family = rtm->rtm_family;
	r.dst.plen = rtm->rtm_dst_len;
	if (tb[RTA_DST])
		addr_attr(tb[RTA_DST], rtm->rtm_family, rtm->rtm_dst_len, &r.dst);
	r.table = u32_attr(tb[RTA_TABLE], rtm->rtm_table);
	r.metric = u32_attr(tb[RTA_PRIORITY], 0);
	r.scope = rtm->rtm_scope;
	r.type = rtm->rtm_type;
	r.protocol = rtm->rtm_protocol;
	r.onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	r.set = ROUTE_SET_TABLE | ROUTE_SET_METRIC | ROUTE_SET_SCOPE | ROUTE_SET_TYPE | ROUTE_SET_ONLINK;
	parse_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], rtm->rtm_family, &r.via);
	if (r.via.family)
		r.set |= ROUTE_SET_VIA;
	if (tb[RTA_OIF]) {
		ifname_of(ns, (int)mnl_attr_get_u32(tb[RTA_OIF]), r.dev);
		r.set |= ROUTE_SET_DEV;
	}
	if (tb[RTA_PREFSRC]) {
		addr_attr(tb[RTA_PREFSRC], rtm->rtm_family, rtm->rtm_family == AF_INET ? 32 : 128, &r.src);
		r.set |= ROUTE_SET_SRC;
	}
	if (tb[RTA_METRICS]) {
		const struct nlattr *mx[RTAX_MAX + 1];

		if (parse_nested(tb[RTA_METRICS], mx, RTAX_MAX) == 0 && mx[RTAX_MTU]) {
			r.mtu = u32_attr(mx[RTAX_MTU], 0);
			r.set |= ROUTE_SET_MTU;
		}
	}
	if (tb[RTA_MULTIPATH]) {
		q = parse_multipath(tb[RTA_MULTIPATH], rtm->rtm_family, ns, &r);
		if (q < 0)
			return q;
	}
	*ret = r;
	return 0;
}

int observe_parse_rule(const struct nlmsghdr *nlh, struct rule *ret) {
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[FRA_MAX + 1];
	struct rule u = { 0 };
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh))
		return -EBADMSG;
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return -EAFNOSUPPORT;
	r = parse_attrs(nlh, sizeof(*frh), tb, FRA_MAX);
	if (r < 0)
		return r;
	u.family = frh->family;
	u.action = frh->action;
	u.table = u32_attr(tb[FRA_TABLE], frh->table);
	u.priority = u32_attr(tb[FRA_PRIORITY], 0);
	u.set = RULE_SET_TABLE | RULE_SET_PRIORITY;
	if (tb[FRA_SRC]) {
		addr_attr(tb[FRA_SRC], frh->family, frh->src_len, &u.from);
		u.set |= RULE_SET_FROM;
	}
	if (tb[FRA_DST]) {
		addr_attr(tb[FRA_DST], frh->family, frh->dst_len, &u.to);
		u.set |= RULE_SET_TO;
	}
	if (tb[FRA_FWMARK]) {
		u.fwmark = mnl_attr_get_u32(tb[FRA_FWMARK]);
		u.fwmask = u32_attr(tb[FRA_FWMASK], 0xffffffff);
		u.set |= RULE_SET_FWMARK;
	}
	if (tb[FRA_IIFNAME]) {
		str_attr(tb[FRA_IIFNAME], u.iif, sizeof(u.iif));
		u.set |= RULE_SET_IIF;
	}
	if (tb[FRA_OIFNAME]) {
		str_attr(tb[FRA_OIFNAME], u.oif, sizeof(u.oif));
		u.set |= RULE_SET_OIF;
	}
	if (tb[FRA_PROTOCOL])
		u.protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	*ret = u;
	return 0;
}

/* ---- dumps ------------------------------------------------------------------- */

struct dump_ctx {
	struct ns_state *ns;
	size_t cap;
	int error;
};

static void ns_links_clear(struct ns_state *ns) {
	for (size_t i = 0; i < ns->n_links; i++)
		link_fini(&ns->links[i]);
	free(ns->links);
	ns->links = NULL;
	ns->n_links = 0;
}

static void ns_routes_clear(struct ns_state *ns) {
	for (size_t i = 0; i < ns->n_routes; i++)
		route_fini(&ns->routes[i]);
	free(ns->routes);
	ns->routes = NULL;
	ns->n_routes = 0;
}

static void ns_state_clear(struct ns_state *ns) {
	ns_links_clear(ns);
	free(ns->addrs);
	ns->addrs = NULL;
	ns->n_addrs = 0;
	ns_routes_clear(ns);
	free(ns->rules);
	ns->rules = NULL;
	ns->n_rules = 0;
	table_set_fini(&ns->tables);
	ns->routes_read = false;
	ns->n_routes_filtered = 0;
	ns->exists = false;
	ns->lo_up = false;
	ns->forwarding = ns->forwarding4 = ns->forwarding6 = false;
}

static void reset_links(void *data) {
	struct dump_ctx *c = data;

	ns_links_clear(c->ns);
	c->cap = 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data) {
	struct dump_ctx *c = data;
	struct ns_state *ns = c->ns;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	r = grow((void **)&ns->links, &c->cap, ns->n_links, sizeof(*ns->links));
	if (r < 0)
		goto fail;
	r = observe_parse_link(nlh, &ns->links[ns->n_links]);
	if (r < 0)
		goto fail;
	ns->links[ns->n_links].netns = ns->name;
	ns->n_links++;
	return MNL_CB_OK;
fail:
	errno = -r;
	return MNL_CB_ERROR;
}

static int cmp_link_index(const void *a, const void *b) {
	const struct link *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

void ns_state_link_names(struct ns_state *ns) {
	for (size_t i = 0; i < ns->n_links; i++) {
		struct link *l = &ns->links[i];

		l->master[0] = '\0';
		if (l->master_ifindex > 0)
			ifname_of(ns, l->master_ifindex, l->master);
		if (l->link_netnsid < 0 && l->link_ifindex > 0 && link_lower_buf(l))
			ifname_of(ns, l->link_ifindex, link_lower_buf(l));
		if (l->kind == LINK_VETH && l->link_netnsid < 0 && l->link_ifindex > 0) {
			const struct link *p = ns_link_by_index(ns, l->link_ifindex);

			l->u.veth.peer_netns = ns->name;
			if (p) {
				memcpy(l->u.veth.peer, p->name, IFNAMSIZ);
				l->u.veth.peer_ifindex = p->ifindex;
				memcpy(l->u.veth.peer_mac, p->mac, ETH_ALEN_);
				l->u.veth.peer_mtu = p->mtu;
			}
		}
	}
	/* masters list their slaves / ports */
	for (size_t i = 0; i < ns->n_links; i++) {
		struct link *m = &ns->links[i];
		struct namelist *list = link_ports(m);

		if (!list)
			continue;
		namelist_fini(list);
		for (size_t j = 0; j < ns->n_links; j++)
			if (ns->links[j].master_ifindex == m->ifindex)
				namelist_add(list, ns->links[j].name);
	}
}

static int dump_links(struct hnl *nl, struct ns_state *ns) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct dump_ctx c = { .ns = ns };
	int r;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = hnl_dump_run(nl, nlh, link_cb, reset_links, &c);
	if (r < 0)
		return r;
	trim((void **)&ns->links, ns->n_links, sizeof(*ns->links));
	qsort(ns->links, ns->n_links, sizeof(*ns->links), cmp_link_index);
	for (size_t i = 0; i < ns->n_links; i++)
		if (strcmp(ns->links[i].name, "lo") == 0)
			ns->lo_up = ns->links[i].up;
	ns_state_link_names(ns);
	/* what the backends read besides RTM_NEWLINK (team options, names
	 * of the ifindexes a bond gives) */
	for (size_t i = 0; i < ns->n_links; i++) {
		const struct link_ops *ops = link_ops_get(ns->links[i].kind);

		if (ops && ops->observe_extra && ns->links[i].kind != LINK_NIC) {
			r = ops->observe_extra(&ns->links[i], nl);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void reset_addrs(void *data) {
	struct dump_ctx *c = data;

	c->ns->n_addrs = 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data) {
	struct dump_ctx *c = data;
	struct ns_state *ns = c->ns;
	struct addr a;
	int r;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	r = observe_parse_addr(nlh, &a);
	if (r == -EAFNOSUPPORT)
		return MNL_CB_OK;
	if (r < 0)
		goto fail;
	r = grow((void **)&ns->addrs, &c->cap, ns->n_addrs, sizeof(*ns->addrs));
	if (r < 0)
		goto fail;
	a.netns = ns->name;
	ifname_of(ns, a.ifindex, a.dev);
	ns->addrs[ns->n_addrs++] = a;
	return MNL_CB_OK;
fail:
	errno = -r;
	return MNL_CB_ERROR;
}

static int dump_addrs(struct hnl *nl, struct ns_state *ns) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct dump_ctx c = { .ns = ns };
	int r;

	ifa->ifa_family = AF_UNSPEC;
	r = hnl_dump_run(nl, nlh, addr_cb, reset_addrs, &c);
	if (r >= 0)
		trim((void **)&ns->addrs, ns->n_addrs, sizeof(*ns->addrs));
	return r;
}

struct route_dump {
	struct dump_ctx c;
	size_t restart_at;          /* routes before this index belong to earlier dumps */
	size_t filtered_at;
	bool all_tables;
	const struct observe_ns_req *req;
};

static void reset_routes(void *data) {
	struct route_dump *d = data;
	struct ns_state *ns = d->c.ns;

	for (size_t i = d->restart_at; i < ns->n_routes; i++)
		route_fini(&ns->routes[i]);
	ns->n_routes = d->restart_at;
	ns->n_routes_filtered = d->filtered_at;
	/* what the filter marked in the interrupted pass is marked again */
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
	struct route_dump *d = data;
	struct ns_state *ns = d->c.ns;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	int r;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return MNL_CB_OK;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return MNL_CB_OK;
	r = grow((void **)&ns->routes, &d->c.cap, ns->n_routes, sizeof(*ns->routes));
	if (r < 0)
		goto fail;
	r = observe_parse_route(nlh, ns, &ns->routes[ns->n_routes]);
	if (r == -EAFNOSUPPORT)
		return MNL_CB_OK;
	if (r < 0)
		goto fail;
	/* without strict checking the kernel ignores the table filter */
	if (!d->all_tables && !table_set_contains(&ns->tables, ns->routes[ns->n_routes].table)) {
		route_fini(&ns->routes[ns->n_routes]);
		return MNL_CB_OK;
	}
	if (d->req && d->req->route_filter &&
	    !d->req->route_filter(&ns->routes[ns->n_routes], ns->name, d->req->route_filter_data)) {
		route_fini(&ns->routes[ns->n_routes]);
		ns->n_routes_filtered++;
		return MNL_CB_OK;
	}
	ns->routes[ns->n_routes].netns = ns->name;
	ns->n_routes++;
	return MNL_CB_OK;
fail:
	errno = -r;
	return MNL_CB_ERROR;
}

static int dump_routes_table(struct hnl *nl, struct route_dump *d, uint8_t family, uint32_t table) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int r;

	rtm->rtm_family = family;
	if (table) {
		rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
	}
	d->restart_at = d->c.ns->n_routes;
	d->filtered_at = d->c.ns->n_routes_filtered;
	r = hnl_dump_run(nl, nlh, route_cb, reset_routes, d);
	/* a table that does not exist yet has no routes */
	if (r == -ENOENT)
		r = 0;
	return r;
}

/* One dump per table, both families at once (AF_UNSPEC: the kernel
 * walks IPv4 then IPv6, each with the table filter). */
static int dump_routes(struct hnl *nl, struct ns_state *ns, const struct observe_ns_req *req) {
	bool all_tables = req->all_tables;
	struct route_dump d = { .c = { .ns = ns }, .all_tables = all_tables, .req = req };
	int r;

	if (all_tables)
		return dump_routes_table(nl, &d, AF_UNSPEC, 0);
	for (size_t i = 0; i < ns->tables.n; i++) {
		r = dump_routes_table(nl, &d, AF_UNSPEC, ns->tables.v[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data) {
	struct dump_ctx *c = data;
	struct ns_state *ns = c->ns;
	struct rule u;
	int r;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return MNL_CB_OK;
	r = observe_parse_rule(nlh, &u);
	if (r == -EAFNOSUPPORT)
		return MNL_CB_OK;
	if (r < 0)
		goto fail;
	r = grow((void **)&ns->rules, &c->cap, ns->n_rules, sizeof(*ns->rules));
	if (r < 0)
		goto fail;
	u.netns = ns->name;
	ns->rules[ns->n_rules++] = u;
	return MNL_CB_OK;
fail:
	errno = -r;
	return MNL_CB_ERROR;
}

static void reset_rules(void *data) {
	struct dump_ctx *c = data;

	c->ns->n_rules = 0;
}

/* Both families in one dump (AF_UNSPEC). */
static int dump_rules(struct hnl *nl, struct ns_state *ns) {
	struct dump_ctx c = { .ns = ns };
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETRULE, NLM_F_DUMP);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));

	frh->family = AF_UNSPEC;
	return hnl_dump_run(nl, nlh, rule_cb, reset_rules, &c);
}

static int read_bool_file(const char *path, bool *ret) {
	char buf[16];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	*ret = buf[0] != '0';
	return 0;
}

static int read_promote_all(void *data) {
	return read_bool_file("/proc/sys/net/ipv4/conf/all/promote_secondaries", data);
}

int observe_promote_all(const char *netns, bool *ret) {
	*ret = false;
	return netns && *netns ? netns_run(netns, read_promote_all, ret) : read_promote_all(ret);
}

static int netconf_cb(const struct nlmsghdr *nlh, void *data) {
	const struct nlattr *tb[NETCONFA_MAX + 1];
	const struct netconfmsg *ncm = mnl_nlmsg_get_payload(nlh);
	struct ns_state *ns = data;

	if (nlh->nlmsg_type != RTM_NEWNETCONF || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ncm)))
		return MNL_CB_OK;
	if (parse_attrs(nlh, NLMSG_ALIGN(sizeof(*ncm)), tb, NETCONFA_MAX) < 0 || !tb[NETCONFA_IFINDEX] ||
	    !tb[NETCONFA_FORWARDING] || (int32_t)mnl_attr_get_u32(tb[NETCONFA_IFINDEX]) != NETCONFA_IFINDEX_ALL)
		return MNL_CB_OK;
	if (ncm->ncm_family == AF_INET)
		ns->forwarding4 = mnl_attr_get_u32(tb[NETCONFA_FORWARDING]) != 0;
	else if (ncm->ncm_family == AF_INET6)
		ns->forwarding6 = mnl_attr_get_u32(tb[NETCONFA_FORWARDING]) != 0;
	return MNL_CB_OK;
}

static void netconf_reset(void *data) {
	struct ns_state *ns = data;

	ns->forwarding4 = ns->forwarding6 = false;
}

/* net.ipv{4,6}.conf.all.forwarding: one netconf dump of both families on
 * the namespace's socket (opening /proc/sys/.../all/... instead costs a
 * lookup that grows with the number of namespaces on the host). */
static int read_forwarding(struct hnl *nl, struct ns_state *ns) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETNETCONF, NLM_F_DUMP);
	struct netconfmsg *ncm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ncm));
	int r;

	ncm->ncm_family = AF_UNSPEC;
	r = hnl_dump_run(nl, nlh, netconf_cb, netconf_reset, ns);
	ns->forwarding = ns->forwarding4 && ns->forwarding6;
	return r;
}

static int observe_one(struct nls *nls, struct ns_state *ns, const struct observe_ns_req *req) {
	struct hnl *nl;
	int r;

	ns_state_clear(ns);
	/* a socket kept from before may be of a namespace since deleted; a
	 * new one finds that out opening it */
	if (ns->name && nls_find(nls, ns->name) && !netns_exists(ns->name)) {
		nls_drop(nls, ns->name);
		return 0;
	}
	r = nls_get(nls, ns->name, &nl);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	ns->exists = true;
	r = dump_links(nl, ns);
	if (r < 0)
		return r;
	r = dump_addrs(nl, ns);
	if (r < 0)
		return r;
	for (size_t i = 0; i < req->tables.n; i++) {
		r = table_set_add(&ns->tables, req->tables.v[i]);
		if (r < 0)
			return r;
	}
	if (req->all_tables || ns->tables.n) {
		r = dump_routes(nl, ns, req);
		if (r < 0)
			return r;
		ns->routes_read = true;
	}
	if (req->rules) {
		r = dump_rules(nl, ns);
		if (r < 0)
			return r;
	}
	if (!req->sysctls)
		return 0;
	return read_forwarding(nl, ns);
}

/* ---- across namespaces --------------------------------------------------- */

struct nsid_reply {
	int nsid;
};

static int nsid_cb(const struct nlmsghdr *nlh, void *data) {
	struct nsid_reply *rep = data;
	const struct nlattr *tb[NETNSA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	if (parse_attrs(nlh, NLMSG_ALIGN(sizeof(struct rtgenmsg)), tb, NETNSA_MAX) < 0)
		return MNL_CB_OK;
	if (tb[NETNSA_NSID])
		rep->nsid = (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return MNL_CB_OK;
}

/* The id namespace `other` has inside the namespace of nl, or -1. */
static int nsid_of(struct hnl *nl, struct hnl *other) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETNSID, 0);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	struct nsid_reply rep = { .nsid = -1 };

	g->rtgen_family = AF_UNSPEC;
	int fd = hnl_netns_fd(other), r;

	if (fd < 0)
		return -1;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	r = hnl_request(nl, nlh, nsid_cb, &rep);
	return r < 0 ? -1 : rep.nsid;
}

/* Where nsid is, or goes, in e's ids (sorted by nsid). */
static size_t nsid_pos(const struct nls_entry *e, int nsid) {
	size_t lo = 0, hi = e->n_ids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->ids[mid].nsid < nsid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *nsid_cached(const struct nls_entry *e, int nsid) {
	size_t i = nsid_pos(e, nsid);

	return i < e->n_ids && e->ids[i].nsid == nsid ? e->ids[i].netns : NULL;
}

/* Keep that `netns` (the name an entry of the pool holds, "" for the
 * current one) has the id nsid in e's namespace.  Out of memory, it is
 * asked again. */
static void nsid_learn(struct nls_entry *e, int nsid, const char *netns) {
	struct nsid_known *v;
	size_t at;

	if (nsid_cached(e, nsid) || namemap_get(&e->id_of, netns, NULL))
		return;
	v = realloc(e->ids, (e->n_ids + 1) * sizeof(*v));
	if (!v)
		return;
	e->ids = v;
	if (namemap_put(&e->id_of, netns, NULL, (void *)(uintptr_t)(nsid + 1)) < 0)
		return;
	at = nsid_pos(e, nsid);
	memmove(&v[at + 1], &v[at], (e->n_ids - at) * sizeof(*v));
	v[at] = (struct nsid_known){ nsid, netns };
	e->n_ids++;
}

/* Whether namespace `other` has the id nsid in namespace `here`: asked
 * once per pair, then kept. */
static bool nsid_is(struct nls *s, const char *here, const char *other, int nsid) {
	struct nls_entry *e, *o;
	const char *known;
	struct hnl *nl;
	int id;

	if (nls_get(s, here, &nl) < 0 || nls_get(s, other, &nl) < 0)
		return false;
	e = nls_find(s, here);
	o = nls_find(s, other);
	known = nsid_cached(e, nsid);
	if (known)
		return strcmp(known, o->netns ? o->netns : "") == 0;
	if (namemap_get(&e->id_of, o->netns, NULL))
		return false;                   /* it has another id here */
	s->nsid_requests++;
	/* the fd of the namespace asked about is kept for the next question,
	 * which is often about the same one: only that one */
	if (s->fd_of && s->fd_of != o->nl)
		hnl_netns_fd_close(s->fd_of);
	s->fd_of = o->nl;
	id = nsid_of(e->nl, o->nl);
	if (id >= 0)
		nsid_learn(e, id, o->netns ? o->netns : "");
	return id == nsid;
}

/* Close the namespace fd the last nsid question left open. */
static void nls_nsid_done(struct nls *s) {
	if (s->fd_of)
		hnl_netns_fd_close(s->fd_of);
	s->fd_of = NULL;
}

uint64_t nls_nsid_requests(const struct nls *s) {
	return s->nsid_requests;
}

/* The veths whose peer is in another namespace, by (ifindex, peer's
 * ifindex): where to look for the peer of a veth whose namespace id is
 * not known yet.  Built when first needed. */
struct backref {
	int ifindex, link_ifindex;
	struct ns_state *ns;
	const struct link *l;
};

struct resolver {
	struct nls *nls;
	const struct state *st;
	struct backref *v;
	size_t n;
	bool built;
};

static int cmp_backref(const void *a, const void *b) {
	const struct backref *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
	return (x->link_ifindex > y->link_ifindex) - (x->link_ifindex < y->link_ifindex);
}

static void backrefs_build(struct resolver *rs) {
	size_t cap = 0;

	rs->built = true;
	for (size_t i = 0; i < rs->st->n_ns; i++) {
		struct ns_state *ns = &rs->st->ns[i];

		for (size_t j = 0; ns->exists && j < ns->n_links; j++) {
			const struct link *l = &ns->links[j];

			if (l->kind != LINK_VETH || l->link_netnsid < 0)
				continue;
			if (grow((void **)&rs->v, &cap, rs->n, sizeof(*rs->v)) < 0)
				return;                 /* the scan below does without */
			rs->v[rs->n++] = (struct backref){ l->ifindex, l->link_ifindex, ns, l };
		}
	}
	qsort(rs->v, rs->n, sizeof(*rs->v), cmp_backref);
}

/* Whether veth l of ns and b are a pair: l's peer namespace is b's, or
 * b's is ns.  Asked in the namespace with fewer devices about the one
 * with more: a thousand routers with a veth each into one bridge
 * namespace open that namespace once. */
static bool veth_pair_is(struct nls *nls, const struct ns_state *ns, const struct link *l, const struct backref *b) {
	if (b->ns->n_links < ns->n_links)
		return nsid_is(nls, b->ns->name, ns->name, b->l->link_netnsid);
	return nsid_is(nls, ns->name, b->ns->name, l->link_netnsid);
}

/* The namespace a link's peer or lower device is in (link_netnsid in
 * the link's namespace), among those of the state.  A veth's peer is
 * found by its indexes (it points back at the link); a lower device,
 * by asking each namespace that has a device of that index. */
static struct ns_state *peer_ns_of(struct resolver *rs, const struct ns_state *ns, const struct link *l) {
	const struct state *st = rs->st;
	struct nls_entry *e = nls_find(rs->nls, ns->name);
	const char *known = e ? nsid_cached(e, l->link_netnsid) : NULL;

	if (known) {
		struct ns_state *p = state_ns(st, known);

		return p && p->exists ? p : NULL;
	}
	if (l->kind == LINK_VETH) {
		struct backref key = { l->link_ifindex, l->ifindex, NULL, NULL }, *b;

		if (!rs->built)
			backrefs_build(rs);
		/* bsearch() wants an array, even of none */
		b = rs->n ? bsearch(&key, rs->v, rs->n, sizeof(*rs->v), cmp_backref) : NULL;
		if (b) {
			while (b > rs->v && cmp_backref(b - 1, &key) == 0)
				b--;
			for (; b < rs->v + rs->n && cmp_backref(b, &key) == 0; b++)
				if (b->ns != ns && veth_pair_is(rs->nls, ns, l, b))
					return b->ns;
		}
		return NULL;
	}
	for (size_t j = 0; j < st->n_ns; j++) {
		struct ns_state *p = &st->ns[j];

		if (p == ns || !p->exists || !ns_link_by_index(p, l->link_ifindex))
			continue;
		if (nsid_is(rs->nls, ns->name, p->name, l->link_netnsid))
			return p;
	}
	return NULL;
}

/* A veth's peer points back at it: the id p's peer has in peer_ns is
 * ns, known without asking. */
static void peer_learn(struct nls *nls, const struct ns_state *ns, const struct ns_state *peer_ns, const struct link *p) {
	struct nls_entry *here = nls_find(nls, ns->name), *there = nls_find(nls, peer_ns->name);

	if (here && there && p->link_netnsid >= 0)
		nsid_learn(there, p->link_netnsid, here->netns ? here->netns : "");
}

/* Fill the names that point into other namespaces of the state: veth
 * peers, lower devices of macvlan/vlan moved elsewhere.  With `only`,
 * just the links that point into that namespace. */
static void resolve_cross_ns(struct resolver *rs, struct ns_state *ns, const struct ns_state *only) {
	const char *only_name = only ? (only->name ? only->name : "") : NULL;
	struct nls_entry *e = only ? nls_find(rs->nls, ns->name) : NULL;

	if (!ns->exists)
		return;
	for (size_t i = 0; i < ns->n_links; i++) {
		struct link *l = &ns->links[i];
		const struct ns_state *peer_ns;
		const struct link *p;

		if (l->link_netnsid < 0 || l->link_ifindex <= 0)
			continue;
		if (!link_has_lower(l))
			continue;
		if (only) {
			const char *known = e ? nsid_cached(e, l->link_netnsid) : NULL;

			if (known && strcmp(known, only_name) != 0)
				continue;
		}
		peer_ns = peer_ns_of(rs, ns, l);
		if (!peer_ns)
			continue;
		p = ns_link_by_index(peer_ns, l->link_ifindex);
		if (!p)
			continue;
		link_set_lower(l, p, peer_ns->name);
		if (l->kind == LINK_VETH && p->kind == LINK_VETH && p->link_ifindex == l->ifindex)
			peer_learn(rs->nls, ns, peer_ns, p);
	}
}

/* ---- the state ----------------------------------------------------------- */

int state_observe_ns(struct nls *nls, struct state *st, const struct observe_ns_req *req) {
	struct ns_state *ns = state_ns(st, req->netns);
	struct resolver rs = { .nls = nls };
	int r;

	if (!ns)
		return -ENOENT;
	r = observe_one(nls, ns, req);
	if (r < 0)
		return r;
	rs.st = st;
	resolve_cross_ns(&rs, ns, NULL);
	/* the other side of a veth pair may point here: the links of the
	 * others whose namespace id is this one's (or not known yet) */
	for (size_t i = 0; i < st->n_ns; i++)
		if (&st->ns[i] != ns)
			resolve_cross_ns(&rs, &st->ns[i], ns);
	nls_nsid_done(nls);
	free(rs.v);
	return 0;
}

int state_observe(struct nls *nls, const struct observe_ns_req *reqs, size_t n, struct state **ret) {
	struct resolver rs = { .nls = nls };
	struct state *st;
	int r;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->pool = strpool_new();
	st->ns = calloc(n ? n : 1, sizeof(*st->ns));
	if (!st->pool || !st->ns) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct ns_state *ns = &st->ns[st->n_ns];

		if (state_ns(st, reqs[i].netns))
			continue;
		ns->name = reqs[i].netns ? strpool_intern(st->pool, reqs[i].netns) : NULL;
		if (reqs[i].netns && !ns->name) {
			r = -ENOMEM;
			goto fail;
		}
		r = namemap_put(&st->index, ns->name, NULL, ns);
		if (r < 0)
			goto fail;
		st->n_ns++;
		r = observe_one(nls, ns, &reqs[i]);
		if (r < 0)
			goto fail;
	}
	rs.st = st;
	for (size_t i = 0; i < st->n_ns; i++)
		resolve_cross_ns(&rs, &st->ns[i], NULL);
	nls_nsid_done(nls);
	free(rs.v);
	*ret = st;
	return 0;
fail:
	state_free(st);
	return r;
}

void state_free(struct state *st) {
	if (!st)
		return;
	for (size_t i = 0; i < st->n_ns; i++)
		ns_state_clear(&st->ns[i]);
	free(st->ns);
	namemap_clear(&st->index);
	strpool_free(st->pool);
	free(st);
}

struct ns_state *state_ns(const struct state *st, const char *netns) {
	/* a state built by hand (tests) has no index */
	if (st->index.n == st->n_ns && st->n_ns)
		return namemap_get(&st->index, netns, NULL);
	for (size_t i = 0; i < st->n_ns; i++)
		if (netns_eq(st->ns[i].name, netns))
			return &st->ns[i];
	return NULL;
}

struct link *state_link(const struct state *st, const char *netns, const char *name) {
	struct ns_state *ns = state_ns(st, netns);

	if (!ns)
		return NULL;
	for (size_t i = 0; i < ns->n_links; i++)
		if (strcmp(ns->links[i].name, name) == 0)
			return &ns->links[i];
	return NULL;
}

struct link *state_link_by_index(const struct state *st, const char *netns, int ifindex) {
	return (struct link *)ns_link_by_index(state_ns(st, netns), ifindex);
}

struct link *state_find_link_any(const struct state *st, const char *name) {
	for (size_t i = 0; i < st->n_ns; i++)
		for (size_t j = 0; j < st->ns[i].n_links; j++)
			if (strcmp(st->ns[i].links[j].name, name) == 0)
				return &st->ns[i].links[j];
	return NULL;
}

/* ---- reading one link ------------------------------------------------------ */

struct get_link {
	struct link l;
	bool got;
	int error;
};

static int get_link_cb(const struct nlmsghdr *nlh, void *data) {
	struct get_link *g = data;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK || g->got)
		return MNL_CB_OK;
	r = observe_parse_link(nlh, &g->l);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	g->got = true;
	return MNL_CB_OK;
}

int observe_get_link(struct hnl *nl, const char *name, struct link *ret) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct get_link g = { .got = false };
	int r;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = hnl_request(nl, nlh, get_link_cb, &g);
	if (r < 0) {
		if (g.got)
			link_fini(&g.l);
		return r == -ENODEV ? -ENODEV : r;
	}
	if (!g.got)
		return -ENODEV;
	*ret = g.l;
	return 0;
}

/* ---- printing ---------------------------------------------------------------- */

static void print_link(const struct link *l, FILE *f) {
	const struct link_ops *ops;
	char mac[18];

	format_mac(l->mac, mac);
	fprintf(f, "  link %s index %d kind %s%s%s %s mtu %u mac %s", l->name, l->ifindex,
	        link_kind_name(l->kind), l->kind_name[0] ? "/" : "", l->kind_name, l->up ? "up" : "down", l->mtu,
	        mac);
	if (l->master[0])
		fprintf(f, " master %s", l->master);
	if (l->alias)
		fprintf(f, " alias \"%s\"", l->alias);
	ops = link_ops_get(l->kind);
	if (ops && ops->print)
		ops->print(l, f);
	fputc('\n', f);
}

static void print_route(const struct route *r, FILE *f) {
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];

	fprintf(f, "  route %s%s table %u metric %u proto %u type %s scope %s",
	        r->dst.plen || !ipaddr_is_set(&r->dst) ? format_ipaddr(&r->dst, true, a, sizeof(a)) : "default",
	        r->dst.plen == 0 ? (r->dst.family == AF_INET6 ? " (inet6)" : " (inet)") : "", r->table, r->metric,
	        r->protocol, route_type_name(r->type), route_scope_name(r->scope));
	if (r->set & ROUTE_SET_VIA)
		fprintf(f, " via %s", format_ipaddr(&r->via, false, b, sizeof(b)));
	if (r->set & ROUTE_SET_DEV)
		fprintf(f, " dev %s", r->dev);
	if (r->set & ROUTE_SET_SRC)
		fprintf(f, " src %s", format_ipaddr(&r->src, false, b, sizeof(b)));
	if (r->onlink)
		fprintf(f, " onlink");
	if (r->set & ROUTE_SET_MTU)
		fprintf(f, " mtu %u", r->mtu);
	for (size_t i = 0; i < r->n_nexthops; i++)
		fprintf(f, " nexthop via %s dev %s weight %u%s", format_ipaddr(&r->nexthops[i].via, false, b, sizeof(b)),
		        r->nexthops[i].dev, r->nexthops[i].weight, r->nexthops[i].onlink ? " onlink" : "");
	fputc('\n', f);
}

void state_print(const struct state *st, FILE *f) {
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];

	for (size_t i = 0; i < st->n_ns; i++) {
		const struct ns_state *ns = &st->ns[i];

		fprintf(f, "netns %s%s\n", netns_str(ns->name), ns->exists ? "" : " (absent)");
		if (!ns->exists)
			continue;
		fprintf(f, "  forwarding ipv4 %d ipv6 %d\n", ns->forwarding4, ns->forwarding6);
		for (size_t j = 0; j < ns->n_links; j++)
			print_link(&ns->links[j], f);
		for (size_t j = 0; j < ns->n_addrs; j++) {
			const struct addr *x = &ns->addrs[j];

			fprintf(f, "  addr %s dev %s flags 0x%x scope %u", format_ipaddr(&x->ip, true, a, sizeof(a)), x->dev,
			        x->flags, x->scope);
			if (x->label[0])
				fprintf(f, " label %s", x->label);
			if (x->preferred_lft != UINT32_MAX)
				fprintf(f, " preferred %u", x->preferred_lft);
			fputc('\n', f);
		}
		for (size_t j = 0; j < ns->n_routes; j++)
			print_route(&ns->routes[j], f);
		for (size_t j = 0; j < ns->n_rules; j++) {
			const struct rule *u = &ns->rules[j];

			fprintf(f, "  rule %s priority %u table %u action %u proto %u", u->family == AF_INET ? "inet" : "inet6",
			        u->priority, u->table, u->action, u->protocol);
			if (u->set & RULE_SET_FROM)
				fprintf(f, " from %s", format_ipaddr(&u->from, true, a, sizeof(a)));
			if (u->set & RULE_SET_TO)
				fprintf(f, " to %s", format_ipaddr(&u->to, true, b, sizeof(b)));
			if (u->set & RULE_SET_FWMARK)
				fprintf(f, " fwmark 0x%x/0x%x", u->fwmark, u->fwmask);
			if (u->set & RULE_SET_IIF)
				fprintf(f, " iif %s", u->iif);
			if (u->set & RULE_SET_OIF)
				fprintf(f, " oif %s", u->oif);
			fputc('\n', f);
		}
	}
}
