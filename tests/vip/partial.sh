#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A takeover of several VIPs that fails at one of them leaves nothing
# behind: the VIPs of the set it added before are removed again, and no
# record is left.  A release goes on over every VIP of the set when
# removing one fails, says each failure, and exits 3 with the others
# removed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_pair
cat >>"$HN_TMP/c1.ini" <<'INI'

[vip b]
address = 10.0.0.101/24
dev = eth0
netns = ctl1
owner = external
announce_count = 1

[vip v6]
address = 2001:db8::103/64
dev = eth0
netns = ctl1
nodad = yes
owner = external
announce_count = 1

[vip c]
address = 10.0.0.102/24
dev = eth0
netns = ctl1
owner = external
announce_count = 1
INI
P=$HN_TMP/c1.ini
no_records() { ! ls /run/hanet/vip/*/*.held >/dev/null 2>&1 || hn_fail "$1: records left: $(ls /run/hanet/vip/*/*.held)"; }

# ---- takeover: the IPv6 VIP cannot be added (IPv6 off on eth0)
ip netns exec ctl1 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
rc=0
"$HANET" vip takeover "$P" api,b,v6,c >/dev/null 2>"$HN_TMP/err" || rc=$?
[ "$rc" -ne 0 ] || hn_fail "takeover with a VIP that cannot be added succeeded"
grep -q "vip v6" "$HN_TMP/err" || hn_fail "takeover does not name the VIP that failed: $(cat "$HN_TMP/err")"
for a in 10.0.0.100/24 10.0.0.101/24 10.0.0.102/24; do
	has_addr ctl1 eth0 "$a" && hn_fail "failed takeover left $a on eth0"
done
no_records "failed takeover"
# an address that was there before stays
ip -n ctl1 addr add 10.0.0.101/24 dev eth0
rc=0
"$HANET" vip takeover "$P" api,b,v6 >/dev/null 2>"$HN_TMP/err" || rc=$?
[ "$rc" -ne 0 ] || hn_fail "second takeover succeeded"
has_addr ctl1 eth0 10.0.0.100/24 && hn_fail "failed takeover left 10.0.0.100/24"
has_addr ctl1 eth0 10.0.0.101/24 || hn_fail "failed takeover removed 10.0.0.101/24 that was there before"
no_records "second failed takeover"
ip -n ctl1 addr del 10.0.0.101/24 dev eth0
ip netns exec ctl1 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0

# ---- release: removing one VIP fails, the others go
hn_expect_rc 0 "$HANET" vip takeover "$P" api,b,c >/dev/null
for a in 10.0.0.100/24 10.0.0.101/24 10.0.0.102/24; do
	has_addr ctl1 eth0 "$a" || hn_fail "takeover did not add $a"
done
# b's namespace is no namespace now: a file where its handle was
B=$HN_TMP/b.ini
awk '/^\[/ { sec = $0 } sec == "[vip b]" && /^netns = / { $0 = "netns = broken" }
	sec == "[vip b]" && /^dev = / { $0 = "dev = eth1" } { print }' "$P" >"$B"
printf '\n[nic eth1]\nnetns = broken\n' >>"$B"
touch /run/netns/broken
rc=0
"$HANET" vip release "$B" api,b,c >/dev/null 2>"$HN_TMP/err" || rc=$?
rm -f /run/netns/broken
hn_assert_eq "$rc" 3 "release with one VIP failing: $(cat "$HN_TMP/err")"
grep -q "vip b: .*netns broken" "$HN_TMP/err" || hn_fail "release does not name vip b: $(cat "$HN_TMP/err")"
for a in 10.0.0.100/24 10.0.0.102/24; do
	has_addr ctl1 eth0 "$a" && hn_fail "release stopped at vip b: $a still on eth0"
done
# where b was taken over (its record) it goes too
has_addr ctl1 eth0 10.0.0.101/24 && hn_fail "release left b where it was taken over"
no_records "release"
# the failures said at once, in one summary
grep -q "1 of 3 VIPs" "$HN_TMP/err" || hn_fail "release does not sum up: $(cat "$HN_TMP/err")"
echo "PASS partial"
