#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `hanet apply` never adds nor removes a VIP with owner = external: not
# before a takeover, not after it (the VIP is not in its ownership
# records), not when the profile drops it, not after a release; check
# does not count it as a difference.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied
has_addr ctl c0 10.0.0.100/24 && hn_fail "apply added external api"
has_addr ctl c0 2001:db8::100/64 && hn_fail "apply added external api6"
"$HANET" check "$P" >/dev/null || hn_fail "check counts an absent external VIP: $("$HANET" check "$P")"

"$HANET" vip takeover "$P" api >/dev/null
"$HANET" vip takeover "$P" api6 >/dev/null
out=$("$HANET" apply --dry-run "$P")
hn_assert_eq "$out" "vt: nothing to do" "apply after the takeovers"
apply_ok "$P"
has_addr ctl c0 10.0.0.100/24 || hn_fail "apply removed external api"
"$HANET" check "$P" >/dev/null || hn_fail "check after takeovers: $("$HANET" check "$P")"
grep -q '10.0.0.100\|2001:db8::100' /run/hanet/owned/vt.owned && hn_fail "an external VIP in the ownership records"

# the profile drops the VIP: apply does not take it away
python3 - "$P" "$HN_TMP/novip.ini" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r"\[vip api\]\n(?:[^\[]*\n)", "", s))
PY
grep -q '^\[vip api\]' "$HN_TMP/novip.ini" && hn_fail "test setup: [vip api] still there"
"$HANET" apply --dry-run "$HN_TMP/novip.ini" | grep -q '10.0.0.100' && hn_fail "apply plans to remove external api"
apply_ok "$HN_TMP/novip.ini"
has_addr ctl c0 10.0.0.100/24 || hn_fail "apply of a profile without api removed it"

# a change of the VIP's keys: apply does not touch it either
sed 's/^label = c0:api$/label = c0:x/' "$P" >"$HN_TMP/relabel.ini"
apply_ok "$HN_TMP/relabel.ini"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a["label"]')" c0:api "label after apply of a relabelled profile"

# released: apply does not bring it back
"$HANET" vip release "$P" api >/dev/null
"$HANET" vip release "$P" api6 >/dev/null
apply_ok "$P"
has_addr ctl c0 10.0.0.100/24 && hn_fail "apply re-added released api"
has_addr ctl c0 2001:db8::100/64 && hn_fail "apply re-added released api6"
# down removes what apply made (the namespace goes, the VIP with it) but
# does not release: keepalived or Pacemaker still say this node holds it
"$HANET" vip takeover "$P" api >/dev/null
"$HANET" down "$P" >/dev/null || hn_fail "down"
ip netns list | grep -q '^ctl' && hn_fail "down left ctl"
[ -f /run/hanet/vip/vt/api.held ] || hn_fail "down removed the takeover record"
echo ok
