#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real VRRP failovers: keepalived in ctl1 (priority 150) and ctl2 (100),
# each calling hanet-notify; ctl1 becomes MASTER and takes the VIP over;
# then its keepalived is stopped three ways, each time from a fresh start:
#   term   SIGTERM: it sends priority 0 and releases the VIP (graceful)
#   kill   SIGKILL to keepalived and its VRRP child: nothing is sent
#   down   its link set down: nothing of it reaches ctl2
# After a SIGKILL, ctl1 still holds the VIP (no notify ran); with hanet
# watch running on ctl1 and the VIP's engine_pidfile naming keepalived's
# VRRP process, watch releases it once that process is gone.
# ctl2 becomes MASTER and takes the VIP over.  A client probes the VIP
# every millisecond; it must get replies after the move, from ctl2's MAC
# address, and the outage is bounded by the adverts keepalived was
# given: VRRPv3, 100 ms adverts, so ctl2 takes over after its skew
# ((256 - 100) / 256 of an advert) on priority 0, after three adverts
# and the skew when ctl1 went silent.  VRRPv3 needs a virtual_ipaddress
# of keepalived's own: the placeholder of doc/keepalived-pacemaker.md.
# Every keepalived runs in its namespace under a time limit, with its
# pid files in the test's directory, and is killed on exit (with the
# namespaces' processes).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

KEEPALIVED=$(command -v keepalived || true)
if [ -z "$KEEPALIVED" ]; then
	echo "SKIP: keepalived is not installed (Debian package keepalived; tools/setup.sh installs it)"
	exit 0
fi

ADVERT_MS=100
vt_pair

# ka_conf N PRIORITY: the configuration of ctlN's keepalived
ka_conf() {
	cat >"$HN_TMP/ka$1.conf" <<EOF
global_defs {
	router_id ctl$1
	script_user root
}
vrrp_instance VI_api {
	state BACKUP
	interface eth0
	virtual_router_id 51
	priority $2
	version 3
	advert_int 0.$((ADVERT_MS / 100))
	virtual_ipaddress {
		169.254.0.51/32 dev lo scope host no_track
	}
	notify "/usr/bin/env HANET=$HANET HANET_NOTIFY_LOG=$HN_TMP/notify$1.log $NOTIFY $HN_TMP/c$1.ini api"
}
EOF
}

# ka_start N: keepalived in ctlN, VRRP only, in the foreground, for at
# most 60 s; ka_stop N: SIGKILL to both of its processes, waited for
KA_PIDS=()
ka_start() {
	rm -f "$HN_TMP/ka$1.pid" "$HN_TMP/ka$1-vrrp.pid"
	timeout -k 2 60 ip netns exec "ctl$1" "$KEEPALIVED" --dont-fork --vrrp --log-console --log-detail \
		--use-file "$HN_TMP/ka$1.conf" --pid "$HN_TMP/ka$1.pid" --vrrp_pid "$HN_TMP/ka$1-vrrp.pid" \
		>>"$HN_TMP/ka$1.log" 2>&1 &
	KA_PIDS[$1]=$!
}
ka_stop() {
	local f
	for f in "$HN_TMP/ka$1.pid" "$HN_TMP/ka$1-vrrp.pid"; do
		if [ -s "$f" ]; then kill -KILL "$(cat "$f")" 2>/dev/null || :; fi
	done
	if [ -n "${KA_PIDS[$1]:-}" ]; then
		kill -KILL "${KA_PIDS[$1]}" 2>/dev/null || :
		wait "${KA_PIDS[$1]}" 2>/dev/null || :
	fi
	KA_PIDS[$1]=
}

ka_logs() {
	local f
	for f in "$HN_TMP"/ka1.log "$HN_TMP"/ka2.log "$HN_TMP"/notify1.log "$HN_TMP"/notify2.log; do
		[ -f "$f" ] && { echo "== ${f##*/}"; tail -n 20 "$f"; }
	done
}

ka_conf 1 150
ka_conf 2 100
MAC2=$(mac_of ctl2 eth0)

