#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Under systemd (Type=notify): READY=1 once the kernel matches the profile
# (not before), STATUS= lines, WATCHDOG=1 at half of WATCHDOG_USEC, and
# STOPPING=1 on exit.  A datagram socket stands in for systemd's.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
SOCK=$HN_TMP/notify.sock
python3 - "$SOCK" "$HN_TMP/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.monotonic() + 20
with open(sys.argv[2], "w", buffering=1) as f:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        for line in msg.split("\n"):
            f.write("%.6f %s\n" % (time.monotonic(), line))
        if "STOPPING=1" in msg:
            break
PY
LPID=$!
hw_until 10 test -S "$SOCK" || hn_fail "notify socket not ready"

export NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=200000
hw_start "$P"
sleep 1
hw_stop
unset NOTIFY_SOCKET WATCHDOG_USEC
wait "$LPID"
cat "$HN_TMP/notify.log"

grep -q ' READY=1$' "$HN_TMP/notify.log" || hn_fail "no READY=1"
grep -q ' STATUS=wt: applying$' "$HN_TMP/notify.log" || hn_fail "no STATUS while applying"
grep -q ' STATUS=wt: watching 2 namespaces; 0 repairs, 0 failovers$' "$HN_TMP/notify.log" || hn_fail "no STATUS while watching"
grep -q ' STOPPING=1$' "$HN_TMP/notify.log" || hn_fail "no STOPPING=1"
# READY after the apply: the namespace existed by then
n=$(grep -c ' WATCHDOG=1$' "$HN_TMP/notify.log")
[ "$n" -ge 6 ] && [ "$n" -le 40 ] || hn_fail "$n WATCHDOG=1 in about 1s at 100ms"
# the pings are about 100 ms apart (generous bounds for a busy machine)
grep ' WATCHDOG=1$' "$HN_TMP/notify.log" | awk 'NR > 1 { d = $1 - p; if (d > 0.3) { print "gap " d; bad = 1 } } { p = $1 } END { exit bad }' ||
	hn_fail "watchdog gaps too long"
