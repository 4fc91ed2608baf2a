/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Semantic checks of a parsed profile: every reference resolves, each
 * device has at most one master and one namespace, no dependency cycles,
 * address families agree, options suit the bond mode.  Also fills what
 * is derived: implicit [nic] links, link.master, veth peer masters,
 * rule and route families, probe and fault resolutions.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "bond-opts.h"
#include "link-ops.h"
#include "profile-internal.h"
#include "util.h"

#define LABEL_MAX (HANET_NAME_MAX + NETNS_NAME_MAX + 16)

const char *link_label(const struct link *l, char *buf, size_t size) {
	snprintf(buf, size, "%s %s", link_kind_name(l->kind), l->name);
	return buf;
}

static int key_line(const struct load *ld, const char *label, const char *key) {
	return profile_label_line(ld->p, label, key);
}

bool profile_has_key(const struct profile *p, const char *label, const char *key) {
	for (size_t i = 0; i < p->n_key_pos; i++)
		if (p->key_pos[i].key && strcmp(p->key_pos[i].section, label) == 0 && strcmp(p->key_pos[i].key, key) == 0)
			return true;
	return false;
}

/* An error about key `key` of the section labelled `label`. */
static void check_error(struct load *ld, const char *label, const char *key, const char *fmt, ...) _printf_(4, 5);
static void check_error(struct load *ld, const char *label, const char *key, const char *fmt, ...) {
	int line = key_line(ld, label, key);
	va_list ap;

	va_start(ap, fmt);
	load_errv(ld, line, label, key, fmt, ap);
	va_end(ap);
}

/* "namespace api", or "the namespace hanet runs in" */
static const char *ns_phrase(const char *netns, char *buf, size_t size) {
	if (netns && *netns)
		snprintf(buf, size, "namespace %s", netns);
	else
		snprintf(buf, size, "the namespace hanet runs in");
	return buf;
}

static const char *members_key(enum link_kind k) {
	return k == LINK_BOND ? "slaves" : "ports";
}

/* ---- endpoints: links and veth peers ------------------------------------- */

/* A device name of the profile: a link (index) or the peer of a veth. */
struct endpoint {
	struct link *link;          /* the device's section, or the veth whose peer it is */
	bool peer;
	const char *netns;
};

static bool find_endpoint(const struct profile *p, const char *name, struct endpoint *ret) {
	struct link *l = profile_find_link_any(p, name);

	if (l) {
		*ret = (struct endpoint){ .link = l, .netns = l->netns };
		return true;
	}
	l = profile_find_peer(p, name);
	if (l) {
		*ret = (struct endpoint){ .link = l, .peer = true,
		                          .netns = l->u.veth.peer_netns ? l->u.veth.peer_netns : l->netns };
		return true;
	}
	return false;
}

static const char *endpoint_what(const struct endpoint *e, char *buf, size_t size) {
	if (e->peer)
		snprintf(buf, size, "the peer of [veth %s]", e->link->name);
	else
		snprintf(buf, size, "[%s %s]", link_kind_name(e->link->kind), e->link->name);
	return buf;
}

static char *endpoint_master(struct endpoint *e) {
	return e->peer ? e->link->u.veth.peer_master : e->link->master;
}

/* Resolve a device reference that must name a link of the profile in
 * namespace netns.  Reports and returns false otherwise. */
static bool resolve_dev(struct load *ld, const char *label, const char *key, const char *name,
                        const char *netns, struct endpoint *ret) {
	struct endpoint e;
	char what[LABEL_MAX];

	if (!find_endpoint(ld->p, name, &e)) {
		check_error(ld, label, key, "%s is not a link of the profile: declare it ([nic %s] for an existing device)", name,
		    name);
		return false;
	}
	if (!netns_eq(e.netns, netns)) {
		char a[NETNS_NAME_MAX + 32], b[NETNS_NAME_MAX + 32];
		if (e.netns && *e.netns)
			check_error(ld, label, key, "%s (%s) is in %s, but [%s] is in %s: set netns = %s on [%s]", name,
			    endpoint_what(&e, what, sizeof(what)), ns_phrase(e.netns, a, sizeof(a)), label,
			    ns_phrase(netns, b, sizeof(b)), e.netns, label);
		else
			check_error(ld, label, key, "%s (%s) is in %s, but [%s] is in %s: name a device of %s", name,
			    endpoint_what(&e, what, sizeof(what)), ns_phrase(e.netns, a, sizeof(a)), label,
			    ns_phrase(netns, b, sizeof(b)), ns_phrase(netns, b, sizeof(b)));
		return false;
	}
	if (ret)
		*ret = e;
	return true;
}

/* ---- links ------------------------------------------------------------------- */

