/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bond, team and vlan backends without a kernel: the messages they
 * build decode back to what was asked (attribute widths agree between
 * fill and parse), what a change message carries, and what diff says a
 * change costs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "bond-opts.h"
#include "link.h"
#include "hnl.h"

#define BIT(o) (1ull << (o))
#define PRIMARY_IFINDEX 7

static int fake_ifindex(const struct link_ctx *ctx, const char *netns, const char *name) {
	return strcmp(name, "missing") == 0 ? -ENODEV : PRIMARY_IFINDEX;
}

static const struct link_ctx ctx = { .ifindex = fake_ifindex };

/* IFLA_INFO_DATA of `want` (a creation when have is NULL) in buf;
 * returns the nest. */
static const struct nlattr *build(char *buf, const struct link *want, const struct link *have) {
	struct nlmsghdr *nlh = hnl_msg_new(buf, RTM_NEWLINK, 0);
	const struct link_ops *ops = link_ops_get(want->kind);
	struct nlattr *data;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	assert_int_equal(ops->fill_info_data(nlh, want, have, &ctx), 0);
	mnl_attr_nest_end(nlh, data);
	return data;
}

static bool has_attr(const struct nlattr *nest, uint16_t type) {
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return true;
	return false;
}

static size_t n_attrs(const struct nlattr *nest) {
	const struct nlattr *a;
	size_t n = 0;

	mnl_attr_for_each_nested(a, nest)
		n++;
	return n;
}

static void set(struct bond_conf *b, int o, uint32_t v) {
	b->set |= BIT(o);
	b->val[o] = v;
}

static struct link bond(uint32_t mode) {
	struct link l = { .kind = LINK_BOND, .up = true };

	strcpy(l.name, "bond0");
	set(&l.u.bond, BOND_OPT_MODE, mode);
	return l;
}

/* Every option the mode takes, to values other than the defaults. */
static void fill_all(struct link *l) {
	struct bond_conf *b = &l->u.bond;
	uint32_t mode = b->val[BOND_OPT_MODE];

	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		const struct bond_opt_desc *d = &bond_opt_table[o];

		if (o == BOND_OPT_MODE || !(d->modes & BOND_MODE_BIT(mode)))
			continue;
		switch (d->type) {
		case BOND_OT_IFNAME:
			strcpy(b->primary, "eth1");
			b->set |= BIT(o);
			break;
		case BOND_OT_IPLIST:
			for (int i = 0; i < 3; i++) {
				struct ipaddr a = { .family = AF_INET, .plen = 32, .a = { 192, 0, 2, (uint8_t)(10 + i) } };

				assert_int_equal(bond_arp_target_add(b, &a), 0);
			}
			b->set |= BIT(o);
			break;
		case BOND_OT_MAC:
			memcpy(b->ad_actor_system, "\x02\x00\x00\x00\x00\x42", 6);
			b->set |= BIT(o);
			break;
		case BOND_OT_BOOL_U8:
			set(b, o, !d->kernel_default);
			break;
		case BOND_OT_ENUM_U8:
		case BOND_OT_ENUM_U32:
			set(b, o, d->max);      /* the last value */
			break;
		default:
			set(b, o, d->max < 1000 ? d->max - 1 : 1000 + (uint32_t)o);
			break;
		}
	}
	/* the ARP monitor and miimon exclude each other: keep the one the
	 * mode has, and delays that are multiples of miimon */
	if (b->set & BIT(BOND_OPT_ARP_INTERVAL)) {
		set(b, BOND_OPT_ARP_INTERVAL, 0);
		set(b, BOND_OPT_ARP_VALIDATE, 0);
	}
	set(b, BOND_OPT_MIIMON, 10);
	if (b->set & BIT(BOND_OPT_UPDELAY))
		set(b, BOND_OPT_UPDELAY, 200);
	if (b->set & BIT(BOND_OPT_DOWNDELAY))
		set(b, BOND_OPT_DOWNDELAY, 300);
	if (b->set & BIT(BOND_OPT_PEER_NOTIF_DELAY))
		set(b, BOND_OPT_PEER_NOTIF_DELAY, 400);
}

