#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The package and boot tests: bash completion, the Debian package
# (make deb, lintian), and a Debian system booted with systemd in
# user-mode Linux (tools/boot-lab) that installs the package and brings
# the controller network up at boot.  The image is built once, on the
# host (debootstrap needs the network), and cached; the package is built
# once for every test.  Prints "PASS name" / "FAIL name" / "SKIP name:
# why"; exits 1 when any failed.  TESTS="a b" runs only those.
set -u
cd "$(dirname "$0")"
. ../runner.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP boot: needs root"
	exit 0
fi
fail=0
t0=$SECONDS
if ! out=$(../../tools/boot-lab image 2>&1); then
	echo "FAIL boot-image: $out" | tail -n 20
	fail=1
else
	echo "# boot image: $(echo "$out" | tail -n 1) ($((SECONDS - t0)) s)"
fi
t0=$SECONDS
if ! out=$(make -s -C ../.. deb 2>&1); then
	echo "FAIL deb: make deb" 
	echo "$out" | tail -n 30 | sed 's/^/    /'
	exit 1
fi
echo "# make deb: $((SECONDS - t0)) s"
hn_run_tests "${HN_TIMEOUT:-3000}" 80 || fail=1
exit $fail
