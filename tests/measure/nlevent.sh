#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rtnetlink events from two namespaces: veth up/down, carrier changes when
# the peer goes down and up, addresses, routes and rules, each decoded
# with the right fields; an overflowing socket reports NLEV_OVERFLOW.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

B=$HN_TOP/build/tests
ip netns add a
ip netns add b
ip -n a link add va type veth peer name vb netns b

# start_watch FILE ARGS...: nlev-watch in the background, wait for ready
start_watch() {
	local out=$1
	shift
	"$B/nlev-watch" "$@" >"$out" &
	WPID=$!
	for _ in $(seq 200); do
		grep -q '^ready' "$out" && return 0
		sleep 0.01
	done
	hn_fail "nlev-watch not ready"
}
# expect FILE REGEX WHAT: at least one line matches
expect() { grep -Eq "$2" "$1" || { cat "$1" >&2; hn_fail "$3: no line matching '$2'"; }; }
# expect_order FILE REGEX1 REGEX2: the first match of 1 comes before the first match of 2
expect_order() {
	local l1 l2
	l1=$(grep -En "$2" "$1" | head -1 | cut -d: -f1)
	l2=$(grep -En "$3" "$1" | head -1 | cut -d: -f1)
	[ -n "$l1" ] && [ -n "$l2" ] && [ "$l1" -lt "$l2" ] || hn_fail "order: '$2' before '$3'"
}

# wait_for FILE REGEX WHAT: until a line matches (2.5 s at most: carrier
# notifications of a veth can wait up to a second in the kernel's linkwatch)
wait_for() {
	for _ in $(seq 250); do
		grep -Eq "$2" "$1" && return 0
		sleep 0.01
	done
	cat "$1" >&2
	hn_fail "$3: no line matching '$2'"
}