static void assert_bond_equal(const struct bond_conf *w, const struct bond_conf *g) {
	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		const struct bond_opt_desc *d = &bond_opt_table[o];

		if (!(w->set & BIT(o)))
			continue;
		if (!(g->set & BIT(o)))
			fail_msg("option %s not decoded", d->name);
		switch (d->type) {
		case BOND_OT_IFNAME:
			assert_int_equal(g->primary_ifindex, PRIMARY_IFINDEX);
			break;
		case BOND_OT_IPLIST:
			assert_int_equal(g->n_arp_ip_target, w->n_arp_ip_target);
			for (size_t i = 0; i < w->n_arp_ip_target; i++)
				assert_true(ipaddr_eq(&g->arp_ip_target[i], &w->arp_ip_target[i]));
			break;
		case BOND_OT_MAC:
			assert_memory_equal(g->ad_actor_system, w->ad_actor_system, 6);
			break;
		default:
			if (g->val[o] != w->val[o])
				fail_msg("option %s: sent %u, decoded %u", d->name, w->val[o], g->val[o]);
		}
	}
}

/* Every option in every mode: built, decoded, equal. */
static void test_bond_roundtrip(void **state) {
	for (uint32_t mode = 0; mode <= BOND_MODE_ALB; mode++) {
		char buf[NL_MSG_SIZE] = { 0 };
		struct link want = bond(mode), got = { .kind = LINK_BOND };
		const struct nlattr *data;

		fill_all(&want);
		data = build(buf, &want, NULL);
		assert_int_equal(link_ops_bond.parse(data, NULL, &got), 0);
		assert_bond_equal(&want.u.bond, &got.u.bond);
		/* what the kernel reports back compares equal */
		got.up = true;
		strcpy(got.u.bond.primary, "eth1");
		{
			struct link_diff d = { .level = DISRUPT_NONE };

			link_ops_bond.diff(&want, &got, &d);
			assert_int_equal(d.level, DISRUPT_NONE);
		}
		link_fini(&want);
		link_fini(&got);
	}
}

/* An observed bond: every option the kernel reports. */
static struct link observed(uint32_t mode) {
	struct link l = bond(mode);
	struct bond_conf *b = &l.u.bond;

	for (int o = 0; o < _BOND_OPT_MAX; o++) {
		const struct bond_opt_desc *d = &bond_opt_table[o];

		if (o == BOND_OPT_MODE)
			continue;
		/* the kernel reports the 802.3ad actor settings in 802.3ad only */
		if ((o == BOND_OPT_AD_ACTOR_SYS_PRIO || o == BOND_OPT_AD_USER_PORT_KEY || o == BOND_OPT_AD_ACTOR_SYSTEM) &&
		    mode != BOND_MODE_8023AD)
			continue;
		b->set |= BIT(o);
		b->val[o] = d->kernel_default;
	}
	b->val[BOND_OPT_MIIMON] = 100;
	namelist_add(&b->slaves, "eth1");
	namelist_add(&b->slaves, "eth2");
	return l;
}

