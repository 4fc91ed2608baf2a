#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A route of the profile removed is added again; a route changed (another
# gateway) is put back as declared; other routes are left alone.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
cat >>"$P" <<'INI'

[route r6]
to = 2001:db8:9::/48
dev = v0
metric = 50
INI
hw_start "$P"

ip route del 10.9.0.0/16
hw_until 3 sh -c 'ip -4 route show 10.9.0.0/16 | grep -q "via 10.0.0.21 dev v0"' || hn_fail "route not re-added"
hw_wait_log "drift: route r1 10.9.0.0/16 removed; re-added in" || hn_fail "no drift line: $(cat "$W_LOG")"
hw_wait_record 2 event=repair kind=route object=r1

ip -6 route del 2001:db8:9::/48 dev v0 metric 50
hw_until 3 sh -c 'ip -6 route show 2001:db8:9::/48 | grep -q "dev v0 proto 72 metric 50"' || hn_fail "IPv6 route not re-added"

# another gateway in place of ours: a foreign route is in the way
ip route replace 10.9.0.0/16 via 10.0.0.22 dev v0 proto 72
hw_until 3 sh -c 'ip -4 route show 10.9.0.0/16 | grep -q "via 10.0.0.21 dev v0"' || hn_fail "route not put back"

ip route add 10.77.0.0/16 via 10.0.0.21
sleep 0.1
ip route del 10.77.0.0/16
sleep 0.2
ip route show 10.77.0.0/16 | grep -q . && hn_fail "a foreign route came back"

hw_converged "$P"
hw_stop
