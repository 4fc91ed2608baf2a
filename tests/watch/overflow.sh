#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An event flood overflows the event socket (made tiny with the --rcvbuf
# test hook): watch says so once and records it once for each overflow
# of its one socket, counts it once, observes every namespace again, and
# repairs the drift hidden in the flood (its own event was lost).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
hw_start "$P" --rcvbuf 2048

# 3000 address events in a burst on the VIP's link, the VIP deleted in
# the middle of it, in one ip run
{
	for i in $(seq 0 1499); do echo "addr add 10.200.$((i / 250)).$((i % 250 + 1))/32 dev v0p"; done
	echo "addr del 10.0.0.50/24 dev v0p"
	for i in $(seq 0 1499); do echo "addr del 10.200.$((i / 250)).$((i % 250 + 1))/32 dev v0p"; done
} >"$HN_TMP/batch"
for attempt in 1 2 3; do
	ip -n api -batch "$HN_TMP/batch"
	hw_until 5 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q "10.0.0.50/24"' || hn_fail "VIP not back after the flood"
	[ "$(hw_records event=overflow)" -gt 0 ] && break
done
# the profile's two namespaces: this one (v0) and api
hw_wait_record 2 event=overflow namespaces=2 netns=null
hw_wait_log "events were lost (socket overflow): observing the 2 namespaces again" || hn_fail "no overflow line"
hw_converged "$P"
# a line and a count for each overflow record (read again at each try:
# an overflow still pending at the end of the flood comes later)
same_counts() {
	local n
	n=$(hw_records event=overflow)
	[ "$(grep -c 'events were lost' "$W_LOG")" = "$n" ] &&
		[ "$(awk '/^hanet_watch_overflows_total/ { print $2 }' "$W_MET")" = "$n" ]
}
hw_until 3 same_counts || hn_fail "overflow records, lines and count differ: $(hw_records event=overflow)," \
	"$(grep -c 'events were lost' "$W_LOG"), $(grep '^hanet_watch_overflows_total' "$W_MET")"
# once for each overflow, not for each namespace: no two at the same time
t=$(grep '"event":"overflow"' "$W_REC" | grep -o '"mono_ns":[0-9]*' | sort | uniq -d)
[ -z "$t" ] || hn_fail "an overflow recorded twice: $(grep '"event":"overflow"' "$W_REC")"
hw_alive || hn_fail "watch died"
hw_stop
