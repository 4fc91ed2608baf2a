# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the vip tests.  Source after tests/lib.sh and hn_sandbox:
#
#   . "$(dirname "$0")/../lib.sh"
#   hn_sandbox "$@"
#   . "$(dirname "$0")/lib.sh"
. "$HN_TOP/tests/netns/lib-engine.sh"
. "$HN_TOP/tests/vip/lib-pair.sh"

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

# vt_pair: vip_pair (lib-pair.sh) with the VIP api 10.0.0.100/24, the
# profiles $HN_TMP/c1.ini and c2.ini.
vt_pair() { vip_pair "$HN_TMP" api 10.0.0.100/24; }

# mac_of NS DEV
mac_of() { ip -n "$1" -j link show dev "$2" | jget 'd[0]["address"]'; }

# client_mac_for IP: the client's neighbour entry for IP ("" when none)
client_mac_for() {
	ip -n client -j neigh show to "$1" dev eth0 | jget 'd[0].get("lladdr", "") if d else ""'
}
