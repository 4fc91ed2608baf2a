#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet watch drives an activebackup team (the kernel leaves the choice to
# user space): the port with a link and the highest priority is made
# active; when it loses its carrier the other one takes over, and it takes
# back over when its link returns; every change is recorded with who made
# it and why, and counted.  A port released from the team is attached again.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/../watch/lib.sh"
set -eu

KL=$HN_TOP/build/tests/link-kind
active() { "$KL" show team0 | sed -n 's/^active_port=//p'; }

ip netns add sw
ip link add t0 type veth peer name t0p netns sw
ip link add t1 type veth peer name t1p netns sw
ip -n sw link set t0p up
ip -n sw link set t1p up

P=$HN_TMP/team.ini
cat >"$P" <<'INI'
[profile]
name = team

[team team0]
mode = activebackup
ports = t0, t1
priority.t0 = 10
priority.t1 = 5
addresses = 10.5.0.1/24
INI
hw_start "$P" --resync-interval 0
hw_until_is 5 = t0 active || hn_fail "t0 not active: $(active)"
# apply chose it (a port with a link, the highest priority): no failover yet
hn_assert_eq "$(hw_records event=team-active-port)" 0 "team records before any failover"

# the active port loses its carrier: t1
ip -n sw link set t0p down
hw_until_is 5 = t1 active || hn_fail "no failover to t1: $(active); $(tail "$W_LOG")"
hw_wait_record 3 event=team-active-port link=team0 from=t0 to=t1 by=hanet "why=t0 has no link"
hw_wait_record 3 event=carrier link=t0 carrier=down

# it comes back: the higher priority takes over again
ip -n sw link set t0p up
hw_until_is 5 = t0 active || hn_fail "no failback to t0: $(active)"
hw_wait_record 3 event=team-active-port link=team0 from=t1 to=t0 by=hanet
grep -q "team team0: active port t1 -> t0 (t0 has a higher priority (10 > 5))" "$W_LOG" || hn_fail "no log line: $(cat "$W_LOG")"

# a port released is attached again, with its priority (per-port options
# go with the port), and t0 stays active
ip link set t1 nomaster
hw_until 5 sh -c "ip -o link show t1 | grep -q 'master team0'" || hn_fail "t1 not a port again"
hw_wait_record 3 event=repair kind=slave object=t1
hn_assert_eq "$(active)" t0 "active port after t1 came back"
"$KL" show team0 | grep -q "priority.t1=5" || hn_fail "t1 priority not restored: $("$KL" show team0)"

hw_until_is 2 -ge 2 hw_metric 'hanet_watch_failovers_total{profile="team",netns="",link="team0"}' ||
	hn_fail "failovers not counted: $(cat "$W_MET")"
"$HANET" check "$P" >/dev/null || hn_fail "check: $("$HANET" check "$P" 2>&1)"
hw_stop
