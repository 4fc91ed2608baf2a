#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The keepalived lab (profiles/lab/keepalived-native-v3.ini), one trial
# of each fault: keepalived runs as a lab service on both controllers;
# each fault is a real failover (an outage, ctl2 elected); the capture on
# the switch sees ctl2's first VRRP advert as master (the reaction that
# ends detection, after about three adverts) and its gratuitous ARPs for
# the VIP; replies resume; no keepalived of the lab is left afterwards
# (the test has a PID namespace of its own: pgrep sees its labs' only).
. "$(dirname "$0")/../lib.sh"
HN_PIDNS=1 hn_sandbox "$@"
set -eu

command -v keepalived >/dev/null || { echo "SKIP: keepalived is not installed (tools/setup.sh installs it)"; exit 0; }
LAB=$HN_TOP/profiles/lab/keepalived-native-v3.ini
O=$HN_TMP

"$HANET" measure --trials 1 --json="$O/k.json" "$LAB" >"$O/k.txt" 2>"$O/k.err" ||
	{ cat "$O/k.err" "$O/k.txt"; hn_fail "measure $LAB"; }
[ -z "$(ip netns list)" ] || hn_fail "namespaces left: $(ip netns list | tr '\n' ' ')"
pgrep -f '^keepalived .*/run/keepalived/keepalived.conf' && hn_fail "a keepalived of the lab is left"
python3 - "$O/k.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in j["groups"]}
assert sorted(g) == ["carrier-off", "kill-vrrp", "node-death"], list(g)
for name, x in g.items():
    t = x["trials"][0]
    assert t["recovered"], (name, t)
    r = t["reaction"]
    # ctl2 becoming master: its first advert as master, seen on its switch
    # port, or the VIP it adds at the same moment (keepalived does both as
    # it takes over; which one is stamped first is a race)
    adv = [e for e in t["events"] if e["kind"] == "vrrp" and e["netns"] == "switch" and e["dev"] == "c2-sw"
           and "prio 100: master" in e["detail"] and e["address"] == "10.60.0.12/32"]
    assert adv, (name, t["events"])
    assert r and (r == adv[0] or (r["kind"] == "addr-add" and r["netns"] == "ctl2" and
                                  r["address"] == "10.60.0.50/24")), (name, r)
    assert abs(adv[0]["t_us"] - r["t_us"]) < 50000, (name, r, adv[0])
    # three adverts of 100 ms (less the part of one the fault came in) and the skew
    assert 150000 <= t["detection_us"] <= 800000, (name, t["detection_us"])
    assert t["convergence_us"] is not None and t["convergence_us"] < 300000, (name, t["convergence_us"])
    garps = [e for e in t["events"] if e["kind"] == "garp" and e["dev"] == "c2-sw"]
    assert garps and garps[0]["address"] == "10.60.0.50/32", (name, t["events"])
    # a real failover where ctl1 stopped answering at once
    if name != "kill-vrrp":
        assert t["outage_us"] >= 150000 and t["lost"] >= 150, (name, t)
print("# keepalived VRRPv3 100 ms: outage %s us, detection %s us" % (
    [g[n]["trials"][0]["outage_us"] for n in sorted(g)], [g[n]["trials"][0]["detection_us"] for n in sorted(g)]))
PY
