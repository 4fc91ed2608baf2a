#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several VIPs moved together between two controllers on a bridge:
# `hanet vip release c1 a,b,c,d` on ctl1 and `hanet vip takeover c2
# a,b,c,d` on ctl2 move every address; each is announced announce_count
# times from ctl2's MAC, on one schedule (every first announcement before
# any second one); the client's neighbour entries follow; a lock of one
# VIP of the set that stays taken fails the whole takeover, changing
# nothing.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_pair
for i in 1 2; do
	ip -n "ctl$i" addr add "2001:db8::1$i/64" dev eth0 nodad
	cat >>"$HN_TMP/c$i.ini" <<INI

[vip b]
address = 10.0.0.101/24
dev = eth0
netns = ctl$i
owner = external
announce_count = 2
announce_interval = 30ms

[vip c]
address = 10.0.0.102/24
dev = eth0
netns = ctl$i
owner = external
announce_count = 2
announce_interval = 30ms

[vip d]
address = 2001:db8::103/64
dev = eth0
netns = ctl$i
nodad = yes
owner = external
announce_count = 2
announce_interval = 30ms
INI
	sed -i 's/^\[vip api\]/[vip a]/; s/^announce_count = 3/announce_count = 2/; s/^announce_interval = 20ms/announce_interval = 30ms/' \
		"$HN_TMP/c$i.ini"
done
ip netns exec client ip addr add 2001:db8::50/64 dev eth0 nodad
V4="10.0.0.100 10.0.0.101 10.0.0.102"
ALL="10.0.0.100/24 10.0.0.101/24 10.0.0.102/24 2001:db8::103/64"

hn_expect_rc 0 "$HANET" vip takeover "$HN_TMP/c1.ini" a,b,c,d >/dev/null
for a in $ALL; do has_addr ctl1 eth0 "$a" || hn_fail "ctl1 did not take $a over"; done
for a in $V4 2001:db8::103; do
	until_ok 3 ip netns exec client ping -c 1 -W 1 "$a" || hn_fail "$a does not answer on ctl1"
done
sleep 0.2

# the move: release on ctl1, takeover of the set on ctl2
hn_listen "$HN_TMP/frames" 8 3000 switch ctl2-sw "$(mac_of ctl2 eth0)"
hn_expect_rc 0 "$HANET" vip release "$HN_TMP/c1.ini" a,b,c,d >"$HN_TMP/release.txt"
hn_expect_rc 0 "$HANET" vip takeover --json "$HN_TMP/c2.ini" a,b,c,d >"$HN_TMP/takeover.json"
wait "$LPID" || true
cat "$HN_TMP/release.txt" "$HN_TMP/takeover.json" "$HN_TMP/frames"
for a in $ALL; do
	has_addr ctl2 eth0 "$a" || hn_fail "$a not on ctl2"
	has_addr ctl1 eth0 "$a" && hn_fail "$a still on ctl1"
done
hn_assert_eq "$(grep -c ' released from eth0 in netns ctl1' "$HN_TMP/release.txt")" 4 "release lines"
python3 - "$HN_TMP/frames" "$HN_TMP/takeover.json" <<'PY' || hn_fail "announcements of the set"
import json, re, sys
d = json.load(open(sys.argv[2]))
assert d["action"] == "takeover" and [v["vip"] for v in d["vips"]] == ["a", "b", "c", "d"], d
for v in d["vips"]:
    assert v["announced"] == 1 and v["announcing_in_background"] == 1 and v["announce_count"] == 2, v
t = {}
for l in open(sys.argv[1]):
    m = re.search(r"t=([0-9.]+)", l)
    if l.startswith("arp "):
        ip = re.search(r"spa=(\S+)", l).group(1)
    elif l.startswith("na "):
        ip = re.search(r"target=(\S+)", l).group(1)
    else:
        continue
    t.setdefault(ip, []).append(float(m.group(1)))
want = ["10.0.0.100", "10.0.0.101", "10.0.0.102", "2001:db8::103"]
assert sorted(t) == want and all(len(t[ip]) == 2 for ip in want), t
first = [t[ip][0] for ip in want]
second = [t[ip][1] for ip in want]
# one schedule: every first announcement before any second one, and the
# seconds 30ms after their firsts
assert max(first) < min(second), (first, second)
assert all(0.02 <= b - a <= 0.25 for a, b in zip(first, second)), (first, second)
print("first round over %.2f ms, second round %.1f ms later" % ((max(first) - min(first)) * 1e3,
                                                                  (min(second) - min(first)) * 1e3))
PY
# the client follows: replies from ctl2's MAC for every address
for a in $V4; do
	until_ok 3 ip netns exec client ping -c 1 -W 1 "$a" || hn_fail "$a does not answer on ctl2"
	hn_assert_eq "$(client_mac_for "$a")" "$(mac_of ctl2 eth0)" "client's entry for $a"
done
until_ok 3 ip netns exec client ping -c 1 -W 1 2001:db8::103 || hn_fail "2001:db8::103 does not answer on ctl2"

# one lock set: c's lock held elsewhere fails the takeover of a,b,c on
# ctl1 as a whole, before any address is touched
mkdir -p /run/hanet/vip/c1
flock /run/hanet/vip/c1/c.lock sleep 3 &
FPID=$!
sleep 0.2
hn_expect_rc 4 "$HANET" vip takeover --lock-wait 200ms "$HN_TMP/c1.ini" a,b,c 2>"$HN_TMP/err"
grep -q 'vip c: another takeover or release of it holds /run/hanet/vip/c1/c.lock' "$HN_TMP/err" || hn_fail "lock message: $(cat "$HN_TMP/err")"
for a in 10.0.0.100/24 10.0.0.101/24; do has_addr ctl1 eth0 "$a" && hn_fail "$a added though the set's lock failed"; done
kill "$FPID" 2>/dev/null || true
wait "$FPID" 2>/dev/null || true
hn_expect_rc 0 "$HANET" vip status "$HN_TMP/c2.ini" a,b,c,d >/dev/null
hn_expect_rc 1 "$HANET" vip status "$HN_TMP/c1.ini" a,b,c,d >/dev/null
hn_expect_rc 2 "$HANET" vip takeover "$HN_TMP/c2.ini" a,nope
hn_expect_rc 2 "$HANET" vip takeover "$HN_TMP/c2.ini" a,a
echo ok