# wait_count FILE REGEX N WHAT: until N lines match
wait_count() {
	for _ in $(seq 250); do
		[ "$(grep -Ec "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.01
	done
	cat "$1" >&2
	hn_fail "$4: fewer than $3 lines matching '$2'"
}

EV=$HN_TMP/events
start_watch "$EV" -N a -N b -t 20000
IA=$(ip -n a -o link show va | cut -d: -f1)
IB=$(ip -n b -o link show vb | cut -d: -f1)
ip -n a link set va up                      # admin up, no carrier: the peer is down
wait_for "$EV" "^link-change ns=a ifindex=$IA ifname=va admin=up\(changed\) carrier=off master=0$" "va admin up"
ip -n b link set vb up                      # carrier on both sides
wait_for "$EV" "^link-change ns=b ifindex=$IB ifname=vb admin=up\(changed\) carrier=on\(changed\)" "vb up with carrier"
wait_for "$EV" "^link-change ns=a ifindex=$IA ifname=va admin=up carrier=on\(changed\)" "va carrier on"
ip -n b link set vb down                    # va loses carrier, stays up
wait_for "$EV" "^link-change ns=b ifindex=$IB ifname=vb admin=down\(changed\) carrier=off\(changed\)" "vb down"
wait_for "$EV" "^link-change ns=a ifindex=$IA ifname=va admin=up carrier=off\(changed\)" "va carrier lost when the peer goes down"
ip -n b link set vb up
wait_count "$EV" "^link-change ns=a ifindex=$IA ifname=va admin=up carrier=on\(changed\)" 2 "va carrier back"
ip -n a addr add 10.0.0.1/24 dev va
ip -n b addr add 10.0.0.2/24 dev vb
ip -n b addr add 2001:db8::2/64 dev vb nodad
ip -n a addr del 10.0.0.1/24 dev va
ip -n b route add 198.51.100.0/24 via 10.0.0.1 table 100 metric 7
ip -n b rule add from 10.9.0.0/16 table 100 pref 1234 protocol static
ip -n b rule del from 10.9.0.0/16 table 100 pref 1234
ip -n b route del 198.51.100.0/24 via 10.0.0.1 table 100 metric 7
ip -n a link set va down
wait_for "$EV" "^link-change ns=a ifindex=$IA ifname=va admin=down\(changed\)" "va down"
sleep 0.1
kill "$WPID" 2>/dev/null || true
wait "$WPID" 2>/dev/null || true

# links: each change flagged once, in order
hn_assert_eq "$(grep -c "^link-change ns=a ifindex=$IA ifname=va admin=up carrier=on(changed)" "$EV")" 2 "va carrier on twice"
hn_assert_eq "$(grep -c "^link-change ns=a ifindex=$IA ifname=va admin=up(changed)" "$EV")" 1 "va admin up once"
hn_assert_eq "$(grep -c "^link-change ns=a ifindex=$IA ifname=va admin=up carrier=off(changed)" "$EV")" 1 "va carrier off once"
# addresses
expect "$EV" "^addr-new ns=a ifindex=$IA ifname=va addr=10.0.0.1/24$" "addr add in a"
expect "$EV" "^addr-new ns=b ifindex=$IB ifname=vb addr=10.0.0.2/24$" "addr add in b"
expect "$EV" "^addr-new ns=b ifindex=$IB ifname=vb addr=2001:db8::2/64$" "IPv6 addr add in b"
expect "$EV" "^addr-del ns=a ifindex=$IA ifname=va addr=10.0.0.1/24$" "addr del in a"
expect_order "$EV" "^addr-new ns=a .*10.0.0.1/24" "^addr-del ns=a .*10.0.0.1/24"
# routes and rules
expect "$EV" "^route-new ns=b dst=198.51.100.0/24 table=100 protocol=3 metric=7 oif=$IB$" "route add"
expect "$EV" "^route-del ns=b dst=198.51.100.0/24 table=100 protocol=3 metric=7 oif=$IB$" "route del"
expect "$EV" "^rule-new ns=b from=10.9.0.0/16 table=100 protocol=4 priority=1234$" "rule add"
expect "$EV" "^rule-del ns=b from=10.9.0.0/16 table=100 protocol=4 priority=1234$" "rule del"
! grep -q '^overflow' "$EV" || hn_fail "overflow with the default buffer"

# link deletion in both namespaces
EV2=$HN_TMP/events2
start_watch "$EV2" -N a -N b -g link -t 2000
ip -n a link del va
sleep 0.1
kill "$WPID" 2>/dev/null || true
wait "$WPID" 2>/dev/null || true
expect "$EV2" "^link-del ns=a ifindex=$IA ifname=va" "va deleted"
expect "$EV2" "^link-del ns=b ifindex=$IB ifname=vb" "vb deleted with its peer"

# One socket hears every namespace of the set by the id each has in the
# set's own namespace: here (the caller's namespace) and b, with a veth
# between them (a dump of b made from here would give this namespace an
# id for itself, and its events would carry it).  c is not in the set
# but has an id here, and one in the set's namespace too once b is read
# from there (a veth between b and c): nothing of it may show, as itself
# or as another.  The set gives no namespace an id here.
ip netns add c
ip netns set c auto
ip -n b link add hb0 type veth peer name hb1
ip -n b link add bc0 type veth peer name bc1 netns c
ip link add hx0 type veth peer name hx1 netns b
ip netns add d
EV4=$HN_TMP/events4
start_watch "$EV4" -N - -N b -N d -g link,addr -t 3000
ip -n c link add c0 type veth peer name c1
ip -n c addr add 10.3.0.1/24 dev c0
ip link add h0 type veth peer name h1
ip addr add 10.4.0.1/24 dev h0
ip -n b addr add 10.5.0.1/24 dev hb0
wait_for "$EV4" "^addr-new ns=b ifindex=[0-9]+ ifname=hb0 addr=10.5.0.1/24$" "b heard with the home"
wait_for "$EV4" "^addr-new ns=- ifindex=[0-9]+ ifname=h0 addr=10.4.0.1/24$" "the home heard"
kill "$WPID" 2>/dev/null || true
wait "$WPID" 2>/dev/null || true
expect "$EV4" "^link-new ns=- ifindex=[0-9]+ ifname=h0 " "a link made in the home"
! grep -Eq "c0|c1|10\.3\.0\.1" "$EV4" || { cat "$EV4" >&2; hn_fail "events of c, a namespace not in the set"; }
ip netns list | grep -q '^d (id:' && hn_fail "the set gave d an id here: $(ip netns list)"
ip link del h0
ip link del hx0

# Overflow: a tiny receive buffer, nothing read while 300 addresses are
# added, then reading must report the loss before anything else.
ip -n a link add d0 type veth peer name d1
ip -n a link set d0 up
EV3=$HN_TMP/events3
start_watch "$EV3" -N a -g addr -r 1 -w "$HN_TMP/go" -t 5000
for i in $(seq 0 299); do echo "addr add 10.1.$((i / 250)).$((i % 250 + 1))/32 dev d0"; done >"$HN_TMP/batch"
ip -n a -batch "$HN_TMP/batch"
touch "$HN_TMP/go"
sleep 0.3
ip -n a addr add 10.2.0.1/32 dev d0         # after the overflow, events flow again
sleep 0.2
kill "$WPID" 2>/dev/null || true
wait "$WPID" 2>/dev/null || true
hn_assert_eq "$(sed -n 2p "$EV3")" "overflow ns=a" "first event after the flood"
n=$(grep -c '^addr-new' "$EV3" || true)
[ "$n" -lt 300 ] || hn_fail "all 300 events arrived: no overflow happened"
expect "$EV3" "^addr-new ns=a ifindex=[0-9]+ ifname=d0 addr=10.2.0.1/32$" "events after the overflow"
echo "# overflow reported; $n of 301 address events kept with a minimal buffer"
exit 0
