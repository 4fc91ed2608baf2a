#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A VIP removed by someone else is added again at once (the fast path),
# announced (gratuitous ARP seen on the other end of the link), logged,
# recorded and counted; the kernel matches the profile afterwards.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
hw_start "$P"

MAC=$(ip -n api -o link show v0p | sed -E 's/.*link\/ether ([0-9a-f:]+).*/\1/')
hn_listen "$HN_TMP/frames" 2 3000 "" v0 "$MAC"

ip -n api addr del 10.0.0.50/24 dev v0p
hw_until 3 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q "10.0.0.50/24"' || hn_fail "VIP not re-added"
hw_wait_log "drift: vip api 10.0.0.50/24 removed from v0p in ns api; re-added in" || hn_fail "no drift line: $(cat "$W_LOG")"
hw_wait_record 2 event=repair kind=vip object=api netns=api
# the VIP keeps its attributes (preferred_lft 0: deprecated)
ip -n api -4 -o addr show dev v0p | grep "10.0.0.50/24" | grep -q deprecated || hn_fail "VIP re-added without preferred_lft 0"

wait "$LPID"
hn_assert_eq "$(grep -c 'spa=10.0.0.50 .*tpa=10.0.0.50' "$HN_TMP/frames")" 2 "gratuitous ARPs after the re-add"

hw_converged "$P"
hw_until_is 2 = 1 hw_metric 'hanet_watch_drift_repairs_total{profile="wt",kind="vip"}' ||
	hn_fail "metrics: $(cat "$W_MET")"
hw_stop
# the last metrics write says watch is down
hn_assert_eq "$(hw_metric 'hanet_watch_up{profile="wt"}')" 0 "hanet_watch_up after exit"
