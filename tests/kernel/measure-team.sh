#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet measure --watch on the team failover lab: the lab
# (profiles/lab/team-failover.ini) gives a controller namespace two links
# into a switch; hanet watch keeps the controller's activebackup team over
# them applied (profiles/lab/team-controller.ini) and chooses its active
# port.  The active port loses its carrier trial after trial: every trial
# recovers, its reaction is watch making c1b active (from watch's
# records), the outage lies within bounds wide enough for a slow guest;
# watch removes its team at the end and the lab is gone (the test has a
# PID namespace of its own: no hanet watch of its own is left, whatever
# else runs on the host).
. "$(dirname "$0")/../lib.sh"
HN_PIDNS=1 hn_sandbox "$@"
set -eu

rc=0
"$HANET" measure --trials 3 --watch "$HN_TOP/profiles/lab/team-controller.ini" --json="$HN_TMP/team.json" \
	"$HN_TOP/profiles/lab/team-failover.ini" >"$HN_TMP/team.txt" 2>"$HN_TMP/team.err" || rc=$?
cat "$HN_TMP/team.err" "$HN_TMP/team.txt"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || hn_fail "hanet measure exited $rc"
[ -z "$(ip netns list)" ] || hn_fail "namespaces left: $(ip netns list)"
[ -z "$(ls -A /run/hanet/owned 2>/dev/null)" ] || hn_fail "records left: $(ls /run/hanet/owned)"
pgrep -f "hanet watch" >/dev/null && hn_fail "hanet watch still running"
python3 - "$HN_TMP/team.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
g = j["groups"][0]
assert g["name"] == "active-port" and len(g["trials"]) == 3, g
for t in g["trials"]:
    assert t["recovered"], t
    r = t["reaction"]
    assert r and r["kind"] == "active-port" and r["netns"] == "ctl1" and r["dev"] == "team1", t
    assert r["detail"] == "active port c1b (hanet watch)", r
    assert 0 <= t["detection_us"] <= 200000, t
    assert t["outage_us"] <= 300000, t
    assert ("carrier-down", "ctl1", "c1a") in [(e["kind"], e["netns"], e["dev"]) for e in t["events"]], t["events"]
print("# team failover by hanet watch: outage %s ms, detection %s ms" % (
    [round(t["outage_us"] / 1000, 1) for t in g["trials"]], [round(t["detection_us"] / 1000, 1) for t in g["trials"]]))
PY
