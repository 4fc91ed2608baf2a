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

static struct namelist *bridge_ports(struct link *l) {
	return &l->u.bridge.ports;
}

static void bridge_describe(const struct link *l, char *buf, size_t size) {
	if (l->u.bridge.set & BRIDGE_SET_STP)
		snprintf(buf, size, " (stp %s)", l->u.bridge.stp ? "yes" : "no");
}

static void bridge_print(const struct link *l, FILE *f) {
	fprintf(f, " stp %s ports", l->u.bridge.stp ? "yes" : "no");
	for (size_t i = 0; i < l->u.bridge.ports.n; i++)
		fprintf(f, "%s%s", i ? "," : " ", l->u.bridge.ports.v[i]);
}

static void bridge_mask(struct link *l, const struct link *by) {
	l->u.bridge.set &= by->u.bridge.set;
}

static int bridge_copy(struct link *dst, const struct link *src) {
	return namelist_copy(&dst->u.bridge.ports, &src->u.bridge.ports);
}

static void bridge_fini(struct link *l) {
	namelist_fini(&l->u.bridge.ports);
}

/* Its keys in [bridge NAME] (keydef.h), after those every link takes. */
static const struct key_def bridge_keys[] = {
	{ .key = "ports", .parse = key_parse_namelist, KEY_FIELD(struct link, u.bridge.ports) },
	{ .key = "stp", .parse = key_parse_bool, KEY_FIELD(struct link, u.bridge.stp),
	  KEY_SETBIT(struct link, u.bridge.set, BRIDGE_SET_STP) },
};

const struct link_ops link_ops_bridge = {
	.keys = bridge_keys,
	.n_keys = ARRAY_SIZE(bridge_keys),
	.kind = LINK_BRIDGE,
	.info_kind = "bridge",
	.section = "bridge",
	.plural = "bridges",
	.ports = bridge_ports,
	.ports_key = "ports",
	.describe = bridge_describe,
	.print = bridge_print,
	.mask = bridge_mask,
	.copy = bridge_copy,
	.fini = bridge_fini,
	.fill_info_data = bridge_fill_info_data,
	.parse = bridge_parse,
	.diff = bridge_diff,
};
