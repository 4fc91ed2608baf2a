#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keepalived's own VIP against the VIP it has hanet move, on the same
# VRRP transition: two controllers (keepalived each, in their own network
# and UTS namespaces) and a client on a bridge (inside a private sandbox,
# nothing touches the host).  One vrrp_instance holds both:
#   native   10.0.0.100, in its virtual_ipaddress (keepalived adds it and
#            sends its gratuitous ARPs itself)
#   hanet    10.0.0.200, [vip h] of the node's profile, moved through one
#            of the notify paths:
#     fifo     vrrp_notify_fifo read by `hanet vip follow`, started once
#              by keepalived (vrrp_notify_fifo_script)
#              (it runs SCHED_RR at priority 1 by default)
#     fifo-nort  the same with the normal policy (--rt-priority 0)
#     exec     notify_master/notify_backup/... run hanet itself
#     script   notify runs tools/keepalived/hanet-notify (a shell script)
# Each trial takes the master's switch port down (its carrier goes off),
# and the client, probing both VIPs every 250 us, sees each answer again
# from the new master; the trial's figure is the time between the first
# reply of the native VIP and the first of hanet's (> 0: hanet later).
# Then the port comes back and the VIPs settle on one node again.
#   tools/bench/bench-notify.sh [TRIALS] [MODES] [ADVERT]
#     TRIALS per mode (default 15, 1..100), MODES (default "fifo fifo-nort
#     exec script"), ADVERT (default 100ms: VRRPv3; 1s: VRRPv2)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${HN_BENCH_SANDBOX:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench-notify: needs root (namespaces)" >&2; exit 1; }
	command -v keepalived >/dev/null || { echo "bench-notify: needs keepalived (tools/setup.sh)" >&2; exit 1; }
	make -s hanet build/tests/probe-run >/dev/null
	export HN_BENCH_SANDBOX=1
	exec unshare --mount --net --propagation private -- "$0" "$@"
fi
TRIALS=${1:-15}
MODES=${2:-fifo fifo-nort exec script}
ADVERT=${3:-100ms}
[ "$TRIALS" -ge 1 ] && [ "$TRIALS" -le 100 ] || { echo "bench-notify: 1..100 trials" >&2; exit 1; }
case $ADVERT in
100ms) ADV_CONF="advert_int 0.1"; VERSION=3; WINDOW_MS=2000 ;;
1s) ADV_CONF="advert_int 1"; VERSION=2; WINDOW_MS=6000 ;;
*) echo "bench-notify: ADVERT is 100ms or 1s" >&2; exit 1 ;;
esac
TOP=$PWD
HANET=$TOP/hanet
NOTIFY=$TOP/tools/keepalived/hanet-notify
mount -t tmpfs bench /run/netns
mkdir -p /run/hanet
mount -t tmpfs -o mode=0700 bench /run/hanet
tmp=$(mktemp -d /tmp/hanet-bench.XXXXXX)
KA_PIDS=()
cleanup() {
	local p
	for p in "${KA_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in "${KA_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for n in client ctl1 ctl2 switch; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$TOP/tests/vip/lib-pair.sh"
vip_pair "$tmp" h 10.0.0.200/24

# ka_conf N PRIORITY MODE
ka_conf() {
	local n=$1 prio=$2 mode=$3 p=$tmp/c$1.ini fifo="" inst=""
	case $mode in
	fifo)
		fifo="vrrp_notify_fifo $tmp/ctl$n.fifo
	vrrp_notify_fifo_script \"$HANET vip follow $p VI_1=h\""
		;;
	fifo-nort)
		fifo="vrrp_notify_fifo $tmp/ctl$n.fifo
	vrrp_notify_fifo_script \"$HANET vip follow --rt-priority 0 $p VI_1=h\""
		;;
	exec)
		inst="notify_master \"$HANET vip takeover $p h\"
	notify_backup \"$HANET vip release $p h\"
	notify_fault \"$HANET vip release $p h\"
	notify_stop \"$HANET vip release $p h\""
		;;
	script)
		inst="notify \"/usr/bin/env HANET=$HANET $NOTIFY $p h\""
		;;
	esac
	cat >"$tmp/ka$n.conf" <<EOF
