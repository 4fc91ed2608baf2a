/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bond option table (see bond.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_link.h>

#include "bond-opts.h"
#include "util.h"

#define M(x) BOND_MODE_BIT(BOND_MODE_##x)
#define AB_TLB_ALB (M(ACTIVEBACKUP) | M(TLB) | M(ALB))
#define NO_ARP (M(8023AD) | M(TLB) | M(ALB))

static const struct bond_opt_value mode_values[] = {
	{ "balance-rr", BOND_MODE_ROUNDROBIN },
	{ "active-backup", BOND_MODE_ACTIVEBACKUP },
	{ "balance-xor", BOND_MODE_XOR },
	{ "broadcast", BOND_MODE_BROADCAST },
	{ "802.3ad", BOND_MODE_8023AD },
	{ "balance-tlb", BOND_MODE_TLB },
	{ "balance-alb", BOND_MODE_ALB },
	{ NULL, 0 },
};

static const struct bond_opt_value arp_validate_values[] = {
	{ "none", 0 }, { "active", 1 }, { "backup", 2 }, { "all", 3 },
	{ "filter", 4 }, { "filter_active", 5 }, { "filter_backup", 6 },
	{ NULL, 0 },
};

static const struct bond_opt_value arp_all_targets_values[] = {
	{ "any", 0 }, { "all", 1 }, { NULL, 0 },
};

static const struct bond_opt_value primary_reselect_values[] = {
	{ "always", 0 }, { "better", 1 }, { "failure", 2 }, { NULL, 0 },
};

static const struct bond_opt_value fail_over_mac_values[] = {
	{ "none", 0 }, { "active", 1 }, { "follow", 2 }, { NULL, 0 },
};

static const struct bond_opt_value xmit_hash_policy_values[] = {
	{ "layer2", 0 }, { "layer3+4", 1 }, { "layer2+3", 2 }, { "encap2+3", 3 },
	{ "encap3+4", 4 }, { "vlan+srcmac", 5 }, { NULL, 0 },
};

static const struct bond_opt_value lacp_rate_values[] = {
	{ "slow", 0 }, { "fast", 1 }, { NULL, 0 },
};

static const struct bond_opt_value ad_select_values[] = {
	{ "stable", 0 }, { "bandwidth", 1 }, { "count", 2 }, { NULL, 0 },
};

/* Rows are indexed by enum bond_opt.  Mode masks say where an option has
 * an effect (the profile rejects it elsewhere); flags say what changing
 * it on a live bond takes.  Checked against Documentation/networking/
 * bonding.rst and drivers/net/bonding/bond_options.c (unsuppmodes,
 * BOND_OPTFLAG_*): where the kernel accepts an option in every mode but
 * the documentation says it only has an effect in some (num_grat_arp,
 * arp_all_targets, min_links, ...), the mask follows the documentation;
 * peer_notif_delay spaces the peer notifications, which only
 * active-backup sends. */
const struct bond_opt_desc bond_opt_table[_BOND_OPT_MAX] = {
	[BOND_OPT_MODE] = { BOND_OPT_MODE, "mode", NULL, IFLA_BOND_MODE, BOND_OT_ENUM_U8, 0, 6,
		mode_values, BOND_MODES_ALL, BOND_OPT_F_NOSLAVES | BOND_OPT_F_IFDOWN, BOND_MODE_ROUNDROBIN },
	[BOND_OPT_MIIMON] = { BOND_OPT_MIIMON, "miimon", NULL, IFLA_BOND_MIIMON, BOND_OT_U32, 0, INT_MAX,
		NULL, BOND_MODES_ALL, BOND_OPT_F_DURATION, 0 },
	[BOND_OPT_UPDELAY] = { BOND_OPT_UPDELAY, "updelay", NULL, IFLA_BOND_UPDELAY, BOND_OT_U32, 0, INT_MAX,
		NULL, BOND_MODES_ALL, BOND_OPT_F_DURATION, 0 },
	[BOND_OPT_DOWNDELAY] = { BOND_OPT_DOWNDELAY, "downdelay", NULL, IFLA_BOND_DOWNDELAY, BOND_OT_U32, 0, INT_MAX,
		NULL, BOND_MODES_ALL, BOND_OPT_F_DURATION, 0 },
	[BOND_OPT_PEER_NOTIF_DELAY] = { BOND_OPT_PEER_NOTIF_DELAY, "peer_notif_delay", NULL, IFLA_BOND_PEER_NOTIF_DELAY,
		BOND_OT_U32, 0, 300000, NULL, M(ACTIVEBACKUP), BOND_OPT_F_DURATION, 0 },
	[BOND_OPT_USE_CARRIER] = { BOND_OPT_USE_CARRIER, "use_carrier", NULL, IFLA_BOND_USE_CARRIER, BOND_OT_BOOL_U8, 0, 1,
		NULL, BOND_MODES_ALL, 0, 1 },
	[BOND_OPT_ARP_INTERVAL] = { BOND_OPT_ARP_INTERVAL, "arp_interval", NULL, IFLA_BOND_ARP_INTERVAL, BOND_OT_U32, 0, INT_MAX,
		NULL, M(ROUNDROBIN) | M(ACTIVEBACKUP) | M(XOR) | M(BROADCAST), BOND_OPT_F_DURATION, 0, NO_ARP },
	[BOND_OPT_ARP_IP_TARGET] = { BOND_OPT_ARP_IP_TARGET, "arp_ip_target", NULL, IFLA_BOND_ARP_IP_TARGET, BOND_OT_IPLIST, 0, 0,
		NULL, M(ROUNDROBIN) | M(ACTIVEBACKUP) | M(XOR) | M(BROADCAST), 0, 0 },
	[BOND_OPT_ARP_VALIDATE] = { BOND_OPT_ARP_VALIDATE, "arp_validate", NULL, IFLA_BOND_ARP_VALIDATE, BOND_OT_ENUM_U32, 0, 6,
		arp_validate_values, M(ROUNDROBIN) | M(ACTIVEBACKUP) | M(XOR) | M(BROADCAST), 0, 0, NO_ARP },
	[BOND_OPT_ARP_ALL_TARGETS] = { BOND_OPT_ARP_ALL_TARGETS, "arp_all_targets", NULL, IFLA_BOND_ARP_ALL_TARGETS,
		BOND_OT_ENUM_U32, 0, 1, arp_all_targets_values, M(ACTIVEBACKUP), 0, 0 },
	[BOND_OPT_ARP_MISSED_MAX] = { BOND_OPT_ARP_MISSED_MAX, "arp_missed_max", NULL, IFLA_BOND_MISSED_MAX, BOND_OT_U8, 1, 255,
		NULL, M(ROUNDROBIN) | M(ACTIVEBACKUP) | M(XOR) | M(BROADCAST), 0, 2, NO_ARP },
	[BOND_OPT_PRIMARY] = { BOND_OPT_PRIMARY, "primary", NULL, IFLA_BOND_PRIMARY, BOND_OT_IFNAME, 0, 0,
		NULL, AB_TLB_ALB, 0, 0, BOND_MODES_ALL & ~AB_TLB_ALB },
	[BOND_OPT_PRIMARY_RESELECT] = { BOND_OPT_PRIMARY_RESELECT, "primary_reselect", NULL, IFLA_BOND_PRIMARY_RESELECT,
		BOND_OT_ENUM_U8, 0, 2, primary_reselect_values, AB_TLB_ALB, 0, 0 },
	[BOND_OPT_FAIL_OVER_MAC] = { BOND_OPT_FAIL_OVER_MAC, "fail_over_mac", NULL, IFLA_BOND_FAIL_OVER_MAC, BOND_OT_ENUM_U8, 0, 2,
		fail_over_mac_values, M(ACTIVEBACKUP), BOND_OPT_F_NOSLAVES, 0 },
	[BOND_OPT_XMIT_HASH_POLICY] = { BOND_OPT_XMIT_HASH_POLICY, "xmit_hash_policy", NULL, IFLA_BOND_XMIT_HASH_POLICY,
		BOND_OT_ENUM_U8, 0, 5, xmit_hash_policy_values, M(XOR) | M(8023AD) | M(TLB) | M(ALB), 0, 0 },
	[BOND_OPT_RESEND_IGMP] = { BOND_OPT_RESEND_IGMP, "resend_igmp", NULL, IFLA_BOND_RESEND_IGMP, BOND_OT_U32, 0, 255,
		NULL, M(ROUNDROBIN) | AB_TLB_ALB, 0, 1 },
	[BOND_OPT_NUM_GRAT_ARP] = { BOND_OPT_NUM_GRAT_ARP, "num_grat_arp", "num_unsol_na", IFLA_BOND_NUM_PEER_NOTIF, BOND_OT_U8,
		0, 255, NULL, M(ACTIVEBACKUP), 0, 1 },
	[BOND_OPT_ALL_SLAVES_ACTIVE] = { BOND_OPT_ALL_SLAVES_ACTIVE, "all_slaves_active", NULL, IFLA_BOND_ALL_SLAVES_ACTIVE,
		BOND_OT_BOOL_U8, 0, 1, NULL, BOND_MODES_ALL, 0, 0 },
	[BOND_OPT_MIN_LINKS] = { BOND_OPT_MIN_LINKS, "min_links", NULL, IFLA_BOND_MIN_LINKS, BOND_OT_U32, 0, INT_MAX,
		NULL, M(8023AD), 0, 0 },
	[BOND_OPT_LP_INTERVAL] = { BOND_OPT_LP_INTERVAL, "lp_interval", NULL, IFLA_BOND_LP_INTERVAL, BOND_OT_U32, 1, INT_MAX,
		NULL, M(TLB) | M(ALB), 0, 1 },
	[BOND_OPT_PACKETS_PER_SLAVE] = { BOND_OPT_PACKETS_PER_SLAVE, "packets_per_slave", NULL, IFLA_BOND_PACKETS_PER_SLAVE,
		BOND_OT_U32, 0, 65535, NULL, M(ROUNDROBIN), 0, 1, BOND_MODES_ALL & ~M(ROUNDROBIN) },
	[BOND_OPT_LACP_RATE] = { BOND_OPT_LACP_RATE, "lacp_rate", NULL, IFLA_BOND_AD_LACP_RATE, BOND_OT_ENUM_U8, 0, 1,
		lacp_rate_values, M(8023AD), BOND_OPT_F_IFDOWN, 0, BOND_MODES_ALL & ~M(8023AD) },
	[BOND_OPT_AD_SELECT] = { BOND_OPT_AD_SELECT, "ad_select", NULL, IFLA_BOND_AD_SELECT, BOND_OT_ENUM_U8, 0, 2,
		ad_select_values, M(8023AD), BOND_OPT_F_IFDOWN, 0 },
	[BOND_OPT_AD_ACTOR_SYS_PRIO] = { BOND_OPT_AD_ACTOR_SYS_PRIO, "ad_actor_sys_prio", NULL, IFLA_BOND_AD_ACTOR_SYS_PRIO,
		BOND_OT_U16, 1, 65535, NULL, M(8023AD), 0, 65535, BOND_MODES_ALL & ~M(8023AD) },
	[BOND_OPT_AD_USER_PORT_KEY] = { BOND_OPT_AD_USER_PORT_KEY, "ad_user_port_key", NULL, IFLA_BOND_AD_USER_PORT_KEY,
		BOND_OT_U16, 0, 1023, NULL, M(8023AD), BOND_OPT_F_IFDOWN, 0, BOND_MODES_ALL & ~M(8023AD) },
	[BOND_OPT_AD_ACTOR_SYSTEM] = { BOND_OPT_AD_ACTOR_SYSTEM, "ad_actor_system", NULL, IFLA_BOND_AD_ACTOR_SYSTEM,
		BOND_OT_MAC, 0, 0, NULL, M(8023AD), 0, 0, BOND_MODES_ALL & ~M(8023AD) },
	[BOND_OPT_TLB_DYNAMIC_LB] = { BOND_OPT_TLB_DYNAMIC_LB, "tlb_dynamic_lb", NULL, IFLA_BOND_TLB_DYNAMIC_LB,
		BOND_OT_BOOL_U8, 0, 1, NULL, M(TLB) | M(ALB), BOND_OPT_F_IFDOWN, 1, BOND_MODES_ALL & ~(M(TLB) | M(ALB)) },
	/* off: LACPDUs only when the partner sends them (Linux 5.15) */
	[BOND_OPT_LACP_ACTIVE] = { BOND_OPT_LACP_ACTIVE, "lacp_active", NULL, IFLA_BOND_AD_LACP_ACTIVE, BOND_OT_BOOL_U8, 0, 1,
		NULL, M(8023AD), BOND_OPT_F_IFDOWN, 1, BOND_MODES_ALL & ~M(8023AD), "5.15" },
};

const struct bond_opt_desc *bond_opt_by_name(const char *name) {
	for (size_t i = 0; i < _BOND_OPT_MAX; i++) {
		const struct bond_opt_desc *d = &bond_opt_table[i];
		if (streq_ptr(d->name, name) || streq_ptr(d->alias, name))
			return d;
	}
	return NULL;
}

const char *bond_mode_name(uint32_t mode) {
	return bond_opt_value_name(&bond_opt_table[BOND_OPT_MODE], mode);
}

int bond_opt_value_parse(const struct bond_opt_desc *d, const char *s, uint32_t *ret) {
	uint32_t v;

	if (!d->values)
		return -EINVAL;
	for (const struct bond_opt_value *p = d->values; p->name; p++)
		if (strcmp(p->name, s) == 0) {
			*ret = p->value;
			return 0;
		}
	/* the kernel also takes the number (mode 1, arp_validate 3) */
	if (parse_u32(s, &v) < 0)
		return -EINVAL;
	for (const struct bond_opt_value *p = d->values; p->name; p++)
		if (p->value == v) {
			*ret = v;
			return 0;
		}
	return -ERANGE;
}

const char *bond_opt_value_name(const struct bond_opt_desc *d, uint32_t v) {
	if (!d->values)
		return NULL;
	for (const struct bond_opt_value *p = d->values; p->name; p++)
		if (p->value == v)
			return p->name;
	return NULL;
}

const char *bond_opt_values_list(const struct bond_opt_desc *d, char *buf, size_t size) {
	size_t n = 0;

	buf[0] = '\0';
	if (!d->values)
		return buf;
	for (const struct bond_opt_value *p = d->values; p->name && n < size; p++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", p == d->values ? "" : ", ", p->name);
	return buf;
}

const char *bond_modes_list(uint32_t modes, char *buf, size_t size) {
	size_t n = 0;
	bool first = true;

	buf[0] = '\0';
	for (const struct bond_opt_value *p = mode_values; p->name && n < size; p++) {
		if (!(modes & BOND_MODE_BIT(p->value)))
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s", first ? "" : ", ", p->name);
		first = false;
	}
	return buf;
}
