/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link kind table (link-ops.h) and the kinds that have nothing but
 * their table entry: every managed kind has a backend whose section name
 * reads back as the kind, IFLA_INFO_KIND finds the backend, and the
 * profile takes the section; a dummy loads, counts, plans and builds its
 * creation message from its one file; a vxlan's, an ipvlan's and a vrf's
 * messages decode back to what was asked, and diff says what a change
 * costs; a vrf's members and routes find it. */
#include "test-helpers.h"

#include <errno.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "hnl.h"

static int no_ifindex(const struct link_ctx *ctx, const char *netns, const char *name) {
	(void)ctx, (void)netns, (void)name;
	return -ENODEV;
}

static void test_table(void **state) {
	(void)state;
	for (int k = 0; k < _LINK_KIND_MAX; k++) {
		const struct link_ops *ops = link_ops_get((enum link_kind)k);
		enum link_kind back;

		if (!link_kind_managed(k)) {
			assert_null(ops);
			assert_string_equal(link_kind_name((enum link_kind)k), "other");
			continue;
		}
		assert_non_null(ops);
		assert_int_equal(ops->kind, k);
		assert_non_null(ops->section);
		assert_non_null(ops->plural);
		assert_string_equal(link_kind_name((enum link_kind)k), ops->section);
		assert_int_equal(link_kind_from_name(ops->section, &back), 0);
		assert_int_equal(back, k);
		/* a kind with members names the key that lists them */
		assert_true(!ops->ports == !ops->ports_key);
		if (ops->info_kind)
			assert_ptr_equal(link_ops_by_info_kind(ops->info_kind), ops);
		for (int j = 0; j < k; j++)
			if (link_kind_managed(j))
				assert_string_not_equal(link_ops_get((enum link_kind)j)->section, ops->section);
	}
	assert_int_equal(link_kind_from_name("other", &(enum link_kind){ 0 }), -EINVAL);
	assert_null(link_ops_by_info_kind("no-such-kind"));
}

/* Every kind's section loads as a link of that kind (the section set
 * comes from the table). */
static void test_sections(void **state) {
	(void)state;
	for (int k = 0; k < _LINK_KIND_MAX; k++) {
		const struct link_ops *ops = link_ops_get((enum link_kind)k);
		char text[128];
		struct profile *p;

		if (!ops || ops->lower || ops->kind == LINK_VETH)
			continue;       /* kinds with required keys are covered by their own tests */
		snprintf(text, sizeof(text), "[%s x0]\nmtu = 1400\n%s", ops->section,
		         ops->kind == LINK_VRF ? "table = 10\n" : "");
		p = load_ok(text);
		assert_int_equal(p->n_links, 1);
		assert_int_equal(p->links[0].kind, k);
		assert_int_equal(p->links[0].mtu, 1400);
		profile_free(p);
	}
	load_bad("[other x0]\n", "unknown section type \"other\"");
}

static void test_dummy(void **state) {
	struct profile *p = load_ok("[dummy vip0]\naddresses = 192.0.2.1/32, 2001:db8::1/128\nmtu = 9000\n");
	const struct link_ctx ctx = { .ifindex = no_ifindex };
	char buf[NL_MSG_SIZE], sum[256];
	const struct link *l;
	struct nlmsghdr *nlh;
	struct nlattr *tb[IFLA_MAX + 1] = { 0 }, *li[IFLA_INFO_MAX + 1] = { 0 };
	const struct nlattr *a;
	struct link copy;

	(void)state;
	l = profile_find_link(p, NULL, "vip0");
	assert_non_null(l);
	assert_int_equal(l->kind, LINK_DUMMY);
	assert_int_equal(l->n_addrs, 2);
	assert_null(link_lower(l));
	assert_null(link_ports_const(l));
	profile_summary(p, sum, sizeof(sum));
	assert_non_null(strstr(sum, "1 dummy"));

	/* the creation message: kind "dummy", the shared attributes, no data */
	nlh = hnl_msg_new(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(link_build_create(nlh, l, &ctx, -1, false), 0);
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) <= IFLA_MAX)
			tb[mnl_attr_get_type(a)] = (struct nlattr *)a;
	assert_non_null(tb[IFLA_IFNAME]);
	assert_string_equal(mnl_attr_get_str(tb[IFLA_IFNAME]), "vip0");
	assert_non_null(tb[IFLA_MTU]);
	assert_int_equal(mnl_attr_get_u32(tb[IFLA_MTU]), 9000);
	assert_non_null(tb[IFLA_LINKINFO]);
	assert_null(tb[IFLA_LINK]);
	mnl_attr_for_each_nested(a, tb[IFLA_LINKINFO])
		if (mnl_attr_get_type(a) <= IFLA_INFO_MAX)
			li[mnl_attr_get_type(a)] = (struct nlattr *)a;
	assert_non_null(li[IFLA_INFO_KIND]);
	assert_string_equal(mnl_attr_get_str(li[IFLA_INFO_KIND]), "dummy");
	assert_null(li[IFLA_INFO_DATA]);

	/* copy and free through the table (nothing of its own) */
	assert_int_equal(link_copy(&copy, l), 0);
	assert_int_equal(copy.kind, LINK_DUMMY);
	assert_int_equal(copy.n_addrs, 2);
	link_fini(&copy);
	profile_free(p);

	load_bad("[dummy vip0]\nlink = eth0\n", "unknown key for [dummy]");
	load_bad("[dummy vip0]\nslaves = eth0\n", "unknown key for [dummy]");
}

