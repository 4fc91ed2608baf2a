# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/vip/lib.sh and tools/bench/bench-notify.sh.
#
# vip_pair DIR VIP ADDRESS: two controllers and a client on a bridge, as
# ip(8) makes them (in the caller's sandbox):
#
#   client (10.0.0.50) --+                 +-- ctl1 eth0 10.0.0.11
#                        +-- switch: br0 --+
#                                          +-- ctl2 eth0 10.0.0.12
#
# and one profile per controller (DIR/c1.ini, c2.ini: profiles c1 and c2)
# declaring the same [vip VIP] ADDRESS on its eth0, owner = external,
# announced 3 times 20 ms apart.  The caller removes the namespaces
# switch, client, ctl1 and ctl2.
vip_pair() {
	local dir=$1 vip=$2 address=$3 n i
	ip netns add switch
	ip -n switch link add br0 type bridge
	ip -n switch link set br0 up
	for n in client ctl1 ctl2; do
		ip netns add "$n"
		ip -n "$n" link set lo up
		ip -n "$n" link add eth0 type veth peer name "$n-sw" netns switch
		ip -n switch link set "$n-sw" master br0 up
		ip -n "$n" link set eth0 up
	done
	ip -n client addr add 10.0.0.50/24 dev eth0
	ip -n ctl1 addr add 10.0.0.11/24 dev eth0
	ip -n ctl2 addr add 10.0.0.12/24 dev eth0
	for i in 1 2; do
		cat >"$dir/c$i.ini" <<INI
[profile]
name = c$i

[nic eth0]
netns = ctl$i

[vip $vip]
address = $address
dev = eth0
netns = ctl$i
owner = external
announce_count = 3
announce_interval = 20ms
INI
	done
}
