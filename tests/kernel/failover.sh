#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Active-backup failover really happens: the bond's slaves go to a switch
# (a bridge in namespace sw) where a client sits; traffic flows; the
# active slave's peer goes down (carrier lost on the slave); the bond
# makes the other slave active within a few MII intervals; traffic still
# flows.  Every wait and ping is bounded.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

ip netns add sw
ip netns add cl
KL_PEER_NS=sw kl_veths s1 s2
ip -batch - <<'EOT' || hn_fail "client link"
link add c0 type veth peer name c0-p
link set c0 netns cl
link set c0-p netns sw
EOT
ip -n sw -batch - <<'EOT' || hn_fail "switch"
link add br0 type bridge
link set br0 type bridge ageing_time 1000
link set br0 up
link set s1-p master br0
link set s2-p master br0
link set c0-p master br0
link set c0-p up
EOT
ip -n cl addr add 203.0.113.2/24 dev c0 && ip -n cl link set c0 up || hn_fail "client address"

p=$HN_TMP/failover.ini
cat >"$p" <<'EOT'
[bond bond0]
mode = active-backup
slaves = s1, s2
primary = s1
primary_reselect = failure
miimon = 10
num_grat_arp = 2
EOT
kl_apply "$p"
ip addr add 203.0.113.1/24 dev bond0 || hn_fail "bond address"

# wait (bounded) until the bond has an active slave and the client answers
ping_ok() { ip netns exec cl ping -c 2 -i 0.2 -W 1 -q 203.0.113.1 >/dev/null 2>&1; }
for ((i = 0; i < 20; i++)); do ping_ok && break; sleep 0.2; done
ping_ok || hn_fail "no traffic through bond0 before the failure"
hn_assert_eq "$(kl_bonding bond0 "Currently Active Slave")" s1 "active slave before the failure"

# carrier loss on the active slave
ip -n sw link set s1-p down
for ((i = 0; i < 50; i++)); do
	[ "$(kl_bonding bond0 "Currently Active Slave")" = s2 ] && break
	sleep 0.1
done
hn_assert_eq "$(kl_bonding bond0 "Currently Active Slave")" s2 "active slave after s1 lost its carrier"
kl_expect_show <<<"bond0 active_slave s2"
kl_expect_ip <<'EOT'
s1 @slave.mii_status DOWN
s1 @slave.state BACKUP
s2 @slave.state ACTIVE
EOT
ok=0
for ((i = 0; i < 10; i++)); do ping_ok && { ok=1; break; }; sleep 0.2; done
[ $ok = 1 ] || hn_fail "no traffic through bond0 after the failover"

# the slave comes back: with primary_reselect = failure s2 stays active
ip -n sw link set s1-p up
sleep 0.5
hn_assert_eq "$(kl_bonding bond0 "Currently Active Slave")" s2 "active slave after s1 came back (reselect failure)"
ping_ok || hn_fail "no traffic after s1 came back"
