#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An IPv6 vip moved with announcements (lab/vip6.ini): the timeline holds
# the unsolicited neighbour advertisements seen on the switch, from the
# new holder's MAC address, for the vip's address, as many as
# announce_count, after the fault; the client is back within
# the SLA.  Without announcements no unsolicited NA is seen.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

LAB=$HN_TOP/tests/measure/lab/vip6.ini
O=$HN_TMP

"$HANET" measure --keep --json="$O/na.json" "$LAB" >"$O/na.txt" 2>"$O/na.err" ||
	{ cat "$O/na.txt" "$O/na.err"; hn_fail "measure"; }
mac=$(ip -n c2 -j link show e2 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
"$HANET" down "$LAB" >/dev/null
sed 's|^announce_count = 2$|announce_count = 0|' "$LAB" >"$O/quiet.ini"
"$HANET" measure --timeout 200ms --json="$O/quiet.json" "$O/quiet.ini" >/dev/null 2>"$O/quiet.err" || true
[ -z "$(ip netns list)" ] || hn_fail "namespaces left: $(ip netns list | tr '\n' ' ')"
python3 - "$O" "$mac" <<'PY'
import json, sys
base, mac = sys.argv[1], sys.argv[2]
j = json.load(open(base + "/na.json"))
g = j["groups"][0]
assert g["name"] == "move6" and len(g["trials"]) == 2, g["name"]
for t in g["trials"]:
    assert t["recovered"] and t["outage_us"] <= 50000, t
    ev = t["events"]
    add = [e for e in ev if e["kind"] == "addr-add" and e["netns"] == "c2" and e["t_us"] >= 0]
    na = [e for e in ev if e["kind"] == "unsolicited-na"]
    assert add, ev
    assert len(na) == 2, ev
    for e in na:
        assert e["netns"] == "sw" and e["dev"] == "c2-p", e
        assert e["address"] == "2001:db8:46::50/128", e
        assert e["detail"] == "NA from " + mac, (e, mac)
        # after the fault (the address's netlink event is stamped when
        # it arrives, the frame by the kernel: either may come first)
        assert e["t_us"] >= 0, e
q = json.load(open(base + "/quiet.json"))
for t in q["groups"][0]["trials"]:
    assert not [e for e in t["events"] if e["kind"] == "unsolicited-na"], t["events"]
print("# IPv6 vip moved: outage %s us; unsolicited NAs at %s us after the fault" % (
    [t["outage_us"] for t in g["trials"]],
    [[e["t_us"] for e in t["events"] if e["kind"] == "unsolicited-na"] for t in g["trials"]]))
PY
exit 0