static int add_implicit_nic(struct load *ld, const char *name, const char *netns, int line) {
	struct profile *p = ld->p;
	struct link *l = load_array_push(&p->links, &p->n_links, sizeof(*l));
	char label[LABEL_MAX];
	struct profile_key_pos *kp;
	const char *mem;

	if (!l)
		return -ENOMEM;
	STRCPY(l->name, name);
	l->kind = LINK_NIC;
	l->netns = netns;
	l->up = true;
	l->implicit = true;
	l->line = line;
	l->link_netnsid = -1;

	snprintf(label, sizeof(label), "nic %s", name);
	mem = strpool_intern(p->pool, label);
	if (!mem)
		return -ENOMEM;
	kp = load_array_push(&p->key_pos, &p->n_key_pos, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	*kp = (struct profile_key_pos){ .section = mem, .key = NULL, .line = line };
	return 0;
}

static void check_veth_peers(struct load *ld) {
	struct profile *p = ld->p;
	char label[LABEL_MAX];

	for (size_t i = 0; i < p->n_links; i++) {
		struct link *l = &p->links[i];
		const struct link *o;

		if (l->kind != LINK_VETH || !l->u.veth.peer[0])
			continue;
		link_label(l, label, sizeof(label));
		if (strcmp(l->u.veth.peer, l->name) == 0) {
			check_error(ld, label, "peer", "a veth's peer has another name than the veth");
			continue;
		}
		o = profile_find_link_any(p, l->u.veth.peer);
		if (o && o->kind == LINK_VETH && strcmp(o->u.veth.peer, l->name) == 0) {
			/* both ends declared */
			if (l->u.veth.peer_netns && !netns_eq(l->u.veth.peer_netns, o->netns)) {
				char a[NETNS_NAME_MAX + 32];
				check_error(ld, label, "peer_netns", "%s, but [veth %s] (line %d) is in %s", l->u.veth.peer_netns,
				    o->name, o->line, ns_phrase(o->netns, a, sizeof(a)));
				continue;
			}
			l->u.veth.peer_netns = o->netns ? o->netns : strpool_intern(p->pool, "");
			l->u.veth.peer_declared = true;
			continue;
		}
		if (o) {
			if (o->kind == LINK_VETH)
				check_error(ld, label, "peer",
				    "%s is declared by [veth %s] (line %d) with peer = %s: the two ends of a pair name each other",
				    o->name, o->name, o->line, o->u.veth.peer[0] ? o->u.veth.peer : "(none)");
			else
				check_error(ld, label, "peer",
				    "%s is also declared by [%s %s] (line %d): the peer of a veth is created with it; declare "
				    "it as [veth %s] with peer = %s to give it keys",
				    o->name, link_kind_name(o->kind), o->name, o->line, o->name, l->name);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const struct link *v = &p->links[j];
			if (v->kind == LINK_VETH && strcmp(v->u.veth.peer, l->u.veth.peer) == 0)
				check_error(ld, label, "peer", "%s is already the peer of [veth %s] (line %d)", l->u.veth.peer, v->name,
				    v->line);
		}
	}
}

/* Bond slaves, team ports, bridge ports: resolve (or create implicit
 * nics), one master each, same namespace as the master. */
static int check_masters(struct load *ld) {
	struct profile *p = ld->p;

	for (size_t i = 0; i < p->n_links; i++) {
		struct namelist *members;
		const char *key;
		char label[LABEL_MAX], mname[IFNAMSIZ];
		const char *mnetns;

		members = link_ports(&p->links[i]);
		if (!members)
			continue;
		key = link_ops_get(p->links[i].kind)->ports_key;
		link_label(&p->links[i], label, sizeof(label));
		strcpy(mname, p->links[i].name);
		mnetns = p->links[i].netns;
		for (size_t k = 0; k < members->n; k++) {
			const char *name = members->v[k];
			struct endpoint e;
			char what[LABEL_MAX];
			char *master;

			if (strcmp(name, mname) == 0) {
				check_error(ld, label, key, "%s lists itself", mname);
				continue;
			}
			if (!find_endpoint(p, name, &e)) {
				/* p->links may move: members points into it */
				int r = add_implicit_nic(ld, name, mnetns, key_line(ld, label, key));
				if (r < 0)
					return r;
				members = p->links[i].kind == LINK_BOND ? &p->links[i].u.bond.slaves
				          : p->links[i].kind == LINK_TEAM ? &p->links[i].u.team.ports
				                                          : &p->links[i].u.bridge.ports;
				if (!find_endpoint(p, name, &e))
					continue;       /* not reached: just added */
			}
			if (!netns_eq(e.netns, mnetns)) {
				char a[NETNS_NAME_MAX + 32], b[NETNS_NAME_MAX + 32];
				check_error(ld, label, key,
				    "%s (%s) is in %s, but %s is in %s: a slave or port lives in its master's namespace",
				    name, endpoint_what(&e, what, sizeof(what)), ns_phrase(e.netns, a, sizeof(a)), mname,
				    ns_phrase(mnetns, b, sizeof(b)));
				continue;
			}
			master = endpoint_master(&e);
			if (master[0]) {
				const struct link *m = profile_find_link_any(p, master);
				check_error(ld, label, key, "%s already has a master, [%s %s] (line %d): a device has at most one master",
				    name, m ? link_kind_name(m->kind) : "?", master,
				    m ? key_line(ld, link_label(m, what, sizeof(what)), members_key(m->kind)) : 0);
				continue;
			}
			strcpy(master, mname);
			if (!e.peer && e.link->n_addrs) {
				char sl[LABEL_MAX];
				check_error(ld, link_label(e.link, sl, sizeof(sl)), "addresses",
				    "%s is a slave/port of %s: addresses go on the master, not on its members", name, mname);
			}
			/* a team gives its ports its MAC address (plan.c) */
			if (p->links[i].kind == LINK_TEAM && !e.peer && (e.link->set & LINK_SET_MAC)) {
				const struct link *t = &p->links[i];
				char sl[LABEL_MAX], m[18];

				format_mac(t->mac, m);
				if (!(t->set & LINK_SET_MAC))
					check_error(ld, link_label(e.link, sl, sizeof(sl)), "mac",
					    "%s is a port of team %s, whose ports carry its MAC address: declare mac on [team %s]",
					    name, mname, mname);
				else if (memcmp(t->mac, e.link->mac, ETH_ALEN_) != 0)
					check_error(ld, link_label(e.link, sl, sizeof(sl)), "mac",
					    "%s is a port of team %s, whose ports carry its MAC address (%s)", name, mname, m);
			}
		}
	}
	return 0;
}

/* `vrf =` on a link: the [vrf] in its namespace, which lists it as a
 * member (the engine enslaves it like a bridge port).  After
 * check_masters: a bond slave or a team/bridge port has a master already. */
static int check_vrf_members(struct load *ld) {
	struct profile *p = ld->p;

	for (size_t i = 0; i < p->n_links; i++) {
		struct link *l = &p->links[i], *v;
		char label[LABEL_MAX], a[NETNS_NAME_MAX + 32], b[NETNS_NAME_MAX + 32];

		if (!l->vrf[0] || l->kind == LINK_VRF)     /* a vrf in a vrf: vrf_validate */
			continue;
		link_label(l, label, sizeof(label));
		v = profile_find_link(p, l->netns, l->vrf);
		if (!v) {
			v = profile_find_link_any(p, l->vrf);
			if (v && v->kind == LINK_VRF)
				check_error(ld, label, "vrf", "[vrf %s] (line %d) is in %s, but %s is in %s: a member lives in "
				    "its vrf's namespace", v->name, v->line, ns_phrase(v->netns, a, sizeof(a)), l->name,
				    ns_phrase(l->netns, b, sizeof(b)));
			else
				check_error(ld, label, "vrf", "%s is not a [vrf] of the profile in %s", l->vrf,
				    ns_phrase(l->netns, a, sizeof(a)));
			continue;
		}
		if (v->kind != LINK_VRF) {
			check_error(ld, label, "vrf", "%s is a [%s] (line %d), not a [vrf]", v->name, link_kind_name(v->kind),
			    v->line);
			continue;
		}
		if (l->master[0]) {
			const struct link *m = profile_find_link(p, l->netns, l->master);
			check_error(ld, label, "vrf",
			    "%s is a member of [%s %s] (line %d) already: a device has one master; put vrf = %s on %s",
			    l->name, m ? link_kind_name(m->kind) : "?", l->master, m ? m->line : 0, l->vrf, l->master);
			continue;
		}
		if (namelist_add(&v->u.vrf.ports, l->name) < 0)
			return -ENOMEM;
		strcpy(l->master, v->name);
	}
	return 0;
}

/* vlan and macvlan lower devices. */
static int check_lowers(struct load *ld) {
	struct profile *p = ld->p;

	for (size_t i = 0; i < p->n_links; i++) {
		char label[LABEL_MAX], lower[IFNAMSIZ];
		struct endpoint e;
		struct link *l = &p->links[i];

		if (!link_lower(l))
			continue;
		strcpy(lower, link_lower(l));
		if (!lower[0])
			continue;
		link_label(l, label, sizeof(label));
		if (strcmp(lower, l->name) == 0) {
			check_error(ld, label, "link", "%s is its own lower device", l->name);
			continue;
		}
		if (!find_endpoint(p, lower, &e)) {
			int r = add_implicit_nic(ld, lower, l->netns, key_line(ld, label, "link"));
			if (r < 0)
				return r;
			l = &p->links[i];
			if (!find_endpoint(p, lower, &e))
				continue;       /* not reached: just added */
		}
		/* an upper may live elsewhere: the kernel creates it next to
		 * its lower device and moves it (a macvlan in a namespace over
		 * a NIC of the host, hanet.ini(5)) */
		if (!e.peer && (l->set & LINK_SET_MTU) && (e.link->set & LINK_SET_MTU) && l->mtu > e.link->mtu)
			check_error(ld, label, "mtu", "%u is larger than the mtu of its lower device %s (%u)", l->mtu, lower,
			    e.link->mtu);
	}
	return 0;
}

/* Dependency cycles among links: master -> member, upper -> lower.
 * The k-th device link l depends on, or NULL. */
static const char *link_dep(const struct link *l, size_t k) {
	const struct namelist *m = link_ports_const(l);
	const char *lower = link_lower(l);

	if (lower)
		return k == 0 && lower[0] ? lower : NULL;
	if (!m)
		return NULL;
	return k < m->n ? m->v[k] : NULL;
}

static ssize_t link_index(const struct profile *p, const char *name) {
	const struct link *l = profile_find_link_any(p, name);

	return l ? l - p->links : -1;
}

static void check_cycles(struct load *ld) {
	struct profile *p = ld->p;
	size_t n = p->n_links;
	uint8_t *color = calloc(n ? n : 1, 1);      /* 0 new, 1 on the path, 2 done */
	size_t *path = calloc(n ? n : 1, sizeof(size_t)), *next = calloc(n ? n : 1, sizeof(size_t));

	if (!color || !path || !next)
		goto out;
	for (size_t start = 0; start < n; start++) {
		size_t depth = 0;

		if (color[start])
			continue;
		path[0] = start;
		next[0] = 0;
		color[start] = 1;
		depth = 1;
		while (depth > 0) {
			size_t cur = path[depth - 1];
			const char *dep = link_dep(&p->links[cur], next[depth - 1]);
			ssize_t d;

			if (!dep) {
				color[cur] = 2;
				depth--;
				continue;
			}
			next[depth - 1]++;
			d = link_index(p, dep);
			if (d < 0 || (size_t)d == cur || color[d] == 2)
				continue;
			if (color[d] == 1) {
				char chain[512], label[LABEL_MAX];
				size_t at = 0, k = 0;
				const struct link *first;
				while (path[k] != (size_t)d)
					k++;
				first = &p->links[path[k]];
				for (size_t j = k; j < depth && at < sizeof(chain); j++)
					at += (size_t)snprintf(chain + at, sizeof(chain) - at, "%s -> ", p->links[path[j]].name);
				if (at < sizeof(chain))
					snprintf(chain + at, sizeof(chain) - at, "%s", first->name);
				link_label(first, label, sizeof(label));
				check_error(ld, label, link_lower(first) ? "link" : link_ops_get(first->kind)->ports_key,
				    "a dependency cycle: %s", chain);
				continue;
			}
			color[d] = 1;
			path[depth] = (size_t)d;
			next[depth] = 0;
			depth++;
		}
	}
out:
	free(color);
	free(path);
	free(next);
}

/* The key of an address in a map by namespace: its text, in the
 * profile's pool (a map keeps its keys' pointers).  NULL: out of memory. */
static const char *addr_key(struct profile *p, const struct ipaddr *a) {
	char buf[IPADDR_STRLEN];

	return strpool_intern(p->pool, format_ipaddr(a, false, buf, sizeof(buf)));
}

/* Each address of a link against those of the links before it in its
 * namespace (one map: the first link that has each).  With ret_map, the
 * map of every link's addresses is handed back. */
static int link_addresses(struct load *ld, bool report, struct namemap *ret_map) {
	struct profile *p = ld->p;
	struct namemap seen = { 0 };
	char label[LABEL_MAX], buf[IPADDR_STRLEN];

	for (size_t i = 0; i < p->n_links; i++) {
		struct link *l = &p->links[i];

		for (size_t a = 0; a < l->n_addrs; a++) {
			const char *k = addr_key(p, &l->addrs[a]);
			const struct link *o;

			if (!k)
				goto oom;
			o = namemap_get(&seen, l->netns, k);
			if (!o && namemap_put(&seen, l->netns, k, l) < 0)
				goto oom;
			if (o && o != l && report)
				check_error(ld, link_label(l, label, sizeof(label)), "addresses",
				    "%s is also an address of %s, in the same namespace",
				    format_ipaddr(&l->addrs[a], false, buf, sizeof(buf)), o->name);
		}
	}
	if (ret_map)
		*ret_map = seen;
	else
		namemap_clear(&seen);
	return 0;
oom:
	namemap_clear(&seen);
	return -ENOMEM;
}

static void check_link_addresses(struct load *ld) {
	if (link_addresses(ld, true, NULL) < 0)
		load_err(ld, 0, NULL, NULL, "out of memory");
}

/* ---- bonds ------------------------------------------------------------------ */

uint32_t profile_bond_mode(const struct bond_conf *b) {
	return b->set & (1ull << BOND_OPT_MODE) ? b->val[BOND_OPT_MODE] : BOND_MODE_ROUNDROBIN;
}

/* miimon as the kernel runs it: the value set, else 0, except in the
 * modes without ARP monitoring, where the kernel starts it at 100ms. */
uint32_t profile_bond_miimon(const struct bond_conf *b) {
	uint32_t mode = profile_bond_mode(b);

	if (b->set & (1ull << BOND_OPT_MIIMON))
		return b->val[BOND_OPT_MIIMON];
	if (mode == BOND_MODE_8023AD || mode == BOND_MODE_TLB || mode == BOND_MODE_ALB)
		return 100;
	return 0;
}

static void check_bond(struct load *ld, struct link *l) {
	struct bond_conf *b = &l->u.bond;
	uint32_t mode = profile_bond_mode(b);
	char label[LABEL_MAX], modes[128];

	link_label(l, label, sizeof(label));
	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		const struct bond_opt_desc *d = &bond_opt_table[o];
		const char *key;

		if (o == BOND_OPT_MODE || !(b->set & (1ull << o)) || (d->modes & BOND_MODE_BIT(mode)))
			continue;
		/* the key as written: the option or its alias */
		key = d->alias && profile_has_key(ld->p, label, d->alias) ? d->alias : d->name;
		check_error(ld, label, key, "only for mode%s %s; this bond is %s%s", d->modes & (d->modes - 1) ? "s" : "",
		    bond_modes_list(d->modes, modes, sizeof(modes)),
		    bond_mode_name(mode), b->set & (1ull << BOND_OPT_MODE) ? "" : " (the kernel's default: no mode is set)");
	}
	if ((b->set & (1ull << BOND_OPT_PRIMARY)) && !namelist_contains(&b->slaves, b->primary))
		check_error(ld, label, "primary", "%s is not one of the slaves of %s", b->primary, l->name);
	if ((b->set & (1ull << BOND_OPT_ARP_INTERVAL)) && b->val[BOND_OPT_ARP_INTERVAL] > 0 && !b->n_arp_ip_target &&
	    (bond_opt_table[BOND_OPT_ARP_INTERVAL].modes & BOND_MODE_BIT(mode)))
		check_error(ld, label, "arp_interval", "the ARP monitor needs targets: set arp_ip_target");
	if (profile_bond_miimon(b) == 0) {
		static const int delays[] = { BOND_OPT_UPDELAY, BOND_OPT_DOWNDELAY, BOND_OPT_PEER_NOTIF_DELAY };
		for (size_t i = 0; i < ARRAY_SIZE(delays); i++) {
			const struct bond_opt_desc *d = &bond_opt_table[delays[i]];
			if ((b->set & (1ull << delays[i])) && b->val[delays[i]] > 0 && (d->modes & BOND_MODE_BIT(mode)))
				check_error(ld, label, d->name, "only with the MII monitor: set miimon (the kernel refuses %s while miimon is 0)",
				    d->name);
		}
	}
}

