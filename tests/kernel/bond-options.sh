#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every bond option round-trips: set to a value other than the kernel's
# default, observed back equal (by the backend and by ip -d -j link), and
# a second apply does nothing.  One bond per group of modes, so that every
# option is in a mode where it applies.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

kl_veths ab1 ab2 arp1 arp2 rr1 xor1 ad1 ad2 tlb1 alb1
p=$HN_TMP/options.ini
cat >"$p" <<'EOT'
[bond bab]
mode = active-backup
slaves = ab1, ab2
miimon = 20
updelay = 40
downdelay = 60ms
peer_notif_delay = 80
use_carrier = no
primary = ab2
primary_reselect = better
fail_over_mac = active
num_grat_arp = 5
all_slaves_active = yes
resend_igmp = 3

[bond barp]
mode = active-backup
slaves = arp1, arp2
arp_interval = 100
arp_ip_target = 192.0.2.1, 192.0.2.2
arp_validate = all
arp_all_targets = all
arp_missed_max = 5

[bond brr]
mode = balance-rr
slaves = rr1
miimon = 100
packets_per_slave = 7
resend_igmp = 0

[bond bxor]
mode = balance-xor
slaves = xor1
miimon = 100
xmit_hash_policy = layer3+4

[bond bad]
mode = 802.3ad
slaves = ad1, ad2
lacp_rate = fast
lacp_active = off
ad_select = bandwidth
ad_actor_sys_prio = 100
ad_user_port_key = 5
ad_actor_system = 02:00:00:00:00:42
min_links = 1
xmit_hash_policy = layer2+3

[bond btlb]
mode = balance-tlb
slaves = tlb1
tlb_dynamic_lb = no
lp_interval = 3
xmit_hash_policy = encap3+4

[bond balb]
mode = balance-alb
slaves = alb1
lp_interval = 2
xmit_hash_policy = vlan+srcmac
EOT
kl_apply "$p"

# as the backend observes them
kl_expect_show <<'EOT'
bab mode active-backup
bab miimon 20
bab updelay 40
bab downdelay 60
bab peer_notif_delay 80
bab use_carrier 0
bab primary ab2
bab primary_reselect better
bab fail_over_mac active
bab num_grat_arp 5
bab all_slaves_active 1
bab resend_igmp 3
bab active_slave ab2
barp miimon 0
barp arp_interval 100
barp arp_ip_target 192.0.2.1,192.0.2.2
barp arp_validate all
barp arp_all_targets all
barp arp_missed_max 5
brr packets_per_slave 7
brr resend_igmp 0
bxor xmit_hash_policy layer3+4
bad mode 802.3ad
bad lacp_rate fast
bad lacp_active 0
bad ad_select bandwidth
bad ad_actor_sys_prio 100
bad ad_user_port_key 5
bad ad_actor_system 02:00:00:00:00:42
bad min_links 1
bad xmit_hash_policy layer2+3
btlb tlb_dynamic_lb 0
btlb lp_interval 3
btlb xmit_hash_policy encap3+4
balb lp_interval 2
balb xmit_hash_policy vlan+srcmac
EOT

# as iproute2 reads them (its own decoder, its own names)
kl_expect_ip <<'EOT'
bab miimon 20
bab updelay 40
bab downdelay 60
bab peer_notify_delay 80
bab use_carrier 0
bab primary ab2
bab primary_reselect better
bab fail_over_mac active
bab num_peer_notif 5
bab all_slaves_active 1
bab resend_igmp 3
barp arp_interval 100
barp arp_ip_target 192.0.2.1,192.0.2.2
barp arp_validate all
barp arp_all_targets all
barp arp_missed_max 5
brr packets_per_slave 7
brr resend_igmp 0
bxor xmit_hash_policy layer3+4
bad ad_lacp_rate fast
bad ad_lacp_active off
bad ad_select bandwidth
bad ad_actor_sys_prio 100
bad ad_user_port_key 5
bad ad_actor_system 02:00:00:00:00:42
bad min_links 1
bad xmit_hash_policy layer2+3
btlb tlb_dynamic_lb 0
btlb lp_interval 3
btlb xmit_hash_policy encap3+4
balb lp_interval 2
balb xmit_hash_policy vlan+srcmac
EOT
hn_assert_eq "$(kl_bonding bab "Primary Slave")" "ab2 (primary_reselect better)" "bab: primary in /proc/net/bonding"
hn_assert_eq "$(kl_bonding bab "Currently Active Slave")" ab2 "bab: active slave"
kl_apply_noop "$p"

# lacp_active on the live bond: only while it is down (a flap), and back
sed -i 's/^lacp_active = off$/lacp_active = on/' "$p"
kl_apply "$p"
kl_applied '^bad: flap: lacp_active no -> yes' || hn_fail "expected a flap for lacp_active"
echo "bad lacp_active 1" | kl_expect_show
echo "bad ad_lacp_active on" | kl_expect_ip
kl_apply_noop "$p"
