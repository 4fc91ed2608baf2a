#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet apply / check on a bond profile: a bond with a primary, a VLAN on
# it with an address, a macvlan on the VLAN and one on the bond.  Applied,
# checked against the kernel, applied again (nothing to do); a live option
# change; a mode change (flap: slaves released, mode changed, slaves back,
# the bond's declared MAC kept although the kernel drops it when the last
# slave leaves); slaves swapped.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

kl_veths s1 s2 s3
p=$HN_TMP/bond.ini
cat >"$p" <<'EOT'
[profile]
name = kbond

[bond bond0]
mode = active-backup
slaves = s1, s2
primary = s2
miimon = 10
num_grat_arp = 3
mac = 02:00:00:00:01:01

[vlan bond0.100]
link = bond0
id = 100
addresses = 192.0.2.11/24

[macvlan api0]
link = bond0.100
mode = bridge

[macvlan mgmt0]
link = bond0
mode = private
EOT
hk_apply "$p"
kl_expect_ip <<'EOT'
bond0 mode active-backup
bond0 .address 02:00:00:00:01:01
bond0 primary s2
bond0 miimon 10
bond0 num_peer_notif 3
bond0 .operstate UP
s1 .master bond0
s2 .master bond0
bond0.100 id 100
bond0.100 .link bond0
api0 mode bridge
api0 .link bond0.100
mgmt0 mode private
mgmt0 .link bond0
EOT
hn_assert_eq "$(kl_bonding bond0 "Currently Active Slave")" s2 "active slave (the primary)"
hk_noop "$p"

# live: miimon and num_grat_arp change without a flap
sed -i 's/^miimon = 10$/miimon = 20/; s/^num_grat_arp = 3$/num_grat_arp = 5/' "$p"
hk_apply "$p"
hk_applied 'live +link bond0: change bond .*miimon 10ms -> 20ms' || hn_fail "no live miimon change"
hk_applied '^ *[0-9]+ +(flap|recreate) ' && hn_fail "a live change flapped"
echo "bond0 miimon 20
bond0 num_peer_notif 5" | kl_expect_ip
hk_noop "$p"

# mode: active-backup -> balance-xor (primary only exists in active-backup)
sed -i 's/^mode = active-backup$/mode = balance-xor\nxmit_hash_policy = layer3+4/; /^primary = /d; /^num_grat_arp = /d' "$p"
hk_apply "$p"
hk_applied 'flap +link s1: release from bond0' || hn_fail "s1 not released for the mode change"
hk_applied 'flap +link bond0: change bond mode active-backup -> balance-xor' || hn_fail "no flap mode change"
kl_expect_ip <<'EOT'
bond0 mode balance-xor
bond0 xmit_hash_policy layer3+4
bond0 .address 02:00:00:00:01:01
s1 .master bond0
s2 .master bond0
bond0.100 .operstate UP
api0 .operstate UP
EOT
hn_assert_eq "$(kl_bonding_slaves bond0)" "s1 s2" "slaves after the mode change"
hk_noop "$p"

# slaves swapped
sed -i 's/^slaves = s1, s2$/slaves = s2, s3/' "$p"
hk_apply "$p"
hn_assert_eq "$(kl_bonding_slaves bond0)" "s2 s3" "slaves after the swap"
echo "s1 .master -" | kl_expect_ip
hk_noop "$p"
