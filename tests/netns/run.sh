#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Root tests on the host kernel: each tests/netns/*.sh runs as its own
# process, inside its own sandbox (see tests/lib.sh), bounded in time.
# Prints "PASS name" / "FAIL name" / "SKIP name: why"; exits 1 when any
# failed.  TESTS="a b" runs only those; HN_TIMEOUT (seconds, default 600) bounds each.
set -u
cd "$(dirname "$0")"
. ../runner.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP netns: needs root"
	exit 0
fi
hn_run_tests "${HN_TIMEOUT:-600}" 40 'lib-*'
