/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bonds: every option of the table in bond.h as an IFLA_BOND_* attribute
 * of IFLA_INFO_DATA (libnl has no setters for them), decoded back from
 * the kernel's dump so that plan can compare, and what a change costs.
 *
 * The kernel's rules, from bond_options.c and checked in a real kernel
 * (tests/kernel):
 * - mode: only without slaves and while the bond is down; changing it
 *   resets arp_validate, stops the ARP monitor in the modes without it
 *   and starts miimon at 100ms there, and forces tlb_dynamic_lb on for
 *   balance-alb.  So a message that changes the mode carries every
 *   option declared.
 * - fail_over_mac only without slaves; lacp_rate, lacp_active,
 *   ad_select, ad_user_port_key, tlb_dynamic_lb only while down (the
 *   flags of the table).
 * - miimon and arp_interval exclude each other (setting one stops the
 *   other); updelay, downdelay and peer_notif_delay are kept as
 *   multiples of miimon (rounded down; refused while miimon is 0, even
 *   0).  So a change of miimon or arp_interval also carries the
 *   monitor's other options.
 * - primary is sent as an ifindex; the kernel only reports it once the
 *   device is enslaved.  arp_ip_target is a nested list that replaces
 *   the whole list.
 * - the kernel reports some options in modes where it refuses to set
 *   them (packets_per_slave, lacp_rate, ...: kernel_unsupp in bond.h);
 *   a message that restores an observed state leaves those out.
 * - a kernel older than an option (lacp_active: Linux 5.15) ignores its
 *   attribute and never reports it: once the bond is made, an option
 *   declared and not reported fails the apply, naming it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "bond-opts.h"
#include "link.h"
#include "hnl.h"

#define OPT_BIT(o) (1ull << (o))

static bool opt_set(const struct bond_conf *b, int o) {
	return b->set & OPT_BIT(o);
}

static bool mode_uses_arp(uint32_t mode) {
	return mode != BOND_MODE_8023AD && mode != BOND_MODE_TLB && mode != BOND_MODE_ALB;
}

static bool is_delay(int o) {
	return o == BOND_OPT_UPDELAY || o == BOND_OPT_DOWNDELAY || o == BOND_OPT_PEER_NOTIF_DELAY;
}

/* The options a change of miimon or arp_interval disturbs. */
static bool is_monitor(int o) {
	return o == BOND_OPT_MIIMON || o == BOND_OPT_ARP_INTERVAL || o == BOND_OPT_ARP_VALIDATE || is_delay(o);
}

/* The mode the bond has after want is applied over have (NULL: a new bond). */
static uint32_t mode_after(const struct bond_conf *w, const struct bond_conf *h) {
	if (opt_set(w, BOND_OPT_MODE))
		return w->val[BOND_OPT_MODE];
	if (h && opt_set(h, BOND_OPT_MODE))
		return h->val[BOND_OPT_MODE];
	return BOND_MODE_ROUNDROBIN;
}

/* miimon as the kernel will run it after want is applied over have:
 * arp_interval stops it, the modes without the ARP monitor start it at
 * 100ms when it is 0. */
static uint32_t miimon_after(const struct bond_conf *w, const struct bond_conf *h) {
	uint32_t mode = mode_after(w, h), m;

	if (opt_set(w, BOND_OPT_ARP_INTERVAL) && w->val[BOND_OPT_ARP_INTERVAL] > 0 && mode_uses_arp(mode))
		return 0;
	if (opt_set(w, BOND_OPT_MIIMON))
		return w->val[BOND_OPT_MIIMON];
	m = h && opt_set(h, BOND_OPT_MIIMON) ? h->val[BOND_OPT_MIIMON] : 0;
	if (m == 0 && !mode_uses_arp(mode))
		m = 100;
	return m;
}

/* A delay as the kernel keeps it: a multiple of miimon. */
static uint32_t delay_effective(uint32_t v, uint32_t miimon) {
	return miimon ? v / miimon * miimon : 0;
}