static int one_ifindex(const struct link_ctx *ctx, const char *netns, const char *name) {
	(void)ctx, (void)netns;
	return strcmp(name, "eth0") == 0 ? 3 : -ENODEV;
}

/* IFLA_INFO_DATA of want (creation when have is NULL) parsed back into
 * ret. */
static size_t vxlan_roundtrip(const struct link *want, const struct link *have, struct link *ret) {
	const struct link_ops *ops = link_ops_get(LINK_VXLAN);
	const struct link_ctx ctx = { .ifindex = one_ifindex };
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	struct nlattr *data;
	const struct nlattr *a;
	size_t n = 0;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	assert_int_equal(ops->fill_info_data(nlh, want, have, &ctx), 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_for_each_nested(a, data)
		n++;
	memset(ret, 0, sizeof(*ret));
	ret->kind = LINK_VXLAN;
	assert_int_equal(ops->parse(data, NULL, ret), 0);
	return n;
}

static void test_vxlan(void **state) {
	struct profile *p = load_ok("[vxlan vx0]\nid = 42\nlocal = 192.0.2.1\nremote = 192.0.2.2\ndev = eth0\n"
	                            "learning = no\n\n[vxlan vx6]\nid = 7\ngroup = ff05::42\ndev = eth0\n");
	const struct link_ops *ops = link_ops_get(LINK_VXLAN);
	struct link *l = profile_find_link(p, NULL, "vx0"), *l6 = profile_find_link(p, NULL, "vx6");
	struct link got, want2;
	struct link_diff d;
	char text[128];

	(void)state;
	assert_non_null(l);
	assert_non_null(l6);
	assert_string_equal(link_lower(l), "eth0");
	assert_true(profile_find_link(p, NULL, "eth0")->implicit);

	/* creation: everything, the default port, and back */
	vxlan_roundtrip(l, NULL, &got);
	assert_int_equal(got.u.vxlan.id, 42);
	assert_int_equal(got.link_ifindex, 3);
	assert_int_equal(got.u.vxlan.dstport, VXLAN_DSTPORT_DEFAULT);
	assert_false(got.u.vxlan.learning);
	assert_true(got.u.vxlan.set & VXLAN_SET_REMOTE);
	assert_memory_equal(got.u.vxlan.remote.a, l->u.vxlan.remote.a, 4);
	assert_memory_equal(got.u.vxlan.local.a, l->u.vxlan.local.a, 4);
	vxlan_roundtrip(l6, NULL, &got);
	assert_true(got.u.vxlan.set & VXLAN_SET_GROUP);
	assert_int_equal(got.u.vxlan.remote.family, AF_INET6);
	assert_false(got.u.vxlan.set & VXLAN_SET_LOCAL);

	/* as observed (the lower named by observe): nothing differs */
	vxlan_roundtrip(l, NULL, &got);
	strcpy(got.u.vxlan.dev, "eth0");
	memset(&d, 0, sizeof(d));
	ops->diff(l, &got, &d);
	assert_int_equal(d.level, DISRUPT_NONE);

	/* learning changes live, alone in the change message */
	got.u.vxlan.learning = true;
	memset(&d, 0, sizeof(d));
	ops->diff(l, &got, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);
	assert_string_equal(d.what, "learning yes -> no");
	assert_int_equal(vxlan_roundtrip(l, &got, &want2), 1);
	assert_false(want2.u.vxlan.learning);

	/* the VNI, the port, the remote: a new link */
	got.u.vxlan.learning = false;
	got.u.vxlan.id = 43;
	got.u.vxlan.dstport = 8472;
	memset(&d, 0, sizeof(d));
	ops->diff(l, &got, &d);
	assert_int_equal(d.level, DISRUPT_RECREATE);
	assert_string_equal(d.what, "id 43 -> 42, dstport 8472 -> 4789");

	ops->describe(l, text, sizeof(text));
	assert_string_equal(text, " (id 42 remote 192.0.2.2 dev eth0)");
	profile_free(p);

	load_bad("[vxlan vx0]\nremote = 192.0.2.2\n", "needs id =");
	load_bad("[vxlan vx0]\nid = 1\nremote = 239.0.0.1\n", "239.0.0.1 is not a unicast address");
	load_bad("[vxlan vx0]\nid = 1\ngroup = 192.0.2.9\ndev = eth0\n", "192.0.2.9 is not a multicast address");
	load_bad("[vxlan vx0]\nid = 1\ngroup = 239.0.0.1\n", "needs dev =");
	load_bad("[vxlan vx0]\nid = 1\nlocal = 2001:db8::1\nremote = 192.0.2.2\n", "different families");
	load_bad("[vxlan vx0]\nid = 1\ndstport = 0\n", "dstport");
}

static void test_ipvlan(void **state) {
	struct profile *p = load_ok("[ipvlan ipv0]\nlink = eth0\nmode = l3s\n\n[ipvlan ipv1]\nlink = eth0\n");
	const struct link_ops *ops = link_ops_get(LINK_IPVLAN);
	const struct link_ctx ctx = { .ifindex = one_ifindex };
	struct link *l = profile_find_link(p, NULL, "ipv0"), *l1 = profile_find_link(p, NULL, "ipv1");
	char buf[NL_MSG_SIZE], text[128];
	struct nlmsghdr *nlh;
	struct nlattr *data;
	struct link got, have;
	struct link_diff d;

	(void)state;
	assert_non_null(l);
	assert_string_equal(link_lower(l), "eth0");
	assert_int_equal(l1->u.ipvlan.mode, IPVLAN_MODE_L3);     /* the kernel's default */
	assert_false(l1->u.ipvlan.set & IPVLAN_SET_MODE);

	/* creation: IFLA_LINK and the mode, parsed back */
	nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	assert_int_equal(ops->fill_create(nlh, l, &ctx), 0);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	assert_int_equal(ops->fill_info_data(nlh, l, NULL, &ctx), 0);
	mnl_attr_nest_end(nlh, data);
	memset(&got, 0, sizeof(got));
	got.kind = LINK_IPVLAN;
	assert_int_equal(ops->parse(data, NULL, &got), 0);
	assert_int_equal(got.u.ipvlan.mode, IPVLAN_MODE_L3S);

	/* the mode: live; the lower: a new link */
	memset(&have, 0, sizeof(have));
	have.kind = LINK_IPVLAN;
	strcpy(have.u.ipvlan.link, "eth0");
	have.u.ipvlan.mode = IPVLAN_MODE_L2;
	have.u.ipvlan.set = IPVLAN_SET_MODE;
	memset(&d, 0, sizeof(d));
	ops->diff(l, &have, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);
	assert_string_equal(d.what, "mode l2 -> l3s");
	memset(&d, 0, sizeof(d));
	ops->diff(l1, &have, &d);
	assert_int_equal(d.level, DISRUPT_NONE);         /* no mode declared: left alone */
	strcpy(have.u.ipvlan.link, "eth1");
	memset(&d, 0, sizeof(d));
	ops->diff(l, &have, &d);
	assert_int_equal(d.level, DISRUPT_RECREATE);
	assert_string_equal(d.what, "link eth1 -> eth0");

	ops->describe(l, text, sizeof(text));
	assert_string_equal(text, " (link eth0 mode l3s)");
	profile_free(p);

	load_bad("[ipvlan ipv0]\nmode = l2\n", "needs link =");
	load_bad("[ipvlan ipv0]\nlink = eth0\nmode = l4\n", "expected one of l2, l3, l3s");
	load_bad("[ipvlan a]\nlink = b\n\n[ipvlan b]\nlink = a\n", "a dependency cycle");
}

static void test_vrf(void **state) {
	struct profile *p = load_ok("[vrf mgmt]\ntable = 100\n\n[nic eth0]\nvrf = mgmt\naddresses = 192.0.2.1/24\n\n"
	                            "[dummy d0]\nvrf = mgmt\n\n[dummy d1]\n\n"
	                            "[route r1]\nto = 10.0.0.0/8\nvia = 192.0.2.254\nvrf = mgmt\n\n"
	                            "[route r2]\nto = 10.1.0.0/16\nvia = 192.0.2.254\ntable = 100\n\n"
	                            "[route r3]\nto = 10.0.0.0/8\nvia = 192.0.2.254\ntable = 100\nvrf = mgmt\nmetric = 5\n");
	const struct link_ops *ops = link_ops_get(LINK_VRF);
	const struct link_ctx ctx = { .ifindex = no_ifindex };
	struct link *v = profile_find_link(p, NULL, "mgmt");
	char buf[NL_MSG_SIZE], text[128], sum[256];
	struct nlmsghdr *nlh;
	struct nlattr *data;
	struct link got, copy;
	struct link_diff d;

	(void)state;
	assert_non_null(v);
	assert_int_equal(v->kind, LINK_VRF);
	assert_int_equal(v->u.vrf.table, 100);
	/* the members, in the profile's order, have it as master */
	assert_int_equal(link_ports_const(v)->n, 2);
	assert_string_equal(link_ports_const(v)->v[0], "eth0");
	assert_string_equal(link_ports_const(v)->v[1], "d0");
	assert_string_equal(profile_find_link(p, NULL, "eth0")->master, "mgmt");
	assert_string_equal(profile_find_link(p, NULL, "d0")->master, "mgmt");
	assert_string_equal(profile_find_link(p, NULL, "d1")->master, "");
	profile_summary(p, sum, sizeof(sum));
	assert_non_null(strstr(sum, "1 vrf (2 members)"));
	/* vrf = on a route is its table */
	assert_int_equal(p->n_routes, 3);
	for (size_t i = 0; i < p->n_routes; i++) {
		assert_true(p->routes[i].set & ROUTE_SET_TABLE);
		assert_int_equal(p->routes[i].table, 100);
	}

	/* creation: the table, parsed back; nothing changes live */
	nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	assert_int_equal(ops->fill_info_data(nlh, v, NULL, &ctx), 0);
	mnl_attr_nest_end(nlh, data);
	memset(&got, 0, sizeof(got));
	got.kind = LINK_VRF;
	assert_int_equal(ops->parse(data, NULL, &got), 0);
	assert_int_equal(got.u.vrf.table, 100);
	memset(&d, 0, sizeof(d));
	ops->diff(v, &got, &d);
	assert_int_equal(d.level, DISRUPT_NONE);
	got.u.vrf.table = 101;
	memset(&d, 0, sizeof(d));
	ops->diff(v, &got, &d);
	assert_int_equal(d.level, DISRUPT_RECREATE);
	assert_string_equal(d.what, "table 101 -> 100");

	ops->describe(v, text, sizeof(text));
	assert_string_equal(text, " (table 100)");
	assert_int_equal(link_copy(&copy, v), 0);
	assert_int_equal(copy.u.vrf.ports.n, 2);
	assert_ptr_not_equal(copy.u.vrf.ports.v, v->u.vrf.ports.v);
	link_fini(&copy);
	profile_free(p);

	load_bad("[vrf mgmt]\n", "needs table =");
	load_bad("[vrf mgmt]\ntable = main\n", "254 is not a table of its own");
	load_bad("[vrf mgmt]\ntable = 253\n", "253 is not a table of its own");
	load_bad("[vrf mgmt]\ntable = 4294967295\n", "4294967295 is not a table of its own");
	load_bad("[dummy d0]\nvrf = mgmt\n", "mgmt is not a [vrf] of the profile");
	load_bad("[bridge br0]\n\n[dummy d0]\nvrf = br0\n", "br0 is a [bridge] (line 1), not a [vrf]");
	load_bad("[vrf mgmt]\ntable = 10\n\n[bridge br0]\nports = d0\n\n[dummy d0]\nvrf = mgmt\n",
	         "d0 is a member of [bridge br0] (line 4) already");
	load_bad("[vrf a]\ntable = 10\n\n[vrf b]\ntable = 11\nvrf = a\n", "a vrf cannot be a member of another vrf");
	load_bad("[netns n1]\n\n[vrf mgmt]\ntable = 10\nnetns = n1\n\n[dummy d0]\nvrf = mgmt\n",
	         "is in namespace n1, but d0 is in the namespace hanet runs in");
	load_bad("[vrf mgmt]\ntable = 10\n\n[route r]\nto = 10.0.0.0/8\ndev = mgmt\ntable = 11\nvrf = mgmt\n",
	         "has table 10, and the route says table = 11");
	load_bad("[dummy d0]\n\n[route r]\nto = 10.0.0.0/8\ndev = d0\nvrf = d0\n", "d0 is not a [vrf] of the profile");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_dummy),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_ipvlan),
		cmocka_unit_test(test_vrf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
