/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [vxlan]: a VXLAN tunnel endpoint, an overlay network's port on this
 * node.  Its VNI, addresses, lower device and UDP port are fixed when it
 * is made: a change means a new link; learning changes live. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static bool ipaddr_is_any(const struct ipaddr *a) {
	static const uint8_t zero[16];

	return memcmp(a->a, zero, a->family == AF_INET ? 4 : 16) == 0;
}

static bool ipaddr_is_multicast(const struct ipaddr *a) {
	return a->family == AF_INET ? (a->a[0] & 0xf0) == 0xe0 : a->family == AF_INET6 && a->a[0] == 0xff;
}

static bool addr_same(const struct ipaddr *a, const struct ipaddr *b) {
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && (!a->family || memcmp(a->a, b->a, n) == 0);
}

static const char *addr_str(const struct ipaddr *a, char *buf, size_t size) {
	return a->family ? format_ipaddr(a, false, buf, size) : "none";
}

static int put_addr(struct nlmsghdr *nlh, uint16_t v4, uint16_t v6, const struct ipaddr *a) {
	if (a->family == AF_INET)
		mnl_attr_put(nlh, v4, 4, a->a);
	else if (a->family == AF_INET6)
		mnl_attr_put(nlh, v6, 16, a->a);
	else
		return -EINVAL;
	return 0;
}

static int vxlan_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                                const struct link_ctx *ctx) {
	const struct vxlan_conf *v = &want->u.vxlan;

	if (have) {
		/* live: learning only */
		if ((v->set & VXLAN_SET_LEARNING) && v->learning != have->u.vxlan.learning)
			mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, v->learning);
		return 0;
	}
	if (v->id > VXLAN_ID_MAX)
		return -EINVAL;
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v->id);
	if ((v->set & (VXLAN_SET_REMOTE | VXLAN_SET_GROUP)) &&
	    put_addr(nlh, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, &v->remote) < 0)
		return -EINVAL;
	if ((v->set & VXLAN_SET_LOCAL) && put_addr(nlh, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, &v->local) < 0)
		return -EINVAL;
	if (v->dev[0]) {
		int ifindex = ctx->ifindex(ctx, ctx->netns, v->dev);

		if (ifindex < 0)
			return ifindex;
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, (uint32_t)ifindex);
	}
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v->set & VXLAN_SET_DSTPORT ? v->dstport : VXLAN_DSTPORT_DEFAULT));
	if (v->set & VXLAN_SET_LEARNING)
		mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, v->learning);
	return 0;
}

static void get_addr(const struct nlattr *a, int family, struct ipaddr *ret) {
	size_t n = family == AF_INET ? 4 : 16;

	if (mnl_attr_get_payload_len(a) < n)
		return;
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->a, mnl_attr_get_payload(a), n);
	ret->family = (uint8_t)family;
	ret->plen = (uint8_t)(8 * n);
	if (ipaddr_is_any(ret))
		ret->family = 0;
}

static int vxlan_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	struct vxlan_conf *v = &l->u.vxlan;
	const struct nlattr *a;

	(void)tb;
	memset(v, 0, sizeof(*v));
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_VXLAN_ID:
			if (mnl_attr_get_payload_len(a) >= 4)
				v->id = mnl_attr_get_u32(a);
			break;
		case IFLA_VXLAN_GROUP:
		case IFLA_VXLAN_GROUP6:
			get_addr(a, mnl_attr_get_type(a) == IFLA_VXLAN_GROUP ? AF_INET : AF_INET6, &v->remote);
			break;
		case IFLA_VXLAN_LOCAL:
		case IFLA_VXLAN_LOCAL6:
			get_addr(a, mnl_attr_get_type(a) == IFLA_VXLAN_LOCAL ? AF_INET : AF_INET6, &v->local);
			break;
		case IFLA_VXLAN_LINK:
			/* the lower device: named by observe like a vlan's */
			if (mnl_attr_get_payload_len(a) >= 4)
				l->link_ifindex = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_VXLAN_PORT:
			if (mnl_attr_get_payload_len(a) >= 2)
				v->dstport = ntohs(mnl_attr_get_u16(a));
			break;
		case IFLA_VXLAN_LEARNING:
			if (mnl_attr_get_payload_len(a) >= 1)
				v->learning = mnl_attr_get_u8(a) != 0;
			break;
		}
	}
	v->set = VXLAN_SET_DSTPORT | VXLAN_SET_LEARNING;
	if (v->local.family)
		v->set |= VXLAN_SET_LOCAL;
	if (v->remote.family)
		v->set |= ipaddr_is_multicast(&v->remote) ? VXLAN_SET_GROUP : VXLAN_SET_REMOTE;
	return 0;
}

