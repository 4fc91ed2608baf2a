/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of link backends and what every link shares: the
 * RTM_NEWLINK messages that create a link or change its kind options,
 * around the backend's fill_create/fill_info_data.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "link-ops.h"
#include "link.h"
#include "hnl.h"

static const struct link_ops *const link_ops_table[_LINK_KIND_MAX] = {
	[LINK_NIC] = &link_ops_nic,
	[LINK_BOND] = &link_ops_bond,
	[LINK_TEAM] = &link_ops_team,
	[LINK_VLAN] = &link_ops_vlan,
	[LINK_VETH] = &link_ops_veth,
	[LINK_MACVLAN] = &link_ops_macvlan,
	[LINK_BRIDGE] = &link_ops_bridge,
	[LINK_DUMMY] = &link_ops_dummy,
	[LINK_VXLAN] = &link_ops_vxlan,
	[LINK_IPVLAN] = &link_ops_ipvlan,
	[LINK_VRF] = &link_ops_vrf,
};

const struct link_ops *link_ops_get(enum link_kind kind) {
	if ((unsigned)kind >= _LINK_KIND_MAX)
		return NULL;
	return link_ops_table[kind];
}

const struct link_ops *link_ops_by_info_kind(const char *info_kind) {
	if (!info_kind)
		return NULL;
	for (int k = 0; k < _LINK_KIND_MAX; k++) {
		const struct link_ops *ops = link_ops_table[k];

		if (ops && ops->info_kind && strcmp(ops->info_kind, info_kind) == 0)
			return ops;
	}
	return NULL;
}

char *link_lower_buf(struct link *l) {
	const struct link_ops *ops = link_ops_get(l->kind);

	return ops && ops->lower ? ops->lower(l) : NULL;
}

const char *link_lower(const struct link *l) {
	return link_lower_buf((struct link *)l);
}

bool link_follows_lower_state(const struct link *l) {
	const struct link_ops *ops = link_ops_get(l->kind);

	return ops && ops->follows_lower_state && !(ops->state_loose && ops->state_loose(l));
}

bool link_has_lower(const struct link *l) {
	const struct link_ops *ops = link_ops_get(l->kind);

	return ops && (ops->lower || ops->set_lower);
}

void link_set_lower(struct link *l, const struct link *lower, const char *lower_netns) {
	const struct link_ops *ops = link_ops_get(l->kind);
	char *buf;

	if (!ops)
		return;
	if (ops->set_lower)
		ops->set_lower(l, lower, lower_netns);
	else if ((buf = link_lower_buf(l)))
		memcpy(buf, lower->name, IFNAMSIZ);
}

struct namelist *link_ports(struct link *l) {
	const struct link_ops *ops = link_ops_get(l->kind);

	return ops && ops->ports ? ops->ports(l) : NULL;
}

const struct namelist *link_ports_const(const struct link *l) {
	return link_ports((struct link *)l);
}

const char *disruption_name(enum disruption d) {
	switch (d) {
	case DISRUPT_NONE:
		return "none";
	case DISRUPT_LIVE:
		return "live";
	case DISRUPT_FLAP:
		return "flap";
	case DISRUPT_RECREATE:
		return "recreate";
	}
	return "?";
}

void link_diff_add(struct link_diff *d, enum disruption level, const char *fmt, ...) {
	size_t len = strlen(d->what);
	va_list ap;

	if (level > d->level)
		d->level = level;
	if (len && len + 2 < sizeof(d->what)) {
		memcpy(d->what + len, ", ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(d->what + len, sizeof(d->what) - len, fmt, ap);
	va_end(ap);
}

int link_build_create(struct nlmsghdr *nlh, const struct link *want, const struct link_ctx *ctx,
                      int target_netns_fd, bool restore) {
	const struct link_ops *ops = link_ops_get(want->kind);
	struct ifinfomsg *ifi;
	struct nlattr *info, *data;
	int r;

	if (!ops || !ops->info_kind)
		return -EOPNOTSUPP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (restore && want->ifindex > 0)
		ifi->ifi_index = want->ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, want->name);
	if (want->set & LINK_SET_MTU)
		mnl_attr_put_u32(nlh, IFLA_MTU, want->mtu);
	if (want->set & LINK_SET_MAC)
		mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN_, want->mac);
	if (target_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)target_netns_fd);
	if (ops->fill_create) {
		r = ops->fill_create(nlh, want, ctx);
		if (r < 0)
			return r;
	}
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, ops->info_kind);
	if (ops->fill_info_data) {
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		r = ops->fill_info_data(nlh, want, NULL, ctx);
		if (r < 0)
			return r;
		mnl_attr_nest_end(nlh, data);
	}
	mnl_attr_nest_end(nlh, info);
	return 0;
}

