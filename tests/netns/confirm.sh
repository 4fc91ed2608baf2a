#!/bin/bash
# apply --confirm: rolled back when `hanet confirm` does not come in time,
# kept when it does; the waiting process holds the lock meanwhile.  The
# journal is on disk before the first change: a waiting process killed
# (SIGKILL) before the first step, in the middle of the apply, while it
# waits or in the middle of its rollback leaves a change that the next
# hanet command (check, show, vip status, vip takeover, vip follow,
# measure, apply, down, confirm, watch) rolls back.  `hanet confirm`
# never signals a recycled pid, and exits 0 only when the change was
# kept.  Every case compares `ip -j` dumps of the
# kernel with the ones taken before.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/c.ini
J=/run/hanet/confirm/c.journal
LOG=/run/hanet/confirm/c.log
PIDS=()

# processes this test started (waiting processes, watch) go with it: a
# pid still in this test's network namespace is still the one it started
ours() { [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ]; }
trap 'for p in "${PIDS[@]}"; do ! ours "$p" || kill -9 "$p" 2>/dev/null || true; done; hn_cleanup' EXIT

cat >"$P" <<EOF
[profile]
name = c

[netns a]

[veth v0]
peer = v1
peer_netns = a
addresses = 10.0.0.1/24
mtu = 1400

[vip web]
address = 10.0.0.100/24
dev = v0
preferred_lft = 0

[route r]
to = 10.1.0.0/16
via = 10.0.0.2
dev = v0

[route r6]
to = 2001:db8:1::/48
dev = v0
table = 100

[rule r]
from = 10.0.0.0/24
table = 100
priority = 1000
EOF

# jdump: the kernel as `ip -j` says it, in this namespace and every named
# one but watch's: links (with details), addresses, routes (all tables,
# both families), rules, named namespaces (no counters: no -s; the
# addresses are permanent, their lifetimes fixed)
jdump() {
	local ns n
	for ns in "" $(ip netns list | awk '$1 != "b" {print $1}' | sort); do
		echo "== netns ${ns:-(current)}"
		n=${ns:+-n $ns}
		ip $n -d -j link show; echo
		ip $n -j addr show; echo
		ip $n -4 -j route show table all; echo
		ip $n -6 -j route show table all; echo
		ip $n -4 -j rule show; echo
		ip $n -6 -j rule show; echo
	done | sed -E -e 's/"operstate":"[A-Z]+",?//g' -e 's/\},\{/},\n{/g'
}

# waiter OUTPUT: the pid of the waiting process that `hanet apply --confirm` printed
waiter() { sed -n 's/.*(pid \([0-9]*\))$/\1/p' <<<"$1"; }

# kill9 PID: SIGKILL, and wait until it is gone
kill9() {
	local i
	kill -9 "$1"
	for i in $(seq 200); do [ -d "/proc/$1" ] || return 0; sleep 0.01; done
	hn_fail "pid $1 did not go"
}

# wait_gone FILE SECONDS
wait_gone() {
	local i
	for i in $(seq $(( $2 * 20 ))); do [ -e "$1" ] || return 0; sleep 0.05; done
	return 1
}

# same_as FILE WHAT: the kernel now equals the dump in FILE
same_as() {
	settle $(ip netns list | awk '{print $1}')
	jdump >"$HN_TMP/now"
	diff -u "$1" "$HN_TMP/now" || hn_fail "$2: the kernel differs from before"
}

# a journal on disk, root's, 0600
journal_ok() {
	[ -f "$J" ] || hn_fail "$1: no journal"
	hn_assert_eq "$(stat -c '%a %U' "$J") $(stat -c '%a' /run/hanet/confirm)" "600 root 700" "$1: journal mode"
}

# rolled_back_by WHAT CMD...: CMD rolls back the pending change, says so
rolled_back_by() {
	local what=$1 rc=0
	shift
	"$@" >"$HN_TMP/out" 2>"$HN_TMP/err" || rc=$?
	grep -q "was not confirmed and .*: rolled back (before \`hanet " "$HN_TMP/err" ||
		hn_fail "$what: $* did not say it rolled back: $(cat "$HN_TMP/err")"
	[ ! -e "$J" ] || hn_fail "$what: the journal is still there"
	grep -q "change .* rolled-back" "$LOG" || hn_fail "$what: log: $(cat "$LOG")"
	return $rc
}

settle
jdump >"$HN_TMP/empty"