global_defs {
	router_id ctl$n
	script_user root
	vrrp_version $VERSION
	$fifo
}
vrrp_instance VI_1 {
	state BACKUP
	interface eth0
	virtual_router_id 51
	priority $prio
	$ADV_CONF
	virtual_ipaddress {
		10.0.0.100/24 dev eth0
	}
	$inst
}
EOF
}

# ka_start N: keepalived in ctlN (and its own UTS namespace), VRRP only,
# in the foreground, for at most 20 minutes
ka_start() {
	timeout -k 2 1200 ip netns exec "ctl$1" unshare --uts -- sh -c "hostname ctl$1; exec keepalived --dont-fork \
		--vrrp --log-console --use-file $tmp/ka$1.conf --pid $tmp/ka$1.pid --vrrp_pid $tmp/ka$1-vrrp.pid" \
		>"$tmp/ka$1.log" 2>&1 &
	KA_PIDS+=($!)
}

ka_stop() {
	local p
	for p in "${KA_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${KA_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	KA_PIDS=()
	for n in 1 2; do
		ip -n "ctl$n" addr del 10.0.0.100/24 dev eth0 2>/dev/null || true
		ip -n "ctl$n" addr del 10.0.0.200/24 dev eth0 2>/dev/null || true
	done
	rm -rf /run/hanet/vip
}

has() { ip -n "$1" -o addr show dev eth0 | grep -qF " $2/"; }

# holder: the node that holds both VIPs while the other holds neither
holder() {
	local a b
	if has ctl1 10.0.0.100 && has ctl1 10.0.0.200 && ! has ctl2 10.0.0.100 && ! has ctl2 10.0.0.200; then
		echo 1
	elif has ctl2 10.0.0.100 && has ctl2 10.0.0.200 && ! has ctl1 10.0.0.100 && ! has ctl1 10.0.0.200; then
		echo 2
	else
		return 1
	fi
}

# native_holder: the node with keepalived's own VIP, when only one has it
native_holder() {
	if has ctl1 10.0.0.100 && ! has ctl2 10.0.0.100; then
		echo 1
	elif has ctl2 10.0.0.100 && ! has ctl1 10.0.0.100; then
		echo 2
	else
		return 1
	fi
}

# settle: one holder, both VIPs answering the client; prints the holder.
# Notify processes of two transitions a moment apart can run in either
# order (the last one wins): after 5 s with keepalived's VIP on one node
# and hanet's elsewhere, hanet's is put where keepalived's is, and the
# mode's "misplaced" count goes up.
settle() {
	local end=$((SECONDS + 30)) fix=$((SECONDS + 5)) h n
	while [ $SECONDS -lt $end ]; do
		if [ $SECONDS -ge $fix ] && ! holder >/dev/null && n=$(native_holder); then
			"$HANET" vip release "$tmp/c$((3 - n)).ini" h >/dev/null 2>&1 || true
			"$HANET" vip takeover "$tmp/c$n.ini" h >/dev/null 2>&1 || true
			echo "$mode" >>"$tmp/misplaced"
			fix=$((SECONDS + 5))
		fi
		if h=$(holder) && ip netns exec client ping -c 1 -W 1 10.0.0.100 >/dev/null 2>&1 &&
			ip netns exec client ping -c 1 -W 1 10.0.0.200 >/dev/null 2>&1; then
			sleep 0.3
			holder && return 0
		fi
		sleep 0.05
	done
	echo "bench-notify: the VIPs did not settle on one node" >&2
	tail -n 20 "$tmp"/ka*.log >&2
	return 1
}

# Where a notify process's time goes, on this machine now: the pieces of
# the exec and script paths, each run 30 times (the VIP released after
# each takeover, not timed)
python3 - "$HANET" "$NOTIFY" "$tmp/c1.ini" <<'PY'
import json, os, statistics, subprocess, sys, time
hanet, notify, profile = sys.argv[1:4]
env = dict(os.environ, HANET=hanet)
inner = []
def rel(out=None):
    subprocess.run([hanet, "vip", "release", profile, "h"], stdout=subprocess.DEVNULL)
