#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Root tests of the measurement building blocks (announcements, netlink
# events, prober, timeline, report), each in its own sandbox.  Prints
# PASS/FAIL/SKIP per test; exits 1 when any failed.
#   tests/measure/run.sh [NAME...]     (NAME: a test's base name)
set -u
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
	for t in *.sh; do [ "$t" = run.sh ] || echo "SKIP ${t%.sh}: needs root"; done
	exit 0
fi
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in *.sh; do [ "$t" = run.sh ] || tests+=("${t%.sh}"); done
fi
fail=0
for t in "${tests[@]}"; do
	log=$(mktemp /tmp/hanet-measure-log.XXXXXX)
	start=$EPOCHREALTIME
	if timeout 300 "./$t.sh" >"$log" 2>&1; then
		echo "PASS $t ($(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"
		grep '^# ' "$log" || true
	else
		echo "FAIL $t"
		sed 's/^/    /' "$log" | tail -n 30
		fail=1
	fi
	rm -f "$log"
done
exit $fail
