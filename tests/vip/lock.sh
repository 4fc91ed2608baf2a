#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Locks: a takeover does not wait behind a run that holds
# /run/hanet/lock (a long apply); takeovers and releases of one VIP wait
# for each other (its own lock, --lock-wait; exit 4 when it stays taken).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied

ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# an apply holding the lock for 5 s: the takeover does not wait for it
flock -x /run/hanet/lock sleep 5 &
HOLDER=$!
until_ok 2 sh -c '! flock -n /run/hanet/lock true' || hn_fail "lock holder did not start"
hn_expect_rc 4 "$HANET" apply "$P"
t0=$(ms)
"$HANET" vip takeover "$P" api >/dev/null || hn_fail "takeover under apply's lock: exit $?"
"$HANET" vip release "$P" api >/dev/null || hn_fail "release under apply's lock: exit $?"
dt=$(( $(ms) - t0 ))
echo "takeover + release while apply's lock is held: $dt ms"
[ "$dt" -lt 1000 ] || hn_fail "takeover and release waited for apply's lock ($dt ms)"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null || true

# the VIP's own lock, held by another takeover or release
mkdir -p /run/hanet/vip/vt
flock -x /run/hanet/vip/vt/api.lock sleep 1 &
HOLDER=$!
until_ok 2 sh -c '! flock -n /run/hanet/vip/vt/api.lock true' || hn_fail "VIP lock holder did not start"
hn_expect_rc 4 "$HANET" vip takeover --lock-wait 0 "$P" api
t0=$(ms)
hn_expect_rc 4 "$HANET" vip release --lock-wait 200ms "$P" api
dt=$(( $(ms) - t0 ))
[ "$dt" -ge 200 ] || hn_fail "--lock-wait 200ms gave up after $dt ms"
has_addr ctl c0 10.0.0.100/24 && hn_fail "takeover without the lock"
# another VIP's lock is another lock
"$HANET" vip takeover --lock-wait 0 "$P" api6 >/dev/null || hn_fail "api6 waited for api's lock"
# waiting (default 2 s) until the holder is done
"$HANET" vip takeover "$P" api >/dev/null || hn_fail "takeover after waiting: exit $?"
has_addr ctl c0 10.0.0.100/24 || hn_fail "not taken over after waiting"
wait "$HOLDER" 2>/dev/null || true
hn_expect_rc 64 "$HANET" vip takeover --lock-wait soon "$P" api
echo ok
