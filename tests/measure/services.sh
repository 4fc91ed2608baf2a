#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lab services and node faults (lab/services.ini): services start in
# their node's namespaces (own hostname, tmpfs /run) and are ready before
# the trials; service-kill kills a service's group or its children and
# the restore starts it again; node-kill takes the node's links down and
# kills every process of it at once, and brings it back; no process of
# a service outlives the lab (after a run, after SIGTERM, after a service
# that never gets ready); faults are jittered; bad [service] sections
# are refused naming file:line.  The test has a PID namespace of its own:
# the service processes it looks for are those of its own labs only.
. "$(dirname "$0")/../lib.sh"
HN_PIDNS=1 hn_sandbox "$@"
set -eu

LAB=$HN_TOP/tests/measure/lab/services.ini
O=$HN_TMP

# the lab's service processes still running (pgrep sees the test's PID
# namespace: its own labs' processes, not another run's)
left() { pgrep -f '^(sh -c .*)?sleep 600.432' || true; }
# the processes of the lab's namespace NS whose command line is CMD
lab_procs() {   # lab_procs NS CMD
	local p
	for p in $(ip netns pids "$1"); do
		[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")" != "$2 " ] || echo "$p"
	done
}
assert_gone() {
	[ -z "$(ip netns list)" ] || hn_fail "$1: namespaces left: $(ip netns list | tr '\n' ' ')"
	[ -z "$(left)" ] || hn_fail "$1: service processes left: $(left | tr '\n' ' ')"
}

# 1. The services while the lab is up (n2's node dying leaves a alone).
#    (enough trials to look at them on a busy machine)
"$HANET" measure --fault n2-dead --trials 10 "$LAB" >"$O/up.txt" 2>"$O/up.err" &
pid=$!
for _ in $(seq 200); do
	grep -q "^fault n2-dead: node-kill" "$O/up.err" 2>/dev/null && break
	sleep 0.05
done
a=$(lab_procs c1 'sleep 600.4321' | head -n 1)
[ -n "$a" ] || { cat "$O/up.err"; hn_fail "service a is not running"; }
hn_assert_eq "$(nsenter -t "$a" -u hostname)" node-a "service a's hostname"
[ "$(stat -L -c %i /proc/"$a"/ns/net)" = "$(stat -L -c %i /run/netns/c1)" ] || hn_fail "service a is not in c1"
[ -e /proc/"$a"/root/run/a.ready ] || hn_fail "service a: no /run/a.ready in its mount namespace"
[ -e /run/a.ready ] && hn_fail "service a's tmpfs /run leaked into the host's /run"
[ "$(hostname)" != node-a ] || hn_fail "the host's hostname changed"
n=$(lab_procs c1 'sleep 600.4321' | wc -l)
[ "$n" = 2 ] || { cat "$O/up.err"; hn_fail "service a's two children: $n"; }
wait "$pid" || { cat "$O/up.err"; hn_fail "measure --fault n2-dead"; }
assert_gone "after n2-dead"

# 2. Every fault.
"$HANET" measure --timeout 500ms --json="$O/all.json" "$LAB" >"$O/all.txt" 2>"$O/all.err" &
pid=$!
rc=0
wait "$pid" || rc=$?
cat "$O/all.err"
hn_assert_eq "$rc" 1 "exit status (n1-dead does not recover: FAIL)"
assert_gone "after a run"
python3 - "$O/all.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in j["groups"]}
for name in ("a-group", "a-child", "n2-dead"):
    for t in g[name]["trials"]:
        # nothing lost; what is left is the jitter of a busy machine
        assert t["recovered"] and t["lost"] == 0 and t["outage_us"] < 20000, (name, t)
        kinds = [e["kind"] for e in t["events"]]
        assert "fault" in kinds, (name, kinds)
assert len(g["a-group"]["trials"]) == 2 and len(g["n2-dead"]["trials"]) == 2
f = [e for e in g["a-child"]["trials"][0]["events"] if e["kind"] == "fault"][0]
assert "SIGTERM a children" in f["detail"], f
# node death: the node's link went down with the fault
for t in g["n2-dead"]["trials"]:
    ev = t["events"]
    f = [e for e in ev if e["kind"] == "fault"][0]
    assert "node n2 dead: 1 links down" in f["detail"], f
    assert any(e["kind"] in ("link-down", "carrier-down") and e["netns"] in ("c2", "sw") for e in ev), ev
# the node holding the vip: nothing answers until the node is back, and
# every trial started from a working lab (restore brought it back)
for t in g["n1-dead"]["trials"]:
    assert not t["recovered"] and t["lost"] >= 300, t
assert g["n1-dead"]["summary"]["pass"] is False
print("# service and node faults off the probed path: outages %s us" % [
    t["outage_us"] for n in ("a-group", "a-child", "n2-dead") for t in g[n]["trials"]])
PY
grep -q "^fault a-group: service-kill a: SIGKILL to its process group" "$O/all.err" || hn_fail "a-group: description"

