#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `hanet vip takeover` adds an external VIP with the flags its [vip]
# declares (label, preferred_lft 0, noprefixroute; nodad for IPv6) and
# announces it (gratuitous ARP, unsolicited NA: seen by a listener on the
# other end of the link, announce_count of them); a second takeover
# changes nothing but announces again; the takeover's time is printed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied
has_addr ctl c0 10.0.0.101/24 || hn_fail "apply did not add the local VIP"
has_addr ctl c0 10.0.0.100/24 && hn_fail "apply added an external VIP"
settle ctl sw
sleep 0.2   # the links' own start-up traffic passes

vt_listen "$HN_TMP/frames" 5 3000
"$HANET" vip takeover --json "$P" api >"$HN_TMP/t1.json" || hn_fail "takeover api: exit $?"
"$HANET" vip takeover "$P" api6 >"$HN_TMP/t2.txt" || hn_fail "takeover api6: exit $?"
wait "$LPID" || true
cat "$HN_TMP/t1.json" "$HN_TMP/t2.txt" "$HN_TMP/frames"

# the address and its flags
hn_assert_eq "$(count_addr ctl c0 10.0.0.100/24)" 1 "10.0.0.100/24 on c0"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a["label"]')" c0:api "label"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a.get("deprecated", False)')" True "preferred_lft 0 (deprecated)"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a.get("noprefixroute", False)')" True "noprefixroute"
hn_assert_eq "$(aget ctl c0 2001:db8::100 'a.get("nodad", False)')" True "nodad"
hn_assert_eq "$(aget ctl c0 2001:db8::100 'a.get("noprefixroute", False)')" True "noprefixroute (IPv6)"
hn_assert_eq "$(aget ctl c0 2001:db8::100 'a.get("tentative", False)')" False "tentative (IPv6, nodad)"
# noprefixroute: no route for the VIP's prefix through it
ip -n ctl route show 10.0.0.0/24 | grep -q 'src 10.0.0.100' && hn_fail "a prefix route for the VIP"

# the announcements: 3 gratuitous ARP requests, 2 unsolicited NAs
hn_assert_eq "$(grep -c '^arp .*op=1 .*spa=10.0.0.100 .*tpa=10.0.0.100' "$HN_TMP/frames" || true)" 3 "gratuitous ARPs"
hn_assert_eq "$(grep -c '^na .*o=1 target=2001:db8::100 ' "$HN_TMP/frames" || true)" 2 "unsolicited NAs"
# announce_interval (20ms) apart
python3 - "$HN_TMP/frames" <<'PY' || hn_fail "ARP frames not 20ms apart"
import re, sys
t = [float(re.search(r"t=([0-9.]+)", l).group(1)) for l in open(sys.argv[1]) if l.startswith("arp ")]
gaps = [b - a for a, b in zip(t, t[1:])]
print("ARP gaps (ms):", [round(g * 1000, 1) for g in gaps])
assert all(0.015 <= g <= 0.2 for g in gaps), gaps
PY

# the times it printed: the address, then the first announcement
python3 - "$HN_TMP/t1.json" <<'PY' || hn_fail "takeover --json: $(cat "$HN_TMP/t1.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["action"] == "takeover" and d["vip"] == "api" and d["netns"] == "ctl" and d["dev"] == "c0", d
assert d["address"] == "10.0.0.100/24" and d["owner"] == "external", d
assert 0 < d["added_ms"] <= d["first_announcement_ms"] < 1000, d
assert d["announced"] == 1 and d["announcing_in_background"] == 2, d
print("takeover: address added in %.3f ms, first announcement at %.3f ms" % (d["added_ms"], d["first_announcement_ms"]))
PY
grep -Eq '^vip api6 2001:db8::100/64 taken over on c0 in netns ctl: added in [0-9.]+ ms, first announcement at [0-9.]+ ms, 1 more 10ms apart in the background' \
	"$HN_TMP/t2.txt" || hn_fail "takeover's line: $(cat "$HN_TMP/t2.txt")"

# again: the same address, the same flags, announced again
before=$(hn_dump ctl)
vt_listen "$HN_TMP/frames2" 3 3000
"$HANET" vip takeover "$P" api >"$HN_TMP/t3.txt" || hn_fail "second takeover: exit $?"
wait "$LPID" || true
grep -q "removed and added again" "$HN_TMP/t3.txt" && hn_fail "second takeover re-added: $(cat "$HN_TMP/t3.txt")"
hn_assert_eq "$(hn_dump ctl)" "$before" "state after a second takeover"
hn_assert_eq "$(grep -c '^arp .*spa=10.0.0.100 .*tpa=10.0.0.100' "$HN_TMP/frames2" || true)" 3 "ARPs of the second takeover"

# an address someone else put there with other flags is made right
"$HANET" vip release "$P" api >/dev/null
ip -n ctl addr add 10.0.0.100/24 dev c0
"$HANET" vip takeover "$P" api >"$HN_TMP/t4.txt" || hn_fail "takeover over a plain address: exit $?"
grep -q "removed and added again" "$HN_TMP/t4.txt" || hn_fail "not re-added: $(cat "$HN_TMP/t4.txt")"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a["label"]')" c0:api "label after re-adding"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a.get("noprefixroute", False)')" True "noprefixroute after re-adding"

# a local VIP can be taken over too (apply adds it as well)
"$HANET" vip release "$P" local >/dev/null
has_addr ctl c0 10.0.0.101/24 && hn_fail "release left the local VIP"
"$HANET" vip takeover "$P" local >/dev/null || hn_fail "takeover of a local VIP"
has_addr ctl c0 10.0.0.101/24 || hn_fail "local VIP not taken over"
"$HANET" check "$P" >/dev/null || hn_fail "check after the takeovers: $("$HANET" check "$P")"

# errors: no such VIP (2), a device or namespace missing (3), usage (64)
hn_expect_rc 2 "$HANET" vip takeover "$P" nope
hn_expect_rc 64 "$HANET" vip takeover "$P"
hn_expect_rc 64 "$HANET" vip frobnicate "$P" api
hn_expect_rc 64 "$HANET" vip status --foreground "$P" api
ip -n ctl link del c0
hn_expect_rc 3 "$HANET" vip takeover "$P" api
ip netns del ctl
hn_expect_rc 3 "$HANET" vip takeover "$P" api
echo ok
