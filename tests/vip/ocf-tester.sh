#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf-tester (resource-agents) against tools/ocf/hanet-vip, as Pacemaker
# would run it (OCF_ROOT and the OCF shell functions): with the required
# parameters only, and with every optional one (several VIPs, the
# collision check, announcement count, interval and refresh, the
# namespace).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

if ! command -v ocf-tester >/dev/null; then
	echo "SKIP: ocf-tester is not installed (Debian package resource-agents)"
	exit 0
fi
vt_applied

tester() {
	ocf-tester -n hanet-vip-test -o profile="$P" -o hanet="$HANET" "$@" "$OCF_AGENT" >"$HN_TMP/tester.log" 2>&1 ||
		hn_fail "ocf-tester $*: $(cat "$HN_TMP/tester.log")"
	grep -q 'passed all tests' "$HN_TMP/tester.log" || hn_fail "ocf-tester $*: $(cat "$HN_TMP/tester.log")"
}
tester -o vip=api
tester -o vip=api,api6 -o run_arping=true -o collision_wait=50ms -o arp_count=2 -o arp_interval=10 \
	-o arp_count_refresh=1 -o network_namespace=ctl -o lock_wait=1s
# it left nothing behind
has_addr ctl c0 10.0.0.100/24 && hn_fail "ocf-tester left api"
has_addr ctl c0 2001:db8::100/64 && hn_fail "ocf-tester left api6"
echo ok
