#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks of `hanet watch`, in a fresh network and mount namespace
# (unshare -mn, tmpfs over /run/netns and /run/hanet), with the controller
# example on what every kernel has (tools/bench/controller-bridge.ini: the
# bond is a bridge, the VLANs are macvlans; eth1 and eth2 are veths):
#
#   1. VIP repair latency: the API VIP (198.51.100.100/24 on api0 in
#      namespace ha) is deleted COUNT times (default 1000), each time once
#      the previous repair is in; a separate process (tests/tools/
#      drift-bench, its monitor thread doing nothing but read an event
#      socket in ha) times the delete event to the re-add event.  Twice:
#      a. watch and the monitor at nice 0 (said, not judged), and
#      b. watch at Nice=-10 as tools/systemd/hanet-watch@.service runs it
#         (an HA daemon must not wait behind batch work), the monitor at
#         the same nice so that it reads events as promptly as watch.
#                                                  target p50 <= 1 ms, p99 <= 5 ms
#   2. 1000 link flaps in 10 s: mgmt0 (a macvlan hanet made, carrying the
#      default route) set down and up; watch repairs each down.  Then watch
#      must still run and `hanet check` must pass (within 5 s).
#   3. watch's peak RSS (VmHWM) after all that     target <= 10 MB
#      (without ROUTES)
#
# Usage: tools/bench/bench-watch.sh --profile PROFILE [COUNT [IDLE_S]]
# measures watch on any profile that runs on this kernel (its devices
# made by the profile itself, e.g. tools/bench/gen-routers.py's routers):
# time from start to watching against `hanet check` (a fresh apply's
# observe and plan), RSS, fds (and per namespace), CPU while idle for
# IDLE_S seconds (default 60), VIP repair latency of the profile's first
# VIP (COUNT deletions, default 200), and of its first 10 VIPs in
# distinct namespaces drifting at once (10 monitors, COUNT/10 each).
# Targets at N=1000 routers: RSS <= 20 MB, idle CPU <= 0.5 s per 60 s,
# VIP repair p50 <= 1 ms, p99 <= 5 ms, start-up <= 2x check.
#
# Usage: tools/bench/bench-watch.sh [COUNT [ROUTES]].  With ROUTES (default
# 0), the profile also has a [routes] table of that many routes (table
# 200, via stor0) that hanet owns: the repairs above must not cost more
# with 100k owned routes.  Needs root; never touches the host's
# namespace.  Every loop is bounded (watch by --max-runtime).
# Exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$(pwd)
COUNT=${1:-1000}
ROUTES=${2:-0}

[ "$(id -u)" -eq 0 ] || { echo "bench-watch: needs root" >&2; exit 2; }
[ -x "$TOP/hanet" ] && [ -x "$TOP/build/tests/drift-bench" ] || make -s hanet tests
W=$(mktemp -d /tmp/hanet-bench-watch.XXXXXX)
trap 'rm -rf "$W"' EXIT

if [ "${COUNT}" = --profile ]; then
	PROF=$(realpath "$2")
	COUNT=${3:-200}
	IDLE=${4:-60}
	# the VIPs: netns dev cidr, the first of each namespace
	python3 - "$PROF" >"$W/vips" <<'PY'
import configparser, sys
cp = configparser.ConfigParser(strict=False, interpolation=None)
cp.read(sys.argv[1])
seen = set()
for s in cp.sections():
    if s.startswith("vip ") and cp[s].get("netns") and cp[s]["netns"] not in seen:
        seen.add(cp[s]["netns"])
        print(cp[s]["netns"], cp[s]["dev"], cp[s]["address"])
PY
	[ -s "$W/vips" ] || { echo "bench-watch: $PROF has no VIP in a namespace" >&2; exit 2; }
	echo "bench-watch: $PROF, $COUNT VIP deletions, idle ${IDLE}s, $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
	exec unshare --mount --net --propagation private -- bash -s "$TOP" "$W" "$PROF" "$COUNT" "$IDLE" <<'SCALE'
set -euo pipefail
TOP=$1 W=$2 P=$3 COUNT=$4 IDLE=$5
HANET=$TOP/hanet
DB=$TOP/build/tests/drift-bench
mkdir -p /run/netns /run/hanet
mount -t tmpfs -o mode=0755 bench /run/netns
mount -t tmpfs -o mode=0700 bench /run/hanet
ip link set lo up
"$HANET" apply "$P" >/dev/null
nns=$(ls /run/netns | wc -l)
t0=${EPOCHREALTIME/./}; "$HANET" check "$P" >/dev/null; t1=${EPOCHREALTIME/./}
check_us=$((t1 - t0))
t0=${EPOCHREALTIME/./}
nice -n -10 "$HANET" watch --records "$W/records.jsonl" --metrics "$W/metrics.prom" --max-runtime 1800s "$P" \
	2>"$W/watch.log" &
