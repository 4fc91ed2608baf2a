#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Root tests of the measurement building blocks (announcements, netlink
# events, prober, timeline, report), each in its own sandbox.  Prints
# PASS/FAIL/SKIP per test; exits 1 when any failed.
#   tests/measure/run.sh [NAME...]     (NAME: a test's base name)
set -u
cd "$(dirname "$0")"
. ../runner.sh

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
	hn_run_test "$t" 300 30 "./$t.sh" || fail=1
done
exit $fail