static bool targets_equal(const struct bond_conf *a, const struct bond_conf *b) {
	if (a->n_arp_ip_target != b->n_arp_ip_target)
		return false;
	for (size_t i = 0; i < a->n_arp_ip_target; i++) {
		bool found = false;

		for (size_t j = 0; j < b->n_arp_ip_target && !found; j++)
			found = memcmp(a->arp_ip_target[i].a, b->arp_ip_target[j].a, 4) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* Whether option o of w (set there) is what h has. */
static bool opt_equal(const struct bond_conf *w, const struct bond_conf *h, int o, uint32_t miimon) {
	const struct bond_opt_desc *d = &bond_opt_table[o];

	if (!opt_set(h, o))
		return false;
	switch (d->type) {
	case BOND_OT_IFNAME:
		return strcmp(w->primary, h->primary) == 0;
	case BOND_OT_IPLIST:
		return targets_equal(w, h);
	case BOND_OT_MAC:
		return memcmp(w->ad_actor_system, h->ad_actor_system, ETH_ALEN_) == 0;
	default:
		if (is_delay(o))
			return delay_effective(w->val[o], miimon) == h->val[o];
		return w->val[o] == h->val[o];
	}
}

/* An option's value as text, for plan output. */
static const char *opt_format(const struct bond_conf *b, int o, char *buf, size_t size) {
	const struct bond_opt_desc *d = &bond_opt_table[o];
	const char *name;
	size_t n = 0;

	if (!opt_set(b, o))
		return "?";
	switch (d->type) {
	case BOND_OT_IFNAME:
		snprintf(buf, size, "%s", b->primary[0] ? b->primary : "(none)");
		break;
	case BOND_OT_IPLIST:
		buf[0] = '\0';
		for (size_t i = 0; i < b->n_arp_ip_target && n < size; i++) {
			char a[IPADDR_STRLEN];

			n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "",
			                      format_ipaddr(&b->arp_ip_target[i], false, a, sizeof(a)));
		}
		if (!b->n_arp_ip_target)
			snprintf(buf, size, "(none)");
		break;
	case BOND_OT_MAC: {
		char m[18];

		format_mac(b->ad_actor_system, m);
		snprintf(buf, size, "%s", m);
		break;
	}
	case BOND_OT_BOOL_U8:
		snprintf(buf, size, "%s", b->val[o] ? "yes" : "no");
		break;
	case BOND_OT_ENUM_U8:
	case BOND_OT_ENUM_U32:
		name = bond_opt_value_name(d, b->val[o]);
		if (name)
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf, size, "%u", b->val[o]);
		break;
	default:
		if (d->flags & BOND_OPT_F_DURATION)
			format_duration((uint64_t)b->val[o] * 1000, buf, size);
		else
			snprintf(buf, size, "%u", b->val[o]);
		break;
	}
	return buf;
}

/* Put option o of b.  A primary that does not exist yet is left out of
 * a new bond (apply_extra sets it once the slaves are attached). */
static int opt_put(struct nlmsghdr *nlh, const struct bond_conf *b, int o, const struct link_ctx *ctx, bool creating) {
	const struct bond_opt_desc *d = &bond_opt_table[o];

	switch (d->type) {
	case BOND_OT_U8:
	case BOND_OT_ENUM_U8:
	case BOND_OT_BOOL_U8:
		mnl_attr_put_u8(nlh, d->attr, (uint8_t)b->val[o]);
		break;
	case BOND_OT_U16:
		mnl_attr_put_u16(nlh, d->attr, (uint16_t)b->val[o]);
		break;
	case BOND_OT_U32:
	case BOND_OT_ENUM_U32:
		mnl_attr_put_u32(nlh, d->attr, b->val[o]);
		break;
	case BOND_OT_IFNAME: {
		int ifindex = 0;

		if (b->primary[0]) {
			ifindex = ctx->ifindex(ctx, ctx->netns, b->primary);
			if (ifindex == -ENODEV && creating)
				return 0;
			if (ifindex < 0)
				return ifindex;
		}
		/* 0 clears the primary */
		mnl_attr_put_u32(nlh, d->attr, (uint32_t)ifindex);
		break;
	}
	case BOND_OT_IPLIST: {
		struct nlattr *nest = mnl_attr_nest_start(nlh, d->attr);

		for (size_t i = 0; i < b->n_arp_ip_target; i++) {
			uint32_t be;

			memcpy(&be, b->arp_ip_target[i].a, 4);
			mnl_attr_put_u32(nlh, (uint16_t)i, be);
		}
		mnl_attr_nest_end(nlh, nest);
		break;
	}
	case BOND_OT_MAC:
		mnl_attr_put(nlh, d->attr, ETH_ALEN_, b->ad_actor_system);
		break;
	}
	return 0;
}

