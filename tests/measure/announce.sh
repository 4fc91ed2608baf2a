#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Gratuitous ARP (request, reply, both) and unsolicited NA leave namespace
# "a" on a veth and reach namespace "b": exactly `count` rounds, the right
# fields, the right spacing, and b's neighbour table takes the VIP's MAC.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

B=$HN_TOP/build/tests
hn_veth_pair a va b vb
ip -n a addr add 10.0.0.100/24 dev va
ip -n a addr add 2001:db8::100/64 dev va nodad
MAC=$(ip -n a -o link show va | sed -E 's/.*link\/ether ([0-9a-f:]+).*/\1/')
sleep 0.2   # let the links' own start-up traffic pass

# listen N_MAX TIMEOUT_MS -> starts the listener in b, waits until ready
listen() {
	hn_listen "$HN_TMP/frames" "$1" "$2" b vb "$MAC"
}

# field NAME < lines: the value of NAME= on each line
field() { sed -E "s/(^|.* )$1=([^ ]+).*/\2/"; }

# check_spacing INTERVAL_US FILE: frame k arrives k intervals after the
# first: never early (2 ms for clock rounding), late by 100 ms at most on a
# busy machine (deadlines are absolute: a late frame is followed by a short gap)
check_spacing() {
	field t <"$2" | awk -v iv="$1" 'NR == 1 { t0 = $1 } { d = ($1 - t0) * 1e6 - (NR - 1) * iv; if (d < -2000 || d > 100000) { print "frame " NR - 1 " off by " d " us"; bad = 1 } } END { exit bad }' ||
		hn_fail "spacing: frames not $1 us apart"
}

# IPv4: announce MODE COUNT INTERVAL_US, then check every frame
arp_case() {
	local mode=$1 count=$2 interval=$3 per=1 out
	[ "$mode" = both ] && per=2
	listen 100 $(( count * interval / 1000 + 400 ))
	out=$("$B/announce-send" -N a -i va -a 10.0.0.100 -c "$count" -I "$interval" -M "$mode")
	wait "$LPID"
	grep '^arp ' "$HN_TMP/frames" >"$HN_TMP/arp" || true
	hn_assert_eq "$(wc -l <"$HN_TMP/arp")" $(( count * per )) "$mode: frames seen"
	hn_assert_eq "$(echo "$out" | field sent)" $(( count * per )) "$mode: frames reported sent"
	# every frame: broadcast, from the device's MAC, sender = target = VIP
	hn_assert_eq "$(grep -c "dst=ff:ff:ff:ff:ff:ff src=$MAC htype=1 ptype=0x0800 hlen=6 plen=4 op=[12] sha=$MAC spa=10.0.0.100 tha=[0-9a-f:]* tpa=10.0.0.100 len=60" "$HN_TMP/arp")" \
		$(( count * per )) "$mode: well-formed frames"
	case $mode in
	request)
		hn_assert_eq "$(grep -c 'op=1 .*tha=00:00:00:00:00:00' "$HN_TMP/arp")" "$count" "request: op 1, target MAC 0" ;;
	reply)
		hn_assert_eq "$(grep -c "op=2 .*tha=$MAC" "$HN_TMP/arp")" "$count" "reply: op 2, target MAC = sender" ;;
	both)
		hn_assert_eq "$(field op <"$HN_TMP/arp" | tr -d '\n')" "$(printf '12%.0s' $(seq "$count"))" "both: request then reply per round"
		grep 'op=1' "$HN_TMP/arp" >"$HN_TMP/arp1" ;;
	esac
	# spacing: rounds interval apart (generous bounds for a busy machine)
	local f=$HN_TMP/arp
	[ "$mode" = both ] && f=$HN_TMP/arp1
	check_spacing "$interval" "$f"
	local first last
	first=$(echo "$out" | field first_ns)
	last=$(echo "$out" | field last_ns)
	[ $(( (last - first) / 1000 )) -ge $(( (count - 1) * interval - 100 )) ] || hn_fail "$mode: first..last too short"
}

arp_case request 3 20000
arp_case reply 4 10000
arp_case both 3 20000