# failover HOW: ctl1 MASTER, ctl2 BACKUP; probe; stop ctl1's keepalived
# HOW; check the move, the replies and the outage.
failover() {
	local how=$1 watch=${2:-} lo hi n prober wpid=
	ip -n ctl1 link set eth0 up
	for n in 1 2; do
		ip -n "ctl$n" addr del 10.0.0.100/24 dev eth0 2>/dev/null || :
		: >"$HN_TMP/notify$n.log"
	done
	ka_start 1
	until_ok 10 has_addr ctl1 eth0 10.0.0.100/24 || { ka_logs; hn_fail "$how: ctl1 did not take the VIP over"; }
	ka_start 2
	until_ok 10 grep -q 'BACKUP: api: release done' "$HN_TMP/notify2.log" || { ka_logs; hn_fail "$how: ctl2 is not BACKUP"; }
	until_ok 5 ip netns exec client ping -c 1 -W 1 10.0.0.100 >/dev/null || { ka_logs; hn_fail "$how: VIP not reachable"; }
	has_addr ctl2 eth0 10.0.0.100/24 && { ka_logs; hn_fail "$how: the BACKUP has the VIP"; }
	if [ -n "$watch" ]; then
		"$HANET" watch --max-runtime 30s "$HN_TMP/c1.ini" 2>"$HN_TMP/watch.log" &
		wpid=$!
		until_ok 10 grep -q "watching" "$HN_TMP/watch.log" || { cat "$HN_TMP/watch.log"; hn_fail "watch did not start"; }
	fi

	# 4 s of probes, ctl1's keepalived stopped 1 s in
	"$B/probe-run" -N client -a 10.0.0.100 -i 1000 -d 4000 -c 4000 -r "$HN_TMP/rec-$how" -l "$how" >/dev/null &
	prober=$!
	sleep 1
	case $how in
	term) kill -TERM "$(cat "$HN_TMP/ka1.pid")" ;;
	kill) kill -KILL "$(cat "$HN_TMP/ka1.pid")" "$(cat "$HN_TMP/ka1-vrrp.pid")" ;;
	down) ip -n ctl1 link set eth0 down ;;
	esac
	until_ok 5 has_addr ctl2 eth0 10.0.0.100/24 || { ka_logs; hn_fail "$how: the VIP did not move to ctl2"; }
	wait "$prober" || hn_fail "$how: prober failed"
	# echo replies after the move, with their source MAC address
	timeout 10 ip netns exec client tcpdump -l -c 3 -nn -e -i eth0 'icmp[icmptype] = icmp-echoreply' \
		>"$HN_TMP/replies-$how" 2>"$HN_TMP/tcpdump-$how.err" &
	local dump=$!
	until_ok 5 grep -q "listening on" "$HN_TMP/tcpdump-$how.err" || hn_fail "$how: tcpdump did not start"
	ip netns exec client ping -c 5 -i 0.2 -W 1 10.0.0.100 >/dev/null || :
	wait "$dump" || :
	grep -q "MASTER: api: takeover done" "$HN_TMP/notify2.log" || { ka_logs; hn_fail "$how: no takeover on ctl2"; }
	if [ "$how" = kill ] && [ -z "$watch" ]; then
		# nothing released it: both controllers hold the VIP
		has_addr ctl1 eth0 10.0.0.100/24 || hn_fail "kill: ctl1 released the VIP without notify or watch"
	elif [ "$how" = kill ]; then
		until_ok 3 sh -c "! ip -n ctl1 -o addr show dev eth0 | grep -qF ' 10.0.0.100/24 '" ||
			{ cat "$HN_TMP/watch.log"; hn_fail "kill: hanet watch left the VIP on ctl1, whose keepalived is gone"; }
		grep -q "vip api released: its engine is gone" "$HN_TMP/watch.log" ||
			{ cat "$HN_TMP/watch.log"; hn_fail "kill: watch did not say why it released the VIP"; }
		kill -TERM "$wpid"
		wait "$wpid" || hn_fail "watch exited with $?"
	fi
	if [ "$how" = term ] && ! grep -q 'STOP: api: release done\|BACKUP: api: release done' "$HN_TMP/notify1.log"; then
		ka_logs
		hn_fail "term: no release on ctl1"
	fi
	hn_assert_eq "$(client_mac_for 10.0.0.100)" "$MAC2" "$how: the client's ARP entry after the failover"
	grep -q "ICMP echo reply" "$HN_TMP/replies-$how" ||
		{ cat "$HN_TMP/replies-$how" "$HN_TMP/tcpdump-$how.err"; hn_fail "$how: no echo reply captured after the move"; }
	grep "ICMP echo reply" "$HN_TMP/replies-$how" | awk '{print $2}' | sort -u >"$HN_TMP/macs-$how"
	hn_assert_eq "$(cat "$HN_TMP/macs-$how")" "$MAC2" "$how: the source MAC of the replies after the move"

	# the bounds: priority 0 -> the skew; silence -> three adverts and the
	# skew; plus what the notify path and a busy machine take (600 ms).
	# A master whose link is down no longer answers: the outage is at
	# least two adverts.  A keepalived killed leaves the VIP on ctl1,
	# which answers until ctl2's announcements move the client (both
	# hold the VIP for a while: doc/keepalived-pacemaker.md)
	case $how in
	term) lo=0 hi=$((ADVERT_MS * 156 / 256 + 600)) ;;
	kill) lo=0 hi=$((ADVERT_MS * 3 + ADVERT_MS * 156 / 256 + 600)) ;;
	down) lo=$((ADVERT_MS * 2)) hi=$((ADVERT_MS * 3 + ADVERT_MS * 156 / 256 + 600)) ;;
	esac
	python3 - "$HN_TMP/rec-$how" "$how" "$lo" "$hi" <<'PY' || hn_fail "$how: outage out of bounds"
import sys
path, how, lo, hi = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rec = [tuple(map(int, l.split())) for l in open(path)]
t0 = rec[0][1]
# the VIP answers after the move: the probes of the end (but the last
# few, still in flight) were answered
end = rec[-300:-20]
assert end and all(r[2] for r in end), "%s: %d of the last probes unanswered" % (how, sum(1 for r in end if not r[2]))
# the fault came 1 s in: the longest silence between replies from then on
replies = [r[2] for r in rec if r[2]]
gaps = [(b - a) / 1e6 for a, b in zip(replies, replies[1:]) if a > t0 + 0.9e9]
outage = max(gaps) - 1.0
print("keepalived failover ctl1 -> ctl2 (%s): outage %.0f ms, bounds %.0f..%.0f ms" % (how, outage, lo, hi))
assert lo <= outage <= hi, (outage, lo, hi)
PY
	ka_stop 1
	ka_stop 2
}

failover term
failover kill
echo "engine_pidfile = $HN_TMP/ka1-vrrp.pid" >>"$HN_TMP/c1.ini"
failover kill watch
failover down
echo ok
