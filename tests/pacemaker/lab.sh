#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Pacemaker lab, two trials of each fault on ctl2, the holder of both
# VIPs, every trial checked:
#   node-death: corosync forms a membership without
#     ctl2 (the reaction that ends detection, about token + consensus,
#     2.2 s, after the fault), then the VIP is added on another node,
#     announced from that node's MAC, and replies resume (ctl2's link is
#     down: they come from the new holder); the cluster's alert of api's
#     start there is in the trial, and legacy's (IPaddr2) move too; the
#     trial's breakdown runs from the membership through the cluster's
#     steps for api (not legacy's) to the first reply, adding up; the
#     DC asked the scheduler after the CIB's transition-delay, and did
#     not sleep a second on its own pending CIB updates in every trial;
#   move: crm_resource --move, a migration (allow-migrate): migrate_to on
#     ctl2, migrate_from on the target (the VIP added and announced
#     there), then the stop on ctl2, no start; the VIP added on the target
#     before it leaves ctl2, and no membership change;
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
"$HANET" measure --trials 2 --timeout 15s --json="$O/p.json" --svg="$O/p.svg" "$LAB" >"$O/p.txt" 2>"$O/p.err" || rc=$?
kill "$seen" 2>/dev/null
wait "$seen" 2>/dev/null || :
# exit 1: a fault outside the lab's [sla] (a result, the node death's
# p50 on a loaded machine); more is a failure to measure
[ $rc -le 1 ] || { cat "$O/p.err" "$O/p.txt"; hn_fail "measure $LAB: exit $rc"; }
grep -q '^SLA: ' "$O/p.txt" || hn_fail "no SLA verdict: $(cat "$O/p.txt")"
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
VIP = "10.70.0.50"
LEGACY = "10.70.0.60"
out = []


def first(ev, kind, **kw):
    return [e for e in ev if e["kind"] == kind and e["t_us"] > 0 and all(e.get(k) == v for k, v in kw.items())]


