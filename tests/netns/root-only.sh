#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Only root can take hanet's locks.  Another user (nobody, through
# setpriv) holding a lock file through a descriptor it opened while the
# file was open to all -- /run/hanet 0755 and files 0644, as hanet made
# them before -- makes neither apply nor down exit 4, nor vip takeover
# fail, nor watch stop repairing: hanet takes /run/hanet to 0700 and
# replaces a lock file another user holds.  Afterwards that user cannot
# open anything under /run/hanet.  A symbolic link or a directory of
# another user where hanet keeps its state is refused with a message.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
. "$HN_TOP/tests/watch/lib.sh"
set -eu
command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 0; }

P=$HN_TMP/ro.ini
cat >"$P" <<'INI'
[profile]
name = ro

[netns ro]

[veth v0]
peer = v0p
addresses = 10.0.0.1/24

[veth v0p]
peer = v0
netns = ro
addresses = 10.0.0.21/24

[vip api]
address = 10.0.0.50/24
dev = v0p
netns = ro
owner = external
announce_count = 1
INI

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
HOLDERS=()
# old_state FILE...: /run/hanet and the directories of FILE 0755, each FILE
# 0644, and nobody holding an exclusive flock on each (read-only fd)
old_state() {
	local f
	chmod 0755 /run/hanet
	for f in "$@"; do
		mkdir -p "$(dirname "$f")"
		chmod 0755 "$(dirname "$f")"
		[ -e "$f" ] || touch "$f"
		chmod 0644 "$f"
		as_nobody flock -x "$f" sleep 60 &
		HOLDERS+=($!)
	done
	for f in "$@"; do
		for _ in $(seq 100); do flock -n "$f" true || break; sleep 0.02; done
		flock -n "$f" true && hn_fail "nobody does not hold $f"
	done
	return 0
}
stop_holders() {
	local p
	for p in "${HOLDERS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${HOLDERS[@]}"; do wait "$p" 2>/dev/null || true; done
	HOLDERS=()
}
trap 'stop_holders; hw_stop 2>/dev/null || true; hn_cleanup' EXIT
mode() { stat -c %a "$1"; }

# ---- apply, vip takeover and down under locks nobody holds
old_state /run/hanet/lock /run/hanet/vip/ro/api.lock
"$HANET" apply "$P" >"$HN_TMP/out" 2>&1 || hn_fail "apply under nobody's lock: exit $?: $(cat "$HN_TMP/out")"
grep -q "held by pid [0-9]* of uid 65534" "$HN_TMP/out" || hn_fail "no message: $(cat "$HN_TMP/out")"
grep -q "/run/hanet had mode 0755: made it 0700" "$HN_TMP/out" || hn_fail "no repair message: $(cat "$HN_TMP/out")"
hn_assert_eq "$(mode /run/hanet)" 700 "/run/hanet"
hn_assert_eq "$(mode /run/hanet/lock)" 600 "the lock"
hn_assert_eq "$(mode /run/hanet/owned)" 700 "/run/hanet/owned"
hn_assert_eq "$(mode /run/hanet/owned/ro.owned)" 600 "the ownership record"
"$HANET" vip takeover "$P" api >"$HN_TMP/out" 2>&1 || hn_fail "takeover under nobody's lock: exit $?: $(cat "$HN_TMP/out")"
ip -n ro -o addr show dev v0p | grep -q ' 10.0.0.50/24 ' || hn_fail "takeover did not add the VIP"
hn_assert_eq "$(mode /run/hanet/vip)" 700 "/run/hanet/vip"
hn_assert_eq "$(mode /run/hanet/vip/ro)" 700 "/run/hanet/vip/ro"
hn_assert_eq "$(mode /run/hanet/vip/ro/api.lock)" 600 "the VIP's lock"
hn_assert_eq "$(mode /run/hanet/vip/ro/api.held)" 600 "the VIP's record"
# nobody can open nothing any more, not even to read
as_nobody flock -n /run/hanet/lock true 2>/dev/null && hn_fail "nobody took /run/hanet/lock"
as_nobody flock -n /run/hanet/vip/ro/api.lock true 2>/dev/null && hn_fail "nobody took the VIP's lock"
as_nobody ls /run/hanet >/dev/null 2>&1 && hn_fail "nobody can list /run/hanet"
as_nobody cat /run/hanet/owned/ro.owned >/dev/null 2>&1 && hn_fail "nobody can read the records"
stop_holders

old_state /run/hanet/lock
"$HANET" down "$P" >"$HN_TMP/out" 2>&1 || hn_fail "down under nobody's lock: exit $?: $(cat "$HN_TMP/out")"
[ -e /run/netns/ro ] && hn_fail "down left the namespace"
stop_holders

# ---- watch keeps repairing while nobody holds the lock it had
apply_ok "$P"
hw_start "$P"
old_state /run/hanet/lock
ip addr del 10.0.0.1/24 dev v0
hw_until 5 sh -c 'ip -4 -o addr show dev v0 | grep -q " 10.0.0.1/24 "' ||
	hn_fail "watch stopped repairing under nobody's lock: $(tail -n 20 "$W_LOG")"
grep -q "held by pid [0-9]* of uid 65534" "$W_LOG" || hn_fail "watch: no message: $(tail -n 20 "$W_LOG")"
hw_stop
stop_holders

# ---- refused: a symbolic link as the lock, a directory of another user
rm -f /run/hanet/lock
ln -s "$HN_TMP/elsewhere" /run/hanet/lock
hn_expect_rc 3 "$HANET" down "$P" 2>"$HN_TMP/out"
grep -q "/run/hanet/lock is a symbolic link" "$HN_TMP/out" || hn_fail "no message: $(cat "$HN_TMP/out")"
[ -e "$HN_TMP/elsewhere" ] && hn_fail "the link was followed"
rm /run/hanet/lock
chown nobody /run/hanet
hn_expect_rc 3 "$HANET" down "$P" 2>"$HN_TMP/out"
grep -q "/run/hanet is owned by uid 65534" "$HN_TMP/out" || hn_fail "no message: $(cat "$HN_TMP/out")"
chown root /run/hanet
"$HANET" down "$P" >/dev/null 2>&1 || hn_fail "down after the repair: exit $?"
echo "ok"
