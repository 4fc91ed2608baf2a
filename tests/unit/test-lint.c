/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the HA lint: each warning, its code, line and key, and
 * the profiles that must not warn. */
#include "test-helpers.h"

#include <stdlib.h>

/* Lint text; returns the warnings (caller frees with diags_fini). */
static void lint(const char *text, struct diags *d) {
	struct profile *p = load_ok(text);

	diags_init(d);
	profile_lint(p, d);
	profile_free(p);
	assert_int_equal(d->n_errors, 0);
}

static void expect_one(const char *text, const char *code, int line, const char *section, const char *key,
                       const char *msg_part) {
	struct diags d;

	lint(text, &d);
	if (d.n != 1) {
		fprintf(stderr, "expected one warning [%s], got %zu for:\n%s\n", code, d.n, text);
		diags_print(&d, stderr);
	}
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].level, DIAG_WARNING);
	assert_string_equal(d.v[0].code, code);
	assert_int_equal(d.v[0].line, line);
	assert_string_equal(d.v[0].section, section);
	if (key)
		assert_string_equal(d.v[0].key, key);
	else
		assert_null(d.v[0].key);
	assert_non_null(strstr(d.v[0].msg, msg_part));
	diags_fini(&d);
}

static void expect_none(const char *text) {
	struct diags d;

	lint(text, &d);
	if (d.n) {
		fprintf(stderr, "expected no warning for:\n%s\n", text);
		diags_print(&d, stderr);
	}
	assert_int_equal(d.n, 0);
	diags_fini(&d);
}

static void test_ab_no_monitor(void **state) {
	(void)state;
	expect_one("[bond b]\nmode = active-backup\nslaves = e1, e2\n", "ab-no-monitor", 2, "bond b", "mode",
	           "never fails over");
	expect_one("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 0\n", "ab-no-monitor", 4, "bond b", "miimon",
	           "miimon and arp_interval are 0");
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100\n");
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\narp_interval = 100\narp_ip_target = 192.0.2.1\n");
	/* 802.3ad: the kernel starts miimon at 100ms */
	expect_none("[bond b]\nmode = 802.3ad\nslaves = e1, e2\n");
}

static void test_mii_and_arp(void **state) {
	(void)state;
	expect_one("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100\narp_interval = 200\n"
	           "arp_ip_target = 192.0.2.1\n",
	           "mii-and-arp", 5, "bond b", "arp_interval", "both set");
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 0\narp_interval = 200\n"
	            "arp_ip_target = 192.0.2.1\n");
}

static void test_delay_multiple(void **state) {
	struct diags d;

	(void)state;
	expect_one("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100\nupdelay = 250\n", "delay-not-multiple", 5,
	           "bond b", "updelay", "rounds it down to 200ms");
	lint("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 30\nupdelay = 100\ndowndelay = 50\n", &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[1].key, "downdelay");
	diags_fini(&d);
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100\nupdelay = 300\ndowndelay = 0\n");
}

static void test_vip_no_grat_arp(void **state) {
	static const char base[] = "[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100\n%s\n"
	                           "[vlan b.5]\nlink = b\nid = 5\n[macvlan m]\nlink = b.5\n"
	                           "[vip v]\naddress = 192.0.2.1/24\ndev = %s\n";
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), base, "num_grat_arp = 0", "m");
	expect_one(text, "vip-no-grat-arp", 13, "vip v", "dev", "m sits on bond b, whose num_grat_arp = 0 (line 5)");
	snprintf(text, sizeof(text), base, "num_unsol_na = 0", "b");
	expect_one(text, "vip-no-grat-arp", 13, "vip v", "dev", "whose num_unsol_na = 0");
	snprintf(text, sizeof(text), base, "num_grat_arp = 1", "m");
	expect_none(text);
	snprintf(text, sizeof(text), base, "", "b.5");
	expect_none(text);
}

