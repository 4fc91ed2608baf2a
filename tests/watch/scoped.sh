#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A repair plans the namespace it is about, not the whole profile: a VIP
# removed in one of three namespaces is put back, and a change the
# kernel sends no event about in another (its forwarding sysctl) is left
# as it is by that repair.  The periodic check (--resync-interval) still finds
# such a change, one slice of the namespaces at a time.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

# the planner's debug lines say what a resync planned
REAL=$HANET
HANET=$HN_TMP/hanet-verbose
printf '#!/bin/sh\nexec %s --verbose "$@"\n' "$REAL" >"$HANET"
chmod +x "$HANET"

P=$HN_TMP/scoped.ini
{
	printf '[profile]\nname = scoped\n'
	for i in 1 2 3; do
		printf '\n[netns s%d]\nforwarding = yes\n\n[veth a%d]\nnetns = s%d\npeer = b%d\n' "$i" "$i" "$i" "$i"
		printf 'addresses = 10.2.%d.1/24\n\n[veth b%d]\nnetns = s%d\npeer = a%d\n' "$i" "$i" "$i" "$i"
		printf '\n[vip v%d]\naddress = 10.2.%d.100/24\ndev = a%d\nnetns = s%d\n' "$i" "$i" "$i" "$i"
		printf '\n[route r%d]\nto = 10.9.%d.0/24\nvia = 10.2.%d.254\ndev = a%d\nnetns = s%d\n' "$i" "$i" "$i" "$i" "$i"
	done
} >"$P"
fwd() { ip netns exec "$1" cat /proc/sys/net/ipv4/ip_forward; }
snap() { ip -4 -n "$1" -o addr show; ip -n "$1" route show; ip -n "$1" -o link show; fwd "$1"; }

# 1. no periodic check for a minute: what the repair does is all there is
hw_start "$P" --resync-interval 60s
snap s1 >"$HN_TMP/s1.before"
ip netns exec s3 sysctl -qw net.ipv4.ip_forward=0
ip -n s2 addr del 10.2.2.100/24 dev a2
hw_until 3 sh -c 'ip -n s2 -4 -o addr show dev a2 | grep -q "10.2.2.100/24"' || hn_fail "VIP v2 not re-added"
hw_wait_record 2 event=repair kind=vip object=v2 netns=s2
# the resync that confirms the repair has run (the settle delay)
hw_wait_log "planned 1 namespace of" 3 || hn_fail "no resync planned one namespace: $(grep debug "$W_LOG" | tail -5)"
sleep 0.3
grep -q "planning the whole profile" "$W_LOG" && hn_fail "a repair planned the whole profile: $(grep -B2 'whole profile' "$W_LOG")"
hn_assert_eq "$(fwd s3)" 0 "forwarding in s3 after the repair in s2 (it is not the repair's business)"
snap s1 >"$HN_TMP/s1.after"
diff "$HN_TMP/s1.before" "$HN_TMP/s1.after" >&2 || hn_fail "the repair in s2 changed s1"
hn_assert_eq "$(grep '"event":"repair"' "$W_REC" | grep -vc '"netns":"s2"' || true)" 0 "repairs outside s2"
hw_stop

# 2. a periodic check every 800 ms (a slice every 100 ms): the alias
# change without an event is found and put back
hw_start "$P" --resync-interval 800ms
ip netns exec s1 sysctl -qw net.ipv4.ip_forward=0
hw_until 3 sh -c '[ "$(ip netns exec s1 cat /proc/sys/net/ipv4/ip_forward)" = 1 ]' || hn_fail "forwarding, changed without an event, not put back: $(tail -5 "$W_LOG")"
hw_wait_record 2 event=repair kind=forwarding netns=s1
hw_converged "$P"
hw_stop
echo "PASS scoped"