def rel_json(out):
    inner.append(json.loads(out))
    rel()
def t(cmd, after=None):
    v = []
    for _ in range(30):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env).stdout
        v.append((time.perf_counter() - t0) * 1e3)
        if after:
            after(out)
    return statistics.median(v)
rows = [
    ("/bin/true (fork, exec, exit)", t(["/bin/true"])),
    ("/usr/bin/env true (the notify line's wrapper)", t(["/usr/bin/env", "true"])),
    ("/bin/sh -c : (the shell starting)", t(["/bin/sh", "-c", ":"])),
    ("hanet vip takeover, as a process", t([hanet, "vip", "takeover", "--json", profile, "h"], rel_json)),
    ("hanet-notify MASTER (env, sh, hanet, logger)", t(["/usr/bin/env", "HANET=" + hanet, notify, profile, "h", "MASTER"], rel)),
]
print("where a notify process's time goes (p50 of 30, this machine now):")
for k, v in rows:
    print("  %-52s %8.2f ms" % (k, v))
for k in ("total_ms", "added_ms", "first_announcement_ms"):
    print("  %-52s %8.2f ms" % ("hanet vip takeover's own " + k, statistics.median(d[k] for d in inner)))
PY

: >"$tmp/results"
for mode in $MODES; do
	ka_conf 1 150 "$mode"
	ka_conf 2 100 "$mode"
	ka_start 1
	ka_start 2
	settle >/dev/null
	for t in $(seq "$TRIALS"); do
		h=$(settle)
		for v in 100 200; do
			build/tests/probe-run -N client -a 10.0.0.$v -i 250 -d "$WINDOW_MS" -c 100000 -j -l "vip$v" \
				-r "$tmp/rec$v" >/dev/null &
			eval "P$v=\$!"
		done
		sleep 0.4
		ip -n switch link set "ctl$h-sw" down
		wait "$P100" "$P200" || true
		ip -n switch link set "ctl$h-sw" up
		python3 - "$tmp/rec100" "$tmp/rec200" "$mode" "$t" >>"$tmp/results" <<'PY'
import sys
def outage(path):
    recv = sorted(int(l.split()[2]) for l in open(path) if l.split()[2] != "0")
    gaps = [(b - a, a, b) for a, b in zip(recv, recv[1:])]
    g = max(gaps)
    return g[0] / 1e6, g[2]
n_out, n_back = outage(sys.argv[1])
h_out, h_back = outage(sys.argv[2])
print("%s %s %.3f %.3f %.3f" % (sys.argv[3], sys.argv[4], n_out, h_out, (h_back - n_back) / 1e6))
PY
	done
	ka_stop
done

touch "$tmp/misplaced"
python3 - "$tmp/results" "$ADVERT" "$tmp/misplaced" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
misplaced = [l.strip() for l in open(sys.argv[3])]
print("keepalived %s adverts, carrier-off of the master; outage = the client's longest gap in replies" % sys.argv[2])
print("%-9s %6s %14s %14s %22s %14s" % ("path", "trials", "native p50 ms", "hanet p50 ms", "hanet-native p50 ms",
                                         "p90 ms"))
for mode in dict.fromkeys(r[0] for r in rows):
    rs = [r for r in rows if r[0] == mode]
    nat = [float(r[2]) for r in rs]
    han = [float(r[3]) for r in rs]
    dif = sorted(float(r[4]) for r in rs)
    p90 = dif[min(len(dif) - 1, int(len(dif) * 0.9))]
    print("%-9s %6d %14.1f %14.1f %22.2f %14.2f   ratio hanet/native p50 %.3f" % (
        mode, len(rs), statistics.median(nat), statistics.median(han), statistics.median(dif), p90,
        statistics.median(han) / statistics.median(nat)))
    if misplaced.count(mode):
        print("%-9s hanet's VIP left on the wrong node %d time(s) between trials (notify processes out of order)"
              % ("", misplaced.count(mode)))
PY