# ---- not confirmed: the waiting process rolls back
out=$("$HANET" apply --confirm 3s "$P")
PIDS+=("$(waiter "$out")")
grep -q "run \`hanet confirm c\` within 3.0s" <<<"$out" || hn_fail "apply --confirm says what to run"
journal_ok "waiting"
has_link v0 || hn_fail "not applied"
# the waiting process holds the lock
hn_expect_rc 4 "$HANET" apply "$P"
wait_gone "$J" 10 || hn_fail "the waiting process did not finish"
grep -q "not confirmed in time: rolled back" "$LOG" || hn_fail "log: $(cat "$LOG")"
same_as "$HN_TMP/empty" "rolled back by its waiting process"
[ ! -e /run/hanet/owned/c.owned ] || hn_fail "records not rolled back"
# too late: says it was rolled back, exit 3
hn_expect_rc 3 "$HANET" confirm c 2>"$HN_TMP/err"
grep -q "not confirmed: .*rolled back" "$HN_TMP/err" || hn_fail "late confirm: $(cat "$HN_TMP/err")"

# ---- confirmed: kept
"$HANET" apply --confirm 20s "$P" >/dev/null
"$HANET" confirm "$P" | grep -q "^c: confirmed$" || hn_fail "confirm did not say confirmed"
[ ! -e "$J" ] || hn_fail "journal left after confirm"
grep -q "change .* confirmed" "$LOG" || hn_fail "log: $(cat "$LOG")"
"$HANET" check "$P" >/dev/null
hn_assert_eq "$("$HANET" apply "$P")" "c: nothing to do" "lock released"
# nothing waits any more
hn_expect_rc 1 "$HANET" confirm c 2>/dev/null

# ---- the journal is on disk before the first request that changes the
# kernel: written and fsync'd, linked in place, its directory fsync'd
"$HANET" down "$P" >/dev/null
strace -qq -s 64 -e trace=openat,fsync,link,sendto,sendmsg -e signal=none -o "$HN_TMP/strace" \
	"$HANET" apply --confirm 20s "$P" >/dev/null
"$HANET" confirm c | grep -q "^c: confirmed$" || hn_fail "confirm after strace"
python3 - "$HN_TMP/strace" "$J" <<'PY' || hn_fail "the journal was not on disk before the first change"
import re, sys
lines, j = open(sys.argv[1]).read().splitlines(), sys.argv[2]
need = ["journal written", "journal fsync", "journal linked", "directory fsync"]
fd = dfd = None
for l in lines:
    m = re.match(r'openat\(AT_FDCWD, "([^"]*)", .*\) = (\d+)$', l)
    if m and m.group(1) == j + ".new":
        fd = m.group(2); need.remove("journal written")
    elif m and m.group(1) == j.rsplit("/", 1)[0] and "journal linked" not in need:
        dfd = m.group(2)
    elif fd and l.startswith("fsync(%s)" % fd) and "journal fsync" in need:
        need.remove("journal fsync")
    elif fd and l.startswith('link("%s.new", "%s") = 0' % (j, j)) and "journal fsync" not in need:
        need.remove("journal linked")
    elif dfd and l.startswith("fsync(%s)" % dfd) and "directory fsync" in need:
        need.remove("directory fsync")
    elif re.match(r"send(to|msg)\(", l) and re.search(r"nlmsg_type=RTM_(NEW|DEL|SET)", l) and "NLM_F_DUMP" not in l:
        if need:
            sys.exit("the first change (%s) came before: %s" % (l[:120], ", ".join(need)))
        print("# journal written, fsync'd, linked, its directory fsync'd: then the first change")
        sys.exit(0)
sys.exit("no change seen")
PY

# ---- a change on top of existing state; every case below must come back to it
sed -i 's/^via = 10.0.0.2$/via = 10.0.0.3/; s/^mtu = 1400$/mtu = 1300/; s|^addresses = 10.0.0.1/24$|addresses = 10.0.0.1/24, 10.0.0.5/24|; s/^priority = 1000$/priority = 1001/' "$P"
settle a
jdump >"$HN_TMP/before"
n_steps=$("$HANET" apply --dry-run "$P" | grep -c '^ *[0-9]')
[ "$n_steps" -ge 5 ] || hn_fail "the change has only $n_steps steps"

# confirm after the deadline: rolled back, exit 3
"$HANET" apply --confirm 300ms "$P" >/dev/null
ip route show 10.1.0.0/16 | grep -q "via 10.0.0.3" || hn_fail "change not applied"
sleep 0.6
hn_expect_rc 3 "$HANET" confirm c 2>"$HN_TMP/err"
grep -q "rolled back" "$HN_TMP/err" || hn_fail "late confirm: $(cat "$HN_TMP/err")"
same_as "$HN_TMP/before" "confirm after the deadline"

# SIGKILL while waiting: `hanet check` rolls back first
out=$("$HANET" apply --confirm 30s "$P")
w=$(waiter "$out"); PIDS+=("$w")
journal_ok "killed while waiting"
kill9 "$w"
rolled_back_by "killed while waiting" "$HANET" check "$P" || true
same_as "$HN_TMP/before" "killed while waiting (check)"
hn_expect_rc 3 "$HANET" confirm c 2>/dev/null

