/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [ipvlan]: addresses of their own on a lower device that shares its MAC
 * address with them (where a switch port or a cloud allows one MAC).
 * The mode changes live; a different lower device means a new link. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static const char *ipvlan_mode_name(uint16_t mode) {
	switch (mode) {
	case IPVLAN_MODE_L2:
		return "l2";
	case IPVLAN_MODE_L3:
		return "l3";
	case IPVLAN_MODE_L3S:
		return "l3s";
	}
	return "?";
}

static void ipvlan_init(struct link *l) {
	l->u.ipvlan.mode = IPVLAN_MODE_L3;  /* the kernel's default */
}

static int ipvlan_fill_create(struct nlmsghdr *nlh, const struct link *want, const struct link_ctx *ctx) {
	int ifindex;

	if (!want->u.ipvlan.link[0])
		return -EINVAL;
	ifindex = ctx->ifindex(ctx, ctx->netns, want->u.ipvlan.link);
	if (ifindex < 0)
		return ifindex;
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)ifindex);
	return 0;
}

static int ipvlan_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                                 const struct link_ctx *ctx) {
	const struct ipvlan_conf *w = &want->u.ipvlan;

	(void)ctx;
	if (!(w->set & IPVLAN_SET_MODE))
		return 0;
	if (have && (have->u.ipvlan.set & IPVLAN_SET_MODE) && have->u.ipvlan.mode == w->mode)
		return 0;
	mnl_attr_put_u16(nlh, IFLA_IPVLAN_MODE, w->mode);
	return 0;
}

static int ipvlan_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	struct nlattr *a;

	(void)tb;
	l->u.ipvlan.set = 0;
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		if (mnl_attr_get_type(a) == IFLA_IPVLAN_MODE && mnl_attr_get_payload_len(a) >= 2) {
			l->u.ipvlan.mode = mnl_attr_get_u16(a);
			l->u.ipvlan.set |= IPVLAN_SET_MODE;
		}
	}
	return 0;
}

static void ipvlan_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct ipvlan_conf *w = &want->u.ipvlan, *h = &have->u.ipvlan;

	if (strcmp(w->link, h->link) != 0) {
		link_diff_add(ret, DISRUPT_RECREATE, "link %s -> %s", h->link[0] ? h->link : "?", w->link);
		return;
	}
	if ((w->set & IPVLAN_SET_MODE) && (!(h->set & IPVLAN_SET_MODE) || w->mode != h->mode))
		link_diff_add(ret, DISRUPT_LIVE, "mode %s -> %s",
		              ipvlan_mode_name(h->set & IPVLAN_SET_MODE ? h->mode : IPVLAN_MODE_L3),
		              ipvlan_mode_name(w->mode));
}

static char *ipvlan_lower(struct link *l) {
	return l->u.ipvlan.link;
}

static void ipvlan_describe(const struct link *l, char *buf, size_t size) {
	snprintf(buf, size, " (link %s%s%s)", l->u.ipvlan.link, l->u.ipvlan.set & IPVLAN_SET_MODE ? " mode " : "",
	         l->u.ipvlan.set & IPVLAN_SET_MODE ? ipvlan_mode_name(l->u.ipvlan.mode) : "");
}

static void ipvlan_print(const struct link *l, FILE *f) {
	fprintf(f, " link %s mode %s", l->u.ipvlan.link, ipvlan_mode_name(l->u.ipvlan.mode));
}

static void ipvlan_mask(struct link *l, const struct link *by) {
	l->u.ipvlan.set &= by->u.ipvlan.set;
}

static const struct name_value ipvlan_modes[] = {
	{ "l2", IPVLAN_MODE_L2 }, { "l3", IPVLAN_MODE_L3 }, { "l3s", IPVLAN_MODE_L3S }, { NULL, 0 },
};

/* Its keys in [ipvlan NAME] (keydef.h), after those every link takes. */
static const struct key_def ipvlan_keys[] = {
	{ .key = "link", .parse = key_parse_ifname, KEY_FIELD(struct link, u.ipvlan.link), .required = "the lower device" },
	{ .key = "mode", .parse = key_parse_enum, KEY_FIELD(struct link, u.ipvlan.mode),
	  KEY_SETBIT(struct link, u.ipvlan.set, IPVLAN_SET_MODE), .aux = ipvlan_modes },
};

/* Its fields in the journal (jfield.h), tags from 130 up: never reuse one. */
static const struct jfield ipvlan_jfields[] = {
	JF(130, JF_UINT, struct link, u.ipvlan.set),
	JF(131, JF_NAME, struct link, u.ipvlan.link),
	JF(132, JF_UINT, struct link, u.ipvlan.mode),
};

const struct link_ops link_ops_ipvlan = {
	.keys = ipvlan_keys,
	.n_keys = ARRAY_SIZE(ipvlan_keys),
	.jfields = ipvlan_jfields,
	.n_jfields = ARRAY_SIZE(ipvlan_jfields),
	.kind = LINK_IPVLAN,
	.info_kind = "ipvlan",
	.section = "ipvlan",
	.plural = "ipvlans",
	.init = ipvlan_init,
	.lower = ipvlan_lower,
	.fill_create = ipvlan_fill_create,
	.fill_info_data = ipvlan_fill_info_data,
	.parse = ipvlan_parse,
	.diff = ipvlan_diff,
	.describe = ipvlan_describe,
	.print = ipvlan_print,
	.mask = ipvlan_mask,
};
