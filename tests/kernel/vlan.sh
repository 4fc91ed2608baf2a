#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VLANs on a bond, on a team and on a veth (802.1Q and 802.1ad); macvlan
# on a bond and on a VLAN.  Checked against ip -d -j link, a second apply
# does nothing, a different id means the VLAN is made again, and traffic
# passes tagged: from a namespace whose own VLAN 100 rides the bond's
# switch, ping the bond's VLAN (bounded).
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

# a switch namespace: a bridge with the bond's slave peers and a client
ip netns add sw
ip netns add cl
KL_PEER_NS=sw kl_veths b1 b2
kl_veths t1 t2 e1
ip link set e1 up || hn_fail "e1 up"
ip -batch - <<'EOT' || hn_fail "switch"
link add c0 type veth peer name c0-p
link set c0 netns cl
link set c0-p netns sw
EOT
ip -n sw -batch - <<'EOT' || hn_fail "switch bridge"
link add br0 type bridge
link set br0 up
link set b1-p master br0
link set b2-p master br0
link set c0-p master br0
link set c0-p up
EOT
ip -n cl -batch - <<'EOT' || hn_fail "client"
link set c0 up
link add link c0 name c0.100 type vlan id 100
link set c0.100 up
addr add 198.51.100.2/24 dev c0.100
EOT

p=$HN_TMP/vlan.ini
cat >"$p" <<'EOT'
[bond bond0]
mode = active-backup
slaves = b1, b2
miimon = 10

[vlan bond0.100]
link = bond0
id = 100

[team team0]
mode = activebackup
ports = t1, t2

[vlan team0.200]
link = team0
id = 200
protocol = 802.1ad

[vlan e1.300]
link = e1
id = 300
protocol = 802.1q

[macvlan mvb]
link = bond0
mode = bridge

[macvlan mvv]
link = bond0.100
mode = private
EOT
kl_apply "$p"
ip addr add 198.51.100.1/24 dev bond0.100 || hn_fail "address on bond0.100"
kl_expect_ip <<'EOT'
bond0.100 id 100
bond0.100 protocol 802.1Q
bond0.100 .link bond0
bond0.100 .operstate UP
team0.200 id 200
team0.200 protocol 802.1ad
team0.200 .link team0
e1.300 id 300
e1.300 protocol 802.1Q
e1.300 .link e1
mvb mode bridge
mvb .link bond0
mvv mode private
mvv .link bond0.100
b1 .master bond0
t1 .master team0
EOT
kl_expect_show <<'EOT'
bond0.100 id 100
bond0.100 link bond0
team0.200 protocol 802.1ad
team0.200 link team0
e1.300 link e1
mvv link bond0.100
EOT
kl_apply_noop "$p"

# tagged traffic through the bond, both ways
ip netns exec cl ping -c 3 -i 0.2 -W 2 198.51.100.1 >/dev/null || hn_fail "no reply through VLAN 100 on bond0"

# a VLAN's id and protocol are fixed at creation: a change means a new link
sed -i 's/^id = 300$/id = 301/' "$p"
out=$("$KL_TOOL" check "$p") && hn_fail "check missed the id change"
[[ $out == *"e1.300: recreate: id 300 -> 301"* ]] || hn_fail "id change: $out"
sed -i 's/^id = 301$/id = 300/; s/^protocol = 802.1ad$/protocol = 802.1q/' "$p"
out=$("$KL_TOOL" check "$p") && hn_fail "check missed the protocol change"
[[ $out == *"team0.200: recreate: protocol 802.1ad -> 802.1q"* ]] || hn_fail "protocol change: $out"
true
