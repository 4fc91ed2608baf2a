#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `hanet vip release` removes the VIP and its takeover record; absent is
# success (twice, no device, no namespace); the announcements a takeover
# left going in the background stop at the release.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied

"$HANET" vip takeover "$P" api >/dev/null
"$HANET" vip takeover "$P" api6 >/dev/null
[ -f /run/hanet/vip/vt/api.held ] || hn_fail "no takeover record"
out=$("$HANET" vip release "$P" api) || hn_fail "release: exit $?"
echo "$out"
echo "$out" | grep -Eq '^vip api 10.0.0.100/24 released from c0 in netns ctl: removed in [0-9.]+ ms$' || hn_fail "release's line"
has_addr ctl c0 10.0.0.100/24 && hn_fail "still there after release"
has_addr ctl c0 2001:db8::100/64 || hn_fail "release of api took api6 too"
[ -f /run/hanet/vip/vt/api.held ] && hn_fail "the takeover record is left"

# again: nothing to remove, still success
out=$("$HANET" vip release "$P" api) || hn_fail "second release: exit $?"
hn_assert_eq "$out" "vip api 10.0.0.100/24 released: it was not on c0 in netns ctl" "second release"
"$HANET" vip release --json "$P" api6 >"$HN_TMP/r.json" || hn_fail "release api6"
python3 - "$HN_TMP/r.json" <<'PY' || hn_fail "release --json: $(cat "$HN_TMP/r.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["action"] == "release" and d["vip"] == "api6" and d["removed"] is True and d["was_held"] is True, d
PY
has_addr ctl c0 2001:db8::100/64 && hn_fail "api6 still there"

# the background announcements stop at the release: 20 planned 50ms apart
sed -i -e 's/^announce_count = 3$/announce_count = 20/' -e 's/^announce_interval = 20ms$/announce_interval = 50ms/' "$P"
vt_listen "$HN_TMP/frames" 20 1500
"$HANET" vip takeover "$P" api >/dev/null
sleep 0.13
"$HANET" vip release "$P" api >/dev/null
wait "$LPID" || true
n=$(grep -c '^arp .*spa=10.0.0.100 .*tpa=10.0.0.100' "$HN_TMP/frames" || true)
echo "announcements before the release stopped them: $n"
[ "$n" -ge 2 ] && [ "$n" -le 5 ] || hn_fail "expected 2 to 5 announcements (release after 130 ms), got $n"

# a takeover after a release stops the earlier takeover's announcer too
vt_listen "$HN_TMP/frames2" 40 1200
"$HANET" vip takeover "$P" api >/dev/null
sleep 0.12
"$HANET" vip takeover "$P" api >/dev/null
wait "$LPID" || true
n=$(grep -c '^arp .*spa=10.0.0.100 .*tpa=10.0.0.100' "$HN_TMP/frames2" || true)
echo "announcements of two takeovers 120 ms apart, in 1.2 s: $n"
# one announcer at a time: about 1.2 s / 50 ms = 24, never both (40)
[ "$n" -le 27 ] || hn_fail "two announcers ran at once: $n frames"
"$HANET" vip release "$P" api >/dev/null

# gone device, gone namespace: released all the same
"$HANET" vip takeover "$P" api >/dev/null
ip -n ctl link del c0
"$HANET" vip release "$P" api >/dev/null || hn_fail "release without the device: exit $?"
[ -f /run/hanet/vip/vt/api.held ] && hn_fail "the takeover record is left"
ip netns del ctl
"$HANET" vip release "$P" api >/dev/null || hn_fail "release without the namespace: exit $?"
hn_expect_rc 2 "$HANET" vip release "$P" nope
echo ok
