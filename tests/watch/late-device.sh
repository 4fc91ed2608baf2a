#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A [nic] that does not exist yet (hotplug, or a driver that comes late at
# boot): watch says what it waits for, and configures it (moved into its
# namespace, mtu, addresses, up) when it appears; the rest of the profile
# is applied meanwhile.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/late.ini
cat >"$P" <<'INI'
[profile]
name = late

[netns edge]

[veth e0]
peer = e0p
peer_netns = edge
addresses = 10.3.0.1/24

[nic late0]
netns = edge
mtu = 1300
addresses = 10.4.0.1/24
INI
: >"$W_LOG"
"$HANET" watch --records "$W_REC" --max-runtime 60s "$P" 2>"$W_LOG" &
W_PID=$!
hw_wait_log "waiting for link late0 (netns edge)" 5 || hn_fail "no waiting line: $(cat "$W_LOG")"
# what does not depend on late0 is there already
hw_until 5 sh -c 'ip -4 -o addr show dev e0 | grep -q 10.3.0.1/24' || hn_fail "e0 not configured meanwhile"
hw_alive || hn_fail "watch died"

ip link add late0 type veth peer name late0p
hw_wait_log "the kernel matches the profile; watching" 5 || hn_fail "not configured: $(cat "$W_LOG")"
ip -n edge -o link show late0 | grep -q "mtu 1300" || hn_fail "late0 not moved/configured"
ip -n edge -4 -o addr show dev late0 | grep -q 10.4.0.1/24 || hn_fail "late0 address"
hw_converged "$P"
hw_stop
