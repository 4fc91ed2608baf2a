#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The waiting process of `apply --confirm` keeps its deadline when its
# wait is interrupted: stopped and continued (SIGSTOP, SIGCONT) again and
# again, it still rolls the change back on time, not a full timeout after
# the last interruption.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -eu

W=
trap '[ -z "$W" ] || kill -9 "$W" 2>/dev/null || true; hn_cleanup' EXIT
P=$HN_TMP/d.ini
cat >"$P" <<'INI'
[profile]
name = d

[veth v0]
peer = v1
INI

out=$("$HANET" apply --confirm 2s "$P")
W=$(sed -n 's/.*(pid \([0-9]*\))$/\1/p' <<<"$out")
[ -n "$W" ] || hn_fail "no waiting process: $out"
has_link v0 || hn_fail "not applied"
t0=$(date +%s%N)
# interrupted every 300 ms for up to 8 s; rolled back after about 2 s
for _ in $(seq 27); do
	[ -e /run/hanet/confirm/d.journal ] || break
	kill -STOP "$W" 2>/dev/null || break
	kill -CONT "$W" 2>/dev/null || break
	sleep 0.3
done
for _ in $(seq 100); do [ -e /run/hanet/confirm/d.journal ] || break; sleep 0.05; done
took=$(( ($(date +%s%N) - t0) / 1000000 ))
[ -e /run/hanet/confirm/d.journal ] && hn_fail "not rolled back ${took} ms after a 2 s deadline, its wait interrupted"
has_link v0 && hn_fail "the change is still there"
echo "# rolled back ${took} ms after apply --confirm 2s, interrupted every 300 ms"
[ "$took" -lt 6000 ] || hn_fail "rolled back only after ${took} ms"
echo "PASS confirm-deadline"
