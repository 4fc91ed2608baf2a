#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet vip takeover --collision-check: the addresses that are not here
# are probed first (ARP probes from 0.0.0.0, IPv6 duplicate address
# detection solicitations from ::); when another namespace answers for
# one, the takeover fails with exit 1, names who answered, and changes
# nothing; when none answers it goes on after the wait; an address that
# is here already is not probed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied
settle ctl sw
sleep 0.2

# sw answers for both addresses
ip -n sw addr add 10.0.0.100/24 dev c0-sw
ip -n sw addr add 2001:db8::100/64 dev c0-sw nodad
vt_listen "$HN_TMP/probes" 2 3000
start=$(date +%s%N)
hn_expect_rc 1 "$HANET" vip takeover --collision-check 2s "$P" api,api6 2>"$HN_TMP/err"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$LPID" || true
cat "$HN_TMP/err" "$HN_TMP/probes"
has_addr ctl c0 10.0.0.100/24 && hn_fail "a collision, and api was added"
has_addr ctl c0 2001:db8::100/64 && hn_fail "a collision, and api6 was added"
[ -f /run/hanet/vip/vt/api.held ] && hn_fail "a collision, and a record was written"
sw_mac=$(mac_of sw c0-sw)
grep -q "vip api: 10.0.0.100 answers from $sw_mac on c0 in netns ctl .*another host has the address; not taken over" \
	"$HN_TMP/err" || hn_fail "the IPv4 collision's message"
grep -q "vip api6: 2001:db8::100 answers from $sw_mac on c0 in netns ctl" "$HN_TMP/err" || hn_fail "the IPv6 collision's message"
# answered at once: it did not wait the 2 s out
[ "$took_ms" -lt 1500 ] || hn_fail "answered, yet it waited ${took_ms} ms"
# the probes on the wire: RFC 5227 (sender 0.0.0.0) and RFC 4862 (NS from ::)
grep -q '^arp .*op=1 .*spa=0.0.0.0 .*tpa=10.0.0.100 ' "$HN_TMP/probes" || hn_fail "no ARP probe"

# only api6 answered elsewhere: neither is taken over (all or nothing)
ip -n sw addr del 10.0.0.100/24 dev c0-sw
hn_expect_rc 1 "$HANET" vip takeover --collision-check 300ms "$P" api,api6 2>"$HN_TMP/err"
has_addr ctl c0 10.0.0.100/24 && hn_fail "api6 collided, and api was added"
grep -q 'vip api:' "$HN_TMP/err" && hn_fail "api did not collide: $(cat "$HN_TMP/err")"

# nobody answers: taken over after the wait
ip -n sw addr del 2001:db8::100/64 dev c0-sw
start=$(date +%s%N)
hn_expect_rc 0 "$HANET" vip takeover --collision-check 300ms "$P" api,api6 >/dev/null
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
has_addr ctl c0 10.0.0.100/24 && has_addr ctl c0 2001:db8::100/64 || hn_fail "no collision, and not taken over"
[ "$took_ms" -ge 300 ] || hn_fail "it did not wait for answers (${took_ms} ms)"

# here already: no probe, no wait (its own answers are this node's)
start=$(date +%s%N)
hn_expect_rc 0 "$HANET" vip takeover --collision-check 3s "$P" api >/dev/null
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took_ms" -lt 2000 ] || hn_fail "probed an address that is here (${took_ms} ms)"

# the option is takeover's, and takes a duration
hn_expect_rc 64 "$HANET" vip release --collision-check 1s "$P" api
hn_expect_rc 64 "$HANET" vip takeover --collision-check soon "$P" api
echo ok
