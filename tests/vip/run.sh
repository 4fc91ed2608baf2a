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
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP vip: needs root"
	exit 0
fi
fail=0
for t in ${TESTS:-*.sh}; do
	t=${t%.sh}.sh
	case $t in run.sh|lib.sh) continue ;; esac
	name=${t%.sh}
	[ -f "$t" ] || { echo "FAIL $name (no such test)"; fail=1; continue; }
	log=$(mktemp /tmp/hanet-vip-$name.XXXXXX)
	t0=$SECONDS
	if timeout -k 5 "${HN_TIMEOUT:-120}" bash "./$t" >"$log" 2>&1; then
		if grep -q '^SKIP' "$log"; then
			echo "SKIP $name: $(sed -n 's/^SKIP: //p' "$log" | head -n 1)"
		else
			echo "PASS $name ($((SECONDS - t0))s)"
		fi
	else
		rc=$?
		echo "FAIL $name (exit $rc, $((SECONDS - t0))s)"
		sed 's/^/    /' "$log" | tail -n 60
		fail=1
	fi
	rm -f "$log"
done
exit $fail
