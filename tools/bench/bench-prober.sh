#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The prober's steady state against ping, in the same run and the same
# lab: two namespaces joined by a veth (inside a private sandbox, nothing
# touches the host).  For each interval (1 ms, 100 us) it prints the
# percentiles of the gap between consecutive replies for:
#   ping -i           iputils-ping, gaps from its -D receive timestamps (it
#                     sends late probes in a burst to catch up: small p50)
#   hanet             the prober as a library user gets it by default
#   hanet rt+spin     what a measurement uses: SCHED_FIFO 10, sleep then
#                     spin (at least 20 us, more when the wake-ups run
#                     late), kernel receive timestamps
#   rt+spin pinned    the same pinned to one CPU (HN_BENCH_PIN=1)
# and the ratios hanet / ping (lower is steadier), plus the share of gaps
# within half an interval of the interval ("on-pace").  Last, the target:
# hanet rt+spin's p99.9 gap at 1 ms at most half of ping's, in this run.
#   tools/bench/bench-prober.sh [SECONDS_PER_RUN]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${HN_BENCH_SANDBOX:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench-prober: needs root (namespaces)" >&2; exit 1; }
	command -v ping >/dev/null || { echo "bench-prober: needs ping (iputils-ping; tools/setup.sh)" >&2; exit 1; }
	make -s tests >/dev/null
	export HN_BENCH_SANDBOX=1
	exec unshare --mount --net --propagation private -- "$0" "$@"
fi
SECS=${1:-5}
[ "$SECS" -ge 1 ] && [ "$SECS" -le 60 ] || { echo "bench-prober: 1..60 seconds per run" >&2; exit 1; }
mount -t tmpfs bench /run/netns
tmp=$(mktemp -d /tmp/hanet-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ip netns add c
ip netns add t
ip -n c link add vc type veth peer name vt netns t
ip -n c link set vc up
ip -n t link set vt up
ip -n c addr add 10.0.0.1/24 dev vc
ip -n t addr add 10.0.0.2/24 dev vt
sleep 0.3

# stats FILE INTERVAL_US: "p50 p99 p99.9 max received on-pace" from a
# file of receive times in ns, one a line; gaps in us; on-pace: the share
# of gaps within half an interval of the interval (a prober that keeps its
# pace, not one that catches up in bursts)
stats() {
	python3 - "$1" "$2" <<'PY'
import math, sys
iv = int(sys.argv[2]) * 1000
t = sorted(int(x) for x in open(sys.argv[1]) if x.strip())
g = sorted(b - a for a, b in zip(t, t[1:]))
def pct(p):
    if not g:
        return 0
    k = max(1, math.ceil(p / 100 * len(g) - 1e-9))
    return g[min(k, len(g)) - 1]
pace = sum(1 for x in g if abs(x - iv) <= iv / 2) / len(g) * 100 if g else 0
print("%.0f %.0f %.0f %.0f %d %.1f%%" % (pct(50) / 1e3, pct(99) / 1e3, pct(99.9) / 1e3, (g[-1] if g else 0) / 1e3,
                                      len(t), pace))
PY
}

target=0
row() { printf '  %-16s %8s %8s %8s %8s %12s %8s\n' "$@"; }

for iv_us in 1000 100; do
	count=$(( SECS * 1000000 / iv_us ))
	iv_s=$(awk -v u="$iv_us" 'BEGIN { printf "%g", u / 1e6 }')
	echo "interval ${iv_us}us, $count probes each (gap between consecutive replies, us)"
	row "" p50 p99 p99.9 max received on-pace

	ip netns exec c ping -q -n -c 100 -i "$iv_s" -W 1 10.0.0.2 >/dev/null 2>&1 || true   # warm-up (neighbours)
	ip netns exec c ping -D -n -c "$count" -i "$iv_s" -W 1 10.0.0.2 2>/dev/null |
		sed -nE 's/^\[([0-9]+)\.([0-9]+)\] .* bytes from .*/\1\2000/p' >"$tmp/ping"
	read -r pp50 pp99 pp999 pmax prx ppace < <(stats "$tmp/ping" "$iv_us")
	row "ping -i $iv_s" "$pp50" "$pp99" "$pp999" "$pmax" "$prx/$count" "$ppace"

	for mode in plain rt ${HN_BENCH_PIN:+rtpin}; do
		args=()
		label="hanet"
		[ $mode = rt ] && { args=(-P 10 -s 20); label="hanet rt+spin"; }
		[ $mode = rtpin ] && { args=(-P 10 -s 20 -p); label="rt+spin pinned"; }
		build/tests/probe-run -N c -a 10.0.0.2 -i "$iv_us" -c "$count" -d $(( SECS * 2000 )) "${args[@]}" \
			-r "$tmp/rec" >"$tmp/out"
		awk '$3 != 0 { print $3 }' "$tmp/rec" >"$tmp/hanet"
		read -r h50 h99 h999 hmax hrx hpace < <(stats "$tmp/hanet" "$iv_us")
		row "$label" "$h50" "$h99" "$h999" "$hmax" "$hrx/$count" "$hpace"
		awk -v a="$h99" -v b="$pp99" -v c="$h999" -v d="$pp999" -v l="$label" 'BEGIN {
			printf "  %-16s p99 %.2f  p99.9 %.2f\n", l " / ping", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
		[ $mode != plain ] && sed -nE 's/.*(SCHED_FIFO.*)/  (\1)/p' "$tmp/out"
		if [ $mode = rt ] && [ "$iv_us" = 1000 ]; then
			target=$(awk -v c="$h999" -v d="$pp999" 'BEGIN { printf "%.2f", (d > 0 ? c / d : 0) }')
		fi
	done
	echo
done
awk -v r="$target" 'BEGIN { printf "target: hanet rt+spin p99.9 gap / ping p99.9 gap at 1 ms = %s (<= 0.5: %s)\n",
	r, r <= 0.5 ? "met" : "NOT MET" }'
[ "${HN_BENCH_STRICT:-0}" = 0 ] || awk -v r="$target" 'BEGIN { exit !(r <= 0.5) }' 