/* ---- vips, routes, rules ------------------------------------------------------ */

/* Each kind's own checks of its keys together (link_ops.validate). */
static void check_kinds(struct load *ld) {
	const struct profile *p = ld->p;

	for (size_t i = 0; i < p->n_links; i++) {
		const struct link_ops *ops = link_ops_get(p->links[i].kind);
		char label[LABEL_MAX], msg[256];
		const char *key = NULL;

		if (!ops || !ops->validate || p->links[i].implicit)
			continue;
		if (ops->validate(&p->links[i], &key, msg, sizeof(msg)) < 0)
			check_error(ld, link_label(&p->links[i], label, sizeof(label)), key, "%s", msg);
	}
}

static void check_vips(struct load *ld) {
	struct profile *p = ld->p;
	struct namemap vips = { 0 }, links = { 0 };
	char label[LABEL_MAX], buf[IPADDR_STRLEN];

	if (link_addresses(ld, false, &links) < 0)
		goto oom;
	for (size_t i = 0; i < p->n_vips; i++) {
		struct vip *v = &p->vips[i];
		size_t dl = strlen(v->dev);
		const struct vip *o;
		const struct link *l;
		const char *k;

		snprintf(label, sizeof(label), "vip %s", v->name);
		if (v->dev[0])
			resolve_dev(ld, label, "dev", v->dev, v->netns, NULL);
		if (v->label[0] && v->dev[0] &&
		    !(strncmp(v->label, v->dev, dl) == 0 && (v->label[dl] == '\0' || v->label[dl] == ':')))
			check_error(ld, label, "label", "a label is the device name or starts with \"%s:\" (e.g. %s:vip), got \"%s\"",
			    v->dev, v->dev, v->label);
		if (v->nodad && v->address.family == AF_INET)
			check_error(ld, label, "nodad", "duplicate address detection is IPv6 only, and %s is IPv4",
			    format_ipaddr(&v->address, true, buf, sizeof(buf)));
		if (!v->address.family)
			continue;
		k = addr_key(p, &v->address);
		if (!k)
			goto oom;
		o = namemap_get(&vips, v->netns, k);
		if (o)
			check_error(ld, label, "address", "%s is also the address of [vip %s] (line %d), in the same namespace",
			    format_ipaddr(&v->address, false, buf, sizeof(buf)), o->name, o->line);
		else if (namemap_put(&vips, v->netns, k, v) < 0)
			goto oom;
		l = namemap_get(&links, v->netns, k);
		if (l)
			check_error(ld, label, "address", "%s is also in the addresses of %s: a vip is an address of its own",
			    format_ipaddr(&v->address, false, buf, sizeof(buf)), l->name);
	}
	goto out;
oom:
	load_err(ld, 0, NULL, NULL, "out of memory");
out:
	namemap_clear(&vips);
	namemap_clear(&links);
}

