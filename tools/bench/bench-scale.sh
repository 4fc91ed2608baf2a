#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Network-node scale: N router namespaces, each a veth into a shared
# bridge namespace, 2 addresses, 1 VIP, 5 routes (tools/bench/
# gen-routers.py writes the profile and the same as `ip` batch scripts).
# For each N, in a fresh network and mount namespace (unshare -mn, tmpfs
# over /run/netns and /run/hanet), in the same run:
#
#   hanet validate (the profile load alone), hanet apply, hanet apply
#   again with nothing to do (and its netlink write requests), hanet
#   down, peak RSS of the apply; then the reference: `ip -batch` (the
#   namespaces and veths), `ip -n brns -batch`, `ip -n qr-I -batch` per
#   router, and `ip -batch` deleting the namespaces.
#
# Targets: fresh apply <= 0.5x the ip script at every N; from N=100 to
# N=1000 apply, re-apply and down grow at most 12x; re-apply <= 0.05x the
# fresh apply with 0 writes; down <= 1x the fresh apply; peak RSS
# <= 30 MB at N=1000.  Times are wall-clock ($EPOCHREALTIME), noisy on a
# shared machine: the ratios are of the same run.
#
# Usage: tools/bench/bench-scale.sh [N...] (default 100 500 1000 2000).
# Needs root; never touches the host's namespace.  Exit 1 when a target
# is missed.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$(pwd)
HANET=$TOP/hanet
NS=("$@")
[ ${#NS[@]} -gt 0 ] || NS=(100 500 1000 2000)

[ "$(id -u)" -eq 0 ] || { echo "bench-scale: needs root" >&2; exit 2; }
[ -x "$HANET" ] || make -s hanet
W=$(mktemp -d /tmp/hanet-bench-scale.XXXXXX)
trap 'rm -rf "$W"' EXIT

cat >"$W/one.sh" <<'EOF'
set -euo pipefail
HANET=$1 D=$2 N=$3
mkdir -p /run/netns /run/hanet
mount -t tmpfs -o mode=0755 bench /run/netns
mount -t tmpfs -o mode=0700 bench /run/hanet
ip link set lo up
us() { echo ${EPOCHREALTIME/./}; }
t0=$(us); "$HANET" validate "$D/routers.ini" >/dev/null; t1=$(us)
load=$((t1 - t0))
t0=$(us); /usr/bin/time -f %M -o "$D/rss" "$HANET" apply "$D/routers.ini" >/dev/null; t1=$(us)
apply=$((t1 - t0))
[ "$(ls /run/netns | wc -l)" -eq $((N + 1)) ]
t0=$(us); "$HANET" -v apply "$D/routers.ini" 2>"$D/reapply.log" >/dev/null; t1=$(us)
reapply=$((t1 - t0))
writes=$(sed -n 's/.* \([0-9]*\) netlink write requests/\1/p' "$D/reapply.log")
t0=$(us); "$HANET" down "$D/routers.ini" >/dev/null; t1=$(us)
down=$((t1 - t0))
[ "$(ls /run/netns | wc -l)" -eq 0 ]
sleep 1   # the kernel frees the namespaces in the background
t0=$(us)
ip -batch "$D/ip-host.batch"
ip -n brns -batch "$D/ip-brns.batch"
for ((i = 0; i < N; i++)); do ip -n "qr-$i" -batch "$D/ip-qr-$i.batch"; done
t1=$(us)
ipapply=$((t1 - t0))
t0=$(us); ip -batch "$D/ip-down.batch"; t1=$(us)
ipdown=$((t1 - t0))
echo "$N $load $apply $reapply $writes $down $(cat "$D/rss") $ipapply $ipdown"
EOF

echo "bench-scale: N = ${NS[*]}, $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %9s %9s %9s %6s %9s %8s %9s %9s\n' N load apply re-apply writes down "rss(MB)" ip-script ip-del
: >"$W/rows"
for n in "${NS[@]}"; do
	mkdir -p "$W/$n"
	python3 "$TOP/tools/bench/gen-routers.py" "$n" "$W/$n"
	row=$(unshare --mount --net --propagation private -- bash "$W/one.sh" "$HANET" "$W/$n" "$n")
	echo "$row" >>"$W/rows"
	read -r N load apply re writes down rss ip ipd <<<"$row"
	printf '%6s %8.2fs %8.2fs %8.2fs %6s %8.2fs %8.1f %8.2fs %8.2fs\n' "$N" \
		"$(bc -l <<<"$load/1000000")" "$(bc -l <<<"$apply/1000000")" "$(bc -l <<<"$re/1000000")" "$writes" \
		"$(bc -l <<<"$down/1000000")" "$(bc -l <<<"$rss/1024")" "$(bc -l <<<"$ip/1000000")" "$(bc -l <<<"$ipd/1000000")"
done

python3 - "$W/rows" <<'PY'
import math, sys
rows = {int(l.split()[0]): list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()}
bad = False
def check(name, value, target, fmt="{:.3f}"):
    global bad
    ok = value <= target
    bad |= not ok
    print(f"{'PASS' if ok else 'FAIL'}  {name:58s} {fmt.format(value):>8s}  (target <= {target})")
print()
print("ratios (same run); 'without load' subtracts the profile load (hanet validate)")
for n, (_, load, apply, re, writes, down, rss, ip, ipd) in sorted(rows.items()):
    check(f"N={n}: fresh apply / ip script", apply / ip, 0.5)
    print(f"      N={n}: fresh apply without load / ip script: {(apply - load) / ip:.3f}")
    check(f"N={n}: re-apply / fresh apply", re / apply, 0.05)
    check(f"N={n}: re-apply netlink write requests", writes, 0, "{:d}")
    check(f"N={n}: down / fresh apply", down / apply, 1.0)
if 100 in rows and 1000 in rows:
    a, b = rows[100], rows[1000]
    for name, i in (("apply", 2), ("re-apply", 3), ("down", 5)):
        g = b[i] / a[i]
        gl = (b[i] - b[1]) / max(1, a[i] - a[1])
        check(f"growth 100 -> 1000: {name} (x{g:.1f}, exponent {math.log10(g):.2f})", g, 12, "{:.1f}")
        print(f"      without load: x{gl:.1f}, exponent {math.log10(max(gl, 1e-9)):.2f}")
    gi = b[7] / a[7]
    print(f"      ip script: x{gi:.1f}, exponent {math.log10(gi):.2f}")
if 1000 in rows:
    check("N=1000: peak RSS of apply (MB)", rows[1000][6] / 1024, 30, "{:.1f}")
sys.exit(1 if bad else 0)
PY