static void test_bond_change_messages(void **state) {
	char buf[NL_MSG_SIZE] = { 0 };
	struct link have = observed(BOND_MODE_ACTIVEBACKUP), want = bond(BOND_MODE_ACTIVEBACKUP);
	const struct nlattr *data;

	/* live: only what differs */
	set(&want.u.bond, BOND_OPT_NUM_GRAT_ARP, 4);
	set(&want.u.bond, BOND_OPT_RESEND_IGMP, 1);         /* the same as now */
	data = build(buf, &want, &have);
	assert_int_equal(n_attrs(data), 1);
	assert_true(has_attr(data, IFLA_BOND_NUM_PEER_NOTIF));

	/* miimon: the monitor's other options go again */
	memset(buf, 0, sizeof(buf));
	want = bond(BOND_MODE_ACTIVEBACKUP);
	set(&want.u.bond, BOND_OPT_MIIMON, 50);
	set(&want.u.bond, BOND_OPT_UPDELAY, 100);
	set(&have.u.bond, BOND_OPT_UPDELAY, 100);
	set(&want.u.bond, BOND_OPT_NUM_GRAT_ARP, 1);        /* unchanged, not the monitor */
	data = build(buf, &want, &have);
	assert_true(has_attr(data, IFLA_BOND_MIIMON));
	assert_true(has_attr(data, IFLA_BOND_UPDELAY));
	assert_false(has_attr(data, IFLA_BOND_NUM_PEER_NOTIF));

	/* undoing a mode change: everything have reported, but what the
	 * kernel refuses in active-backup */
	memset(buf, 0, sizeof(buf));
	link_fini(&have);
	want = observed(BOND_MODE_ACTIVEBACKUP);
	have = bond(BOND_MODE_XOR);
	set(&have.u.bond, BOND_OPT_XMIT_HASH_POLICY, 1);
	data = build(buf, &want, &have);
	assert_true(has_attr(data, IFLA_BOND_MODE));
	assert_true(has_attr(data, IFLA_BOND_MIIMON));
	assert_true(has_attr(data, IFLA_BOND_XMIT_HASH_POLICY));
	assert_true(has_attr(data, IFLA_BOND_FAIL_OVER_MAC));
	assert_true(has_attr(data, IFLA_BOND_PRIMARY));
	assert_false(has_attr(data, IFLA_BOND_PACKETS_PER_SLAVE));
	assert_false(has_attr(data, IFLA_BOND_AD_LACP_RATE));
	assert_false(has_attr(data, IFLA_BOND_TLB_DYNAMIC_LB));

	/* undoing a live change: have (the profile's bond) does not say the
	 * other options, which the change did not touch */
	memset(buf, 0, sizeof(buf));
	have = bond(BOND_MODE_ACTIVEBACKUP);
	set(&have.u.bond, BOND_OPT_NUM_GRAT_ARP, 4);
	data = build(buf, &want, &have);
	assert_int_equal(n_attrs(data), 1);
	assert_true(has_attr(data, IFLA_BOND_NUM_PEER_NOTIF));
	namelist_fini(&want.u.bond.slaves);
}

static void test_bond_create_message(void **state) {
	char buf[NL_MSG_SIZE] = { 0 };
	struct link want = bond(BOND_MODE_ACTIVEBACKUP);
	const struct nlattr *data;

	/* the kernel refuses a delay while miimon is 0, even 0 */
	set(&want.u.bond, BOND_OPT_UPDELAY, 0);
	set(&want.u.bond, BOND_OPT_ARP_INTERVAL, 100);
	data = build(buf, &want, NULL);
	assert_false(has_attr(data, IFLA_BOND_UPDELAY));
	assert_true(has_attr(data, IFLA_BOND_ARP_INTERVAL));

	/* a primary that does not exist yet is left for later */
	memset(buf, 0, sizeof(buf));
	want = bond(BOND_MODE_ACTIVEBACKUP);
	strcpy(want.u.bond.primary, "missing");
	want.u.bond.set |= BIT(BOND_OPT_PRIMARY);
	data = build(buf, &want, NULL);
	assert_false(has_attr(data, IFLA_BOND_PRIMARY));
}

