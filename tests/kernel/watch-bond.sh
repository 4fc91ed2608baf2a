#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet watch records the failovers of an active-backup bond it made
# (miimon 10 ms): the active slave loses its carrier, the bond picks the
# other slave (the kernel's choice: watch leaves it alone), and the record
# says from which to which, with the slaves' new states and carrier
# changes; metrics count it.  A slave released from the bond is enslaved
# again and the bond set down is set up again.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/../watch/lib.sh"
set -eu

ip netns add sw
ip link add s0 type veth peer name s0p netns sw
ip link add s1 type veth peer name s1p netns sw
ip -n sw link set s0p up
ip -n sw link set s1p up

P=$HN_TMP/bond.ini
cat >"$P" <<'INI'
[profile]
name = bond

[bond bond0]
mode = active-backup
slaves = s0, s1
primary = s0
miimon = 10ms
addresses = 10.6.0.1/24
INI
hw_start "$P" --resync-interval 0
hw_until 5 sh -c 'grep -q "Currently Active Slave: s0" /proc/net/bonding/bond0' || hn_fail "s0 not active"

ip -n sw link set s0p down
hw_until 5 sh -c 'grep -q "Currently Active Slave: s1" /proc/net/bonding/bond0' || hn_fail "no failover"
hw_wait_record 3 event=bond-active-slave link=bond0 from=s0 to=s1
hw_wait_record 3 event=bond-slave-state link=bond0 slave=s1 state=active
hw_wait_record 3 event=carrier link=s0 carrier=down
grep -q "bond bond0: active slave s0 -> s1" "$W_LOG" || hn_fail "no log line: $(cat "$W_LOG")"

ip -n sw link set s0p up
hw_wait_record 5 event=bond-active-slave link=bond0 from=s1 to=s0
hw_until_is 2 -ge 2 hw_metric 'hanet_watch_failovers_total{profile="bond",netns="",link="bond0"}' ||
	hn_fail "failovers not counted: $(cat "$W_MET")"
# watch repaired nothing: failovers are not drift
hn_assert_eq "$(hw_records event=repair)" 0 "repairs during failovers"

ip link set s1 nomaster
hw_until 5 sh -c "ip -o link show s1 | grep -q 'master bond0'" || hn_fail "s1 not enslaved again"
hw_wait_record 3 event=repair kind=slave object=s1
ip link set bond0 down
hw_until 5 sh -c "ip -o link show bond0 | grep -q '[<,]UP[,>]'" || hn_fail "bond0 not up again"
"$HANET" check "$P" >/dev/null || hn_fail "check: $("$HANET" check "$P" 2>&1)"
hw_stop
