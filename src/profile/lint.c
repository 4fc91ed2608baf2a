/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HA lint: profiles that are valid but fail over badly or not at all.
 * Warnings only, each with a short code (hanet.ini(5), LINT), and the
 * one-line summary of what a profile declares.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bond-opts.h"
#include "link-ops.h"
#include "profile-internal.h"
#include "util.h"

#define LABEL_MAX (HANET_NAME_MAX + NETNS_NAME_MAX + 16)

static void lint_warn(const struct profile *p, struct diags *d, const char *label, const char *key, const char *code,
                 const char *fmt, ...) _printf_(6, 7);
static void lint_warn(const struct profile *p, struct diags *d, const char *label, const char *key, const char *code,
                 const char *fmt, ...) {
	va_list ap;

	va_start(ap, fmt);
	diag_addv(d, DIAG_WARNING, p->path, profile_label_line(p, label, key), label, key, code, fmt, ap);
	va_end(ap);
}

static bool bset(const struct bond_conf *b, int opt) {
	return (b->set & (1ull << opt)) != 0;
}

static uint32_t bval(const struct bond_conf *b, int opt) {
	return bset(b, opt) ? b->val[opt] : bond_opt_table[opt].kernel_default;
}

/* The key a bond option was written under (its name or alias). */
static const char *bkey(const struct profile *p, const char *label, int opt) {
	const struct bond_opt_desc *d = &bond_opt_table[opt];

	return d->alias && profile_has_key(p, label, d->alias) ? d->alias : d->name;
}

/* How long the bond takes to notice a dead slave, in ms (0: never). */
static uint32_t bond_detection_ms(const struct bond_conf *b, char *how, size_t size) {
	uint32_t mii = profile_bond_miimon(b), arp = bval(b, BOND_OPT_ARP_INTERVAL);

	if (mii > 0) {
		/* the kernel rounds downdelay down to a multiple of miimon */
		uint32_t down = bval(b, BOND_OPT_DOWNDELAY) / mii * mii;
		snprintf(how, size, "miimon %ums + downdelay %ums", mii, down);
		return mii + down;
	}
	if (arp > 0 && b->n_arp_ip_target) {
		uint32_t missed = bval(b, BOND_OPT_ARP_MISSED_MAX);
		snprintf(how, size, "arp_interval %ums x arp_missed_max %u", arp, missed);
		return arp * missed;
	}
	return 0;
}

static void lint_bond(const struct profile *p, const struct link *l, struct diags *d) {
	const struct bond_conf *b = &l->u.bond;
	uint32_t mode = profile_bond_mode(b), mii = profile_bond_miimon(b), arp = bval(b, BOND_OPT_ARP_INTERVAL);
	char label[LABEL_MAX];

	link_label(l, label, sizeof(label));
	if (mode == BOND_MODE_ACTIVEBACKUP && mii == 0 && arp == 0)
		lint_warn(p, d, label, bset(b, BOND_OPT_MIIMON) ? "miimon" : "mode", "ab-no-monitor",
		     "active-backup without link monitoring (miimon and arp_interval are 0): a dead slave is never "
		     "detected, so the bond never fails over; set miimon (e.g. 100ms)");
	if (mii > 0 && bset(b, BOND_OPT_MIIMON) && arp > 0)
		lint_warn(p, d, label, "arp_interval", "mii-and-arp",
		     "miimon and arp_interval are both set: the kernel runs one monitor only (setting one turns "
		     "the other off); keep one");
	if (mii > 0) {
		static const int delays[] = { BOND_OPT_UPDELAY, BOND_OPT_DOWNDELAY };
		for (size_t i = 0; i < ARRAY_SIZE(delays); i++) {
			uint32_t v = bval(b, delays[i]);
			if (bset(b, delays[i]) && v % mii)
				lint_warn(p, d, label, bond_opt_table[delays[i]].name, "delay-not-multiple",
				     "%ums is not a multiple of miimon (%ums): the kernel rounds it down to %ums",
				     v, mii, v / mii * mii);
		}
	}
	if (b->slaves.n <= 1)
		lint_warn(p, d, label, b->slaves.n ? "slaves" : NULL, "single-slave",
		     b->slaves.n ? "one slave only: nothing to fail over to" : "no slaves: nothing to fail over to");
}

