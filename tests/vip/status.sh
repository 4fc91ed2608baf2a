#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `hanet vip status`: whether each VIP is on its device, where its
# address is (also elsewhere), with which flags, and whether this node
# holds it; as text and --json; exit 0 present, 1 absent (one VIP).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied

hn_expect_rc 1 "$HANET" vip status "$P" api
out=$("$HANET" vip status "$P" api || true)
hn_assert_eq "$out" "vip api 10.0.0.100/24 (owner external) on c0 in netns ctl: absent, not held by this node" "status before"

"$HANET" vip takeover "$P" api >/dev/null
out=$("$HANET" vip status "$P" api) || hn_fail "status after the takeover: exit $?"
echo "$out"
echo "$out" | head -n 1 | grep -Eq '^vip api 10.0.0.100/24 \(owner external\) on c0 in netns ctl: present, held by this node since [0-9T:-]+Z \(takeover pid [0-9]+\)$' ||
	hn_fail "status line"
echo "$out" | grep -qx '  here: 10.0.0.100/24 on c0 in netns ctl: label c0:api, deprecated, noprefixroute' || hn_fail "status place"

# the address also where it should not be (another node's side, here sw)
ip -n sw addr add 10.0.0.100/24 dev c0-sw
out=$("$HANET" vip status "$P" api)
echo "$out" | grep -qx '  also: 10.0.0.100/24 on c0-sw in netns sw' || hn_fail "status elsewhere: $out"

# every VIP, as JSON (exit 0 whatever their state)
"$HANET" vip status --json "$P" >"$HN_TMP/s.json" || hn_fail "status --json: exit $?"
python3 - "$HN_TMP/s.json" <<'PY' || hn_fail "status --json: $(cat "$HN_TMP/s.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["profile"] == "vt", d
v = {x["name"]: x for x in d["vips"]}
assert set(v) == {"api", "api6", "local"}, v.keys()
a = v["api"]
assert a["present"] and a["held"] and a["matches"] and a["owner"] == "external", a
assert a["netns"] == "ctl" and a["dev"] == "c0" and a["address"] == "10.0.0.100/24", a
assert a["held_record"]["dev"] == "c0" and a["held_record"]["netns"] == "ctl" and a["held_record"]["pid"] > 0, a
here = [l for l in a["locations"] if l["netns"] == "ctl"]
there = [l for l in a["locations"] if l["netns"] == "sw"]
assert len(here) == 1 and here[0]["label"] == "c0:api" and here[0]["flags"] == ["deprecated", "noprefixroute"], here
assert len(there) == 1 and there[0]["dev"] == "c0-sw", there
assert not v["api6"]["present"] and not v["api6"]["held"] and v["api6"]["locations"] == [], v["api6"]
l = v["local"]
assert l["present"] and not l["held"] and l["owner"] == "local" and l["matches"], l
PY

# an address there with other flags: present, but the difference is said
"$HANET" vip release "$P" api >/dev/null
ip -n ctl addr add 10.0.0.100/24 dev c0
out=$("$HANET" vip status "$P" api) || hn_fail "status: exit $?"
echo "$out" | grep -q '^  differs from the profile: label c0 -> c0:api, noprefixroute on, preferred_lft 0$' || hn_fail "differences: $out"

# errors: no such VIP, an invalid profile, usage
hn_expect_rc 2 "$HANET" vip status "$P" nope
printf '[vip x]\naddress = nonsense\n' >"$HN_TMP/bad.ini"
hn_expect_rc 2 "$HANET" vip status "$HN_TMP/bad.ini"
hn_expect_rc 64 "$HANET" vip status
hn_expect_rc 64 "$HANET" vip status "$P" api extra
# a namespace that is gone: absent
ip netns del ctl
hn_expect_rc 1 "$HANET" vip status "$P" api
echo ok
