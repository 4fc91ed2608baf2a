#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet measure end to end on a small lab (lab/small.ini), on the host
# kernel: faults that change nothing on the probed path measure about
# zero; a vip moved with announcements is back within the SLA, without
# announcements it is not back within the timeout (far larger); the
# JSON and CSV parse and agree, the SVG is well-formed XML; the lab is
# gone after every run (also after SIGTERM), kept with --keep; a kill
# fault kills the process of its pidfile; --watch runs hanet watch on
# the lab and stops it; exit statuses.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

LAB=$HN_TOP/tests/measure/lab/small.ini
O=$HN_TMP

# nothing of the lab is left: no namespace, no ownership record
assert_gone() {
	[ -z "$(ip netns list)" ] || hn_fail "$1: namespaces left: $(ip netns list | tr '\n' ' ')"
	[ -z "$(ls -A /run/hanet/owned 2>/dev/null)" ] || hn_fail "$1: records left: $(ls /run/hanet/owned)"
}

# 1. Every fault of the lab, JSON + CSV + SVG.  The quiet move fails the
#    SLA: exit 1.
rc=0
"$HANET" measure --timeout 1s --json="$O/all.json" --csv "$O/all.csv" --svg "$O/all.svg" "$LAB" \
	>"$O/all.txt" 2>"$O/all.err" || rc=$?
cat "$O/all.err"
[ "$rc" = 1 ] || { cat "$O/all.txt"; hn_fail "expected exit 1 (the quiet move is outside the SLA), got $rc"; }
assert_gone "after a run"
grep -q '^fault move: trial 3/3: outage' "$O/all.err" || hn_fail "no progress line for the last trial of move"
python3 - "$O/all" <<'PY'
import csv, json, sys, xml.dom.minidom
base = sys.argv[1]
j = json.load(open(base + ".json"))
g = {x["name"]: x for x in j["groups"]}
assert list(g) == ["c2-down", "c2-carrier", "c2-delete", "move", "move-quiet"], list(g)
assert j["pass"] is False and j["sla"]["failover_max_us"] == 10000, (j["pass"], j["sla"])
# faults off the probed path: every trial recovered and nothing lost; the
# outage is what is left of the jitter of a reply (a shared, busy machine
# delays one by a few ms at times: the same allowance as steady.sh)
noop = []
for name in ("c2-down", "c2-carrier", "c2-delete"):
    for t in g[name]["trials"]:
        assert t["recovered"] and t["lost"] == 0 and t["outage_us"] < 5000, (name, t)
        noop.append(t["outage_us"])
        kinds = [e["kind"] for e in t["events"]]
        assert "fault" in kinds, (name, kinds)
    assert g[name]["summary"]["pass"] is True, name
assert len(g["c2-down"]["trials"]) == 3 and len(g["c2-delete"]["trials"]) == 2
# the link was deleted: its events say so (the restore re-applied the lab)
assert any(e["kind"] == "link-del" and e["dev"] == "c2-p" for e in g["c2-delete"]["trials"][0]["events"])
# announced: back within the SLA, the reaction is the vip added on c2
for t in g["move"]["trials"]:
    assert t["recovered"] and t["outage_us"] <= 10000, t
    r = t["reaction"]
    assert r["kind"] == "addr-add" and r["netns"] == "c2" and r["address"] == "10.40.0.50/24", r
    assert any(e["kind"] == "announce" and e["netns"] == "c2" for e in t["events"]), t["events"]
assert g["move"]["summary"]["pass"] is True
# not announced: the client keeps sending to c1 and nothing comes back
q = g["move-quiet"]["trials"][0]
assert not q["recovered"] and q["outage_us"] is None and q["gap_us"] >= 1000000 and q["lost"] >= 900, q
worst_announced = max(t["outage_us"] for t in g["move"]["trials"])
assert q["gap_us"] > 50 * max(worst_announced, 1000), (q["gap_us"], worst_announced)
assert g["move-quiet"]["summary"]["pass"] is False
# the CSV says the same, one row a trial
rows = list(csv.DictReader(open(base + ".csv", newline="")))
assert len(rows) == sum(len(x["trials"]) for x in j["groups"]), len(rows)
for r in rows:
    t = g[r["group"]]["trials"][int(r["trial"]) - 1]
    assert (r["recovered"] == "yes") == t["recovered"], (r, t)
    if t["recovered"]:
        assert abs(float(r["outage_us"]) - t["outage_us"]) <= 1, (r, t)
    assert r["within_sla"] == ("yes" if t["recovered"] and t["outage_us"] <= 10000 else "no"), r
