#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet vip, its keepalived notify script and its OCF resource agent, on
# the host kernel: each tests/vip/*.sh runs as its own process, inside its
# own sandbox (tests/lib.sh), bounded in time (every watch and keepalived
# it starts is bounded too).  Prints "PASS name" / "FAIL name" / "SKIP
# name: why"; exits 1 when any failed.  TESTS="a b" runs only those;
# HN_TIMEOUT (seconds) bounds each.
set -u
cd "$(dirname "$0")"
. ../runner.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP vip: needs root"
	exit 0
fi
hn_run_tests "${HN_TIMEOUT:-120}" 60 lib 'lib-*'
