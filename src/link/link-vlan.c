/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 802.1Q / 802.1ad VLANs on a lower device (IFLA_LINK): a bond, a team,
 * a veth, a NIC.  The kernel takes the id and the protocol only when the
 * link is made (changelink changes flags and QoS maps, not those), so a
 * different id, protocol or lower device means a new link; loose_binding
 * (a flag) changes on a live link. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "link.h"

static const char *vlan_protocol_name(uint16_t p) {
	switch (p) {
	case ETH_P_8021Q:
		return "802.1q";
	case ETH_P_8021AD:
		return "802.1ad";
	}
	return "?";
}

static int vlan_fill_create(struct nlmsghdr *nlh, const struct link *want, const struct link_ctx *ctx) {
	int ifindex;

	if (!want->u.vlan.link[0])
		return -EINVAL;
	ifindex = ctx->ifindex(ctx, ctx->netns, want->u.vlan.link);
	if (ifindex < 0)
		return ifindex;
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)ifindex);
	return 0;
}

static bool vlan_loose_differs(const struct vlan_conf *w, const struct vlan_conf *h) {
	return (w->set & VLAN_SET_LOOSE_BINDING) && (!(h->set & VLAN_SET_LOOSE_BINDING) || w->loose_binding != h->loose_binding);
}

static int vlan_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                               const struct link_ctx *ctx) {
	const struct vlan_conf *v = &want->u.vlan;
	bool flags = v->set & VLAN_SET_LOOSE_BINDING;

	if (have) {
		/* of ours, only the flag changes on a live vlan */
		flags = vlan_loose_differs(v, &have->u.vlan);
	} else {
		if (v->id < 1 || v->id > 4094)
			return -EINVAL;
		mnl_attr_put_u16(nlh, IFLA_VLAN_ID, v->id);
		if (v->set & VLAN_SET_PROTOCOL)
			mnl_attr_put_u16(nlh, IFLA_VLAN_PROTOCOL, htons(v->protocol));
	}
	if (flags) {
		struct ifla_vlan_flags f = { .flags = v->loose_binding ? VLAN_FLAG_LOOSE_BINDING : 0,
		                             .mask = VLAN_FLAG_LOOSE_BINDING };

		mnl_attr_put(nlh, IFLA_VLAN_FLAGS, sizeof(f), &f);
	}
	return 0;
}

static int vlan_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	const struct nlattr *a;

	l->u.vlan.set = 0;
	l->u.vlan.id = 0;
	l->u.vlan.loose_binding = false;
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_VLAN_ID:
			if (mnl_attr_get_payload_len(a) >= 2)
				l->u.vlan.id = mnl_attr_get_u16(a);
			break;
		case IFLA_VLAN_PROTOCOL:
			if (mnl_attr_get_payload_len(a) >= 2) {
				l->u.vlan.protocol = ntohs(mnl_attr_get_u16(a));
				l->u.vlan.set |= VLAN_SET_PROTOCOL;
			}
			break;
		case IFLA_VLAN_FLAGS:
			if (mnl_attr_get_payload_len(a) >= sizeof(struct ifla_vlan_flags)) {
				const struct ifla_vlan_flags *f = mnl_attr_get_payload(a);

				l->u.vlan.loose_binding = f->flags & VLAN_FLAG_LOOSE_BINDING;
				l->u.vlan.set |= VLAN_SET_LOOSE_BINDING;
			}
			break;
		}
	}
	return 0;
}