/* Whether a change sets option o to another value than have's (an
 * option have does not say is one the change does not touch). */
static bool changes(const struct bond_conf *w, const struct bond_conf *h, int o, uint32_t miimon) {
	return opt_set(w, o) && opt_set(h, o) && !opt_equal(w, h, o, miimon);
}

static int bond_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                               const struct link_ctx *ctx) {
	const struct bond_conf *w = &want->u.bond, *h = have ? &have->u.bond : NULL;
	uint32_t miimon = miimon_after(w, h);
	bool mode_change = false, monitor_change = false;
	int r;

	if (h) {
		mode_change = changes(w, h, BOND_OPT_MODE, miimon);
		monitor_change = changes(w, h, BOND_OPT_MIIMON, miimon) || changes(w, h, BOND_OPT_ARP_INTERVAL, miimon);
	}
	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		if (!opt_set(w, o))
			continue;
		/* the kernel refuses it in this mode (a restored observed state
		 * has every option the kernel reported) */
		if (bond_opt_table[o].kernel_unsupp & BOND_MODE_BIT(mode_after(w, h)))
			continue;
		/* a change: what differs; what have does not say was not
		 * touched (have is a profile's bond when a change is undone);
		 * a mode change puts everything, a monitor change the monitor */
		if (h && !mode_change && !(monitor_change && is_monitor(o)) &&
		    (!opt_set(h, o) || opt_equal(w, h, o, miimon)))
			continue;
		/* the kernel refuses any delay while miimon is 0, even 0 */
		if (is_delay(o) && miimon == 0 && w->val[o] == 0)
			continue;
		r = opt_put(nlh, w, o, ctx, !h);
		if (r < 0)
			return r;
	}
	return 0;
}

static int bond_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	struct bond_conf *b = &l->u.bond;
	const struct nlattr *a;

	b->set = 0;
	b->primary[0] = b->active_slave[0] = '\0';
	b->primary_ifindex = b->active_slave_ifindex = 0;
	b->n_arp_ip_target = 0;
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);
		const struct bond_opt_desc *d = NULL;
		int o;

		if (type == IFLA_BOND_ACTIVE_SLAVE) {
			if (len >= 4)
				b->active_slave_ifindex = (int)mnl_attr_get_u32(a);
			continue;
		}
		for (o = 0; o < _BOND_OPT_MAX; o++)
			if (bond_opt_table[o].attr == type) {
				d = &bond_opt_table[o];
				break;
			}
		if (!d)
			continue;
		switch (d->type) {
		case BOND_OT_U8:
		case BOND_OT_ENUM_U8:
		case BOND_OT_BOOL_U8:
			if (len < 1)
				continue;
			b->val[o] = mnl_attr_get_u8(a);
			break;
		case BOND_OT_U16:
			if (len < 2)
				continue;
			b->val[o] = mnl_attr_get_u16(a);
			break;
		case BOND_OT_U32:
		case BOND_OT_ENUM_U32:
			if (len < 4)
				continue;
			b->val[o] = mnl_attr_get_u32(a);
			break;
		case BOND_OT_IFNAME:
			if (len < 4)
				continue;
			b->primary_ifindex = (int)mnl_attr_get_u32(a);
			break;
		case BOND_OT_IPLIST: {
			const struct nlattr *t;

			mnl_attr_for_each_nested(t, a) {
				struct ipaddr ip = { .family = AF_INET, .plen = 32 };

				if (mnl_attr_get_payload_len(t) < 4 || b->n_arp_ip_target >= BOND_MAX_ARP_TARGETS)
					continue;
				memcpy(ip.a, mnl_attr_get_payload(t), 4);
				if (bond_arp_target_add(b, &ip) < 0)
					return -ENOMEM;
			}
			break;
		}
		case BOND_OT_MAC:
			if (len < ETH_ALEN_)
				continue;
			memcpy(b->ad_actor_system, mnl_attr_get_payload(a), ETH_ALEN_);
			break;
		}
		b->set |= OPT_BIT(o);
	}
	/* the kernel leaves out an empty target list and an unset primary:
	 * both are known all the same */
	b->set |= OPT_BIT(BOND_OPT_ARP_IP_TARGET) | OPT_BIT(BOND_OPT_PRIMARY);
	return 0;
}