WPID=$!
for _ in $(seq 30000); do
	grep -q "the kernel matches the profile; watching" "$W/watch.log" && break
	kill -0 $WPID 2>/dev/null || break
	sleep 0.01
done
t1=${EPOCHREALTIME/./}
grep -q "the kernel matches the profile; watching" "$W/watch.log" || { tail "$W/watch.log"; kill $WPID; exit 2; }
start_us=$((t1 - t0))
fds=$(ls /proc/$WPID/fd | wc -l)
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$WPID/status)
c0=$(awk '{ print $14 + $15 }' /proc/$WPID/stat)
sleep "$IDLE"
c1=$(awk '{ print $14 + $15 }' /proc/$WPID/stat)
idle_cpu=$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))
read -r ns dev cidr <"$W/vips"
nice -n -10 "$DB" vip -N "$ns" -d "$dev" -a "$cidr" -n "$COUNT" -t 30000 >"$W/one.out"
pids=()
while read -r ns dev cidr; do
	nice -n -10 "$DB" vip -N "$ns" -d "$dev" -a "$cidr" -n $((COUNT / 10 > 5 ? COUNT / 10 : 5)) -t 30000 >"$W/ten-$ns.out" &
	pids+=($!)
done < <(head -10 "$W/vips")
wait "${pids[@]}" || true
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$WPID/status)
kill -TERM $WPID; wait $WPID || true
echo "namespaces $nns; hanet check ${check_us}us; start to watching ${start_us}us"
echo "fds $fds ($(( fds / nns )) per namespace); VmRSS ${rss} kB after start, VmHWM ${hwm} kB at the end"
echo "CPU while idle ${IDLE}s: ${idle_cpu} ms"
sed 's/^/one VIP: /' "$W/one.out" | grep -E "delete event|timeouts"
cat "$W"/ten-*.out | grep -o "delete event -> re-add event: .*" | head -10 | sed 's/^/10 at once: /'
python3 - "$W/one.out" "$W" "$rss" "$hwm" "$idle_cpu" "$start_us" "$check_us" "$IDLE" <<'PY'
import glob, re, sys
one, w, rss, hwm, idle, start, check, span = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
def lat(path):
    m = re.search(r"delete event -> re-add event: n=(\d+) p50=([\d.]+) ms p90=[\d.]+ ms p99=([\d.]+) ms", open(path).read())
    return (float(m.group(2)), float(m.group(3))) if m else (float("inf"), float("inf"))
p50, p99 = lat(one)
ten = [lat(f) for f in glob.glob(f"{w}/ten-*.out")]
t50 = max(x[0] for x in ten)
t99 = max(x[1] for x in ten)
checks = [
    ("watch RSS after start (MB)", rss / 1024, 20),
    ("watch peak RSS (MB)", hwm / 1024, 20),
    (f"CPU while idle, per 60 s (s)", idle / 1000 * 60 / span, 0.5),
    ("VIP repair p50 (ms)", p50, 1),
    ("VIP repair p99 (ms)", p99, 5),
    ("10 drifting at once: worst p50 (ms)", t50, 1),
    ("10 drifting at once: worst p99 (ms)", t99, 5),
    ("start to watching / hanet check", start / check, 2),
]
bad = False
print()
for name, v, target in checks:
    ok = v <= target
    bad |= not ok
    print(f"{'PASS' if ok else 'FAIL'}  {name:40s} {v:10.2f}  (target <= {target})")
sys.exit(1 if bad else 0)
PY
SCALE
fi

echo "bench-watch: $COUNT VIP deletions, 1000 flaps, $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "profile: tools/bench/controller-bridge.ini (the controller example with a bridge and macvlans)" \
     "$([ "$ROUTES" -gt 0 ] && echo "and $ROUTES owned routes")"

unshare --mount --net --propagation private -- bash -s "$TOP" "$W" "$COUNT" "$ROUTES" <<'SANDBOX'
set -euo pipefail
TOP=$1 W=$2 COUNT=$3 ROUTES=$4
HANET=$TOP/hanet
P=$TOP/tools/bench/controller-bridge.ini
if [ "$ROUTES" -gt 0 ]; then
	# the same profile with a bulk table of ROUTES /32 routes via stor0
	awk -v n="$ROUTES" 'BEGIN { for (i = 0; i < n; i++)
		printf "20.%d.%d.%d/32 via 203.0.113.1 dev stor0\n", int(i / 65536), int(i / 256) % 256, i % 256 }' \
		>"$W/bulk.routes"
	{ cat "$P"; printf '\n[routes bulk]\nfile = %s\ntable = 200\n' "$W/bulk.routes"; } >"$W/controller-bridge.ini"
	P=$W/controller-bridge.ini
fi
mkdir -p /run/netns /run/hanet
mount -t tmpfs -o mode=0755 bench /run/netns
mount -t tmpfs -o mode=0700 bench /run/hanet
ip link set lo up
ip link add eth1 type veth peer name eth1-p
ip link add eth2 type veth peer name eth2-p
ip link set eth1-p up
ip link set eth2-p up