# IPv6: unsolicited NA, 3 of them 20 ms apart
listen 100 500
out=$("$B/announce-send" -N a -i va -a 2001:db8::100 -c 3 -I 20000)
wait "$LPID"
grep '^na .* s=0 ' "$HN_TMP/frames" >"$HN_TMP/na" || true
hn_assert_eq "$(wc -l <"$HN_TMP/na")" 3 "NA: frames seen"
hn_assert_eq "$(grep -c "dst=33:33:00:00:00:01 src=$MAC saddr=2001:db8::100 daddr=ff02::1 hlim=255 code=0 r=0 s=0 o=1 target=2001:db8::100 tlla=$MAC csum=ok" "$HN_TMP/na")" 3 "NA: well-formed"
check_spacing 20000 "$HN_TMP/na"

# The router flag follows the device's IPv6 forwarding setting.
ip netns exec a sysctl -qw net.ipv6.conf.va.forwarding=1
listen 1 500
"$B/announce-send" -N a -i va -a 2001:db8::100 -c 1 >/dev/null
wait "$LPID"
grep -q "^na .* r=1 s=0 o=1 target=2001:db8::100 .* csum=ok" "$HN_TMP/frames" || hn_fail "NA from a router: R flag"
ip netns exec a sysctl -qw net.ipv6.conf.va.forwarding=0

# count 0 sends nothing
listen 100 200
out=$("$B/announce-send" -N a -i va -a 10.0.0.100 -c 0)
wait "$LPID"
hn_assert_eq "$(echo "$out" | field sent)" 0 "count 0"
hn_assert_eq "$(grep -c '^arp ' "$HN_TMP/frames" || true)" 0 "count 0: no frames"

# errors: a missing device, a device that is down
hn_expect_rc 1 "$B/announce-send" -N a -i nosuch -a 10.0.0.100 -c 1 2>/dev/null
hn_expect_rc 1 "$B/announce-send" -N nosuch -i va -a 10.0.0.100 -c 1 2>/dev/null
ip -n a link add vdown type veth peer name vdown2
hn_expect_rc 1 "$B/announce-send" -N a -i vdown -a 10.0.0.100 -c 1 2>/dev/null

# b's neighbour table takes the VIP's MAC: an existing (stale) entry is
# overridden by the announcement; with arp_accept / accept_untracked_na
# the kernel also creates the entry (IPv6: only on a router).
ip -n b neigh replace 10.0.0.100 lladdr 02:00:00:00:00:99 dev vb nud stale
ip -n b neigh replace 2001:db8::100 lladdr 02:00:00:00:00:99 dev vb nud stale
"$B/announce-send" -N a -i va -a 10.0.0.100 -c 1 -M request >/dev/null
"$B/announce-send" -N a -i va -a 2001:db8::100 -c 1 >/dev/null
sleep 0.05
ip -n b neigh show 10.0.0.100 dev vb | grep -q "lladdr $MAC" || hn_fail "ARP entry not updated: $(ip -n b neigh show 10.0.0.100)"
ip -n b neigh show 2001:db8::100 dev vb | grep -q "lladdr $MAC" || hn_fail "NDP entry not updated: $(ip -n b neigh show 2001:db8::100)"

ip -n a addr add 10.0.0.101/24 dev va
ip -n a addr add 2001:db8::101/64 dev va nodad
ip netns exec b sysctl -qw net.ipv4.conf.vb.arp_accept=1
if [ -e /proc/sys/net/ipv6/conf/all/accept_untracked_na ]; then
	ip netns exec b sysctl -qw net.ipv6.conf.vb.forwarding=1 net.ipv6.conf.vb.accept_untracked_na=1
	v6new=yes
fi
"$B/announce-send" -N a -i va -a 10.0.0.101 -c 1 -M reply >/dev/null
"$B/announce-send" -N a -i va -a 2001:db8::101 -c 1 >/dev/null
sleep 0.05
ip -n b neigh show 10.0.0.101 dev vb | grep -q "lladdr $MAC" || hn_fail "ARP entry not created with arp_accept"
if [ "${v6new:-}" = yes ]; then
	ip -n b neigh show 2001:db8::101 dev vb | grep -q "lladdr $MAC" || hn_fail "NDP entry not created with accept_untracked_na"
fi
exit 0
