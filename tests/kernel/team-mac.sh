#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An activebackup team built without any `mac =` carries traffic: hanet
# gives its ports the team's MAC address as they join (the kernel's team
# driver does not in activebackup mode).  On the team failover lab
# (profiles/lab/team-failover.ini: a switch, a client, two links into
# namespace ctl1) with the controller's team (team-controller.ini):
#  - a failure injected at every step of the team's apply leaves the
#    ports as they were (MAC address, state, master);
#  - applied, both ports have the team's address, check and a second
#    apply find nothing to do, and the client's pings are answered;
#  - a port given back its own address drops the team's traffic, check
#    says so and apply repairs it;
#  - under hanet watch the active port loses its carrier: c1b takes over
#    and pings are answered again, then c1a again when its carrier is back;
#  - hanet down gives the ports back their own address and state.
# Every ping and wait is bounded.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/../watch/lib.sh"
set -eu

KL=$HN_TOP/build/tests/link-kind
LAB=$HN_TOP/profiles/lab/team-failover.ini
CTL=$HN_TOP/profiles/lab/team-controller.ini

mac() { ip -n ctl1 -j link show "$1" | jq -r '.[0].address'; }
# the ports as rollback must leave them: MAC, state, master
ports() { ip -n ctl1 -j link show | jq -r '.[] | select(.ifname | IN("c1a", "c1b", "team1"))
	| [.ifname, .address, (if (.flags | index(["UP"])) then "up" else "down" end), (.master // "-")] | join(" ")'; }
active() { ip netns exec ctl1 "$KL" show team1 | sed -n 's/^active_port=//p'; }
# one ping from the client, answered within a second
ping1() { ip netns exec client ping -n -q -c 1 -W 1 10.50.0.11 >/dev/null 2>&1; }
# answered within SECONDS (at most that many pings)
answered() {
	local i
	for ((i = 0; i < $1; i++)); do
		ping1 && return 0
	done
	return 1
}

"$HANET" apply "$LAB" >"$HN_TMP/lab.out" 2>&1 || { cat "$HN_TMP/lab.out"; hn_fail "the lab did not apply"; }
c1a=$(mac c1a)
c1b=$(mac c1b)
[ "$c1a" != "$c1b" ] || hn_fail "the lab's links share a MAC address"
# Without IPv6 on the ports.  The kernel gives a team's ports IPv6
# addrconf (an upstream change that set IFF_NO_ADDRCONF on them was
# reverted: teamd's nsna_ping link watch needs IPv6 there), so the backup
# port's IPv6 frames (router solicitations, DAD, MLD) carry the team's MAC
# address; the switch then sends the team's frames to the backup port,
# which drops them, until the active port sends again, and a ping here
# failed for 10 s at random.  hanet does not yet turn IPv6 addrconf off
# on the ports it puts in a team.
for p in c1a c1b; do
	ip netns exec ctl1 sysctl -qw "net.ipv6.conf.$p.disable_ipv6=1"
done
ports >"$HN_TMP/before"

# rollback: a failure at each step of the team's apply
steps=$("$HANET" apply --dry-run "$CTL" | tee "$HN_TMP/plan" | grep -c '^ *[0-9]') || true
grep -q 'link c1a (netns ctl1): set mac of team1 (was ' "$HN_TMP/plan" || hn_fail "no MAC step for c1a: $(cat "$HN_TMP/plan")"
[ "$steps" -ge 8 ] || hn_fail "expected 8 steps or more: $(cat "$HN_TMP/plan")"
for ((k = 1; k <= steps; k++)); do
	rc=0
	HANET_FAIL_AT=$k "$HANET_TEST" apply "$CTL" >"$HN_TMP/out" 2>&1 || rc=$?
	hn_assert_eq "$rc" 3 "exit status with a failure injected at step $k: $(cat "$HN_TMP/out")"
	grep -q 'failed too' "$HN_TMP/out" && hn_fail "step $k: an undo step failed: $(cat "$HN_TMP/out")"
	ports | grep -v '^team1 ' >"$HN_TMP/after"
	diff -u "$HN_TMP/before" "$HN_TMP/after" || hn_fail "ports not restored after a failure at step $k of $steps"
done

# applied: the team's address on both ports, and nothing left to do
"$HANET" apply "$CTL" >"$HN_TMP/out" 2>&1 || hn_fail "apply: $(cat "$HN_TMP/out")"
t=$(mac team1)
hn_assert_eq "$(mac c1a)" "$t" "c1a's MAC"
hn_assert_eq "$(mac c1b)" "$t" "c1b's MAC"
[ "$t" != "$c1a" ] && [ "$t" != "$c1b" ] || hn_fail "the team took a port's address: $t"
"$HANET" check "$CTL" >"$HN_TMP/out" 2>&1 || hn_fail "check after apply: $(cat "$HN_TMP/out")"
"$HANET" apply "$CTL" >"$HN_TMP/out" 2>&1 || hn_fail "second apply: $(cat "$HN_TMP/out")"
grep -q ': nothing to do$' "$HN_TMP/out" || hn_fail "second apply did something: $(cat "$HN_TMP/out")"
hn_assert_eq "$(active)" c1a "active port"
answered 10 || hn_fail "no answer through team1: $(ip -n ctl1 -br link)"

# the active port with its own address again: the team's frames are not
# for it; check sees it, apply repairs it
ip -n ctl1 link set c1a address "$c1a"
ip netns exec client ip neigh flush all
if ping1 || ping1; then
	hn_fail "answered through a port that has not the team's address"
fi
rc=0
"$HANET" check "$CTL" >"$HN_TMP/out" 2>&1 || rc=$?
hn_assert_eq "$rc" 1 "check with c1a's address changed: $(cat "$HN_TMP/out")"
grep -q "link c1a (netns ctl1): set mac $t (was $c1a)" "$HN_TMP/out" || hn_fail "check: $(cat "$HN_TMP/out")"
"$HANET" apply "$CTL" >"$HN_TMP/out" 2>&1 || hn_fail "apply: $(cat "$HN_TMP/out")"
hn_assert_eq "$(mac c1a)" "$t" "c1a's MAC after the repair"
answered 10 || hn_fail "no answer after the repair"

# failover under hanet watch: c1a's switch port goes down
HW_MAX_RUNTIME=120s hw_start "$CTL" --resync-interval 0
ip -n switch link set c1a-sw down
hw_until_is 10 = c1b active || hn_fail "no failover to c1b: $(active); $(tail "$W_LOG")"
answered 10 || hn_fail "no answer after the failover to c1b"
ip -n switch link set c1a-sw up
hw_until_is 10 = c1a active || hn_fail "no failback to c1a: $(active); $(tail "$W_LOG")"
answered 10 || hn_fail "no answer after the failback to c1a"
hn_assert_eq "$(mac c1b)" "$t" "c1b's MAC after the failovers"
hw_stop

# down: the ports get their own address and state back
"$HANET" down "$CTL" >"$HN_TMP/out" 2>&1 || hn_fail "down: $(cat "$HN_TMP/out")"
ports >"$HN_TMP/after"
diff -u "$HN_TMP/before" "$HN_TMP/after" || hn_fail "ports not given back by down"
"$HANET" down "$LAB" >"$HN_TMP/out" 2>&1 || hn_fail "down of the lab: $(cat "$HN_TMP/out")"
[ -z "$(ip netns list)" ] || hn_fail "namespaces left: $(ip netns list)"