static void vxlan_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct vxlan_conf *w = &want->u.vxlan, *h = &have->u.vxlan;
	uint16_t port = w->set & VXLAN_SET_DSTPORT ? w->dstport : VXLAN_DSTPORT_DEFAULT;
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];

	if (w->id != h->id)
		link_diff_add(ret, DISRUPT_RECREATE, "id %u -> %u", h->id, w->id);
	if (strcmp(w->dev, h->dev) != 0)
		link_diff_add(ret, DISRUPT_RECREATE, "dev %s -> %s", h->dev[0] ? h->dev : "none",
		              w->dev[0] ? w->dev : "none");
	if (!addr_same(&w->local, &h->local))
		link_diff_add(ret, DISRUPT_RECREATE, "local %s -> %s", addr_str(&h->local, a, sizeof(a)),
		              addr_str(&w->local, b, sizeof(b)));
	if (!addr_same(&w->remote, &h->remote))
		link_diff_add(ret, DISRUPT_RECREATE, "%s %s -> %s", w->set & VXLAN_SET_GROUP ? "group" : "remote",
		              addr_str(&h->remote, a, sizeof(a)), addr_str(&w->remote, b, sizeof(b)));
	if (port != h->dstport)
		link_diff_add(ret, DISRUPT_RECREATE, "dstport %u -> %u", h->dstport, port);
	if ((w->set & VXLAN_SET_LEARNING) && w->learning != h->learning)
		link_diff_add(ret, DISRUPT_LIVE, "learning %s -> %s", h->learning ? "yes" : "no",
		              w->learning ? "yes" : "no");
}

static int vxlan_validate(const struct link *l, const char **key, char *buf, size_t size) {
	const struct vxlan_conf *v = &l->u.vxlan;
	char a[IPADDR_STRLEN];

	if ((v->set & VXLAN_SET_REMOTE) && (v->set & VXLAN_SET_GROUP)) {
		*key = "group";
		snprintf(buf, size, "remote and group exclude each other: a unicast peer or a multicast group");
		return -EINVAL;
	}
	if ((v->set & VXLAN_SET_GROUP) && !ipaddr_is_multicast(&v->remote)) {
		*key = "group";
		snprintf(buf, size, "%s is not a multicast address: write remote = for a unicast peer",
		         format_ipaddr(&v->remote, false, a, sizeof(a)));
		return -EINVAL;
	}
	if ((v->set & VXLAN_SET_REMOTE) && (ipaddr_is_multicast(&v->remote) || ipaddr_is_any(&v->remote))) {
		*key = "remote";
		snprintf(buf, size, "%s is not a unicast address: write group = for a multicast group",
		         format_ipaddr(&v->remote, false, a, sizeof(a)));
		return -EINVAL;
	}
	if ((v->set & VXLAN_SET_GROUP) && !v->dev[0]) {
		*key = "group";
		snprintf(buf, size, "a multicast group needs dev = the device that joins it");
		return -EINVAL;
	}
	if ((v->set & VXLAN_SET_LOCAL) && (v->set & (VXLAN_SET_REMOTE | VXLAN_SET_GROUP)) &&
	    v->local.family != v->remote.family) {
		*key = "local";
		snprintf(buf, size, "local and %s are of different families", v->set & VXLAN_SET_GROUP ? "group" : "remote");
		return -EINVAL;
	}
	return 0;
}

static char *vxlan_lower(struct link *l) {
	return l->u.vxlan.dev;
}