# SIGKILL before the first change (journal written, step 1 begun): `hanet show`
hn_expect_rc 137 env HANET_KILL_AT=1 "$HANET_TEST" apply --confirm 30s "$P" >/dev/null 2>&1
journal_ok "killed before the first change"
same_as "$HN_TMP/before" "killed before the first change (nothing changed yet)"
rolled_back_by "killed before the first change" "$HANET" show c
same_as "$HN_TMP/before" "killed before the first change"

# SIGKILL in the middle of the apply, at every step: `hanet vip status`,
# `hanet apply --dry-run`, `hanet down --dry-run` in turn
for k in $(seq 2 "$n_steps"); do
	hn_expect_rc 137 env HANET_KILL_AT=$k "$HANET_TEST" apply --confirm 30s "$P" >/dev/null 2>&1
	journal_ok "killed at step $k"
	case $((k % 3)) in
	0) rolled_back_by "killed at step $k" "$HANET" vip status "$P" web ;;
	1) rolled_back_by "killed at step $k" "$HANET" apply --dry-run "$P" ;;
	2) rolled_back_by "killed at step $k" "$HANET" down --dry-run "$P" ;;
	esac
	same_as "$HN_TMP/before" "killed at step $k"
done

# SIGKILL just after the deadline, in the middle of the rollback (before
# its 1st, 2nd, 3rd undo): `hanet apply` finishes the rollback, then applies
for k in 1 2 3; do
	out=$(HANET_KILL_AT=undo:$k "$HANET_TEST" apply --confirm 200ms "$P")
	PIDS+=("$(waiter "$out")")
	for i in $(seq 100); do kill -0 "$(waiter "$out")" 2>/dev/null || break; sleep 0.05; done
	journal_ok "killed after the deadline (undo $k)"
	rolled_back_by "killed during the rollback (undo $k)" "$HANET" check "$P" || true
	same_as "$HN_TMP/before" "killed during the rollback (undo $k)"
done
"$HANET" apply --confirm 30s "$P" >"$HN_TMP/out"
w=$(waiter "$(cat "$HN_TMP/out")"); PIDS+=("$w")
kill9 "$w"
rolled_back_by "killed, then apply" "$HANET" apply "$P"
"$HANET" check "$P" >/dev/null || hn_fail "apply after the rollback did not apply"
"$HANET" down "$P" >/dev/null
same_as "$HN_TMP/empty" "down"
"$HANET" apply "$P" >/dev/null
sed -i 's/^via = 10.0.0.3$/via = 10.0.0.2/' "$P"
settle a
jdump >"$HN_TMP/before"

# `hanet down` rolls back first, then removes
out=$("$HANET" apply --confirm 30s "$P")
w=$(waiter "$out"); PIDS+=("$w")
kill9 "$w"
rolled_back_by "killed, then down" "$HANET" down "$P"
same_as "$HN_TMP/empty" "killed, then down"
"$HANET" apply "$P" >/dev/null
settle a
jdump >"$HN_TMP/before"
sed -i 's/^via = 10.0.0.2$/via = 10.0.0.4/' "$P"

# so do `hanet vip takeover`, `hanet vip follow` and `hanet measure`,
# before anything else (follow here is given a file that is no FIFO,
# measure a fault the lab does not have)
: >"$HN_TMP/not-a-fifo"
for c in takeover follow measure; do
	out=$("$HANET" apply --confirm 30s "$P")
	w=$(waiter "$out"); PIDS+=("$w")
	kill9 "$w"
	case $c in
	takeover) set -- vip takeover "$P" web ;;
	follow) set -- vip follow "$P" "$HN_TMP/not-a-fifo" ;;
	measure) set -- measure --fault no-such "$HN_TOP/tests/measure/lab/small.ini" ;;
	esac
	rolled_back_by "killed, then $c" timeout 20 "$HANET" "$@" || true
	same_as "$HN_TMP/before" "killed, then $c"
done

# watch rolls back at its start ...
cat >"$HN_TMP/w.ini" <<EOF
[profile]
name = w