static void test_vip_source(void **state) {
	(void)state;
	expect_one("[nic e0]\naddresses = 192.0.2.11/24\n[vip v]\naddress = 192.0.2.100/24\ndev = e0\n", "vip-source-address",
	           4, "vip v", "address", "192.0.2.100/24 shares a subnet with 192.0.2.11/24 on e0");
	expect_one("[nic e0]\naddresses = 2001:db8::1/64\n[vip v]\naddress = 2001:db8::100/64\ndev = e0\n",
	           "vip-source-address", 4, "vip v", "address", "set preferred_lft = 0");
	expect_none("[nic e0]\naddresses = 192.0.2.11/24\n[vip v]\naddress = 192.0.2.100/24\ndev = e0\npreferred_lft = 0\n");
	expect_none("[nic e0]\naddresses = 192.0.2.11/24\n[vip v]\naddress = 198.51.100.1/24\ndev = e0\n");
	expect_none("[nic e0]\naddresses = 192.0.2.11/24\n[vip v]\naddress = 2001:db8::1/64\ndev = e0\n");
}

static void test_single_slave(void **state) {
	(void)state;
	expect_one("[bond b]\nmode = 802.3ad\nslaves = e1\n", "single-slave", 3, "bond b", "slaves", "one slave only");
	expect_one("[bond b]\nmode = 802.3ad\n", "single-slave", 1, "bond b", NULL, "no slaves");
	expect_one("[team t]\nports = e1\n", "single-slave", 2, "team t", "ports", "one port only");
	expect_none("[team t]\nports = e1, e2\n");
}

static void test_sla(void **state) {
	struct diags d;

	(void)state;
	expect_one("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100\ndowndelay = 200\n[sla]\nfailover_max = 250ms\n",
	           "sla-below-detection", 7, "sla", "failover_max", "(miimon 100ms + downdelay 200ms = 300ms, line 1)");
	expect_one("[bond b]\nmode = active-backup\nslaves = e1, e2\narp_interval = 100\narp_ip_target = 192.0.2.1\n"
	           "arp_missed_max = 3\n[sla]\nfailover_max = 250ms\n",
	           "sla-below-detection", 8, "sla", "failover_max", "arp_interval 100ms x arp_missed_max 3 = 300ms");
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 10\n[sla]\nfailover_max = 50ms\n");
	/* exactly the detection time is enough */
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 50\n[sla]\nfailover_max = 50ms\n");
	/* no bond, or no sla: nothing to compare */
	expect_none("[sla]\nfailover_max = 1ms\n");
	/* one warning per bond */
	lint("[bond a]\nmode = 802.3ad\nslaves = e1, e2\n[bond b]\nmode = 802.3ad\nslaves = e3, e4\n[sla]\nfailover_max = 10ms\n",
	     &d);
	assert_int_equal(d.n, 2);
	diags_fini(&d);
}

static void test_clean_examples(void **state) {
	(void)state;
	expect_none("[netns api]\n[bond bond0]\nmode = active-backup\nslaves = eth1, eth2\nprimary = eth1\nmiimon = 10\n"
	            "num_grat_arp = 3\n[vlan bond0.100]\nlink = bond0\nid = 100\naddresses = 192.0.2.11/24\n"
	            "[macvlan api0]\nlink = bond0.100\nnetns = api\n[vip api]\naddress = 192.0.2.100/24\ndev = api0\nnetns = api\n"
	            "[sla]\nfailover_max = 50ms\n");
	profile_lint(NULL, NULL);
}

static void test_text_form(void **state) {
	struct diags d;
	char buf[1024];

	(void)state;
	lint("[bond b]\nmode = active-backup\nslaves = e1\nmiimon = 100\n", &d);
	assert_string_equal(diag_format(&d.v[0], buf, sizeof(buf)),
	                    "test.ini:3: warning: [bond b] slaves: one slave only: nothing to fail over to [single-slave]");
	diags_fini(&d);
}

