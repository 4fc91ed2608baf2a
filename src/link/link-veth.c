/* SPDX-License-Identifier: GPL-2.0-or-later */
/* veth pairs: the peer (name, namespace) is given at creation and cannot
 * change afterwards, so a different peer means a new pair. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

#include "link.h"

static int veth_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                               const struct link_ctx *ctx) {
	const struct veth_conf *v = &want->u.veth;
	struct ifinfomsg *ifi;
	struct nlattr *peer;

	if (have)
		return 0;           /* nothing of a veth changes live through IFLA_INFO_DATA */
	if (!v->peer[0])
		return -EINVAL;
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = v->peer_ifindex > 0 ? v->peer_ifindex : 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->peer);
	if (v->peer_mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, v->peer_mtu);
	if (v->peer_ifindex > 0)
		mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN_, v->peer_mac);
	if (!netns_eq(v->peer_netns, ctx->netns)) {
		int fd = ctx->netns_fd(ctx, v->peer_netns);

		if (fd < 0)
			return fd;
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)fd);
	}
	mnl_attr_nest_end(nlh, peer);
	return 0;
}

static void veth_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct veth_conf *w = &want->u.veth, *h = &have->u.veth;
	/* a desired peer without a namespace lives with the veth */
	const char *want_ns = w->peer_netns ? w->peer_netns : want->netns;

	if (strcmp(w->peer, h->peer) != 0)
		link_diff_add(ret, DISRUPT_RECREATE, "peer %s -> %s", h->peer[0] ? h->peer : "?", w->peer);
	else if (!netns_eq(want_ns, h->peer_netns))
		link_diff_add(ret, DISRUPT_RECREATE, "peer netns %s -> %s", netns_str(h->peer_netns),
		              netns_str(want_ns));
}

/* IFLA_LINK of a veth is its peer */
static void veth_set_lower(struct link *l, const struct link *p, const char *p_netns) {
	memcpy(l->u.veth.peer, p->name, IFNAMSIZ);
	l->u.veth.peer_netns = p_netns;
	l->u.veth.peer_ifindex = p->ifindex;
	memcpy(l->u.veth.peer_mac, p->mac, ETH_ALEN_);
	l->u.veth.peer_mtu = p->mtu;
}

static void veth_describe(const struct link *l, char *buf, size_t size) {
	if (netns_eq(l->u.veth.peer_netns, l->netns))
		snprintf(buf, size, " (peer %s)", l->u.veth.peer);
	else
		snprintf(buf, size, " (peer %s in netns %s)", l->u.veth.peer, netns_str(l->u.veth.peer_netns));
}

static void veth_print(const struct link *l, FILE *f) {
	fprintf(f, " peer %s peer-netns %s", l->u.veth.peer[0] ? l->u.veth.peer : "?", netns_str(l->u.veth.peer_netns));
}

/* Its keys in [veth NAME] (keydef.h), after those every link takes. */
static const struct key_def veth_keys[] = {
	{ .key = "peer", .parse = key_parse_ifname, KEY_FIELD(struct link, u.veth.peer),
	  .required = "the name of the other end" },
	{ .key = "peer_netns", .parse = key_parse_netns, KEY_FIELD(struct link, u.veth.peer_netns) },
};

/* Its fields in the journal (jfield.h), tags from 90 up: never reuse one. */
static const struct jfield veth_jfields[] = {
	JF(90, JF_NAME, struct link, u.veth.peer),
	JF(91, JF_NETNS, struct link, u.veth.peer_netns),
	JF(92, JF_BOOL, struct link, u.veth.peer_declared),
	JF(93, JF_NAME, struct link, u.veth.peer_master),
	JF(94, JF_INT32, struct link, u.veth.peer_ifindex),
	JF(95, JF_MAC, struct link, u.veth.peer_mac),
	JF(96, JF_UINT, struct link, u.veth.peer_mtu),
};

const struct link_ops link_ops_veth = {
	.keys = veth_keys,
	.n_keys = ARRAY_SIZE(veth_keys),
	.jfields = veth_jfields,
	.n_jfields = ARRAY_SIZE(veth_jfields),
	.kind = LINK_VETH,
	.info_kind = "veth",
	.section = "veth",
	.plural = "veths",
	.set_lower = veth_set_lower,
	.describe = veth_describe,
	.print = veth_print,
	.fill_info_data = veth_fill_info_data,
	.diff = veth_diff,
};