static void lint_team(const struct profile *p, const struct link *l, struct diags *d) {
	char label[LABEL_MAX];

	link_label(l, label, sizeof(label));
	if (l->u.team.ports.n <= 1)
		lint_warn(p, d, label, l->u.team.ports.n ? "ports" : NULL, "single-slave",
		     l->u.team.ports.n ? "one port only: nothing to fail over to" : "no ports: nothing to fail over to");
}

/* The bond under a device: itself, or below a chain of vlan/macvlan. */
static const struct link *bond_below(const struct profile *p, const char *dev, const char *netns) {
	const struct link *l = profile_find_link(p, netns, dev);

	for (int depth = 0; l && depth < 16; depth++) {
		if (l->kind == LINK_BOND)
			return l;
		if (!link_lower(l))
			return NULL;
		l = profile_find_link_any(p, link_lower(l));
	}
	return NULL;
}

static void lint_vip(const struct profile *p, const struct vip *v, struct diags *d) {
	char label[LABEL_MAX], a[IPADDR_STRLEN], b[IPADDR_STRLEN];
	const struct link *dev = profile_find_link(p, v->netns, v->dev), *bond;

	snprintf(label, sizeof(label), "vip %s", v->name);
	bond = bond_below(p, v->dev, v->netns);
	if (bond && bset(&bond->u.bond, BOND_OPT_NUM_GRAT_ARP) && bond->u.bond.val[BOND_OPT_NUM_GRAT_ARP] == 0) {
		char bl[LABEL_MAX];
		link_label(bond, bl, sizeof(bl));
		lint_warn(p, d, label, "dev", "vip-no-grat-arp",
		     "%s sits on bond %s, whose %s = 0 (line %d): after a failover the bond tells no neighbour, "
		     "and traffic to the vip waits for ARP caches to expire",
		     v->dev, bond->name, bkey(p, bl, BOND_OPT_NUM_GRAT_ARP),
		     profile_label_line(p, bl, bkey(p, bl, BOND_OPT_NUM_GRAT_ARP)));
	}
	if (dev && !v->preferred_zero)
		for (size_t i = 0; i < dev->n_addrs; i++) {
			const struct ipaddr *x = &dev->addrs[i];
			if (x->family != v->address.family)
				continue;
			if (prefix_contains(x, &v->address) || prefix_contains(&v->address, x)) {
				lint_warn(p, d, label, "address", "vip-source-address",
				     "%s shares a subnet with %s on %s: it can become the source address of "
				     "connections, which break when the vip moves; set preferred_lft = 0",
				     format_ipaddr(&v->address, true, a, sizeof(a)), format_ipaddr(x, true, b, sizeof(b)),
				     v->dev);
				break;
			}
		}
}

static void lint_sla(const struct profile *p, struct diags *d) {
	char max[32], how[128], label[LABEL_MAX];

	if (!p->sla.set || !p->sla.failover_max_us)
		return;
	format_duration(p->sla.failover_max_us, max, sizeof(max));
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		uint32_t ms;

		if (l->kind != LINK_BOND)
			continue;
		ms = bond_detection_ms(&l->u.bond, how, sizeof(how));
		if (ms && (uint64_t)ms * 1000 > p->sla.failover_max_us)
			lint_warn(p, d, "sla", "failover_max", "sla-below-detection",
			     "%s is shorter than the time %s takes to detect a failure (%s = %ums, line %d): "
			     "no failover can meet the SLA",
			     max, l->name, how, ms, profile_label_line(p, link_label(l, label, sizeof(label)), NULL));
	}
}

/* ---- bond and cluster timers --------------------------------------------------- */