doc = xml.dom.minidom.parse(base + ".svg")
assert doc.documentElement.tagName == "svg"
noop.sort()
assert noop[len(noop) // 2] < 1000, noop
print("# faults that change nothing: outage %s us, nothing lost" % noop)
print("# announced move: outage %s us; not announced: none back after %d ms (%d probes lost)" % (
    [t["outage_us"] for t in g["move"]["trials"]], q["gap_us"] // 1000, q["lost"]))
PY
grep -q '^SLA: FAIL$' "$O/all.txt" || hn_fail "table: no FAIL verdict"
grep -Eq '^ +1 +>1\.[0-9]+s ' "$O/all.txt" || hn_fail "table: the quiet move is not shown as >1s"

# 2. One fault, fewer trials, steady state first; the table; exit 0.
"$HANET" measure --fault move --trials 2 --steady 1s "$LAB" >"$O/one.txt" 2>"$O/one.err" ||
	{ cat "$O/one.txt" "$O/one.err"; hn_fail "measure --fault move"; }
assert_gone "after --fault"
grep -q '^move: .*: 2 trials' "$O/one.txt" || hn_fail "--trials 2 not honoured"
grep -q '^c2-down' "$O/one.txt" && hn_fail "--fault move ran other faults"
grep -q '^steady state, no fault:$' "$O/one.txt" || hn_fail "--steady: no steady state"
grep -q '^SLA: PASS$' "$O/one.txt" || hn_fail "move alone: expected PASS"
rc=0
"$HANET" measure --json --fault c2-down --trials 1 "$LAB" >"$O/one.json" 2>"$O/one-json.err" || rc=$?
[ $rc -eq 0 ] || { cat "$O/one-json.err"; hn_fail "measure --json --fault c2-down: exit $rc"; }
python3 - "$O/one.json" <<'PY' || { cat "$O/one-json.err"; hn_fail "measure --json --fault c2-down: $(head -c 2000 "$O/one.json")"; }
import json, sys
j = json.load(open(sys.argv[1]))
assert j["pass"] is True and len(j["groups"]) == 1 and j["steady"] == [], j
PY

# 3. --keep leaves the lab; hanet down removes it.
"$HANET" measure --keep --fault c2-down --trials 1 "$LAB" >/dev/null 2>"$O/keep.err"
grep -q "hanet down" "$O/keep.err" || hn_fail "--keep: no hint how to remove the lab"
hn_assert_eq "$(ip netns list | awk '{print $1}' | sort | tr '\n' ' ')" "c1 c2 cli sw " "--keep: the lab's namespaces"
"$HANET" down "$LAB" >/dev/null
assert_gone "after --keep and down"

# 4. SIGTERM in the middle of a trial: the lab is removed, exit 143.
"$HANET" measure --fault move-quiet --timeout 20s "$LAB" >"$O/term.txt" 2>"$O/term.err" &
pid=$!
for _ in $(seq 200); do
	grep -q "^fault move-quiet: vip-move" "$O/term.err" && break
	sleep 0.05
done
sleep 0.3
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
cat "$O/term.err"
hn_assert_eq "$rc" 143 "exit status after SIGTERM"
grep -q "interrupted: removing the lab" "$O/term.err" || hn_fail "SIGTERM: no message"
[ ! -s "$O/term.txt" ] || hn_fail "SIGTERM: a report was printed"
assert_gone "after SIGTERM"

# 5. A kill fault: the process of the pidfile gets SIGKILL.
sleep 60 &
victim=$!
echo "$victim" >"$O/victim.pid"
sed "s|^\[fault c2-down\]|[fault kill-it]\naction = kill\npidfile = $O/victim.pid\nrestore = none\ntrials = 1\nprobe = api\n\n&|" \
	"$LAB" >"$O/kill.ini"
"$HANET" measure --fault kill-it "$O/kill.ini" >"$O/kill.txt" 2>"$O/kill.err" || { cat "$O/kill.err"; hn_fail "kill fault"; }
rc=0
wait "$victim" 2>/dev/null || rc=$?
hn_assert_eq "$rc" 137 "the victim's exit status (SIGKILL)"
assert_gone "after the kill fault"

# 6. --watch: hanet watch keeps a profile of its own applied on the lab
#    (here an address on c2's link) during the trials, and takes it away
#    at the end; nothing of it is left.
cat >"$O/ctl.ini" <<'INI'
[profile]
name = test-lab-small-ctl
[netns c2]
[nic e2]
netns = c2
addresses = 10.40.0.22/24
INI
# run under a subreaper: a hanet watch (or anything else) left behind
# becomes its child and is listed by its pid
rc=0
hn_reaped "$O/watch.left" "$O/watch.pid" "$HANET" measure --watch "$O/ctl.ini" --fault move --trials 1 "$LAB" \
	>"$O/watch.txt" 2>"$O/watch.err" || rc=$?
[ "$rc" = 0 ] || { cat "$O/watch.err"; hn_fail "measure --watch: exit $rc"; }
grep -q "starting hanet watch" "$O/watch.err" || hn_fail "--watch: no progress line"
grep -q '^SLA: PASS$' "$O/watch.txt" || hn_fail "--watch: the move does not pass"
[ ! -s "$O/watch.left" ] || hn_fail "processes left after measure --watch: $(tr '\n' ' ' <"$O/watch.left")"
ls /tmp/hanet-measure.* >/dev/null 2>&1 && hn_fail "watch records left in /tmp"
assert_gone "after --watch"
# an invalid watch profile: a runtime failure, the lab removed
printf '[profile]\nname = bad-ctl\n[nic e2]\nnetns = c2\nmtu = huge\n' >"$O/badctl.ini"
rc=0
"$HANET" measure --watch "$O/badctl.ini" --fault move --trials 1 "$LAB" >/dev/null 2>"$O/badctl.err" || rc=$?
hn_assert_eq "$rc" 3 "measure --watch with an invalid watch profile"
grep -q "hanet watch" "$O/badctl.err" || { cat "$O/badctl.err"; hn_fail "--watch failure: no message"; }
assert_gone "after a failed --watch"

# 7. Exit statuses: an invalid profile 2, a profile that is no lab 2 (an
#    object in the namespace hanet runs in), usage 64 (no such fault too).
printf '[profile]\n[veth x]\npeer = y\n[probe p]\nto = 10.0.0.1\nfrom = y\n' >"$O/bad.ini"
hn_expect_rc 2 "$HANET" measure "$O/bad.ini"
printf '[netns a]\n[veth x]\npeer = y\npeer_netns = a\n[probe p]\nfrom = a\nto = 10.0.0.1\n[fault f]\naction = link-down\ndev = y\nnetns = a\n' \
	>"$O/nolab.ini"
"$HANET" validate "$O/nolab.ini" >/dev/null || hn_fail "nolab.ini should be a valid profile"
rc=0
"$HANET" measure "$O/nolab.ini" 2>"$O/nolab.err" || rc=$?
hn_assert_eq "$rc" 2 "a profile with a link in the current namespace"
grep -q "not a lab: \[veth x\] is in the namespace hanet runs in" "$O/nolab.err" || { cat "$O/nolab.err"; hn_fail "message"; }
hn_expect_rc 64 "$HANET" measure --trials 0 "$LAB"
hn_expect_rc 64 "$HANET" measure
hn_expect_rc 64 "$HANET" measure --fault nosuch "$LAB"
assert_gone "after the failures"
exit 0
