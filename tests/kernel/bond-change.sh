#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Changing a live bond: an option the kernel changes live (no release, no
# down), one it takes only while the bond is down (flap: down, set, up),
# a mode change (flap: release the slaves, change, attach them again),
# fail_over_mac (slaves released), slaves swapped.  After each, the values
# are what the profile says and a second apply does nothing.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

kl_veths a1 a2 a3 c1
p=$HN_TMP/bond.ini
profile() {
	cat >"$p"
}

# start
profile <<'EOT'
[bond bond0]
mode = active-backup
slaves = a1, a2
primary = a1
miimon = 100
num_grat_arp = 1

[bond bond1]
mode = 802.3ad
slaves = c1
lacp_rate = slow
EOT
kl_apply "$p"
kl_apply_noop "$p"
index0=$(kl_ipfield bond0 ifindex)

# live: miimon, num_grat_arp, updelay (kept as a multiple of miimon)
profile <<'EOT'
[bond bond0]
mode = active-backup
slaves = a1, a2
primary = a1
miimon = 50
updelay = 125
num_grat_arp = 4

[bond bond1]
mode = 802.3ad
slaves = c1
lacp_rate = slow
EOT
kl_apply "$p"
kl_applied '^bond0: live: .*miimon 100ms -> 50ms' || hn_fail "expected a step matching '^bond0: live: .*miimon 100ms -> 50ms'"
kl_applied 'updelay 0ms -> 100ms' || hn_fail "expected a step matching 'updelay 0ms -> 100ms'"
if kl_applied 'release|down|create'; then
	hn_fail "a live change released slaves or took the bond down"
fi
kl_expect_show <<'EOT'
bond0 miimon 50
bond0 updelay 100
bond0 num_grat_arp 4
bond0 slaves a1,a2
EOT
echo "bond0 .ifindex $index0" | kl_expect_ip
kl_apply_noop "$p"

# only while down: lacp_rate on a live 802.3ad bond
sed -i 's/lacp_rate = slow/lacp_rate = fast/' "$p"
kl_apply "$p"
kl_applied '^bond1: flap: lacp_rate slow -> fast' || hn_fail "expected a step matching '^bond1: flap: lacp_rate slow -> fast'"
kl_applied '^bond1: down' || hn_fail "expected a step matching '^bond1: down'"
kl_applied '^bond1: up' || hn_fail "expected a step matching '^bond1: up'"
kl_expect_ip <<'EOT'
bond1 ad_lacp_rate fast
bond1 .operstate UP
c1 .master bond1
EOT
kl_apply_noop "$p"

# mode: the slaves are released, the mode changes, they come back
profile <<'EOT'
[bond bond0]
mode = balance-xor
slaves = a1, a2
miimon = 50
xmit_hash_policy = layer3+4

[bond bond1]
mode = 802.3ad
slaves = c1
lacp_rate = fast
EOT
kl_apply "$p"
kl_applied '^bond0: flap: .*mode active-backup -> balance-xor' || hn_fail "expected a step matching '^bond0: flap: .*mode active-backup -> balance-xor'"
kl_applied '^bond0: release a1' || hn_fail "expected a step matching '^bond0: release a1'"
kl_applied '^bond0: release a2' || hn_fail "expected a step matching '^bond0: release a2'"
kl_applied '^bond0: attach a1' || hn_fail "expected a step matching '^bond0: attach a1'"
kl_applied '^bond0: attach a2' || hn_fail "expected a step matching '^bond0: attach a2'"
hn_assert_eq "$(kl_bonding bond0 "Bonding Mode")" "load balancing (xor)" "bond0 mode in /proc/net/bonding"
hn_assert_eq "$(kl_bonding_slaves bond0)" "a1 a2" "bond0 slaves after the mode change"
kl_expect_ip <<'EOT'
bond0 mode balance-xor
bond0 xmit_hash_policy layer3+4
bond0 miimon 50
a1 .master bond0
a2 .master bond0
a1 .operstate UP
EOT
echo "bond0 .ifindex $index0" | kl_expect_ip
kl_apply_noop "$p"

# back to active-backup with fail_over_mac (set only without slaves)
profile <<'EOT'
[bond bond0]
mode = active-backup
slaves = a1, a2
miimon = 50
fail_over_mac = follow

[bond bond1]
mode = 802.3ad
slaves = c1
lacp_rate = fast
EOT
kl_apply "$p"
kl_applied '^bond0: flap: .*fail_over_mac none -> follow' || hn_fail "expected a step matching '^bond0: flap: .*fail_over_mac none -> follow'"
kl_expect_show <<'EOT'
bond0 mode active-backup
bond0 fail_over_mac follow
bond0 slaves a1,a2
EOT
kl_apply_noop "$p"

# slaves swapped: a1 out, a3 in
sed -i 's/slaves = a1, a2/slaves = a2, a3/' "$p"
kl_apply "$p"
kl_applied '^bond0: release a1' || hn_fail "expected a step matching '^bond0: release a1'"
kl_applied '^bond0: attach a3' || hn_fail "expected a step matching '^bond0: attach a3'"
hn_assert_eq "$(kl_bonding_slaves bond0)" "a2 a3" "bond0 slaves after the swap"
kl_expect_ip <<'EOT'
a1 .master -
a3 .master bond0
EOT
kl_apply_noop "$p"