/* A bond's detection time against the cluster engine's: while a bond has
 * not yet noticed its dead active slave, the cluster's heartbeats over it
 * are lost, and when that lasts as long as the cluster waits before it
 * declares a node dead, a failure the bond would absorb becomes a
 * cluster failover.
 *
 * keepalived: a backup declares the master dead when no advert came for
 * 3 x advert_interval + skew, the skew less than one interval and
 * smaller the higher the backup's priority (0 at the top priorities
 * with VRRPv3): the earliest is 3 x advert_interval after the last
 * advert.  The last advert before the failure can be up to one interval
 * older than the failure, so the adverts can stop for the bond's
 * detection + one advert_interval.
 * corosync: a node is declared lost when the token did not come back for
 * `token`; it circulates continuously, so the token stops for the bond's
 * detection.  The new membership forms after `consensus` more: the
 * earliest a node failure can be acted on is token + consensus. */

/* How long the cluster's heartbeat may stop before it fails over (ms). */
static uint64_t cluster_detection_ms(const struct cluster_conf *c) {
	return c->engine == CLUSTER_KEEPALIVED ? 3ull * c->advert_ms : c->token_ms;
}

/* The key (and its line) that sets the cluster's detection. */
static const char *cluster_key(const struct cluster_conf *c) {
	return c->engine == CLUSTER_KEEPALIVED ? "advert_interval" : "token";
}

static const char *cluster_where(const struct profile *p, const char *key, char *buf, size_t size) {
	snprintf(buf, size, "%s:%d", p->path ? p->path : "-", profile_label_line(p, "cluster", key));
	return buf;
}

static void lint_cluster(const struct profile *p, struct diags *d) {
	const struct cluster_conf *c = &p->cluster;
	const bool vrrp = c->engine == CLUSTER_KEEPALIVED;
	char how[128], label[LABEL_MAX], where[PATH_MAX + 16], a[32], b[32];
	uint64_t detect = cluster_detection_ms(c);

	if (!c->set)
		return;
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		uint64_t ms, gap;
		const char *key;

		if (l->kind != LINK_BOND)
			continue;
		ms = bond_detection_ms(&l->u.bond, how, sizeof(how));
		if (!ms)
			continue;
		gap = vrrp ? ms + c->advert_ms : ms;
		if (gap < detect)
			continue;
		link_label(l, label, sizeof(label));
		key = profile_bond_miimon(&l->u.bond) ? bkey(p, label, BOND_OPT_MIIMON) : "arp_interval";
		format_duration(detect * 1000, a, sizeof(a));
		if (vrrp) {
			format_duration((uint64_t)c->advert_ms * 1000, b, sizeof(b));
			lint_warn(p, d, label, key, "bond-slower-than-cluster",
			     "%s detects a dead slave in up to %llums (%s); keepalived's adverts over it can stop for "
			     "that + one advert_interval, %llums, which reaches the %s (3 x advert_interval) after "
			     "which a backup declares the master dead (%s [cluster] advert_interval = %s): a failure "
			     "the bond would absorb moves the VIPs",
			     l->name, (unsigned long long)ms, how, (unsigned long long)gap, a,
			     cluster_where(p, "advert_interval", where, sizeof(where)), b);
		} else {
			lint_warn(p, d, label, key, "bond-slower-than-cluster",
			     "%s detects a dead slave in up to %llums (%s), which reaches corosync's token timeout "
			     "(%s [cluster] token = %s): the token is lost meanwhile, and a failure the bond would "
			     "absorb becomes a membership change",
			     l->name, (unsigned long long)ms, how, cluster_where(p, "token", where, sizeof(where)), a);
		}
	}
	if (p->sla.set && p->sla.failover_max_us) {
		uint64_t act = vrrp ? detect : (uint64_t)c->token_ms + c->consensus_ms;

		if (p->sla.failover_max_us < act * 1000) {
			format_duration(p->sla.failover_max_us, a, sizeof(a));
			format_duration(act * 1000, b, sizeof(b));
			if (vrrp)
				lint_warn(p, d, "sla", "failover_max", "sla-below-cluster",
				     "%s is shorter than keepalived's failure detection: a backup takes over at the "
				     "earliest %s (3 x advert_interval) after the master's last advert (%s [cluster] %s): "
				     "no failover between nodes can meet the SLA",
				     a, b, cluster_where(p, cluster_key(c), where, sizeof(where)), cluster_key(c));
			else
				lint_warn(p, d, "sla", "failover_max", "sla-below-cluster",
				     "%s is shorter than corosync's failure detection: a lost node is noticed after token "
				     "and acted on after consensus more, %s at the earliest (%s [cluster] token): no "
				     "failover between nodes can meet the SLA",
				     a, b, cluster_where(p, cluster_key(c), where, sizeof(where)));
		}
	}
}

