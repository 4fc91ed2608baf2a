#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real VRRP failover: keepalived in ctl1 (priority 150) and ctl2 (100),
# each calling hanet-notify; ctl1 becomes MASTER and takes the VIP over;
# its keepalived is killed (SIGTERM: it sends priority 0 and goes STOP,
# releasing the VIP); ctl2 becomes MASTER and takes it over; a client
# probing the VIP every millisecond measures the outage.  Every keepalived
# runs in its namespace under a time limit, with its pid files in the
# test's directory, and is killed on exit (with the namespaces).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

KEEPALIVED=$(command -v keepalived || true)
if [ -z "$KEEPALIVED" ]; then
	echo "SKIP: keepalived is not installed (Debian package keepalived)"
	exit 0
fi

vt_pair

# ka_conf N PRIORITY STATE: the configuration of ctlN's keepalived.
# VRRPv2 (whole-second adverts): keepalived wants a virtual_ipaddress of
# its own for VRRPv3, and here the VIP is hanet's.
ka_conf() {
	cat >"$HN_TMP/ka$1.conf" <<EOF
global_defs {
	router_id ctl$1
	script_user root
}
vrrp_instance VI_api {
	state $3
	interface eth0
	virtual_router_id 51
	priority $2
	advert_int 1
	notify "/usr/bin/env HANET=$HANET HANET_NOTIFY_LOG=$HN_TMP/notify$1.log $NOTIFY $HN_TMP/c$1.ini api"
}
EOF
}

# ka_start N: keepalived in ctlN, VRRP only, in the foreground, for at
# most 60 s
ka_start() {
	timeout -k 2 60 ip netns exec "ctl$1" "$KEEPALIVED" --dont-fork --vrrp --log-console --log-detail \
		--use-file "$HN_TMP/ka$1.conf" --pid "$HN_TMP/ka$1.pid" --vrrp_pid "$HN_TMP/ka$1-vrrp.pid" \
		>"$HN_TMP/ka$1.log" 2>&1 &
}

ka_logs() {
	local f
	for f in "$HN_TMP"/ka1.log "$HN_TMP"/ka2.log "$HN_TMP"/notify1.log "$HN_TMP"/notify2.log; do
		[ -f "$f" ] && { echo "== ${f##*/}"; tail -n 30 "$f"; }
	done
}

ka_conf 1 150 MASTER
ka_conf 2 100 BACKUP
ka_start 1
until_ok 10 has_addr ctl1 eth0 10.0.0.100/24 || { ka_logs; hn_fail "ctl1 did not take the VIP over"; }
ka_start 2
until_ok 10 grep -q 'Entering BACKUP STATE' "$HN_TMP/ka2.log" || { ka_logs; hn_fail "ctl2 is not BACKUP"; }
until_ok 5 ip netns exec client ping -c 1 -W 1 10.0.0.100 || { ka_logs; hn_fail "VIP not reachable on ctl1"; }
grep -q 'MASTER: api: takeover done' "$HN_TMP/notify1.log" || { ka_logs; hn_fail "no takeover through hanet-notify on ctl1"; }
has_addr ctl2 eth0 10.0.0.100/24 && { ka_logs; hn_fail "the BACKUP has the VIP"; }

# probes for 4 s; ctl1's keepalived killed 1 s in
"$B/probe-run" -N client -a 10.0.0.100 -i 1000 -d 4000 -c 4000 -j -l keepalived-failover >"$HN_TMP/probe.json" &
PROBER=$!
sleep 1
kill -TERM "$(cat "$HN_TMP/ka1.pid")"
until_ok 5 has_addr ctl2 eth0 10.0.0.100/24 || { ka_logs; hn_fail "the VIP did not move to ctl2"; }
until_ok 5 sh -c "! ip -n ctl1 -o addr show dev eth0 | grep -qF ' 10.0.0.100/24 '" ||
	{ ka_logs; hn_fail "ctl1 kept the VIP after its keepalived stopped"; }
wait "$PROBER" || hn_fail "prober failed"
ka_logs

grep -q 'STOP: api: release done\|BACKUP: api: release done' "$HN_TMP/notify1.log" || hn_fail "no release through hanet-notify on ctl1"
grep -q 'MASTER: api: takeover done' "$HN_TMP/notify2.log" || hn_fail "no takeover through hanet-notify on ctl2"
hn_assert_eq "$(client_mac_for 10.0.0.100)" "$(mac_of ctl2 eth0)" "client's ARP entry after the failover"
python3 - "$HN_TMP/probe.json" <<'PY' || hn_fail "outage: $(cat "$HN_TMP/probe.json")"
import json, sys
d = json.load(open(sys.argv[1]))
g = d["gaps"]
outage_ms = g["gap_max_us"] / 1e3
print("keepalived failover ctl1 -> ctl2 (SIGTERM to the master): outage %.1f ms, %d of %d probes lost"
      % (outage_ms, g["sent"] - g["received"], g["sent"]))
# on the master's priority 0 the backup takes over after its skew time,
# (256 - 100) / 256 s: about 0.6 s
assert g["received"] > 0 and outage_ms < 2000, outage_ms
PY
echo ok
