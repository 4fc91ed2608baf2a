#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Pacemaker lab, one trial of each fault on ctl2, the holder of both
# VIPs:
#   node-death: corosync forms a membership without
#     ctl2 (the reaction that ends detection, about token + consensus,
#     2.2 s, after the fault), then the VIP is added on another node,
#     announced from that node's MAC, and replies resume (ctl2's link is
#     down: they come from the new holder);
#   move: crm_resource --move: api stopped on ctl2, started elsewhere;
#   kill-corosync: corosync killed on ctl2: a new membership, api started
#     elsewhere and announced from there (no fencing: ctl2 keeps answering
#     too, so no outage is asserted).
# Afterwards no process of the lab is left (by the pids the test saw) and
# no namespace.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

for t in corosync pacemakerd crm_resource; do
	command -v $t >/dev/null || { echo "SKIP: $t is not installed (tools/setup.sh installs it)"; exit 0; }
done
O=$HN_TMP
# the lab without the IPaddr2 node death (the demo measures it; the
# hanet-vip one asserts the same, and each node death takes a while)
LAB=$O/pacemaker.ini
ln -s "$HN_TOP/profiles/lab/pacemaker" "$O/pacemaker"
python3 - "$HN_TOP/profiles/lab/pacemaker.ini" "$LAB" <<'CUT'
import re, sys
text = open(sys.argv[1]).read()
cut = re.sub(r"\[fault node-death-ipaddr2\].*?(?=^\[|\Z)", "", text, flags=re.S | re.M)
assert cut != text
open(sys.argv[2], "w").write(cut)
CUT

# "PID STARTTIME" of a process (a pid reused later is another process)
pid_id() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	set -- $st
	echo "$1 ${20}"
}
# the lab's processes while it runs: every process in a lab namespace
# (this sandbox has no other namespaces), each once
(
	for _ in $(seq 600); do
		for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				echo "$pid $(pid_id "$pid")"
			done
		done
		sleep 0.5
	done
) >"$O/pids" 2>/dev/null &
seen=$!

rc=0
"$HANET" measure --trials 1 --timeout 15s --json="$O/p.json" --svg="$O/p.svg" "$LAB" >"$O/p.txt" 2>"$O/p.err" || rc=$?
kill "$seen" 2>/dev/null
wait "$seen" 2>/dev/null || :
[ $rc -eq 0 ] || { cat "$O/p.err" "$O/p.txt"; hn_fail "measure $LAB: exit $rc"; }
[ -z "$(ip netns list)" ] || hn_fail "namespaces left: $(ip netns list | tr '\n' ' ')"
n=$(awk 'NF == 3' "$O/pids" | sort -u | wc -l)
[ "$n" -ge 12 ] || hn_fail "only $n processes of the lab seen: did it run?"
awk 'NF == 3 { print $1, $3 }' "$O/pids" | sort -u | while read -r pid start; do
	now=$(pid_id "$pid")
	[ "$now" != "$pid $start" ] || hn_fail "process $pid of the lab is left: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
done
grep -q '<svg' "$O/p.svg" || hn_fail "no SVG"
grep -q 'membership' "$O/p.svg" || hn_fail "the SVG has no membership event"

python3 - "$O/p.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in j["groups"]}
assert sorted(g) == ["kill-corosync", "move", "node-death"], list(g)
MAC = {"ctl1": "02:00:0a:46:00:11", "ctl2": "02:00:0a:46:00:12", "ctl3": "02:00:0a:46:00:13"}
VIP = {"node-death": "10.70.0.50", "node-death-ipaddr2": "10.70.0.60", "move": "10.70.0.50",
       "kill-corosync": "10.70.0.50"}
out = []
for name, x in g.items():
    t = x["trials"][0]
    ev = t["events"]
    vip = VIP[name]
    assert t["recovered"], (name, t)
    if name != "kill-corosync":
        assert t["outage_us"] > 50000 and t["lost"] > 50, (name, "no real outage", t["outage_us"])
    # the VIP left ctl2 and was added on another node, after the fault
    adds = [e for e in ev if e["kind"] == "addr-add" and e["address"] == vip + "/24" and e["t_us"] > 0]
    assert adds and adds[0]["netns"] in ("ctl1", "ctl3"), (name, adds)
    new = adds[0]["netns"]
    # announced from the new holder's MAC, on its switch port
    garps = [e for e in ev if e["kind"] == "garp" and e["address"] == vip + "/32" and e["t_us"] > 0]
    assert garps and garps[0]["dev"] == {"ctl1": "c1-sw", "ctl3": "c3-sw"}[new], (name, garps)
    assert MAC[new] in garps[0]["detail"], (name, garps[0])
    # the cluster's own events: the resource started on the new holder
    res = [e for e in ev if e["kind"] == "resource" and e["t_us"] > 0]
    # (a node death's trial ends a few ms after the first reply: the alert
    # of the start, which comes once the agent has returned, may be later)
    if name in ("move", "kill-corosync"):
        assert any(("api start on " + new) in e["detail"] for e in res), (name, res)
    if name == "move":
        assert any("api stop on ctl2" in e["detail"] for e in res), (name, res)
        assert not [e for e in ev if e["kind"] == "membership" and e["t_us"] > 0], (name, "a membership change")
        out.append("%s: outage %d us" % (name, t["outage_us"]))
        continue
    # corosync's new membership without node 2, on a surviving node, is
    # the reaction: fault -> membership is the detection
    mem = [e for e in ev if e["kind"] == "membership" and e["t_us"] > 0]
    assert mem and "Members left: 2" in mem[0]["detail"] and mem[0]["netns"] in ("ctl1", "ctl3"), (name, mem)
    r = t["reaction"]
    assert r and r["kind"] == "membership" and r["t_us"] == mem[0]["t_us"], (name, r)
    # token 1000 ms + consensus 1200 ms: a loaded machine adds some
    assert 1500000 <= t["detection_us"] <= 6000000, (name, t["detection_us"])
    assert abs(t["detection_us"] - mem[0]["t_us"]) <= 2, (name, t["detection_us"], mem[0])
    assert adds[0]["t_us"] > mem[0]["t_us"], (name, "the VIP moved before the membership changed")
    if name == "kill-corosync":
        out.append("%s: detection %d us, api added on %s %d us after the fault, outage %d us" % (
            name, t["detection_us"], new, adds[0]["t_us"], t["outage_us"]))
        continue
    assert t["convergence_us"] is not None and t["convergence_us"] > 0, (name, t)
    out.append("%s: detection %d us, convergence %d us, outage %d us" % (
        name, t["detection_us"], t["convergence_us"], t["outage_us"]))
print("# " + "; ".join(out))
PY
