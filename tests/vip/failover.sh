#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A VIP moved between two controllers as keepalived or Pacemaker would
# move it (released on ctl1, taken over on ctl2, through hanet-notify),
# with a client pinging it every millisecond: the client's ARP entry
# follows the announcement, and the outage (the longest gap between
# replies) is measured with the prober.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu
export HANET

vt_pair
"$NOTIFY" "$HN_TMP/c1.ini" api MASTER 2>/dev/null || hn_fail "ctl1 MASTER"
until_ok 3 ip netns exec client ping -c 1 -W 1 10.0.0.100 || hn_fail "VIP not reachable on ctl1"
hn_assert_eq "$(client_mac_for 10.0.0.100)" "$(mac_of ctl1 eth0)" "client's ARP entry before"

# probe_move LABEL CMD...: 2 s of probes, CMD run 0.7 s in; prints the
# outage (the longest gap between replies) and the probes lost
probe_move() {
	local label=$1 pp
	shift
	"$B/probe-run" -N client -a 10.0.0.100 -i 1000 -d 2000 -c 2000 -j -l "$label" >"$HN_TMP/$label.json" &
	pp=$!
	sleep 0.7
	"$@"
	wait "$pp" || hn_fail "prober failed"
	python3 - "$HN_TMP/$label.json" <<'PY' || hn_fail "$label: $(cat "$HN_TMP/$label.json")"
import json, sys
d = json.load(open(sys.argv[1]))
g = d["gaps"]
sent, received = g["sent"], g["received"]
outage_ms = g["gap_max_us"] / 1e3
print("%s: outage %.2f ms, %d of %d probes lost" % (d["label"], outage_ms, sent - received, sent))
assert received > sent * 0.9, (sent, received)
# a busy machine may add tens of milliseconds; without the announcement
# the client would keep its ARP entry for seconds
assert outage_ms < 500, outage_ms
PY
}

# keepalived's way: ctl1 goes BACKUP, ctl2 MASTER, each through hanet-notify
move_notify() {
	"$NOTIFY" "$HN_TMP/c1.ini" api INSTANCE VI_api BACKUP 100 2>>"$HN_TMP/notify.log" || hn_fail "ctl1 BACKUP"
	"$NOTIFY" "$HN_TMP/c2.ini" api INSTANCE VI_api MASTER 150 2>>"$HN_TMP/notify.log" || hn_fail "ctl2 MASTER"
}
probe_move "ctl1->ctl2-via-hanet-notify" move_notify
cat "$HN_TMP/notify.log"
has_addr ctl1 eth0 10.0.0.100/24 && hn_fail "ctl1 kept the VIP"
has_addr ctl2 eth0 10.0.0.100/24 || hn_fail "ctl2 does not have the VIP"
hn_assert_eq "$(client_mac_for 10.0.0.100)" "$(mac_of ctl2 eth0)" "client's ARP entry after the move"

# and back with hanet itself: release on ctl2, takeover on ctl1
move_hanet() {
	"$HANET" vip release "$HN_TMP/c2.ini" api >/dev/null || hn_fail "release on ctl2"
	"$HANET" vip takeover "$HN_TMP/c1.ini" api || hn_fail "takeover on ctl1"
}
probe_move "ctl2->ctl1-via-hanet-vip" move_hanet
has_addr ctl2 eth0 10.0.0.100/24 && hn_fail "ctl2 kept the VIP"
hn_assert_eq "$(client_mac_for 10.0.0.100)" "$(mac_of ctl1 eth0)" "client's ARP entry after moving back"
echo ok