static void test_bond_diff(void **state) {
	struct link have = observed(BOND_MODE_ACTIVEBACKUP), want;
	struct link_diff d;

	/* live */
	want = bond(BOND_MODE_ACTIVEBACKUP);
	set(&want.u.bond, BOND_OPT_MIIMON, 10);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);
	assert_false(d.need_down || d.need_no_slaves);
	assert_string_equal(d.what, "miimon 100ms -> 10ms");

	/* updelay as the kernel keeps it: 125 with miimon 100 is 100 */
	want = bond(BOND_MODE_ACTIVEBACKUP);
	set(&want.u.bond, BOND_OPT_UPDELAY, 125);
	set(&have.u.bond, BOND_OPT_UPDELAY, 100);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_NONE);
	set(&have.u.bond, BOND_OPT_UPDELAY, 0);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_string_equal(d.what, "updelay 0ms -> 100ms");

	/* mode: slaves released and the bond down */
	want = bond(BOND_MODE_XOR);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_FLAP);
	assert_true(d.need_down && d.need_no_slaves);
	assert_string_equal(d.what, "mode active-backup -> balance-xor");

	/* fail_over_mac: slaves released, the bond may stay up */
	want = bond(BOND_MODE_ACTIVEBACKUP);
	set(&want.u.bond, BOND_OPT_FAIL_OVER_MAC, 2);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_FLAP);
	assert_true(d.need_no_slaves);
	assert_false(d.need_down);

	/* lacp_rate on an up 802.3ad bond: down, set, up */
	namelist_fini(&have.u.bond.slaves);
	have = observed(BOND_MODE_8023AD);
	want = bond(BOND_MODE_8023AD);
	set(&want.u.bond, BOND_OPT_LACP_RATE, 1);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_FLAP);
	assert_true(d.need_down);
	assert_false(d.need_no_slaves);
	/* ... but live on a bond that is down and stays down */
	have.up = want.up = false;
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);

	/* lacp_active: down, set, up, like lacp_rate */
	have.up = want.up = true;
	want = bond(BOND_MODE_8023AD);
	set(&want.u.bond, BOND_OPT_LACP_ACTIVE, 0);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_FLAP);
	assert_true(d.need_down);
	assert_string_equal(d.what, "lacp_active yes -> no");
	/* a kernel that does not report it (older than 5.15) is named */
	have.u.bond.set &= ~BIT(BOND_OPT_LACP_ACTIVE);
	memset(&d, 0, sizeof(d));
	link_ops_bond.diff(&want, &have, &d);
	assert_string_equal(d.what, "lacp_active (not reported by this kernel: Linux 5.15 or later) -> no");
	namelist_fini(&have.u.bond.slaves);
}

static struct link vlan(const char *lower, uint16_t id, uint16_t proto, bool proto_set) {
	struct link l = { .kind = LINK_VLAN };

	strcpy(l.name, "v");
	strcpy(l.u.vlan.link, lower);
	l.u.vlan.id = id;
	l.u.vlan.protocol = proto;
	l.u.vlan.set = proto_set ? VLAN_SET_PROTOCOL : 0;
	return l;
}

