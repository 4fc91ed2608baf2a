#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keepalived's notify FIFO read by `hanet vip follow`, with real
# keepalived in ctl1 (priority 150) and ctl2 (100): keepalived starts
# follow itself (vrrp_notify_fifo_script); ctl1 becomes MASTER and its
# follow takes the VIP over; ctl1's keepalived is then killed, parent and
# child together (SIGKILL: no STOP, no priority 0): its follow sees the
# FIFO close without a SIGTERM and releases the VIP, so that it is not on
# both controllers while ctl2's keepalived takes it over; the client gets
# replies from ctl2's MAC.
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

# VRRPv3 at 100 ms adverts: keepalived wants a virtual address of its
# own for v3, so the instance has one (10.0.0.99); the VIP is hanet's
ka_conf() {
	cat >"$HN_TMP/ka$1.conf" <<EOF
global_defs {
	router_id ctl$1
	script_user root
	vrrp_version 3
	vrrp_notify_fifo $HN_TMP/ctl$1.fifo
	vrrp_notify_fifo_script "$HANET vip follow $HN_TMP/c$1.ini VI_api=api"
}
vrrp_instance VI_api {
	state BACKUP
	interface eth0
	virtual_router_id 51
	priority $2
	advert_int 0.1
	virtual_ipaddress {
		10.0.0.99/32 dev eth0
	}
}
EOF
}

ka_start() {
	timeout -k 2 60 ip netns exec "ctl$1" "$KEEPALIVED" --dont-fork --vrrp --log-console --log-detail \
		--use-file "$HN_TMP/ka$1.conf" --pid "$HN_TMP/ka$1.pid" --vrrp_pid "$HN_TMP/ka$1-vrrp.pid" \
		>"$HN_TMP/ka$1.log" 2>&1 &
}

ka_logs() {
	local f
	for f in "$HN_TMP"/ka1.log "$HN_TMP"/ka2.log; do
		[ -f "$f" ] && { echo "== ${f##*/}"; tail -n 30 "$f"; }
	done
}

ka_conf 1 150
ka_conf 2 100
ka_start 1
until_ok 10 has_addr ctl1 eth0 10.0.0.100/24 || { ka_logs; hn_fail "ctl1's follow did not take the VIP over"; }
ka_start 2
until_ok 10 grep -q 'Entering BACKUP STATE' "$HN_TMP/ka2.log" || { ka_logs; hn_fail "ctl2 is not BACKUP"; }
until_ok 5 ip netns exec client ping -c 1 -W 1 10.0.0.100 || { ka_logs; hn_fail "VIP not reachable on ctl1"; }
has_addr ctl2 eth0 10.0.0.100/24 && { ka_logs; hn_fail "the BACKUP has the VIP"; }
[ -f /run/hanet/vip/c1/api.held ] || hn_fail "no held record on ctl1"

# probes for 3 s; ctl1's keepalived killed (parent and VRRP child) 0.5 s in
"$B/probe-run" -N client -a 10.0.0.100 -i 1000 -d 3000 -c 3000 -j -l keepalived-fifo >"$HN_TMP/probe.json" &
PROBER=$!
sleep 0.5
kill -KILL "$(cat "$HN_TMP/ka1-vrrp.pid")" "$(cat "$HN_TMP/ka1.pid")"
until_ok 5 has_addr ctl2 eth0 10.0.0.100/24 || { ka_logs; hn_fail "the VIP did not move to ctl2"; }
until_ok 5 sh -c "! ip -n ctl1 -o addr show dev eth0 | grep -qF ' 10.0.0.100/24 '" ||
	{ ka_logs; hn_fail "ctl1 kept the VIP after its keepalived was killed"; }
[ -f /run/hanet/vip/c1/api.held ] && hn_fail "ctl1's record stayed"
wait "$PROBER" || hn_fail "prober failed"
until_ok 3 ip netns exec client ping -c 1 -W 1 10.0.0.100 || hn_fail "VIP not reachable on ctl2"
hn_assert_eq "$(client_mac_for 10.0.0.100)" "$(mac_of ctl2 eth0)" "client's ARP entry after the failover"
python3 - "$HN_TMP/probe.json" <<'PY' || hn_fail "outage: $(cat "$HN_TMP/probe.json")"
import json, sys
g = json.load(open(sys.argv[1]))["gaps"]
outage_ms = g["gap_max_us"] / 1e3
print("keepalived killed on the master, VIP through hanet vip follow: outage %.1f ms, %d of %d probes lost"
      % (outage_ms, g["sent"] - g["received"], g["sent"]))
# three 100 ms adverts and the skew ((256 - 100) / 256 x 100 ms): about
# 0.36 s; the bound leaves room for a loaded machine
assert g["received"] > 0 and outage_ms < 1500, outage_ms
PY
echo ok