# 3. SIGTERM while a trial runs: services and lab gone, exit 143.
"$HANET" measure --fault n1-dead --trials 1 --timeout 20s "$LAB" >/dev/null 2>"$O/term.err" &
pid=$!
for _ in $(seq 200); do
	grep -q "^fault n1-dead: node-kill" "$O/term.err" 2>/dev/null && break
	sleep 0.05
done
sleep 0.5
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
hn_assert_eq "$rc" 143 "exit status after SIGTERM"
assert_gone "after SIGTERM"

# 4. A service that never gets ready: the lab is not measured, it is
#    removed with the service's processes, and the message says why.
sed 's|^command = exec sleep 600.4322$|command = exec sleep 600.4322\nready = file /nonexistent\nready_timeout = 300ms|' \
	"$LAB" >"$O/notready.ini"
rc=0
"$HANET" measure --fault a-group --trials 1 "$O/notready.ini" >/dev/null 2>"$O/notready.err" || rc=$?
hn_assert_eq "$rc" 3 "a service never ready"
grep -q "service b: not ready after 0.3s: /nonexistent does not exist" "$O/notready.err" ||
	{ cat "$O/notready.err"; hn_fail "not-ready message"; }
assert_gone "after a service that never got ready"

# 5. A service that exits at once: its status and the last line of its log.
sed 's|^command = exec sleep 600.4322$|command = echo cannot start >\&2 \&\& exit 7\nready = file /nonexistent|' "$LAB" >"$O/exits.ini"
rc=0
"$HANET" measure --fault a-group --trials 1 "$O/exits.ini" >/dev/null 2>"$O/exits.err" || rc=$?
hn_assert_eq "$rc" 3 "a service that exits"
grep -q "service b: exited (status 7) before it was ready: cannot start" "$O/exits.err" ||
	{ cat "$O/exits.err"; hn_fail "exit message"; }
assert_gone "after a service that exited"

# 6. A service that daemonizes a grandchild (a session of its own, out of
#    the service's group): nothing of the lab outlives a SIGKILLed hanet
#    measure.  Checked by the pids recorded while it ran, under a
#    subreaper, which also gets whatever is orphaned.
sed 's|^command = exec sleep 600.4322$|command = setsid -f sleep 600.4323 \&\& exec sleep 600.4322|' "$LAB" >"$O/daemon.ini"
hn_reaped "$O/daemon.left" "$O/daemon.pid" "$HANET" measure --fault a-group --trials 100 --timeout 5s "$O/daemon.ini" \
	>/dev/null 2>"$O/daemon.err" &
job=$!
for _ in $(seq 300); do
	grep -q "^fault a-group: trial 1/" "$O/daemon.err" 2>/dev/null && break
	sleep 0.05
done
mpid=$(cat "$O/daemon.pid")
# the subreaper's descendants: hanet measure's, and what it let go
read -r st </proc/"$mpid"/stat
read -r -a st <<<"${st##*) }"
hn_descendants "${st[1]}" | grep -v "^$mpid " >"$O/procs"
d=
while read -r p st; do
	[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" != "sleep 600.4323 " ] || d=$p
done <"$O/procs"
[ -n "$d" ] || { cat "$O/daemon.err" "$O/procs"; hn_fail "the daemonized grandchild of service b is not running"; }
kill -KILL "$mpid"
rc=0
wait "$job" || rc=$?
hn_assert_eq "$rc" 137 "hanet measure's status after SIGKILL"
while read -r p st; do
	hn_pid_alive "$p" "$st" && hn_fail "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline")) of the lab outlived hanet measure"
done <"$O/procs"
[ ! -s "$O/daemon.left" ] || hn_fail "orphans of hanet measure: $(tr '\n' ' ' <"$O/daemon.left")"
echo "# SIGKILLed hanet measure: none of its $(wc -l <"$O/procs") processes left, the daemon $d among them"
"$HANET" down "$O/daemon.ini" >/dev/null
assert_gone "after hanet down"

# 7. Bad sections: file:line [section] key.
bad() {
	printf '%s\n' "$2" >"$O/bad.ini"
	rc=0
	"$HANET" validate "$O/bad.ini" >/dev/null 2>"$O/bad.err" || rc=$?
	[ "$rc" != 0 ] || hn_fail "accepted: $2"
	grep -qF "$1" "$O/bad.err" || { cat "$O/bad.err"; hn_fail "expected \"$1\""; }
}
bad 'bad.ini:2: [service s] netns: missing' $'[netns a]\n[service s]\ncommand = true'
bad 'bad.ini:3: [service s] tmpfs: expected absolute directories' $'[service s]\nnetns = a\ntmpfs = run\ncommand = true'
bad 'bad.ini:3: [service s] ready: expected started, file PATH or command CMD' $'[service s]\nnetns = a\nready = soon\ncommand = true'
bad 'bad.ini:2: [fault f] service: missing' $'[netns a]\n[fault f]\naction = service-kill'
bad '[fault f] signal: expected KILL or TERM' $'[fault f]\naction = service-kill\nsignal = HUP'
bad '[fault f] node: nope is neither' $'[netns a]\n[probe p]\nfrom = a\nto = 10.0.0.1\n[fault f]\naction = node-kill\nnode = nope'
exit 0
