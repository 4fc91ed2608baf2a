#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# watch keeps /run/hanet/lock open for its whole run.  When that file is
# replaced (removed, and a new one taken by another run), watch must take
# the new file's lock, not the old one's that nobody else opens: while
# another run holds the lock watch repairs nothing, and once it is free
# watch repairs again.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

HOLDER=
trap '[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null || true; hw_cleanup' EXIT
P=$HN_TMP/wt.ini
hw_profile "$P"
hw_start "$P"
# watch has taken the lock once: its file is open
ip addr del 10.0.0.1/24 dev v0
hw_until 3 sh -c 'ip -4 -o addr show dev v0 | grep -q "10.0.0.1/24"' || hn_fail "10.0.0.1/24 not re-added"

# the lock file replaced, the new one held by another run
rm /run/hanet/lock
flock -F -x /run/hanet/lock sleep 30 &
HOLDER=$!
for _ in $(seq 100); do flock -n /run/hanet/lock true || break; sleep 0.02; done
flock -n /run/hanet/lock true && hn_fail "the new lock is not held"
ip addr del 10.0.0.1/24 dev v0
sleep 1
ip -4 -o addr show dev v0 | grep -q "10.0.0.1/24" && hn_fail "watch repaired while another run held the new lock file"
hw_alive || hn_fail "watch died"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
HOLDER=
hw_until 5 sh -c 'ip -4 -o addr show dev v0 | grep -q "10.0.0.1/24"' || hn_fail "10.0.0.1/24 not re-added once the lock is free: $(tail -5 "$W_LOG")"
hw_stop
echo "PASS lock-replaced"