int link_build_change(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                      const struct link_ctx *ctx) {
	const struct link_ops *ops = link_ops_get(have->kind);
	struct ifinfomsg *ifi;
	struct nlattr *info, *data;
	int r;

	if (!ops || !ops->info_kind || !ops->fill_info_data)
		return -EOPNOTSUPP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = have->ifindex;
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, ops->info_kind);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	r = ops->fill_info_data(nlh, want, have, ctx);
	if (r < 0)
		return r;
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return 0;
}

void link_mask_kind(struct link *l, const struct link *by) {
	const struct link_ops *ops = link_ops_get(l->kind);

	if (l->kind != by->kind || !ops || !ops->mask)
		return;
	ops->mask(l, by);
}

void link_change_init(struct link_change *c) {
	memset(c, 0, sizeof(*c));
	c->up = -1;
	c->master = -1;
	c->netns_fd = -1;
}

static int link_alias_clear(struct hnl *nl, int ifindex) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put(nlh, IFLA_IFALIAS, 0, NULL);
	return hnl_request(nl, nlh, NULL, NULL);
}

int link_change(struct hnl *nl, int ifindex, const struct link_change *c) {
	struct rtnl_link *orig = NULL, *chg = NULL;
	struct nl_addr *mac = NULL;
	struct nl_msg *msg = NULL;
	bool any = false;
	int r;

	if ((c->set & LINK_SET_ALIAS) && (!c->alias || !c->alias[0])) {
		r = link_alias_clear(nl, ifindex);
		if (r < 0)
			return r;
	}
	orig = rtnl_link_alloc();
	chg = rtnl_link_alloc();
	if (!orig || !chg) {
		r = -ENOMEM;
		goto out;
	}
	rtnl_link_set_ifindex(orig, ifindex);
	if (c->set & LINK_SET_MTU) {
		rtnl_link_set_mtu(chg, c->mtu);
		any = true;
	}
	if (c->set & LINK_SET_MAC) {
		mac = nl_addr_build(AF_LLC, c->mac, ETH_ALEN_);
		if (!mac) {
			r = -ENOMEM;
			goto out;
		}
		rtnl_link_set_addr(chg, mac);
		any = true;
	}
	if ((c->set & LINK_SET_ALIAS) && c->alias && c->alias[0]) {
		rtnl_link_set_ifalias(chg, c->alias);
		any = true;
	}
	if (c->up == 1) {
		rtnl_link_set_flags(chg, IFF_UP);
		any = true;
	} else if (c->up == 0) {
		rtnl_link_unset_flags(chg, IFF_UP);
		any = true;
	}
	if (c->master >= 0) {
		rtnl_link_set_master(chg, c->master);
		any = true;
	}
	if (c->netns_fd >= 0) {
		rtnl_link_set_ns_fd(chg, c->netns_fd);
		any = true;
	}
	if (!any) {
		r = 0;
		goto out;
	}
	r = rtnl_link_build_change_request(orig, chg, 0, &msg);
	if (r < 0) {
		r = hnl_libnl_errno(r);
		goto out;
	}
	r = hnl_request_libnl(nl, msg);
out:
	nlmsg_free(msg);
	nl_addr_put(mac);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	return r;
}

int link_delete(struct hnl *nl, int ifindex) {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return hnl_request(nl, nlh, NULL, NULL);
}