/* [cluster]: the bond's detection against keepalived's adverts and
 * corosync's token, at the boundaries, and the SLA against the earliest
 * failover between nodes. */
static void test_cluster(void **state) {
	static const char bond[] = "[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100ms\ndowndelay = %s\n"
	                           "[cluster]\nengine = %s\n%s\n";
	char text[512];

	(void)state;
	/* keepalived, advert 1s: adverts stop for detection + 1s; a backup
	 * takes over 3s after the last one */
	snprintf(text, sizeof(text), bond, "1900ms", "keepalived", "advert_interval = 1s");
	expect_one(text, "bond-slower-than-cluster", 4, "bond b", "miimon",
	           "up to 2000ms (miimon 100ms + downdelay 1900ms); keepalived's adverts over it can stop for that + "
	           "one advert_interval, 3000ms, which reaches the 3s");
	snprintf(text, sizeof(text), bond, "1800ms", "keepalived", "advert_interval = 1s");
	expect_none(text);
	/* the default advert interval is 1s; the cluster's line is named */
	snprintf(text, sizeof(text), bond, "2000ms", "keepalived", "");
	expect_one(text, "bond-slower-than-cluster", 4, "bond b", "miimon", "(test.ini:6 [cluster] advert_interval = 1s)");
	/* corosync: the token is lost when the bond's detection reaches it */
	snprintf(text, sizeof(text), bond, "900ms", "pacemaker", "token = 1s");
	expect_one(text, "bond-slower-than-cluster", 4, "bond b", "miimon",
	           "up to 1000ms (miimon 100ms + downdelay 900ms), which reaches corosync's token timeout "
	           "(test.ini:8 [cluster] token = 1s)");
	snprintf(text, sizeof(text), bond, "800ms", "pacemaker", "token = 1s");
	expect_none(text);
	/* the default token is 3s */
	snprintf(text, sizeof(text), bond, "2800ms", "pacemaker", "");
	expect_none(text);

	/* the SLA: 3 x advert_interval for keepalived */
	expect_one("[cluster]\nengine = keepalived\nadvert_interval = 100ms\n[sla]\nfailover_max = 299ms\n",
	           "sla-below-cluster", 5, "sla", "failover_max", "299ms is shorter than keepalived's failure detection: "
	           "a backup takes over at the earliest 300ms");
	expect_none("[cluster]\nengine = keepalived\nadvert_interval = 100ms\n[sla]\nfailover_max = 300ms\n");
	/* token + consensus (1.2 x token unless given) for corosync */
	expect_one("[cluster]\nengine = pacemaker\ntoken = 1s\n[sla]\nfailover_max = 2199ms\n", "sla-below-cluster", 5,
	           "sla", "failover_max", "2200ms at the earliest (test.ini:3 [cluster] token)");
	expect_none("[cluster]\nengine = pacemaker\ntoken = 1s\n[sla]\nfailover_max = 2200ms\n");
	expect_one("[cluster]\nengine = pacemaker\ntoken = 1s\nconsensus = 3s\n[sla]\nfailover_max = 3999ms\n",
	           "sla-below-cluster", 6, "sla", "failover_max", "4s at the earliest");
	/* no [cluster]: nothing to compare */
	expect_none("[bond b]\nmode = active-backup\nslaves = e1, e2\nmiimon = 100ms\ndowndelay = 5s\n"
	            "[sla]\nfailover_max = 10s\n");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ab_no_monitor),  cmocka_unit_test(test_mii_and_arp),
		cmocka_unit_test(test_delay_multiple), cmocka_unit_test(test_vip_no_grat_arp),
		cmocka_unit_test(test_vip_source),     cmocka_unit_test(test_single_slave),
		cmocka_unit_test(test_sla),            cmocka_unit_test(test_clean_examples),
		cmocka_unit_test(test_text_form),      cmocka_unit_test(test_cluster),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
