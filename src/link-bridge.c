/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bridges.  Ports join through IFLA_MASTER on the port (the engine does
 * that for every master kind); STP changes live. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "link.h"

static int bridge_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                                 const struct link_ctx *ctx) {
	const struct bridge_conf *w = &want->u.bridge;

	if (!(w->set & BRIDGE_SET_STP))
		return 0;
	if (have && (have->u.bridge.set & BRIDGE_SET_STP) && have->u.bridge.stp == w->stp)
		return 0;
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, w->stp ? 1 : 0);
	return 0;
}

static int bridge_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	struct nlattr *a;

	l->u.bridge.set = 0;
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		if (mnl_attr_get_type(a) == IFLA_BR_STP_STATE && mnl_attr_get_payload_len(a) >= 4) {
			l->u.bridge.stp = mnl_attr_get_u32(a) != 0;
			l->u.bridge.set |= BRIDGE_SET_STP;
		}
	}
	return 0;
}

static void bridge_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct bridge_conf *w = &want->u.bridge, *h = &have->u.bridge;

	/* turning STP on sends every port through listening and learning
	 * (twice the forward delay without forwarding): traffic stops */
	if ((w->set & BRIDGE_SET_STP) && (!(h->set & BRIDGE_SET_STP) || w->stp != h->stp))
		link_diff_add(ret, w->stp && h->ports.n ? DISRUPT_FLAP : DISRUPT_LIVE, "stp %s -> %s",
		              h->stp ? "yes" : "no", w->stp ? "yes" : "no");
}

const struct link_ops link_ops_bridge = {
	.kind = LINK_BRIDGE,
	.info_kind = "bridge",
	.fill_info_data = bridge_fill_info_data,
	.parse = bridge_parse,
	.diff = bridge_diff,
};