static const char *family_name(int family) {
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Routes that are the same route for the kernel: prefix, table, metric
 * and namespace. */
static uint32_t route_key_hash(const struct route *r) {
	uint32_t h = 2166136261u;
	const char *ns = r->netns ? r->netns : "";

#define MIX(b) (h = (h ^ (uint8_t)(b)) * 16777619u)
	for (; *ns; ns++)
		MIX(*ns);
	for (int k = 0; k < 4; k++) {
		MIX(r->table >> (8 * k));
		MIX(r->metric >> (8 * k));
	}
	MIX(r->dst.family);
	MIX(r->dst.plen);
	for (size_t k = 0; k < ipaddr_len(r->dst.family); k++)
		MIX(r->dst.a[k]);
#undef MIX
	return h;
}

static bool route_key_eq(const struct route *a, const struct route *b) {
	return netns_eq(a->netns, b->netns) && a->table == b->table && a->metric == b->metric &&
	       ipaddr_eq(&a->dst, &b->dst);
}

/* `vrf = NAME` on a route: table = that [vrf]'s table. */
static void route_vrf_table(struct load *ld, const char *label, struct route *r) {
	const struct link *v = profile_find_link(ld->p, r->netns, r->vrf);
	char a[NETNS_NAME_MAX + 32];

	if (!v || v->kind != LINK_VRF) {
		check_error(ld, label, "vrf", "%s is not a [vrf] of the profile in %s", r->vrf, ns_phrase(r->netns, a, sizeof(a)));
		return;
	}
	if ((r->set & ROUTE_SET_TABLE) && r->table != v->u.vrf.table) {
		check_error(ld, label, "vrf", "[vrf %s] (line %d) has table %u, and the route says table = %u", v->name, v->line,
		    v->u.vrf.table, r->table);
		return;
	}
	r->table = v->u.vrf.table;
	r->set |= ROUTE_SET_TABLE;
}

static void check_routes(struct load *ld) {
	struct profile *p = ld->p;
	char label[LABEL_MAX], buf[IPADDR_STRLEN];
	size_t cap = 16;
	size_t *seen;                           /* 1 + index in p->routes; 0 free */

	while (cap < 2 * p->n_routes)
		cap *= 2;
	seen = calloc(cap, sizeof(*seen));
	if (!seen) {
		check_error(ld, "profile", NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		struct route *r = &p->routes[i];
		bool unicast = r->type == RTN_UNICAST;
		int fam = r->dst.family;

		snprintf(label, sizeof(label), "route %s", r->name);
		/* `to = default` takes the family of via, src or the nexthops */
		if (!fam) {
			fam = r->via.family ? r->via.family : r->src.family;
			for (size_t k = 0; !fam && k < r->n_nexthops; k++)
				fam = r->nexthops[k].via.family;
			r->dst.family = (uint8_t)(fam ? fam : AF_INET);
			fam = r->dst.family;
		}
		if ((r->set & ROUTE_SET_VIA) && r->via.family != fam)
			check_error(ld, label, "via", "%s is %s, and the route to %s is %s", format_ipaddr(&r->via, false, buf, sizeof(buf)),
			    family_name(r->via.family), r->dst.plen ? "its prefix" : "default", family_name(fam));
		if ((r->set & ROUTE_SET_SRC) && r->src.family != fam)
			check_error(ld, label, "src", "%s is %s, and the route is %s", format_ipaddr(&r->src, false, buf, sizeof(buf)),
			    family_name(r->src.family), family_name(fam));
		if (r->set & ROUTE_SET_NEXTHOPS) {
			if (r->set & ROUTE_SET_VIA)
				check_error(ld, label, "nexthops", "either via/dev or nexthops, not both");
			else if (r->set & ROUTE_SET_DEV)
				check_error(ld, label, "nexthops", "either via/dev or nexthops, not both");
			for (size_t k = 0; k < r->n_nexthops; k++) {
				const struct nexthop *h = &r->nexthops[k];
				if (h->via.family && h->via.family != fam)
					check_error(ld, label, "nexthops", "nexthop %zu: %s is %s, and the route is %s", k + 1,
					    format_ipaddr(&h->via, false, buf, sizeof(buf)), family_name(h->via.family),
					    family_name(fam));
				if (h->dev[0])
					resolve_dev(ld, label, "nexthops", h->dev, r->netns, NULL);
			}
		}
		if (r->vrf[0])
			route_vrf_table(ld, label, r);
		if (r->dev[0])
			resolve_dev(ld, label, "dev", r->dev, r->netns, NULL);
		if (unicast && !(r->set & (ROUTE_SET_VIA | ROUTE_SET_DEV | ROUTE_SET_NEXTHOPS)))
			check_error(ld, label, "to", "a unicast route needs via, dev or nexthops");
		if (!unicast && (r->set & (ROUTE_SET_VIA | ROUTE_SET_NEXTHOPS)))
			check_error(ld, label, r->set & ROUTE_SET_VIA ? "via" : "nexthops", "a %s route has no gateway",
			    route_type_name(r->type));
		if ((r->set & ROUTE_SET_ONLINK) && r->onlink && !(r->set & ROUTE_SET_VIA))
			check_error(ld, label, "onlink", "onlink is for a gateway (via) on dev");
		if ((r->set & ROUTE_SET_ONLINK) && r->onlink && !(r->set & ROUTE_SET_DEV))
			check_error(ld, label, "onlink", "onlink needs dev: the link the gateway is on");
		/* linear probing: the routes equal to this one come in their order */
		for (size_t h = route_key_hash(r) & (cap - 1);; h = (h + 1) & (cap - 1)) {
			const struct route *o;
			if (!seen[h]) {
				seen[h] = i + 1;
				break;
			}
			o = &p->routes[seen[h] - 1];
			if (route_key_eq(o, r))
				check_error(ld, label, "to", "the same route (prefix, table and metric) as [route %s] (line %d)", o->name,
				    o->line);
		}
	}
	/* freed here, not by a cleanup attribute, which clang's analyzer
	 * (scan-build) does not follow */
	free(seen);
}

static void check_rules(struct load *ld) {
	struct profile *p = ld->p;
	char label[LABEL_MAX];

	for (size_t i = 0; i < p->n_rules; i++) {
		struct rule *r = &p->rules[i];

		snprintf(label, sizeof(label), "rule %s", r->name);
		if ((r->set & RULE_SET_FROM) && (r->set & RULE_SET_TO) && r->from.family != r->to.family)
			check_error(ld, label, "to", "%s, and from is %s: a rule has one address family", family_name(r->to.family),
			    family_name(r->from.family));
		r->family = (uint8_t)(r->set & RULE_SET_FROM ? r->from.family : r->set & RULE_SET_TO ? r->to.family : AF_INET);
		if (r->set & RULE_SET_IIF)
			resolve_dev(ld, label, "iif", r->iif, r->netns, NULL);
		if (r->set & RULE_SET_OIF)
			resolve_dev(ld, label, "oif", r->oif, r->netns, NULL);
	}
}

/* ---- measurement --------------------------------------------------------------- */

static void check_probes(struct load *ld) {
	struct profile *p = ld->p;
	char label[LABEL_MAX];

	for (size_t i = 0; i < p->n_probes; i++) {
		struct probe_conf *pr = &p->probes[i];
		const struct vip *v;

		snprintf(label, sizeof(label), "probe %s", pr->name);
		if (pr->to[0]) {
			if (parse_ipaddr(pr->to, &pr->to_addr) < 0) {
				v = profile_find_vip(p, pr->to);
				if (!v)
					check_error(ld, label, "to", "\"%s\" is neither an address nor a [vip NAME] of the profile", pr->to);
				else {
					pr->to_addr = v->address;
					pr->to_addr.plen = (uint8_t)(ipaddr_len(v->address.family) * 8);
				}
			}
		}
		if (pr->port && pr->kind != PROBE_UDP)
			check_error(ld, label, "port", "only for kind = udp");
	}
}

/* [cluster]: the keys of the other engine are mistakes; corosync refuses a
 * consensus below 1.2 x token (corosync.conf(5)), and keepalived counts
 * VRRP adverts in centiseconds. */
static void check_cluster(struct load *ld) {
	struct cluster_conf *c = &ld->p->cluster;

	if (!c->set)
		return;
	if (c->engine == CLUSTER_KEEPALIVED) {
		if (c->set_keys & CLUSTER_SET_TOKEN)
			check_error(ld, "cluster", "token", "only for engine = pacemaker (corosync's token timeout)");
		if (c->set_keys & CLUSTER_SET_CONSENSUS)
			check_error(ld, "cluster", "consensus", "only for engine = pacemaker (corosync's consensus timeout)");
		if (c->advert_ms % 10)
			check_error(ld, "cluster", "advert_interval", "%ums: VRRP counts adverts in centiseconds; give a multiple of 10ms",
			    c->advert_ms);
		return;
	}
	if (c->set_keys & CLUSTER_SET_ADVERT)
		check_error(ld, "cluster", "advert_interval", "only for engine = keepalived (the VRRP advert interval)");
	if (!(c->set_keys & CLUSTER_SET_CONSENSUS))
		c->consensus_ms = (uint32_t)((uint64_t)c->token_ms * 12 / 10);
	else if ((uint64_t)c->consensus_ms * 10 < (uint64_t)c->token_ms * 12)
		check_error(ld, "cluster", "consensus", "%ums is below 1.2 x token (%ums): corosync refuses to start", c->consensus_ms,
		    (unsigned)((uint64_t)c->token_ms * 12 / 10));
}

static const char *const fault_action_names[] = {
	[FAULT_LINK_DOWN] = "link-down", [FAULT_CARRIER_OFF] = "carrier-off", [FAULT_LINK_DELETE] = "link-delete",
	[FAULT_VIP_MOVE] = "vip-move", [FAULT_KILL] = "kill", [FAULT_SERVICE_KILL] = "service-kill",
	[FAULT_NODE_KILL] = "node-kill", [FAULT_SERVICE_EXEC] = "service-exec",
};

static void check_faults(struct load *ld) {
	struct profile *p = ld->p;
	char label[LABEL_MAX];

	for (size_t i = 0; i < p->n_faults; i++) {
		struct fault_conf *f = &p->faults[i];
		const struct probe_conf *pr = NULL;
		const char *action = fault_action_names[f->action];
		bool uses_dev = f->action == FAULT_LINK_DOWN || f->action == FAULT_CARRIER_OFF ||
		                f->action == FAULT_LINK_DELETE;

		snprintf(label, sizeof(label), "fault %s", f->name);
		if (f->probe[0]) {
			for (size_t j = 0; j < p->n_probes; j++)
				if (strcmp(p->probes[j].name, f->probe) == 0)
					pr = &p->probes[j];
			if (!pr)
				check_error(ld, label, "probe", "no [probe %s] in the profile", f->probe);
		} else if (p->n_probes == 1) {
			pr = &p->probes[0];
			strcpy(f->probe, pr->name);
		} else if (p->n_probes == 0)
			check_error(ld, label, NULL, "a fault is measured by a probe: add a [probe NAME] section");
		else
			check_error(ld, label, "probe", "missing: the profile has %zu probes, name the one to use (probe = NAME)",
			    p->n_probes);

		if (uses_dev) {
			if (!f->dev[0])
				check_error(ld, label, "dev", "missing: action = %s needs dev = the device to act on", action);
			else
				resolve_dev(ld, label, "dev", f->dev, f->netns, NULL);
		} else {
			if (f->dev[0])
				check_error(ld, label, "dev", "not for action = %s", action);
			if (f->netns)
				check_error(ld, label, "netns", "not for action = %s (netns goes with dev)", action);
		}
		if (f->action != FAULT_KILL && f->pidfile)
			check_error(ld, label, "pidfile", "only for action = kill");
		if (f->action == FAULT_KILL && !f->pidfile)
			check_error(ld, label, "pidfile", "missing: action = kill needs pidfile = the pid file of the process to kill");
		if (f->action != FAULT_VIP_MOVE) {
			if (f->to[0])
				check_error(ld, label, "to", "only for action = vip-move");
			if (f->vip[0])
				check_error(ld, label, "vip", "only for action = vip-move");
		} else {
			const struct vip *v = NULL;

			if (f->vip[0]) {
				v = profile_find_vip(p, f->vip);
				if (!v)
					check_error(ld, label, "vip", "no [vip %s] in the profile", f->vip);
			} else if (pr && (v = profile_find_vip(p, pr->to)))
				strcpy(f->vip, v->name);
			else
				check_error(ld, label, "vip", "missing: name the vip to move (vip = NAME), or probe a vip by name "
				                      "([probe] to = NAME)");
			if (!f->to[0])
				check_error(ld, label, "to", "missing: action = vip-move needs to = DEV or NETNS/DEV, where the vip goes");
			else {
				const char *slash = strrchr(f->to, '/');
				const char *dev = slash ? slash + 1 : f->to;
				struct endpoint e;

				if (!find_endpoint(p, dev, &e))
					check_error(ld, label, "to", "%s is not a link of the profile: declare it ([nic %s] for an existing device)",
					    dev, dev);
				else {
					char ns[NETNS_NAME_MAX + 1] = "";
					if (slash) {
						memcpy(ns, f->to, (size_t)(slash - f->to));
						ns[slash - f->to] = '\0';
					}
					if (slash && !netns_eq(e.netns, ns))
						check_error(ld, label, "to", "%s is in namespace %s, not %s", dev, netns_str(e.netns), ns);
					else if (v && strcmp(v->dev, dev) == 0 && netns_eq(v->netns, e.netns))
						check_error(ld, label, "to", "[vip %s] is already on %s", v->name, dev);
					else {
						strcpy(f->to_dev, dev);
						f->to_netns = e.netns;
					}
				}
			}
		}
		if (!f->restore_auto && f->trials > 1)
			check_error(ld, label, "restore", "restore = none leaves the fault in place after the first trial: "
			                          "set trials = 1, or restore = auto");
	}
}

/* ---- lab services and the faults that kill them ---------------------------------- */

static const char *service_node(const struct service_conf *sv) {
	return sv->node[0] ? sv->node : sv->netns ? sv->netns : "";
}

static void check_services(struct load *ld) {
	struct profile *p = ld->p;
	char label[LABEL_MAX];

	for (size_t i = 0; i < p->n_services; i++) {
		struct service_conf *sv = &p->services[i];

		snprintf(label, sizeof(label), "service %s", sv->name);
		if (!sv->netns)
			check_error(ld, label, "netns", "missing: a service runs in the namespace of its node (netns = NAME)");
		if (!sv->command || !sv->command[0])
			check_error(ld, label, "command", "missing: the command line to run");
		if (sv->tmpfs)
			sv->private_mount = true;
		if (!sv->node[0] && sv->netns)
			snprintf(sv->node, sizeof(sv->node), "%s", sv->netns);
		for (size_t j = 0; j < i; j++)
			if (strcmp(service_node(&p->services[j]), service_node(sv)) == 0 &&
			    !netns_eq(p->services[j].netns, sv->netns))
				check_error(ld, label, "node", "node %s is in namespace %s ([service %s]), not %s", service_node(sv),
				    netns_str(p->services[j].netns), p->services[j].name, netns_str(sv->netns));
	}
	for (size_t i = 0; i < p->n_vips; i++) {
		snprintf(label, sizeof(label), "vip %s", p->vips[i].name);
		if (p->vips[i].engine_pidfile && p->vips[i].owner != VIP_OWNER_EXTERNAL)
			check_error(ld, label, "engine_pidfile", "only for owner = external (a vip a cluster engine moves)");
	}
	for (size_t i = 0; i < p->n_faults; i++) {
		const struct fault_conf *f = &p->faults[i];
		bool found = false;

		snprintf(label, sizeof(label), "fault %s", f->name);
		if (f->action != FAULT_SERVICE_EXEC) {
			if (f->command)
				check_error(ld, label, "command", "only for action = service-exec");
			if (f->restore_command)
				check_error(ld, label, "restore_command", "only for action = service-exec");
		} else if (!f->command || !f->command[0]) {
			check_error(ld, label, "command", "missing: action = service-exec needs command = what to run in the service's "
			                          "namespaces");
		}
		if (f->action == FAULT_SERVICE_EXEC) {
			if (!f->service[0])
				check_error(ld, label, "service", "missing: action = service-exec needs service = the [service NAME] whose "
				                          "namespaces the command runs in");
			else {
				for (size_t j = 0; j < p->n_services; j++)
					found |= strcmp(p->services[j].name, f->service) == 0;
				if (!found)
					check_error(ld, label, "service", "no [service %s] in the profile", f->service);
			}
			found = false;
			if (f->target != FAULT_TARGET_GROUP)
				check_error(ld, label, "target", "only for action = service-kill");
			if (f->signal != SIGKILL)
				check_error(ld, label, "signal", "only for action = service-kill");
		} else if (f->action != FAULT_SERVICE_KILL) {
			if (f->service[0])
				check_error(ld, label, "service", "only for action = service-kill or service-exec");
			if (f->target != FAULT_TARGET_GROUP)
				check_error(ld, label, "target", "only for action = service-kill");
			if (f->signal != SIGKILL)
				check_error(ld, label, "signal", "only for action = service-kill");
		} else if (!f->service[0]) {
			check_error(ld, label, "service", "missing: action = service-kill needs service = the [service NAME] to kill");
		} else {
			for (size_t j = 0; j < p->n_services; j++)
				found |= strcmp(p->services[j].name, f->service) == 0;
			if (!found)
				check_error(ld, label, "service", "no [service %s] in the profile", f->service);
		}
		if (f->action != FAULT_NODE_KILL) {
			if (f->node[0])
				check_error(ld, label, "node", "only for action = node-kill");
		} else if (!f->node[0]) {
			check_error(ld, label, "node", "missing: action = node-kill needs node = the node to kill (a [service]'s node)");
		} else {
			for (size_t j = 0; j < p->n_services; j++)
				found |= strcmp(service_node(&p->services[j]), f->node) == 0;
			for (size_t j = 0; j < p->n_netns && !found; j++)
				found = strcmp(p->netns[j].name, f->node) == 0;
			if (!found)
				check_error(ld, label, "node", "%s is neither a [service]'s node nor a [netns] of the profile", f->node);
		}
	}
}

/* ---- netns references ------------------------------------------------------------ */

/* Calls cb for every `netns =` (and peer_netns, probe from) of the profile. */
static int for_each_netns_ref(const struct profile *p,
                              int (*cb)(const char *label, const char *key, const char *netns, void *data),
                              void *data) {
	char label[LABEL_MAX];
	int r;

#define REF(key, ns)                                                         \
	do {                                                                 \
		if ((ns) && (r = cb(label, (key), (ns), data)) < 0)          \
			return r;                                            \
	} while (0)
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		if (l->implicit)
			continue;
		link_label(l, label, sizeof(label));
		REF("netns", l->netns);
		if (l->kind == LINK_VETH && !l->u.veth.peer_declared)
			REF("peer_netns", l->u.veth.peer_netns);
	}
	for (size_t i = 0; i < p->n_vips; i++) {
		snprintf(label, sizeof(label), "vip %s", p->vips[i].name);
		REF("netns", p->vips[i].netns);
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		snprintf(label, sizeof(label), "route %s", p->routes[i].name);
		REF("netns", p->routes[i].netns);
	}
	for (size_t i = 0; i < p->n_routes_files; i++) {
		snprintf(label, sizeof(label), "routes %s", p->routes_files[i].name);
		REF("netns", p->routes_files[i].netns);
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		snprintf(label, sizeof(label), "rule %s", p->rules[i].name);
		REF("netns", p->rules[i].netns);
	}
	for (size_t i = 0; i < p->n_probes; i++) {
		snprintf(label, sizeof(label), "probe %s", p->probes[i].name);
		REF("from", p->probes[i].from);
	}
	for (size_t i = 0; i < p->n_faults; i++) {
		snprintf(label, sizeof(label), "fault %s", p->faults[i].name);
		REF("netns", p->faults[i].netns);
	}
	for (size_t i = 0; i < p->n_services; i++) {
		snprintf(label, sizeof(label), "service %s", p->services[i].name);
		REF("netns", p->services[i].netns);
	}
#undef REF
	return 0;
}

struct netns_check {
	const struct profile *p;
	bool (*exists)(const char *name, void *data);
	void *data;
	struct diags *d;
	int n;
};

static int netns_ref_cb(const char *label, const char *key, const char *netns, void *data) {
	struct netns_check *x = data;

	if (profile_find_netns(x->p, netns))
		return 0;
	if (x->exists(netns, x->data))
		return 0;
	x->n++;
	return diag_add(x->d, DIAG_ERROR, x->p->path, profile_label_line(x->p, label, key), label, key, NULL,
	                "namespace %s is not declared ([netns %s]) and does not exist (/run/netns/%s)", netns, netns,
	                netns);
}

int profile_check_netns(const struct profile *p, bool (*exists)(const char *name, void *data), void *data,
                        struct diags *d) {
	struct netns_check x = { .p = p, .exists = exists, .data = data, .d = d };
	int r = for_each_netns_ref(p, netns_ref_cb, &x);

	if (r < 0)
		return r;
	return x.n ? -ENOENT : 0;
}

/* ---- all ----------------------------------------------------------------------------- */

void profile_check(struct load *ld) {
	struct profile *p = ld->p;

	if (p->name && !p->name[0])
		check_error(ld, "profile", "name", "expected a name, got \"\"");
	check_veth_peers(ld);
	if (check_masters(ld) < 0 || check_vrf_members(ld) < 0 || check_lowers(ld) < 0) {
		load_err(ld, 0, NULL, NULL, "out of memory");
		return;
	}
	check_cycles(ld);
	check_link_addresses(ld);
	for (size_t i = 0; i < p->n_links; i++)
		if (p->links[i].kind == LINK_BOND)
			check_bond(ld, &p->links[i]);
	check_kinds(ld);
	check_vips(ld);
	check_routes(ld);
	check_rules(ld);
	check_probes(ld);
	check_faults(ld);
	check_cluster(ld);
	check_services(ld);
}
