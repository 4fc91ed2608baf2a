#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Root tests on the host kernel: each tests/netns/*.sh runs as its own
# process, inside its own sandbox (see tests/lib.sh), bounded in time.
# Prints "PASS name" / "FAIL name" / "SKIP name: why"; exits 1 when any
# failed.  TESTS="a b" runs only those; HN_TIMEOUT (seconds, default 600) bounds each.
set -u
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP netns: needs root"
	exit 0
fi
fail=0
for t in ${TESTS:-*.sh}; do
	t=${t%.sh}.sh
	case $t in run.sh | lib-*) continue ;; esac
	name=${t%.sh}
	log=$(mktemp /tmp/hanet-netns-$name.XXXXXX)
	if timeout "${HN_TIMEOUT:-600}" bash "./$t" >"$log" 2>&1; then
		echo "PASS $name"
	else
		rc=$?
		echo "FAIL $name (exit $rc)"
		sed 's/^/    /' "$log" | tail -n 40
		fail=1
	fi
	rm -f "$log"
done
exit $fail
