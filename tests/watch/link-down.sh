#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A link set down is set up again, and what the kernel took away with it
# (the route through it, IPv6 addresses) comes back; the carrier changes
# of the profile's links are recorded.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
sed -i 's|^addresses = 10.0.0.21/24|addresses = 10.0.0.21/24, 2001:db8::21/64|' "$P"
hw_start "$P"

ip link set v0 down
hw_until 3 sh -c 'ip -o link show v0 | grep -q "[<,]UP[,>]"' || hn_fail "v0 not up again"
hw_wait_log "drift: link v0 set down; set up in" || hn_fail "no drift line: $(cat "$W_LOG")"
hw_until 3 sh -c 'ip -4 route show 10.9.0.0/16 | grep -q "via 10.0.0.21"' || hn_fail "route through v0 not back"
hw_converged "$P"

ip -n api link set v0p down
hw_until 3 sh -c 'ip -n api -o link show v0p | grep -q "[<,]UP[,>]"' || hn_fail "v0p not up again"
hw_until 3 sh -c 'ip -n api -6 -o addr show dev v0p | grep -q "2001:db8::21/64"' || hn_fail "IPv6 address of v0p not back"
hw_converged "$P"

hw_wait_record 2 event=repair kind=link-up object=v0
# carrier of v0 went down with v0p and came back
hw_wait_record 2 event=carrier link=v0 carrier=down
hw_wait_record 2 event=carrier link=v0 carrier=up
hw_stop
