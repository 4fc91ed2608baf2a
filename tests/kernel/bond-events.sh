#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nlevent on a real active-backup bond (miimon 10 ms): when the active
# slave loses its carrier, the events say so, name the bond's new active
# slave and the slaves' new states, each flagged as changed once.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

B=$HN_TOP/build/tests
ip netns add sw
ip link add v0 type veth peer name v0p netns sw
ip link add v1 type veth peer name v1p netns sw
ip link add b0 type bond mode active-backup miimon 10
ip link set v0 master b0
ip link set v1 master b0
ip link set b0 type bond primary v0
ip -n sw link set v0p up
ip -n sw link set v1p up
ip link set b0 up
for _ in $(seq 100); do
	grep -q "Currently Active Slave: v0" /proc/net/bonding/b0 && break
	sleep 0.05
done
hn_assert grep -q "Currently Active Slave: v0" /proc/net/bonding/b0
sleep 0.2

EV=$HN_TMP/events
"$B/nlev-watch" -N - -N sw -g link -t 4000 >"$EV" &
W=$!
for _ in $(seq 200); do grep -q '^ready' "$EV" && break; sleep 0.01; done
ip -n sw link set v0p down         # the active slave's carrier goes
for _ in $(seq 200); do grep -q 'ifname=b0 .*active_slave=v1(changed)' "$EV" && break; sleep 0.01; done
ip -n sw link set v0p up           # back: primary v0 takes over again
for _ in $(seq 300); do grep -q 'ifname=b0 .*active_slave=v0(changed)' "$EV" && break; sleep 0.01; done
sleep 0.1
kill "$W" 2>/dev/null || true
wait "$W" 2>/dev/null || true
cat "$EV"

grep -q '^link-change ns=- ifindex=[0-9]* ifname=v0 admin=up carrier=off(changed)' "$EV" || hn_fail "v0 carrier off"
grep -q '^link-change ns=- ifindex=[0-9]* ifname=b0 .*active_slave=v1(changed)' "$EV" || hn_fail "bond: active slave v1"
grep -q '^link-change ns=- ifindex=[0-9]* ifname=v1 .*slave_state=active(changed)' "$EV" || hn_fail "v1 active"
grep -q '^link-change ns=- ifindex=[0-9]* ifname=v0 .*slave_state=backup(changed)' "$EV" || hn_fail "v0 backup"
grep -q '^link-change ns=- ifindex=[0-9]* ifname=b0 .*active_slave=v0(changed)' "$EV" || hn_fail "bond: back to v0"
hn_assert_eq "$(grep -c 'ifname=b0 .*active_slave=v1(changed)' "$EV")" 1 "one change to v1"
# the bond keeps its carrier through the failover
! grep -q 'ifname=b0 .*carrier=off' "$EV" || hn_fail "bond lost its carrier"
exit 0