static void bond_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct bond_conf *w = &want->u.bond, *h = &have->u.bond;
	uint32_t miimon = miimon_after(w, h);
	bool slaves = h->slaves.n > 0 || w->slaves.n > 0;
	bool up = have->up || want->up;

	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		const struct bond_opt_desc *d = &bond_opt_table[o];
		char from[256], from2[256], to[256];
		enum disruption level = DISRUPT_LIVE;
		struct bond_conf shown;

		if (!opt_set(w, o) || opt_equal(w, h, o, miimon))
			continue;
		if ((d->flags & BOND_OPT_F_NOSLAVES) && slaves) {
			level = DISRUPT_FLAP;
			ret->need_no_slaves = true;
		}
		if ((d->flags & BOND_OPT_F_IFDOWN) && up) {
			level = DISRUPT_FLAP;
			ret->need_down = true;
		}
		/* a delay shows as the kernel will keep it */
		shown = *w;
		if (is_delay(o))
			shown.val[o] = delay_effective(w->val[o], miimon);
		if (!opt_set(h, o) && d->since)
			/* the kernel does not know it: say so (the apply fails) */
			snprintf(from, sizeof(from), "(not reported by this kernel: Linux %s or later)", d->since);
		else
			snprintf(from, sizeof(from), "%s", opt_format(h, o, from2, sizeof(from2)));
		link_diff_add(ret, level, "%s %s -> %s", d->name, from, opt_format(&shown, o, to, sizeof(to)));
	}
}

/* ---- names of ifindexes, and the primary after enslaving ------------- */

struct name_req {
	char name[IFNAMSIZ];
	bool got;
};

static int name_attr_cb(const struct nlattr *a, void *data) {
	struct name_req *q = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
		snprintf(q->name, sizeof(q->name), "%s", mnl_attr_get_str(a));
		q->got = true;
	}
	return MNL_CB_OK;
}

static int name_cb(const struct nlmsghdr *nlh, void *data) {
	if (nlh->nlmsg_type == RTM_NEWLINK)
		mnl_attr_parse(nlh, sizeof(struct ifinfomsg), name_attr_cb, data);
	return MNL_CB_OK;
}

/* The name of a link by ifindex in nl's namespace. */
static int ifname_by_index(struct hnl *nl, int ifindex, char ret[IFNAMSIZ]) {
	char buf[NL_MSG_SIZE] = { 0 };   /* libmnl 1.0.4 leaves attribute padding as it finds it */
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct name_req q = { .got = false };
	int r;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = hnl_request(nl, nlh, name_cb, &q);
	if (r < 0)
		return r;
	if (!q.got)
		return -ENODEV;
	memcpy(ret, q.name, IFNAMSIZ);
	return 0;
}

static int bond_observe_extra(struct link *l, struct hnl *nl) {
	struct bond_conf *b = &l->u.bond;
	int r;

	if (b->primary_ifindex > 0) {
		r = ifname_by_index(nl, b->primary_ifindex, b->primary);
		if (r < 0 && r != -ENODEV)
			return r;
	}
	if (b->active_slave_ifindex > 0) {
		r = ifname_by_index(nl, b->active_slave_ifindex, b->active_slave);
		if (r < 0 && r != -ENODEV)
			return r;
	}
	return 0;
}

/* After the slaves are attached (creation, a flap):
 * - the kernel takes a primary by ifindex, so a new bond whose primary
 *   did not exist yet has none: set it now;
 * - when its last slave leaves, the kernel gives a bond a random MAC,
 *   and the first slave that joins gives it its own: a declared MAC is
 *   set again. */