def check(name, n, t):
    what = "%s trial %d" % (name, n)
    ev = t["events"]
    assert t["recovered"], (what, t)
    if name == "node-death":
        assert t["outage_us"] > 50000 and t["lost"] > 50, (what, "no real outage", t["outage_us"])
    # the VIP was added on another node, after the fault
    adds = first(ev, "addr-add", address=VIP + "/24")
    assert adds and adds[0]["netns"] in ("ctl1", "ctl3"), (what, adds)
    new = adds[0]["netns"]
    # announced from the new holder's MAC, on its switch port
    garps = first(ev, "garp", address=VIP + "/32")
    assert garps and garps[0]["dev"] == {"ctl1": "c1-sw", "ctl3": "c3-sw"}[new], (what, garps)
    assert MAC[new] in garps[0]["detail"], (what, garps[0])
    # the cluster's own events: api taken over on the new holder
    res = [e["detail"] for e in first(ev, "resource")]
    mem = first(ev, "membership")
    if name == "move":
        # a migration: migrate_to on ctl2, migrate_from on the new holder,
        # then the stop on ctl2, and no start; the VIP added there while
        # ctl2 still held it
        order = [d.split(":")[0] for d in res if d.startswith("api ")]
        want = ["api migrate_to on ctl2", "api migrate_from on " + new, "api stop on ctl2"]
        assert order == want, (what, res)
        dels = first(ev, "addr-del", address=VIP + "/24", netns="ctl2")
        assert dels and dels[0]["t_us"] > adds[0]["t_us"], (what, "the VIP left ctl2 before it was added", dels)
        assert not mem, (what, "a membership change", mem)
        return "%s: outage %d us, lost %d" % (what, t["outage_us"], t["lost"])
    assert any(("api start on " + new) in d for d in res), (what, res)
    # corosync's new membership without node 2, on a surviving node, is
    # the reaction: fault -> membership is the detection
    assert mem and "Members left: 2" in mem[0]["detail"] and mem[0]["netns"] in ("ctl1", "ctl3"), (what, mem)
    r = t["reaction"]
    assert r and r["kind"] == "membership" and r["t_us"] == mem[0]["t_us"], (what, r)
    # token 1000 ms + consensus 1200 ms: a loaded machine adds some
    assert 1500000 <= t["detection_us"] <= 6000000, (what, t["detection_us"])
    assert abs(t["detection_us"] - mem[0]["t_us"]) <= 2, (what, t["detection_us"], mem[0])
    assert adds[0]["t_us"] > mem[0]["t_us"], (what, "the VIP moved before the membership changed")
    if name == "kill-corosync":
        return "%s: detection %d us, api added on %s %d us after the fault, outage %d us" % (
            what, t["detection_us"], new, adds[0]["t_us"], t["outage_us"])
    assert t["convergence_us"] is not None and t["convergence_us"] > 0, (what, t)
    # where the time went: from the fault through the membership, the
    # cluster's steps (the new holder's execd running the agent among
    # them), the VIP added, to the first reply; the stretches add up
    bd = t["breakdown"]
    assert bd[0]["kind"] == "membership" and bd[-1]["kind"] == "reply", (what, bd)
    assert any(("pacemaker-execd: start api" in b["step"]) and b["netns"] == new for b in bd), (what, bd)
    assert not any("start legacy" in b["step"] for b in bd), (what, "another VIP's step", bd)
    assert any(b["kind"] == "addr-add" and b["netns"] == new for b in bd), (what, bd)
    assert abs(sum(b["us"] for b in bd) - bd[-1]["at_us"]) <= len(bd), (what, bd)
    assert abs(bd[-1]["at_us"] - (t["detection_us"] + t["convergence_us"])) <= 2, (what, bd[-1], t["detection_us"])
    # the CIB's transition-delay: the DC asks the scheduler once it is
    # over, its own CIB updates after the loss done by then, and does
    # not sleep a second on them (doc/keepalived-pacemaker.md); after a
    # lost DC's election the new DC's join asks
    slept = any("sleeps 1s" in b["step"] for b in bd)
    SLEPT.append(slept)
    if not any("the DC (" in b["step"] for b in bd):
        # (the first of each text is the step; in the log's order: the two
        # are often in the same millisecond)
        pop = [i for i, b in enumerate(bd) if "transition-delay over" in b["step"]]
        ask = [i for i, b in enumerate(bd) if "the scheduler asked" in b["step"]]
        assert pop and ask and pop[0] < ask[0], (what, "no transition-delay before the scheduler", bd)
    # ctl2 held legacy too: the same trial has IPaddr2's move, after the
    # membership, announced from its new holder (tools/demo-table)
    ladds = [e for e in first(ev, "addr-add", address=LEGACY + "/24") if e["t_us"] > mem[0]["t_us"]]
    assert ladds and ladds[0]["netns"] in ("ctl1", "ctl3"), (what, "legacy not moved", ladds)
    lg = [e for e in first(ev, "garp", address=LEGACY + "/32") if MAC[ladds[0]["netns"]] in e["detail"]]
    assert lg and lg[0]["t_us"] > mem[0]["t_us"], (what, "legacy not announced", lg)
    return "%s: detection %d us, convergence %d us, outage %d us; membership -> added: api %d us, legacy %d us%s" % (
        what, t["detection_us"], t["convergence_us"], t["outage_us"], adds[0]["t_us"] - mem[0]["t_us"],
        ladds[0]["t_us"] - mem[0]["t_us"], "; the DC slept 1s on pending CIB updates" if slept else "")


SLEPT = []
for name, x in g.items():
    assert len(x["trials"]) >= 2, (name, len(x["trials"]))
    for n, t in enumerate(x["trials"], 1):
        out.append(check(name, n, t))
# the DC's one-second sleep: none in 36 node deaths with a 50 ms
# transition-delay (18 with the lab's very settings), 30 of them with 3
# or 4 loops spinning beside the lab (doc/keepalived-pacemaker.md); a
# trial that has it is a result, not a failure, but every trial having
# it means the delay did not work
assert SLEPT and not all(SLEPT), ("the DC slept 1s in every node death", SLEPT)
print("# " + "\n# ".join(out))
PY
