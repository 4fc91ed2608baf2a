# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the vip tests.  Source after tests/lib.sh and hn_sandbox:
#
#   . "$(dirname "$0")/../lib.sh"
#   hn_sandbox "$@"
#   . "$(dirname "$0")/lib.sh"
. "$HN_TOP/tests/netns/lib-engine.sh"

B=$HN_TOP/build/tests
NOTIFY=$HN_TOP/tools/keepalived/hanet-notify
OCF_AGENT=$HN_TOP/tools/ocf/hanet-vip

# The profile of most tests: a controller namespace "ctl" linked by a
# veth pair to "sw" (the other end: a listener sees the announcements),
# two external VIPs (IPv4 with a label, deprecated and noprefixroute;
# IPv6 with nodad) and a local one.
vt_profile() {
	cat >"$1" <<'INI'
[profile]
name = vt

[netns ctl]
[netns sw]

[veth c0]
netns = ctl
peer = c0-sw
peer_netns = sw
addresses = 10.0.0.1/24, 2001:db8::1/64

[veth c0-sw]
netns = sw
peer = c0
addresses = 10.0.0.2/24

[vip api]
address = 10.0.0.100/24
dev = c0
netns = ctl
label = c0:api
preferred_lft = 0
noprefixroute = yes
owner = external
announce_count = 3
announce_interval = 20ms

[vip api6]
address = 2001:db8::100/64
dev = c0
netns = ctl
nodad = yes
noprefixroute = yes
owner = external
announce_count = 2
announce_interval = 10ms

[vip local]
address = 10.0.0.101/24
dev = c0
netns = ctl
announce_count = 1
INI
}

# vt_applied: the profile of most tests in $P, applied
vt_applied() {
	P=$HN_TMP/vt.ini
	vt_profile "$P"
	apply_ok "$P"
}

# has_addr NS DEV CIDR: the address is on the device
has_addr() {
	ip -n "$1" -o addr show dev "$2" 2>/dev/null | grep -qF " $3 "
}

# count_addr NS DEV CIDR: how many times it is there
count_addr() {
	ip -n "$1" -o addr show dev "$2" 2>/dev/null | grep -cF " $3 " || true
}

# vt_listen OUT MAX TIMEOUT_MS: a listener on c0-sw (in sw) for frames
# from c0's MAC (hn_listen).
vt_listen() {
	hn_listen "$1" "$2" "$3" sw c0-sw "$(mac_of ctl c0)"
}

# until SECONDS CMD...: CMD succeeds within SECONDS
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $SECONDS -lt $end ] || return 1
		sleep 0.02
	done
}

# vt_pair: two controllers and a client on a bridge, as ip(8) makes them:
#
#   client (10.0.0.50) --+                 +-- ctl1 eth0 10.0.0.11
#                        +-- switch: br0 --+
#                                          +-- ctl2 eth0 10.0.0.12
#
# and one profile per controller ($HN_TMP/c1.ini, c2.ini: profiles c1 and
# c2) declaring the same VIP 10.0.0.100/24 on its eth0, owner = external.
vt_pair() {
	local n i=0
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
		cat >"$HN_TMP/c$i.ini" <<INI
[profile]
name = c$i

[nic eth0]
netns = ctl$i

[vip api]
address = 10.0.0.100/24
dev = eth0
netns = ctl$i
owner = external
announce_count = 3
announce_interval = 20ms
INI
	done
}

# mac_of NS DEV
mac_of() { ip -n "$1" -j link show dev "$2" | jget 'd[0]["address"]'; }

# client_mac_for IP: the client's neighbour entry for IP ("" when none)
client_mac_for() {
	ip -n client -j neigh show to "$1" dev eth0 | jget 'd[0].get("lladdr", "") if d else ""'
}
