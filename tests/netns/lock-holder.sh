#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A lock is held by whoever holds its open file, not by the pid that
# /proc/locks names: that is the process that took it.  A process that
# forks (as `hanet apply --confirm` does for its waiting process) leaves
# the lock with its child; once that pid goes to a process of another
# user, the lock must still count as root's: no other run replaces it.
# Here a root process takes the lock, forks a child that keeps it and
# becomes nobody itself -- the state a recycled pid leaves.  And a run
# that finds the pending change of a live waiting process (its lock file
# replaced under it) leaves the change to that process: `hanet confirm`
# still reaches it and it is kept.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -eu
command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 0; }

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; hn_cleanup' EXIT

P=$HN_TMP/c.ini
cat >"$P" <<'INI'
[profile]
name = c

[veth v0]
peer = v1
addresses = 10.0.0.1/24
INI
Q=$HN_TMP/q.ini
cat >"$Q" <<'INI'
[profile]
name = q

[veth w0]
peer = w1
INI

# ---- a root child holds the lock; the pid that took it is nobody's
chmod 0700 /run/hanet
(python3 - <<'PY'
import fcntl, os, sys, time
fd = os.open("/run/hanet/lock", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
child = os.fork()
if child == 0:
    time.sleep(60)
    os._exit(0)
os.setgid(65534)
os.setuid(65534)
os.write(1, b"%d %d\n" % (os.getpid(), child))
time.sleep(60)
PY
) >"$HN_TMP/pids" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$HN_TMP/pids" ] && break; sleep 0.05; done
read -r T K <"$HN_TMP/pids"
PIDS+=("$K")
ino=$(stat -c %i /run/hanet/lock)
grep -q "FLOCK .* $T [0-9a-f:]*:$ino " /proc/locks || hn_fail "/proc/locks does not name pid $T: $(cat /proc/locks)"
hn_assert_eq "$(stat -c %u "/proc/$T")" "65534" "owner of pid $T"
rc=0
"$HANET" apply "$Q" >/dev/null 2>"$HN_TMP/err" || rc=$?
hn_assert_eq "$rc" 4 "apply while a root process holds the lock: $(cat "$HN_TMP/err")"
grep -q "replaced by a new lock file" "$HN_TMP/err" && hn_fail "root's lock judged another user's: $(cat "$HN_TMP/err")"
[ "$(stat -c %i /run/hanet/lock)" = "$ino" ] || hn_fail "the lock file was replaced"
has_link w0 && hn_fail "q was applied while root's process held the lock"
kill -9 "$K"
for _ in $(seq 100); do flock -n /run/hanet/lock true && break; sleep 0.05; done
# the lock is free: the same run goes through
"$HANET" apply "$Q" >/dev/null
has_link w0 || hn_fail "q not applied once the lock is free"
"$HANET" down q >/dev/null
# a lock held by nobody alone (a file open to all before) is still replaced
kill -9 "$T"
chmod 0755 /run/hanet
chmod 0644 /run/hanet/lock
setpriv --reuid=65534 --regid=65534 --clear-groups flock -x /run/hanet/lock sleep 60 </dev/null &
PIDS+=($!)
for _ in $(seq 100); do flock -n /run/hanet/lock true || break; sleep 0.02; done
"$HANET" apply "$Q" >/dev/null 2>"$HN_TMP/err" || hn_fail "apply with nobody's lock: $(cat "$HN_TMP/err")"
grep -q "replaced by a new lock file" "$HN_TMP/err" || hn_fail "nobody's lock not replaced: $(cat "$HN_TMP/err")"
"$HANET" down q >/dev/null

# ---- many runs race for a lock that another user's process holds and
# lets go of: while one run checks that holder and replaces the file, the
# holder may let go and another run take the old file.  Each round makes
# the lock file open to all again, a nobody process holds it, RACERS
# processes start together (lock-race waits on a FIFO) and take it TAKES
# times each (lock.h, as every hanet run does), each checking that it is
# alone inside, and the holder lets go 5 to 14 ms after the start.  The
# racers are of the test build, HANET_LOCK_REPLACE_DELAY_US: 20 ms pass
# between finding the lock another user's and unlinking it.
RACE=$HN_TOP/build/tests/lock-race
RACERS=6 TAKES=5 ROUNDS=40
L=/run/hanet/race.lock
replaced=0
for round in $(seq "$ROUNDS"); do
	chmod 0755 /run/hanet
	rm -f "$L" "$L.guard" "$HN_TMP/start"
	install -m 0644 /dev/null "$L"
	mkfifo "$HN_TMP/start"
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups flock -x "$L" sleep 10 </dev/null &
	NB=$!
	PIDS+=("$NB")
	for _ in $(seq 200); do flock -n "$L" true || break; sleep 0.005; done
	rpids=()
	for i in $(seq "$RACERS"); do
		HANET_LOCK_REPLACE_DELAY_US=20000 timeout 60 "$RACE" "$L" "$HN_TMP/inside" "$TAKES" 500 "$HN_TMP/start" 2>>"$HN_TMP/race.err" &
		rpids+=($!)
		PIDS+=($!)
	done
	sleep 0.1       # the racers wait on the FIFO
	exec 9>"$HN_TMP/start"
	sleep "$(printf 0.%03d $((5 + round % 10)))"
	kill "$NB"
	exec 9>&-
	for p in "${rpids[@]}"; do
		rc=0
		wait "$p" || rc=$?
		[ "$rc" = 0 ] || hn_fail "round $round: a racer exited $rc: $(cat "$HN_TMP/race.err")"
	done
	wait "$NB" 2>/dev/null || true
	grep -q "replaced by a new lock file" "$HN_TMP/race.err" && replaced=$((replaced + 1))
	: >"$HN_TMP/race.err"
	[ "$(stat -c '%u %a' "$L")" = "0 600" ] || hn_fail "round $round: lock file left $(stat -c '%u %a' "$L")"
done
# the race was run: nobody's lock was found and replaced in some rounds
[ "$replaced" -ge 1 ] || hn_fail "nobody's lock replaced in none of $ROUNDS rounds"
echo "lock race: $ROUNDS rounds x $RACERS racers x $TAKES takes, nobody's lock replaced in $replaced rounds: one holder at a time"

# ---- the lock file of a live waiting process replaced under it
"$HANET" apply --confirm 30s "$P" >"$HN_TMP/out"
W=$(sed -n 's/.*(pid \([0-9]*\))$/\1/p' "$HN_TMP/out")
PIDS+=("$W")
[ -n "$W" ] && [ -d "/proc/$W" ] || hn_fail "no waiting process: $(cat "$HN_TMP/out")"
rm /run/hanet/lock
"$HANET" show c >/dev/null 2>"$HN_TMP/err" || true
grep -q "rolled back" "$HN_TMP/err" && hn_fail "show settled the change of a live waiting process: $(cat "$HN_TMP/err")"
[ -e /run/hanet/confirm/c.journal ] || hn_fail "the journal of the live change is gone"
has_link v0 || hn_fail "the pending change was rolled back behind its waiting process"
"$HANET" confirm c >"$HN_TMP/out" 2>&1 || hn_fail "confirm: $(cat "$HN_TMP/out")"
grep -q "^c: confirmed$" "$HN_TMP/out" || hn_fail "confirm: $(cat "$HN_TMP/out")"
for _ in $(seq 100); do [ -d "/proc/$W" ] || break; sleep 0.05; done
[ -d "/proc/$W" ] && hn_fail "the waiting process did not end on confirm"
has_link v0 || hn_fail "confirmed change is gone"
[ -e /run/hanet/confirm/c.journal ] && hn_fail "journal left after confirm"
"$HANET" down c >/dev/null

# ---- the guard busy is not a holder: a run holds the guard only while it
# takes the lock (or replaces its file).  Held a moment (200 ms), a run
# without --lock-wait waits it out and goes through; held long, it says
# the lock is held after a bounded wait (500 ms), not at once, not forever
chmod 0700 /run/hanet
flock -o -x /run/hanet/lock.guard sleep 0.2 &
PIDS+=($!)
for _ in $(seq 100); do flock -n -s /run/hanet/lock.guard true || break; sleep 0.005; done
flock -n -s /run/hanet/lock.guard true && hn_fail "the guard is not held"
"$HANET" apply "$Q" >/dev/null 2>"$HN_TMP/err" || hn_fail "apply with the guard held a moment: $(cat "$HN_TMP/err")"
has_link w0 || hn_fail "q not applied"
flock -o -x /run/hanet/lock.guard sleep 10 &
G=$!
PIDS+=("$G")
for _ in $(seq 100); do flock -n -s /run/hanet/lock.guard true || break; sleep 0.005; done
t0=$(date +%s%N)
rc=0
"$HANET" down q >/dev/null 2>"$HN_TMP/err" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
hn_assert_eq "$rc" 4 "down with the guard held long: $(cat "$HN_TMP/err")"
[ "$ms" -ge 450 ] && [ "$ms" -lt 5000 ] || hn_fail "down gave up after $ms ms (the guard's wait is 500 ms)"
kill "$G"
wait "$G" 2>/dev/null || true
"$HANET" down q >/dev/null
has_link w0 && hn_fail "q not taken down"
echo "guard held 200 ms: waited out; held 10 s: the lock reported held after $ms ms"
echo "PASS lock-holder"