static void vlan_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct vlan_conf *w = &want->u.vlan, *h = &have->u.vlan;

	if (strcmp(w->link, h->link) != 0)
		link_diff_add(ret, DISRUPT_RECREATE, "link %s -> %s", h->link[0] ? h->link : "?", w->link);
	if (w->id != h->id)
		link_diff_add(ret, DISRUPT_RECREATE, "id %u -> %u", h->id, w->id);
	if ((w->set & VLAN_SET_PROTOCOL) && (!(h->set & VLAN_SET_PROTOCOL) || w->protocol != h->protocol))
		link_diff_add(ret, DISRUPT_RECREATE, "protocol %s -> %s",
		              h->set & VLAN_SET_PROTOCOL ? vlan_protocol_name(h->protocol) : "?",
		              vlan_protocol_name(w->protocol));
	if (vlan_loose_differs(w, h))
		link_diff_add(ret, DISRUPT_LIVE, "loose_binding %s -> %s",
		              !(h->set & VLAN_SET_LOOSE_BINDING) ? "?" : h->loose_binding ? "yes" : "no",
		              w->loose_binding ? "yes" : "no");
}

static void vlan_init(struct link *l) {
	l->u.vlan.protocol = ETH_P_8021Q;
}

static char *vlan_lower(struct link *l) {
	return l->u.vlan.link;
}

/* loose_binding: the kernel neither takes it down nor brings it up with
 * its lower device */
static bool vlan_state_loose(const struct link *l) {
	return l->u.vlan.loose_binding;
}

static void vlan_describe(const struct link *l, char *buf, size_t size) {
	snprintf(buf, size, " (link %s id %u%s)", l->u.vlan.link, l->u.vlan.id,
	         l->u.vlan.loose_binding ? " loose_binding" : "");
}

static void vlan_print(const struct link *l, FILE *f) {
	fprintf(f, " link %s id %u%s", l->u.vlan.link, l->u.vlan.id, l->u.vlan.loose_binding ? " loose_binding" : "");
}

static void vlan_mask(struct link *l, const struct link *by) {
	l->u.vlan.set &= by->u.vlan.set;
}

static const struct name_value vlan_protocols[] = {
	{ "802.1q", ETH_P_8021Q }, { "802.1ad", ETH_P_8021AD }, { NULL, 0 },
};

/* Its keys in [vlan NAME] (keydef.h), after those every link takes. */
static const struct key_def vlan_keys[] = {
	{ .key = "link", .parse = key_parse_ifname, KEY_FIELD(struct link, u.vlan.link), .required = "the lower device" },
	{ .key = "id", .parse = key_parse_uint, KEY_FIELD(struct link, u.vlan.id), KEY_RANGE(1, 4094),
	  .required = "the VLAN id, 1-4094" },
	{ .key = "protocol", .parse = key_parse_enum, KEY_FIELD(struct link, u.vlan.protocol),
	  KEY_SETBIT(struct link, u.vlan.set, VLAN_SET_PROTOCOL), .aux = vlan_protocols },
	{ .key = "loose_binding", .parse = key_parse_bool, KEY_FIELD(struct link, u.vlan.loose_binding),
	  KEY_SETBIT(struct link, u.vlan.set, VLAN_SET_LOOSE_BINDING) },
};

/* Its fields in the journal (jfield.h), tags from 80 up: never reuse one. */
static const struct jfield vlan_jfields[] = {
	JF(80, JF_UINT, struct link, u.vlan.set),
	JF(81, JF_NAME, struct link, u.vlan.link),
	JF(82, JF_UINT, struct link, u.vlan.id),
	JF(83, JF_UINT, struct link, u.vlan.protocol),
	JF(84, JF_BOOL, struct link, u.vlan.loose_binding),
};

const struct link_ops link_ops_vlan = {
	.follows_lower_state = true,
	.state_loose = vlan_state_loose,
	.keys = vlan_keys,
	.n_keys = ARRAY_SIZE(vlan_keys),
	.jfields = vlan_jfields,
	.n_jfields = ARRAY_SIZE(vlan_jfields),
	.kind = LINK_VLAN,
	.info_kind = "vlan",
	.section = "vlan",
	.plural = "vlans",
	.init = vlan_init,
	.lower = vlan_lower,
	.describe = vlan_describe,
	.print = vlan_print,
	.mask = vlan_mask,
	.fill_create = vlan_fill_create,
	.fill_info_data = vlan_fill_info_data,
	.parse = vlan_parse,
	.diff = vlan_diff,
};