static void test_vlan(void **state) {
	char buf[NL_MSG_SIZE] = { 0 };
	struct link want = vlan("bond0", 100, ETH_P_8021AD, true), got = { .kind = LINK_VLAN };
	struct link_diff d;
	const struct nlattr *data;

	data = build(buf, &want, NULL);
	assert_int_equal(link_ops_vlan.parse(data, NULL, &got), 0);
	assert_int_equal(got.u.vlan.id, 100);
	assert_int_equal(got.u.vlan.protocol, ETH_P_8021AD);
	/* nothing else of a vlan changes live */
	memset(buf, 0, sizeof(buf));
	data = build(buf, &want, &want);
	assert_int_equal(n_attrs(data), 0);

	struct link have = vlan("bond0", 100, ETH_P_8021Q, true);
	memset(&d, 0, sizeof(d));
	link_ops_vlan.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_RECREATE);
	assert_string_equal(d.what, "protocol 802.1q -> 802.1ad");
	want = vlan("team0", 101, 0, false);
	memset(&d, 0, sizeof(d));
	link_ops_vlan.diff(&want, &have, &d);
	assert_string_equal(d.what, "link bond0 -> team0, id 100 -> 101");
	want = vlan("bond0", 100, 0, false);
	memset(&d, 0, sizeof(d));
	link_ops_vlan.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_NONE);

	/* loose_binding: on creation, and a live change of the flag alone */
	want.u.vlan.loose_binding = true;
	want.u.vlan.set |= VLAN_SET_LOOSE_BINDING;
	memset(buf, 0, sizeof(buf));
	data = build(buf, &want, NULL);
	assert_int_equal(link_ops_vlan.parse(data, NULL, &got), 0);
	assert_true(got.u.vlan.set & VLAN_SET_LOOSE_BINDING);
	assert_true(got.u.vlan.loose_binding);
	assert_false(link_follows_lower_state(&got));
	assert_true(link_follows_lower_state(&have));
	have.u.vlan.set |= VLAN_SET_LOOSE_BINDING;
	memset(&d, 0, sizeof(d));
	link_ops_vlan.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);
	assert_string_equal(d.what, "loose_binding no -> yes");
	memset(buf, 0, sizeof(buf));
	data = build(buf, &want, &have);
	assert_int_equal(n_attrs(data), 1);
	assert_int_equal(link_ops_vlan.parse(data, NULL, &got), 0);
	assert_true(got.u.vlan.loose_binding);
	memset(buf, 0, sizeof(buf));
	data = build(buf, &want, &want);
	assert_int_equal(n_attrs(data), 0);
}

static struct link team(enum team_mode mode, int32_t prio1, int32_t prio2, bool with_prio) {
	struct link l = { .kind = LINK_TEAM, .up = true };
	struct team_conf *t = &l.u.team;

	strcpy(l.name, "team0");
	t->set = TEAM_SET_MODE;
	t->mode = mode;
	namelist_add(&t->ports, "p1");
	namelist_add(&t->ports, "p2");
	t->port_priority = calloc(2, sizeof(int32_t));
	t->port_priority_set = calloc(2, sizeof(bool));
	t->port_priority[0] = prio1;
	t->port_priority[1] = prio2;
	t->port_priority_set[0] = t->port_priority_set[1] = with_prio;
	return l;
}

static void test_team_diff(void **state) {
	struct link have = team(TEAM_MODE_ACTIVEBACKUP, 10, 5, true), want;
	struct link_diff d;

	strcpy(have.u.team.active_port, "p1");
	want = team(TEAM_MODE_ACTIVEBACKUP, 10, 5, true);
	memset(&d, 0, sizeof(d));
	link_ops_team.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_NONE);
	link_fini(&want);

	want = team(TEAM_MODE_ACTIVEBACKUP, 10, 50, true);
	want.u.team.set |= TEAM_SET_NOTIFY_PEERS_INTERVAL;
	want.u.team.notify_peers_interval = 20;
	have.u.team.set |= TEAM_SET_NOTIFY_PEERS_INTERVAL;
	memset(&d, 0, sizeof(d));
	link_ops_team.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);
	assert_string_equal(d.what, "notify_peers_interval 0ms -> 20ms, priority.p2 5 -> 50");
	link_fini(&want);

	/* a mode change with ports: released around the change */
	want = team(TEAM_MODE_ROUNDROBIN, 0, 0, false);
	memset(&d, 0, sizeof(d));
	link_ops_team.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_FLAP);
	assert_true(d.need_no_slaves);
	link_fini(&want);

	/* activebackup without an active port carries nothing */
	have.u.team.active_port[0] = '\0';
	want = team(TEAM_MODE_ACTIVEBACKUP, 10, 5, true);
	memset(&d, 0, sizeof(d));
	link_ops_team.diff(&want, &have, &d);
	assert_int_equal(d.level, DISRUPT_LIVE);
	link_fini(&want);
	link_fini(&have);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bond_roundtrip),
		cmocka_unit_test(test_bond_change_messages),
		cmocka_unit_test(test_bond_create_message),
		cmocka_unit_test(test_bond_diff),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_team_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