static int bond_apply_extra(const struct link *want, const struct link *have, const struct link_ctx *ctx) {
	const struct bond_conf *w = &want->u.bond;
	char buf[NL_MSG_SIZE] = { 0 };   /* libmnl 1.0.4 leaves attribute padding as it finds it */
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct link cur;
	bool primary, mac;
	int r, primary_ifindex = 0;

	r = ctx->get_link ? ctx->get_link(ctx, want->name, &cur) : -EOPNOTSUPP;
	if (r < 0)
		return r;
	r = bond_observe_extra(&cur, ctx->nl);
	if (r < 0) {
		link_fini(&cur);
		return r;
	}
	/* an option the kernel took without a word and does not report: it
	 * does not know it */
	for (int o = 0; o < _BOND_OPT_MAX; o++)
		if (opt_set(w, o) && !opt_set(&cur.u.bond, o) && bond_opt_table[o].since) {
			hnl_set_errmsg(ctx->nl, "%s: this kernel does not know it (IFLA_BOND_* attribute %u, Linux %s or later)",
			              bond_opt_table[o].name, bond_opt_table[o].attr, bond_opt_table[o].since);
			link_fini(&cur);
			return -EOPNOTSUPP;
		}
	mac = (want->set & LINK_SET_MAC) && memcmp(cur.mac, want->mac, ETH_ALEN_) != 0;
	primary = opt_set(w, BOND_OPT_PRIMARY) && w->primary[0] && strcmp(cur.u.bond.primary, w->primary) != 0;
	if (primary) {
		primary_ifindex = ctx->ifindex(ctx, ctx->netns, w->primary);
		if (primary_ifindex == -ENODEV)
			primary = false;    /* the slave is not there: nothing to point at */
		else if (primary_ifindex < 0) {
			link_fini(&cur);
			return primary_ifindex;
		}
	}
	if (!mac && !primary) {
		link_fini(&cur);
		return 0;
	}
	nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = cur.ifindex;
	link_fini(&cur);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN_, want->mac);
	if (primary) {
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO), *data;

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bond");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u32(nlh, IFLA_BOND_PRIMARY, (uint32_t)primary_ifindex);
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, info);
	}
	return hnl_request(ctx->nl, nlh, NULL, NULL);
}

static struct namelist *bond_ports(struct link *l) {
	return &l->u.bond.slaves;
}

static void bond_describe(const struct link *l, char *buf, size_t size) {
	if (l->u.bond.set & (1ull << BOND_OPT_MODE))
		snprintf(buf, size, " (mode %s)", bond_mode_name(l->u.bond.val[BOND_OPT_MODE]));
}

static void bond_print(const struct link *l, FILE *f) {
	fprintf(f, " slaves");
	for (size_t i = 0; i < l->u.bond.slaves.n; i++)
		fprintf(f, "%s%s", i ? "," : " ", l->u.bond.slaves.v[i]);
}

static void bond_mask(struct link *l, const struct link *by) {
	l->u.bond.set &= by->u.bond.set;
}

static int bond_copy(struct link *dst, const struct link *src) {
	/* both of src's pointers dropped before either copy can fail */
	dst->u.bond.arp_ip_target = NULL;
	dst->u.bond.n_arp_ip_target = 0;
	if (namelist_copy(&dst->u.bond.slaves, &src->u.bond.slaves) < 0)
		return -ENOMEM;
	return bond_arp_targets_copy(&dst->u.bond, &src->u.bond);
}

static void bond_fini(struct link *l) {
	namelist_fini(&l->u.bond.slaves);
	bond_arp_targets_fini(&l->u.bond);
}

/* Its keys in [bond NAME] (keydef.h), after those every link takes. */
static const struct key_def bond_keys[] = {
	/* slaves here, the options from bond-opts.h */
	{ .key = "slaves", .parse = key_parse_namelist, KEY_FIELD(struct link, u.bond.slaves) },
};

const struct link_ops link_ops_bond = {
	.keys = bond_keys,
	.n_keys = ARRAY_SIZE(bond_keys),
	.kind = LINK_BOND,
	.info_kind = "bond",
	.section = "bond",
	.plural = "bonds",
	.ports = bond_ports,
	.ports_key = "slaves",
	.describe = bond_describe,
	.print = bond_print,
	.mask = bond_mask,
	.copy = bond_copy,
	.fini = bond_fini,
	.fill_info_data = bond_fill_info_data,
	.parse = bond_parse,
	.diff = bond_diff,
	.apply_extra = bond_apply_extra,
	.observe_extra = bond_observe_extra,
};