"$HANET" watch --records "$W/records.jsonl" --metrics "$W/metrics.prom" --max-runtime 600s "$P" 2>"$W/watch.log" &
WPID=$!
for _ in $(seq 1500); do
	grep -q "the kernel matches the profile; watching" "$W/watch.log" && break
	sleep 0.02
done
grep -q "the kernel matches the profile; watching" "$W/watch.log" || { cat "$W/watch.log"; exit 2; }

vip_bench() {
	local tag=$1
	shift
	echo "   \$ $* drift-bench vip -N ha -d api0 -a 198.51.100.100/24 -n $COUNT"
	"$@" "$TOP/build/tests/drift-bench" vip -N ha -d api0 -a 198.51.100.100/24 -n "$COUNT" | tee "$W/vip-$tag.out" | sed 's/^/   /'
	echo "   watch's own account (event read -> repair acked), from its log:"
	tail -n +"$LOGPOS" "$W/watch.log" | grep -o 're-added in [0-9.]* ms' | awk '{ print $3 }' | sort -n |
		awk '{ v[NR] = $1 } END { printf "   n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms\n", NR, v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)], v[NR] }'
	LOGPOS=$(( $(wc -l <"$W/watch.log") + 1 ))
}
LOGPOS=1

echo
echo "1a. VIP re-add latency, watch and the monitor at nice 0"
vip_bench nice0 env
echo
echo "1b. the same as hanet-watch@.service runs watch (Nice=-10), the monitor at -10 too"
renice -n -10 -p "$WPID" >/dev/null
vip_bench nice10 nice -n -10

echo
echo "2. 1000 link flaps of mgmt0 in 10 s"
echo "   \$ drift-bench flap -N - -d mgmt0 -n 1000 -T 10000"
"$TOP/build/tests/drift-bench" flap -N - -d mgmt0 -n 1000 -T 10000 | sed 's/^/   /'
alive=0
kill -0 "$WPID" 2>/dev/null && alive=1
conv=0 t0=${EPOCHREALTIME/./}
for _ in $(seq 250); do
	if "$HANET" check "$P" >/dev/null 2>&1; then conv=1; break; fi
	sleep 0.02
done
t1=${EPOCHREALTIME/./}
echo "   watch alive: $alive; hanet check passes: $conv ($(( (t1 - t0) / 1000 )) ms after the last flap)"
echo "   repairs: $(grep -c '"event":"repair"' "$W/records.jsonl"), carrier records: $(grep -c '"event":"carrier"' "$W/records.jsonl"), overflows: $(awk '/^hanet_watch_overflows_total/ { print $2 }' "$W/metrics.prom")"

echo
echo "3. memory"
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$WPID/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$WPID/status")
echo "   VmHWM ${hwm} kB, VmRSS ${rss} kB"
kill -TERM "$WPID"
wait "$WPID" || true

python3 - "$W/vip-nice10.out" "$alive" "$conv" "$hwm" "$W/vip-nice0.out" "$ROUTES" <<'PY'
import re, sys
def parse(path):
    vip = open(path).read()
    m = re.search(r"delete event -> re-add event: n=(\d+) p50=([\d.]+) ms p90=[\d.]+ ms p99=([\d.]+) ms", vip)
    timeouts = int(re.search(r"(\d+) timeouts", vip).group(1))
    return int(m.group(1)), float(m.group(2)), float(m.group(3)), timeouts
n, p50, p99, timeouts = parse(sys.argv[1])
n0, p50_0, p99_0, timeouts0 = parse(sys.argv[5])
alive, conv, hwm, routes = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[6])
print()
print(f"info  at nice 0: VIP re-add p50 {p50_0} ms, p99 {p99_0} ms, {timeouts0} timeouts"
      f" ({'within' if p50_0 <= 1 and p99_0 <= 5 else 'outside'} the targets on this machine now)")
checks = [
    ("VIP re-add latency p50 (ms), Nice=-10", p50, p50 <= 1.0, "<= 1"),
    ("VIP re-add latency p99 (ms), Nice=-10", p99, p99 <= 5.0, "<= 5"),
    ("VIP deletions repaired / timeouts", f"{n}/{timeouts + timeouts0}", timeouts + timeouts0 == 0, "0 timeouts"),
    ("1000 flaps: watch alive, converged", f"{alive},{conv}", alive == 1 and conv == 1, "1,1"),
]
if routes:
    # the routes' index and records: the 10 MB target is for the profile alone
    print(f"info  peak RSS with {routes} owned routes: VmHWM {hwm} kB")
else:
    checks.append(("peak RSS, VmHWM (kB)", hwm, hwm <= 10240, "<= 10240"))
bad = False
print()
for name, v, ok, target in checks:
    bad |= not ok
    print(f"{'PASS' if ok else 'FAIL'}  {name:40s} {v!s:>10}  (target {target})")
sys.exit(1 if bad else 0)
PY
SANDBOX