[netns b]
EOF
out=$("$HANET" apply --confirm 30s "$P")
w=$(waiter "$out"); PIDS+=("$w")
kill9 "$w"
"$HANET" watch --records none --max-runtime 60s "$HN_TMP/w.ini" 2>"$HN_TMP/watch.err" &
PIDS+=($!); wpid=$!
wait_gone "$J" 10 || hn_fail "watch did not roll back at its start"
same_as "$HN_TMP/before" "rolled back by watch at its start"
# ... and while it runs (which takes the lock now and then)
out=$("$HANET" apply --lock-wait 10s --confirm 30s "$P")
w=$(waiter "$out"); PIDS+=("$w")
ip route show 10.1.0.0/16 | grep -q "via 10.0.0.4" || hn_fail "change not applied under watch"
kill9 "$w"
wait_gone "$J" 10 || hn_fail "watch did not roll back while running"
same_as "$HN_TMP/before" "rolled back by a running watch"
kill "$wpid"
wait "$wpid" || true
[ "$(grep -c 'was not confirmed and its waiting process is gone: rolled back (before `hanet watch`)' "$HN_TMP/watch.err")" = 2 ] ||
	hn_fail "watch did not say it rolled back twice: $(cat "$HN_TMP/watch.err")"

# ---- a recycled pid is never signalled: in a pid namespace of its own,
# the killed waiter's pid goes to another process while another run holds
# the lock; `hanet confirm` leaves that process alone
export P J HANET
unshare --pid --fork --mount-proc bash -c '
	set -e
	out=$("$HANET" apply --confirm 60s "$P")
	w=$(sed -n "s/.*(pid \([0-9]*\))$/\1/p" <<<"$out")
	flock -F -x /run/hanet/lock sleep 60 &
	holder=$!
	# the other run holds the lock before confirm looks
	for i in $(seq 250); do flock -n /run/hanet/lock true || break; sleep 0.02; done
	kill -9 "$w"
	for i in $(seq 100); do [ -d /proc/$w ] || break; sleep 0.02; done
	# the waiting process held it until now: the other run takes it
	# once it is gone (woken late on a loaded machine)
	for i in $(seq 250); do flock -n /run/hanet/lock true || break; sleep 0.02; done
	echo $((w - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 60 &
	[ "$!" = "$w" ] || { echo "FAIL: pid $w not recycled (got $!)" >&2; exit 1; }
	rc=0
	"$HANET" confirm c 2>/tmp/confirm.err.$$ || rc=$?
	[ "$rc" = 4 ] || { echo "FAIL: confirm with a recycled pid exited $rc: $(cat /tmp/confirm.err.$$)" >&2; exit 1; }
	grep -q "waiting process is gone" /tmp/confirm.err.$$ || { echo "FAIL: $(cat /tmp/confirm.err.$$)" >&2; exit 1; }
	rm -f /tmp/confirm.err.$$
	kill -0 "$w" || { echo "FAIL: the process with the recycled pid was signalled" >&2; exit 1; }
	kill "$w" "$holder"
	wait "$holder" || true
	# the lock free and its deadline ahead: `hanet confirm` keeps the change
	"$HANET" confirm c | grep -q "^c: confirmed$" || { echo "FAIL: confirm of a change whose waiter is gone" >&2; exit 1; }
	[ ! -e "$J" ]
' || hn_fail "recycled pid"
ip route show 10.1.0.0/16 | grep -q "via 10.0.0.4" || hn_fail "the confirmed change is not there"

# ---- a journal that is not one: a clear error, moved aside, no crash
printf 'HANETJNL\001\000\000\000garbage' >/run/hanet/confirm/x.journal
chmod 600 /run/hanet/confirm/x.journal
"$HANET" check "$P" >/dev/null 2>"$HN_TMP/err" || true
grep -q "x: /run/hanet/confirm/x.journal: the journal of a change not confirmed cannot be read: record 1 (file): cut short" "$HN_TMP/err" ||
	hn_fail "damaged journal: $(cat "$HN_TMP/err")"
[ -e /run/hanet/confirm/x.journal.bad ] && [ ! -e /run/hanet/confirm/x.journal ] || hn_fail "damaged journal not moved aside"
echo "not a journal" >/run/hanet/confirm/y.journal
chmod 600 /run/hanet/confirm/y.journal
"$HANET" check "$P" >/dev/null 2>"$HN_TMP/err" || true
grep -q "y.journal: the journal .* cannot be read: not a hanet journal" "$HN_TMP/err" || hn_fail "foreign file: $(cat "$HN_TMP/err")"
# one that others could have written is not trusted
cp /run/hanet/confirm/x.journal.bad /run/hanet/confirm/z.journal
chmod 644 /run/hanet/confirm/z.journal
"$HANET" check "$P" >/dev/null 2>"$HN_TMP/err" || true
grep -q "z.journal: .*not trusted" "$HN_TMP/err" || hn_fail "0644 journal: $(cat "$HN_TMP/err")"
"$HANET" check "$P" >/dev/null 2>"$HN_TMP/err"
[ ! -s "$HN_TMP/err" ] || hn_fail "said again: $(cat "$HN_TMP/err")"

"$HANET" down "$P" >/dev/null
same_as "$HN_TMP/empty" "down at the end"
exit 0
