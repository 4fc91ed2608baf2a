#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Addresses a link section declares are put back when removed, on both
# ends of a pair, IPv4 and IPv6; an address hanet neither declares nor owns
# is left alone.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
sed -i 's|^addresses = 10.0.0.1/24|addresses = 10.0.0.1/24, 2001:db8::1/64|' "$P"
hw_start "$P"

ip addr del 10.0.0.1/24 dev v0
hw_until 3 sh -c 'ip -4 -o addr show dev v0 | grep -q "10.0.0.1/24"' || hn_fail "10.0.0.1/24 not re-added"
hw_wait_log "drift: address 10.0.0.1/24 removed from v0; re-added in" || hn_fail "no drift line"

ip addr del 2001:db8::1/64 dev v0
hw_until 3 sh -c 'ip -6 -o addr show dev v0 | grep -q "2001:db8::1/64"' || hn_fail "2001:db8::1/64 not re-added"

ip -n api addr del 10.0.0.21/24 dev v0p
hw_until 3 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q "10.0.0.21/24"' || hn_fail "10.0.0.21/24 not re-added"
# the VIP went with the primary address (same subnet): back too
hw_until 3 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q "10.0.0.50/24"' || hn_fail "VIP not back"

# someone else's address on our link: not ours to remove or to re-add
ip addr add 192.0.2.7/24 dev v0
ip addr del 192.0.2.7/24 dev v0
sleep 0.2
ip -4 -o addr show dev v0 | grep -q 192.0.2.7 && hn_fail "a foreign address came back"

hw_converged "$P"
hn_assert [ "$(hw_records event=repair kind=address)" -ge 3 ]
hw_stop
