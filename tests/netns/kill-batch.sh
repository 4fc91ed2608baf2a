#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A process killed (SIGKILL) with a batch of route messages in flight
# (the test build: HANET_KILL_AT=route:K, when the kernel's answer to the
# K-th route message comes in) leaves the kernel half-applied, and the
# next hanet command never leaves it so:
#  - apply --confirm killed in the middle of its batch: the next command
#    rolls the change back, the kernel is as it was, confirm exits 3;
#  - apply --confirm whose rollback (deadline passed) is killed in the
#    middle of the batch that deletes the routes again: the same;
#  - a plain apply killed in the middle of its batch: the next apply
#    completes it, and check finds the profile applied.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/k.ini
J=/run/hanet/confirm/k.journal
N=20000         # routes: several batches (the acks of one, 8192 at most, fit the receive buffer)
K=4000          # killed when the answer to this one comes in

cat >"$P" <<EOF
[profile]
name = k

[netns a]

[veth v0]
peer = v1
peer_netns = a
addresses = 10.0.0.1/24

[route r]
to = 10.1.0.0/16
via = 10.0.0.2
dev = v0
EOF
for ((i = 0; i < N; i++)); do
	echo "10.$((100 + i / 250)).$((i % 250)).0/24 via 10.0.0.2 dev v0"
done >"$HN_TMP/bulk.routes"

# the number of routes of the bulk table in the kernel
n_bulk() { ip route show table 100 | grep -c ' via 10.0.0.2 dev v0' || true; }

# jdump: links, addresses, routes (all tables, both families), rules of
# this namespace and of a
jdump() {
	local ns n
	for ns in "" a; do
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
same_as() {
	settle a
	jdump >"$HN_TMP/now"
	diff -u "$1" "$HN_TMP/now" >&2 || hn_fail "$2: the kernel differs from before"
}
# half_applied WHAT: some routes of the batch went in, not all
half_applied() {
	local n
	n=$(n_bulk)
	[ "$n" -gt 0 ] && [ "$n" -lt "$N" ] || hn_fail "$1: $n of the $N routes in the kernel, not a batch cut in the middle"
	echo "$1: $n of $N routes in the kernel when the process died"
}

# the state before: the profile without the bulk table
apply_ok "$P"
settle a
jdump >"$HN_TMP/before"
printf '\n[routes bulk]\nfile = %s\ntable = 100\n' "$HN_TMP/bulk.routes" >>"$P"

# ---- apply --confirm, killed in the middle of its route batch
hn_expect_rc 137 env HANET_KILL_AT=route:$K "$HANET_TEST" apply --confirm 30s "$P" >/dev/null 2>&1
half_applied "apply --confirm killed"
[ -f "$J" ] || hn_fail "apply --confirm killed: no journal"
rc=0
"$HANET" check "$P" >/dev/null 2>"$HN_TMP/err" || rc=$?
grep -q "was not confirmed and .*: rolled back" "$HN_TMP/err" ||
	hn_fail "check did not roll the change back: $(cat "$HN_TMP/err")"
[ ! -e "$J" ] || hn_fail "the journal is still there"
same_as "$HN_TMP/before" "apply --confirm killed in the middle of a batch"
hn_expect_rc 3 "$HANET" confirm k 2>/dev/null

# ---- apply --confirm not confirmed: its rollback killed in the middle
# of the batch that deletes the routes again
out=$(HANET_KILL_AT=route:$((N + K)) "$HANET_TEST" apply --confirm 300ms "$P")
w=$(sed -n 's/.*(pid \([0-9]*\))$/\1/p' <<<"$out")
[ -n "$w" ] || hn_fail "no waiting process: $out"
for i in $(seq 200); do [ -d "/proc/$w" ] || break; sleep 0.05; done
[ ! -d "/proc/$w" ] || { kill -9 "$w"; hn_fail "the waiting process did not die in its rollback"; }
half_applied "rollback killed"
[ -f "$J" ] || hn_fail "rollback killed: no journal"
"$HANET" apply --dry-run "$P" >/dev/null 2>"$HN_TMP/err"
grep -q "was not confirmed and .*: rolled back" "$HN_TMP/err" ||
	hn_fail "apply --dry-run did not finish the rollback: $(cat "$HN_TMP/err")"
same_as "$HN_TMP/before" "the rollback killed in the middle of a batch"
hn_expect_rc 3 "$HANET" confirm k 2>/dev/null

# ---- a plain apply killed in the middle of its batch: the next one
# completes it
hn_expect_rc 137 env HANET_KILL_AT=route:$K "$HANET_TEST" apply "$P" >/dev/null 2>&1
half_applied "apply killed"
hn_expect_rc 1 "$HANET" check "$P" >/dev/null 2>&1
apply_ok "$P"
hn_assert_eq "$(n_bulk)" "$N" "the next apply completes the table"
"$HANET" check "$P" >/dev/null || hn_fail "check after the next apply"
hn_assert_eq "$("$HANET" apply "$P")" "k: nothing to do" "applied once more"
"$HANET" down "$P" >/dev/null 2>&1
exit 0
