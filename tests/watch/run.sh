#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet watch on the host kernel: each tests/watch/*.sh runs as its own
# process, inside its own sandbox (tests/lib.sh), bounded in time (and
# every watch it starts is bounded by --max-runtime).  Prints "PASS name"
# / "FAIL name" / "SKIP name: why"; exits 1 when any failed.  TESTS="a b"
# runs only those; HN_TIMEOUT (seconds) bounds each.  Team and bond tests
# are in tests/kernel/watch-*.sh (they need the drivers).
set -u
cd "$(dirname "$0")"
. ../runner.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP watch: needs root"
	exit 0
fi
hn_run_tests "${HN_TIMEOUT:-120}" 60 lib
