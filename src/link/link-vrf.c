/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [vrf]: an L3 master device that binds its members to a routing table of
 * their own (management traffic apart from the API's).  Members join it
 * through IFLA_MASTER like a bridge's ports (the engine does that); they
 * name it with `vrf =` in their own sections.  The kernel fixes the table
 * when the device is made: a different table means a new device. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "link.h"

static int vrf_fill_info_data(struct nlmsghdr *nlh, const struct link *want, const struct link *have,
                              const struct link_ctx *ctx) {
	(void)ctx;
	if (have)
		return 0;       /* nothing changes live */
	if (!want->u.vrf.table)
		return -EINVAL;
	mnl_attr_put_u32(nlh, IFLA_VRF_TABLE, want->u.vrf.table);
	return 0;
}

static int vrf_parse(const struct nlattr *info_data, const struct nlattr *const *tb, struct link *l) {
	struct nlattr *a;

	(void)tb;
	l->u.vrf.table = 0;
	if (!info_data)
		return 0;
	mnl_attr_for_each_nested(a, info_data) {
		if (mnl_attr_get_type(a) == IFLA_VRF_TABLE && mnl_attr_get_payload_len(a) >= 4)
			l->u.vrf.table = mnl_attr_get_u32(a);
	}
	return 0;
}

static void vrf_diff(const struct link *want, const struct link *have, struct link_diff *ret) {
	if (want->u.vrf.table != have->u.vrf.table)
		link_diff_add(ret, DISRUPT_RECREATE, "table %u -> %u", have->u.vrf.table, want->u.vrf.table);
}

static int vrf_validate(const struct link *l, const char **key, char *buf, size_t size) {
	uint32_t t = l->u.vrf.table;

	/* 0: no table = (the loader says so) */
	if (t && (t > VRF_TABLE_MAX || (t >= RT_TABLE_DEFAULT && t <= RT_TABLE_LOCAL))) {
		*key = "table";
		snprintf(buf, size, "%u is not a table of its own: a vrf needs a number from 1 to %u other than "
		         "253-255 (default, main, local)", t, VRF_TABLE_MAX);
		return -EINVAL;
	}
	if (l->vrf[0]) {
		*key = "vrf";
		snprintf(buf, size, "a vrf cannot be a member of another vrf");
		return -EINVAL;
	}
	return 0;
}

static struct namelist *vrf_ports(struct link *l) {
	return &l->u.vrf.ports;
}

static void vrf_describe(const struct link *l, char *buf, size_t size) {
	snprintf(buf, size, " (table %u)", l->u.vrf.table);
}

static void vrf_print(const struct link *l, FILE *f) {
	fprintf(f, " table %u members", l->u.vrf.table);
	for (size_t i = 0; i < l->u.vrf.ports.n; i++)
		fprintf(f, "%s%s", i ? "," : " ", l->u.vrf.ports.v[i]);
}

static int vrf_copy(struct link *dst, const struct link *src) {
	return namelist_copy(&dst->u.vrf.ports, &src->u.vrf.ports);
}

static void vrf_fini(struct link *l) {
	namelist_fini(&l->u.vrf.ports);
}

/* Its keys in [vrf NAME] (keydef.h), after those every link takes; its
 * table and members are in the journal through journal-file.c (a list). */
static const struct key_def vrf_keys[] = {
	{ .key = "table", .parse = key_parse_table, KEY_FIELD(struct link, u.vrf.table),
	  .required = "the routing table of its members, 1-4294967294 but not 253-255" },
};

const struct link_ops link_ops_vrf = {
	.keys = vrf_keys,
	.n_keys = ARRAY_SIZE(vrf_keys),
	.kind = LINK_VRF,
	.info_kind = "vrf",
	.section = "vrf",
	.plural = "vrfs",
	.ports = vrf_ports,
	.ports_key = "members",
	.describe = vrf_describe,
	.print = vrf_print,
	.validate = vrf_validate,
	.copy = vrf_copy,
	.fini = vrf_fini,
	.fill_info_data = vrf_fill_info_data,
	.parse = vrf_parse,
	.diff = vrf_diff,
};