void profile_lint(const struct profile *p, struct diags *d) {
	if (!p)
		return;
	for (size_t i = 0; i < p->n_links; i++) {
		if (p->links[i].kind == LINK_BOND)
			lint_bond(p, &p->links[i], d);
		else if (p->links[i].kind == LINK_TEAM)
			lint_team(p, &p->links[i], d);
	}
	for (size_t i = 0; i < p->n_vips; i++)
		lint_vip(p, &p->vips[i], d);
	lint_sla(p, d);
	lint_cluster(p, d);
}

/* ---- summary ----------------------------------------------------------------- */

int profile_summary(const struct profile *p, char *buf, size_t size) {
	size_t counts[_LINK_KIND_MAX] = { 0 }, members[_LINK_KIND_MAX] = { 0 }, bulk = 0;
	bool counted = false;
	size_t n = 0;

#define APPEND(...)                                                                \
	do {                                                                       \
		if (n < size)                                                      \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);     \
	} while (0)
#define ITEM(count, one, many)                                                     \
	do {                                                                       \
		if (count)                                                         \
			APPEND("%s%zu %s", n ? ", " : "", (size_t)(count), (count) == 1 ? (one) : (many)); \
	} while (0)

	if (!size)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_links; i++) {
		const struct link *l = &p->links[i];
		if (l->implicit)
			continue;
		counts[l->kind]++;
		if (link_ports_const(l))
			members[l->kind] += link_ports_const(l)->n;
	}
	for (size_t i = 0; i < p->n_routes_files; i++) {
		bulk += p->routes_files[i].n_routes;
		counted |= p->routes_files[i].n_routes > 0;
	}
	ITEM(p->n_netns, "netns", "netns");
	for (int kind = 0; kind < _LINK_KIND_MAX; kind++) {
		const struct link_ops *ops = link_ops_get((enum link_kind)kind);

		if (!ops)
			continue;
		ITEM(counts[kind], ops->section, ops->plural);
		if (counts[kind] && ops->ports)     /* "1 slave", "2 ports" */
			APPEND(" (%zu %.*s)", members[kind],
			       (int)strlen(ops->ports_key) - (members[kind] == 1), ops->ports_key);
	}
	ITEM(p->n_vips, "vip", "vips");
	ITEM(p->n_routes, "route", "routes");
	ITEM(p->n_routes_files, "routes file", "routes files");
	if (p->n_routes_files && counted)
		APPEND(" (%zu %s)", bulk, bulk == 1 ? "route" : "routes");
	ITEM(p->n_rules, "rule", "rules");
	ITEM(p->n_probes, "probe", "probes");
	ITEM(p->n_faults, "fault", "faults");
	if (!n)
		APPEND("nothing declared");
	if (p->sla.set) {
		char max[32];
		format_duration(p->sla.failover_max_us, max, sizeof(max));
		APPEND("; sla failover_max %s", max);
		if (p->sla.percentile < 100)
			APPEND(" at p%g", p->sla.percentile);
	}
#undef ITEM
#undef APPEND
	return (int)(n < size ? n : size - 1);
}
