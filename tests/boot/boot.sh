#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The hanet package, booted as users boot it: a Debian bookworm image
# (tools/boot-lab) in user-mode Linux with systemd as init, three boots
# of one guest (guest/late says what each checks):
#   1. ifupdown brings the controller network up (networking.service);
#      the package is installed, the profile and units enabled
#   2. hanet-apply@controller brings it up, a NIC 6 s late; the watch
#      repairs, survives a broken reload, is restarted by its watchdog
#   3. after a reboot, the same network; the package reinstalled, purged
# Every check of the guest is one PASS/FAIL line; this test fails on any
# FAIL and unless the guest went through the three stages.  Prints the
# units' start times and hanet's against ifupdown's.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu
cd "$HN_TOP"

debs=(build/deb/hanet_*.deb)
[ -f "${debs[0]}" ] || hn_fail "no build/deb/hanet_*.deb (make deb)"
lab=$HN_TMP/lab
mkdir -p "$lab"
cp tests/boot/guest/* tests/boot/controller.ini "$lab/"
cp "${debs[0]}" "$lab/hanet.deb"

t0=$SECONDS
rc=0
tools/boot-lab boot --lab "$lab" --out "$HN_TMP/out" --boots 3 \
	--boot-timeout "${HANET_BOOT_TIMEOUT:-900}" --console "$HN_TMP/console.log" 2>"$HN_TMP/boot-lab.err" || rc=$?
took=$((SECONDS - t0))
sed -n 's/^boot-lab: \(boot [0-9]* began\|the guest powered off\)/# &/p' "$HN_TMP/boot-lab.err"
grep -v '^boot-lab: \(boot [0-9]* began\|the guest powered off\)' "$HN_TMP/boot-lab.err" >&2 || true
o=$HN_TMP/out/out
results=$o/results
[ -f "$results" ] && sed 's/^/  /' "$results"
if [ "$rc" -ne 0 ] || [ "$(cat "$o/stage" 2>/dev/null)" != done ] || grep -q '^FAIL' "$results" 2>/dev/null; then
	echo "boot-lab exit $rc, stage $(cat "$o/stage" 2>/dev/null), ${took}s; the console (end):"
	grep -v '^hanet-lab: \(PASS\|info\)' "$HN_TMP/console.log" | tail -n 40 | sed 's/^/    /'
	for j in "$o"/journal.*; do
		[ -f "$j" ] || continue
		echo "-- $j (hanet units)"
		grep -E 'hanet|lab-late|networking' "$j" | tail -n 30 | sed 's/^/    /'
	done
	hn_fail "boot checks failed"
fi
info() { awk -v k="$1" '$1 == k { print $2 }' "$o/info"; }
echo "# 3 boots, $(grep -c '^PASS' "$results") checks passed, ${took}s"
echo "# hanet-apply@controller: $(info hanet-apply-ms) ms (blame $(info hanet-apply-blame | tr _ ' ')); with eth2 6 s late: $(info hanet-apply-late-ms) ms"
echo "# ifupdown networking.service: $(info ifupdown-networking-ms) ms (blame $(info ifupdown-networking-blame | tr _ ' '))"
echo "# ratio networking.service / hanet-apply@controller: $(awk -v a="$(info ifupdown-networking-ms)" -v b="$(info hanet-apply-ms)" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')"
echo "# watch: VIP repaired in $(info vip-repair-ms) ms; watchdog restart after SIGSTOP in $(info watchdog-restart-ms) ms"
