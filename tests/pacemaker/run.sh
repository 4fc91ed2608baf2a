#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Root tests of the Pacemaker lab (profiles/lab/pacemaker.ini): corosync
# and pacemakerd on three controllers, each test in its own sandbox.
# Prints PASS/FAIL/SKIP per test; exits 1 when any failed.
#   tests/pacemaker/run.sh [NAME...]     (NAME: a test's base name)
set -u
cd "$(dirname "$0")"
. ../runner.sh

if [ "$(id -u)" -ne 0 ]; then
	for t in *.sh; do [ "$t" = run.sh ] || echo "SKIP ${t%.sh}: needs root"; done
	exit 0
fi
[ $# -eq 0 ] || TESTS="${*/%/.sh}"
hn_run_tests 360 40
