#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A veth pair hanet made is deleted: it is made again with everything on
# it (addresses, the VIP, the route through it).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
hw_start "$P"

ip link del v0
hw_until 5 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q "10.0.0.50/24"' || hn_fail "pair, VIP not back"
hw_converged "$P"
hw_wait_log "drift: link v0 deleted; link v0: create veth" || hn_fail "no drift line: $(cat "$W_LOG")"
hw_wait_record 2 event=repair kind=link object=v0

# from the other end, in the namespace
ip -n api link del v0p
hw_until 5 sh -c 'ip -4 route show 10.9.0.0/16 | grep -q "via 10.0.0.21 dev v0"' || hn_fail "route not back"
hw_converged "$P"
hw_alive || hn_fail "watch died"
hw_stop