static void vxlan_describe(const struct link *l, char *buf, size_t size) {
	const struct vxlan_conf *v = &l->u.vxlan;
	char a[IPADDR_STRLEN];

	snprintf(buf, size, " (id %u%s%s%s%s)", v->id, v->remote.family ? (v->set & VXLAN_SET_GROUP ? " group " : " remote ") : "",
	         v->remote.family ? format_ipaddr(&v->remote, false, a, sizeof(a)) : "", v->dev[0] ? " dev " : "", v->dev);
}

static void vxlan_print(const struct link *l, FILE *f) {
	const struct vxlan_conf *v = &l->u.vxlan;
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];

	fprintf(f, " id %u local %s remote %s dev %s dstport %u learning %s", v->id, addr_str(&v->local, a, sizeof(a)),
	        addr_str(&v->remote, b, sizeof(b)), v->dev[0] ? v->dev : "none", v->dstport, v->learning ? "yes" : "no");
}

static void vxlan_mask(struct link *l, const struct link *by) {
	l->u.vxlan.set &= by->u.vxlan.set;
}

/* Its keys in [vxlan NAME] (keydef.h), after those every link takes. */
static const struct key_def vxlan_keys[] = {
	{ .key = "id", .parse = key_parse_uint, KEY_FIELD(struct link, u.vxlan.id), KEY_RANGE(0, VXLAN_ID_MAX),
	  .required = "the VXLAN network identifier, 0-16777215" },
	{ .key = "local", .parse = key_parse_addr, KEY_FIELD(struct link, u.vxlan.local),
	  KEY_SETBIT(struct link, u.vxlan.set, VXLAN_SET_LOCAL) },
	{ .key = "remote", .parse = key_parse_addr, KEY_FIELD(struct link, u.vxlan.remote),
	  KEY_SETBIT(struct link, u.vxlan.set, VXLAN_SET_REMOTE) },
	{ .key = "group", .parse = key_parse_addr, KEY_FIELD(struct link, u.vxlan.remote),
	  KEY_SETBIT(struct link, u.vxlan.set, VXLAN_SET_GROUP) },
	{ .key = "dev", .parse = key_parse_ifname, KEY_FIELD(struct link, u.vxlan.dev) },
	{ .key = "dstport", .parse = key_parse_uint, KEY_FIELD(struct link, u.vxlan.dstport),
	  KEY_SETBIT(struct link, u.vxlan.set, VXLAN_SET_DSTPORT), KEY_RANGE(1, 65535) },
	{ .key = "learning", .parse = key_parse_bool, KEY_FIELD(struct link, u.vxlan.learning),
	  KEY_SETBIT(struct link, u.vxlan.set, VXLAN_SET_LEARNING) },
};

/* Its fields in the journal (jfield.h), tags from 120 up: never reuse one. */
static const struct jfield vxlan_jfields[] = {
	JF(120, JF_UINT, struct link, u.vxlan.set),
	JF(121, JF_UINT, struct link, u.vxlan.id),
	JF(122, JF_IP, struct link, u.vxlan.local),
	JF(123, JF_IP, struct link, u.vxlan.remote),
	JF(124, JF_NAME, struct link, u.vxlan.dev),
	JF(125, JF_UINT, struct link, u.vxlan.dstport),
	JF(126, JF_BOOL, struct link, u.vxlan.learning),
};

const struct link_ops link_ops_vxlan = {
	.keys = vxlan_keys,
	.n_keys = ARRAY_SIZE(vxlan_keys),
	.jfields = vxlan_jfields,
	.n_jfields = ARRAY_SIZE(vxlan_jfields),
	.kind = LINK_VXLAN,
	.info_kind = "vxlan",
	.section = "vxlan",
	.plural = "vxlans",
	.lower = vxlan_lower,
	.fill_info_data = vxlan_fill_info_data,
	.parse = vxlan_parse,
	.diff = vxlan_diff,
	.describe = vxlan_describe,
	.print = vxlan_print,
	.mask = vxlan_mask,
	.validate = vxlan_validate,
};
