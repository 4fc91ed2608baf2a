/* SPDX-License-Identifier: GPL-2.0-or-later */
/* macvlan on a lower device (IFLA_LINK).  The mode changes live, except
 * into or out of passthru; a different lower device means a new link. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "link.h"

static const char *macvlan_mode_name(uint32_t mode) {
	switch (mode) {
	case MACVLAN_MODE_PRIVATE:
		return "private";
	case MACVLAN_MODE_VEPA:
		return "vepa";
	case MACVLAN_MODE_BRIDGE:
		return "bridge";
	case MACVLAN_MODE_PASSTHRU:
		return "passthru";
	case MACVLAN_MODE_SOURCE:
		return "source";
	}
	return "?";
}

static int macvlan_fill_create(struct nlmsghdr *nlh, const struct link *want, const struct link_ctx *ctx) {
	int ifindex;

	if (!want->u.macvlan.link[0])
		return -EINVAL;
	ifindex = ctx->ifindex(ctx, ctx->netns, want->u.macvlan.link);
	if (ifindex < 0)
		return ifindex;
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)ifindex);
	return 0;
}

static int macvlan_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                                  const struct link_ctx *ctx) {
	const struct macvlan_conf *w = &want->u.macvlan;

	if (!(w->set & MACVLAN_SET_MODE))
		return 0;
	if (have && (have->u.macvlan.set & MACVLAN_SET_MODE) && have->u.macvlan.mode == w->mode)
		return 0;
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, w->mode);
	return 0;
}

static int macvlan_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	struct nlattr *a;

	l->u.macvlan.set = 0;
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		if (mnl_attr_get_type(a) == IFLA_MACVLAN_MODE && mnl_attr_get_payload_len(a) >= 4) {
			l->u.macvlan.mode = mnl_attr_get_u32(a);
			l->u.macvlan.set |= MACVLAN_SET_MODE;
		}
	}
	return 0;
}

static void macvlan_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	const struct macvlan_conf *w = &want->u.macvlan, *h = &have->u.macvlan;

	if (strcmp(w->link, h->link) != 0) {
		link_diff_add(ret, DISRUPT_RECREATE, "link %s -> %s", h->link[0] ? h->link : "?", w->link);
		return;
	}
	if ((w->set & MACVLAN_SET_MODE) && (!(h->set & MACVLAN_SET_MODE) || w->mode != h->mode)) {
		uint32_t from = h->set & MACVLAN_SET_MODE ? h->mode : MACVLAN_MODE_VEPA;
		/* the kernel refuses to switch passthru on or off on a live link */
		enum disruption d = (w->mode == MACVLAN_MODE_PASSTHRU || from == MACVLAN_MODE_PASSTHRU)
		                    ? DISRUPT_RECREATE : DISRUPT_LIVE;

		link_diff_add(ret, d, "mode %s -> %s", macvlan_mode_name(from), macvlan_mode_name(w->mode));
	}
}

static void macvlan_init(struct link *l) {
	l->u.macvlan.mode = MACVLAN_MODE_VEPA;  /* the kernel's default */
}

static char *macvlan_lower(struct link *l) {
	return l->u.macvlan.link;
}

static void macvlan_describe(const struct link *l, char *buf, size_t size) {
	snprintf(buf, size, " (link %s%s%s)", l->u.macvlan.link, l->u.macvlan.set & MACVLAN_SET_MODE ? " mode " : "",
	         l->u.macvlan.set & MACVLAN_SET_MODE ? macvlan_mode_name(l->u.macvlan.mode) : "");
}

static void macvlan_print(const struct link *l, FILE *f) {
	fprintf(f, " link %s mode %u", l->u.macvlan.link, l->u.macvlan.mode);
}

static void macvlan_mask(struct link *l, const struct link *by) {
	l->u.macvlan.set &= by->u.macvlan.set;
}

static const struct name_value macvlan_modes[] = {
	{ "private", MACVLAN_MODE_PRIVATE }, { "vepa", MACVLAN_MODE_VEPA },
	{ "bridge", MACVLAN_MODE_BRIDGE }, { "passthru", MACVLAN_MODE_PASSTHRU }, { NULL, 0 },
};

/* Its keys in [macvlan NAME] (keydef.h), after those every link takes. */
static const struct key_def macvlan_keys[] = {
	{ .key = "link", .parse = key_parse_ifname, KEY_FIELD(struct link, u.macvlan.link), .required = "the lower device" },
	{ .key = "mode", .parse = key_parse_enum, KEY_FIELD(struct link, u.macvlan.mode),
	  KEY_SETBIT(struct link, u.macvlan.set, MACVLAN_SET_MODE), .aux = macvlan_modes },
};

/* Its fields in the journal (jfield.h), tags from 100 up: never reuse one. */
static const struct jfield macvlan_jfields[] = {
	JF(100, JF_UINT, struct link, u.macvlan.set),
	JF(101, JF_NAME, struct link, u.macvlan.link),
	JF(102, JF_UINT, struct link, u.macvlan.mode),
};

const struct link_ops link_ops_macvlan = {
	.lower_flattens = true,
	.keys = macvlan_keys,
	.n_keys = ARRAY_SIZE(macvlan_keys),
	.jfields = macvlan_jfields,
	.n_jfields = ARRAY_SIZE(macvlan_jfields),
	.kind = LINK_MACVLAN,
	.info_kind = "macvlan",
	.section = "macvlan",
	.plural = "macvlans",
	.init = macvlan_init,
	.lower = macvlan_lower,
	.describe = macvlan_describe,
	.print = macvlan_print,
	.mask = macvlan_mask,
	.fill_create = macvlan_fill_create,
	.fill_info_data = macvlan_fill_info_data,
	.parse = macvlan_parse,
	.diff = macvlan_diff,
};
