/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the bond option table (bond.h): lookups, values, and the
 * ranges and mode restrictions of the kernel's bonding documentation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <linux/if_link.h>

#include "bond-opts.h"
#include "util.h"

#define M(x) BOND_MODE_BIT(BOND_MODE_##x)

static void test_rows(void **state) {
	(void)state;
	for (int i = 0; i < _BOND_OPT_MAX; i++) {
		const struct bond_opt_desc *d = &bond_opt_table[i];
		assert_int_equal(d->opt, i);
		assert_non_null(d->name);
		assert_ptr_equal(bond_opt_by_name(d->name), d);
		assert_true(d->modes != 0 && (d->modes & ~BOND_MODES_ALL) == 0);
		if (d->type == BOND_OT_ENUM_U8 || d->type == BOND_OT_ENUM_U32)
			assert_non_null(d->values);
		if (d->flags & BOND_OPT_F_DURATION)
			assert_true(d->type == BOND_OT_U32);
	}
	assert_ptr_equal(bond_opt_by_name("num_unsol_na"), &bond_opt_table[BOND_OPT_NUM_GRAT_ARP]);
	assert_null(bond_opt_by_name("mimon"));
	assert_null(bond_opt_by_name("slaves"));
}

/* Ranges and modes from Documentation/networking/bonding.rst. */
static void test_kernel_doc(void **state) {
	static const struct {
		int opt;
		uint32_t min, max, modes;
	} doc[] = {
		{ BOND_OPT_MIIMON, 0, INT_MAX, BOND_MODES_ALL },
		{ BOND_OPT_PEER_NOTIF_DELAY, 0, 300000, M(ACTIVEBACKUP) },
		{ BOND_OPT_ARP_MISSED_MAX, 1, 255, M(ROUNDROBIN) | M(ACTIVEBACKUP) | M(XOR) | M(BROADCAST) },
		{ BOND_OPT_RESEND_IGMP, 0, 255, M(ROUNDROBIN) | M(ACTIVEBACKUP) | M(TLB) | M(ALB) },
		{ BOND_OPT_NUM_GRAT_ARP, 0, 255, M(ACTIVEBACKUP) },
		{ BOND_OPT_PACKETS_PER_SLAVE, 0, 65535, M(ROUNDROBIN) },
		{ BOND_OPT_LP_INTERVAL, 1, INT_MAX, M(TLB) | M(ALB) },
		{ BOND_OPT_AD_ACTOR_SYS_PRIO, 1, 65535, M(8023AD) },
		{ BOND_OPT_AD_USER_PORT_KEY, 0, 1023, M(8023AD) },
		{ BOND_OPT_MIN_LINKS, 0, INT_MAX, M(8023AD) },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(doc); i++) {
		const struct bond_opt_desc *d = &bond_opt_table[doc[i].opt];
		assert_int_equal(d->min, doc[i].min);
		assert_int_equal(d->max, doc[i].max);
		assert_int_equal(d->modes, doc[i].modes);
	}
	assert_int_equal(bond_opt_table[BOND_OPT_PRIMARY].modes, M(ACTIVEBACKUP) | M(TLB) | M(ALB));
	assert_int_equal(bond_opt_table[BOND_OPT_LACP_RATE].modes, M(8023AD));
	assert_int_equal(bond_opt_table[BOND_OPT_TLB_DYNAMIC_LB].modes, M(TLB) | M(ALB));
	/* lacp_active: on or off, 802.3ad only, while the bond is down (Linux 5.15) */
	assert_int_equal(bond_opt_table[BOND_OPT_LACP_ACTIVE].modes, M(8023AD));
	assert_int_equal(bond_opt_table[BOND_OPT_LACP_ACTIVE].type, BOND_OT_BOOL_U8);
	assert_int_equal(bond_opt_table[BOND_OPT_LACP_ACTIVE].attr, IFLA_BOND_AD_LACP_ACTIVE);
	assert_int_equal(bond_opt_table[BOND_OPT_LACP_ACTIVE].kernel_default, 1);
	assert_int_equal(bond_opt_table[BOND_OPT_LACP_ACTIVE].kernel_unsupp, BOND_MODES_ALL & ~M(8023AD));
	assert_true(bond_opt_table[BOND_OPT_LACP_ACTIVE].flags & BOND_OPT_F_IFDOWN);
	assert_ptr_equal(bond_opt_by_name("lacp_active"), &bond_opt_table[BOND_OPT_LACP_ACTIVE]);
	assert_int_equal(bond_opt_table[BOND_OPT_ARP_INTERVAL].modes & (M(8023AD) | M(TLB) | M(ALB)), 0);
	assert_int_equal(bond_opt_table[BOND_OPT_ARP_ALL_TARGETS].modes, M(ACTIVEBACKUP));
	assert_true(bond_opt_table[BOND_OPT_MODE].flags & BOND_OPT_F_NOSLAVES);
	assert_true(bond_opt_table[BOND_OPT_FAIL_OVER_MAC].flags & BOND_OPT_F_NOSLAVES);
	assert_true(bond_opt_table[BOND_OPT_LACP_RATE].flags & BOND_OPT_F_IFDOWN);
	assert_false(bond_opt_table[BOND_OPT_AD_ACTOR_SYS_PRIO].flags & BOND_OPT_F_IFDOWN);
	assert_int_equal(bond_opt_table[BOND_OPT_NUM_GRAT_ARP].kernel_default, 1);
	assert_int_equal(bond_opt_table[BOND_OPT_ARP_MISSED_MAX].kernel_default, 2);
}

static void test_values(void **state) {
	const struct bond_opt_desc *mode = &bond_opt_table[BOND_OPT_MODE];
	char buf[256];
	uint32_t v = 99;

	(void)state;
	assert_int_equal(bond_opt_value_parse(mode, "802.3ad", &v), 0);
	assert_int_equal(v, BOND_MODE_8023AD);
	assert_int_equal(bond_opt_value_parse(mode, "6", &v), 0);
	assert_int_equal(v, BOND_MODE_ALB);
	assert_int_equal(bond_opt_value_parse(mode, "7", &v), -ERANGE);
	assert_true(bond_opt_value_parse(mode, "lacp", &v) < 0);
	assert_true(bond_opt_value_parse(&bond_opt_table[BOND_OPT_MIIMON], "100", &v) < 0);
	assert_string_equal(bond_mode_name(BOND_MODE_ACTIVEBACKUP), "active-backup");
	assert_null(bond_mode_name(9));
	assert_string_equal(bond_opt_value_name(&bond_opt_table[BOND_OPT_XMIT_HASH_POLICY], 1), "layer3+4");
	assert_string_equal(bond_opt_values_list(&bond_opt_table[BOND_OPT_LACP_RATE], buf, sizeof(buf)), "slow, fast");
	assert_string_equal(bond_opt_values_list(&bond_opt_table[BOND_OPT_MIIMON], buf, sizeof(buf)), "");
	assert_string_equal(bond_modes_list(M(ACTIVEBACKUP) | M(ALB), buf, sizeof(buf)), "active-backup, balance-alb");
	assert_string_equal(bond_modes_list(BOND_MODES_ALL, buf, 12), "balance-rr,");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_kernel_doc),
		cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
