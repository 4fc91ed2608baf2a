#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks of `hanet apply` against iproute2, each side in a fresh
# network namespace (unshare -mn, with tmpfs over /run/netns and
# /run/hanet), in the same run, ROUNDS times (median):
#
#   1. 100k routes into an empty table:  hanet apply / `ip -batch`    target <= 1.0
#   2. the same profile again (nothing to change): hanet / `ip -batch`
#      and its netlink write requests                                target <= 0.1, 0 writes
#   3. the controller example (tools/bench/controller-bridge.ini): hanet
#      apply / the same as a script of `ip` commands                 target <= 0.1
#      (3 pairs a round: short runs on a shared machine are noisy)
#   4. peak RSS of the 100k-route apply                              target <= 100 MB
#
# Times are wall-clock, read by bash itself ($EPOCHREALTIME: no `date`
# process in the measurement).  Each side waits 0.5s before its timed
# part: the kernel destroys the namespaces of the previous measurement in
# the background, under the rtnl lock.
#
# Usage: tools/bench/bench-apply.sh [ROUNDS] (default 3).  Needs root;
# never touches the host's namespace.  Exit 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$(pwd)
HANET=$TOP/hanet
ROUNDS=${1:-3}
N=100000

[ "$(id -u)" -eq 0 ] || { echo "bench-apply: needs root" >&2; exit 2; }
[ -x "$HANET" ] || make -s hanet
W=$(mktemp -d /tmp/hanet-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# ---- inputs ------------------------------------------------------------------
python3 - "$W" "$N" <<'PY'
import sys
w, n = sys.argv[1], int(sys.argv[2])
with open(f"{w}/bulk.routes", "w") as f, open(f"{w}/ip.batch", "w") as g:
    for i in range(n):
        a = f"20.{i >> 16}.{(i >> 8) & 255}.{i & 255}/32"
        f.write(f"{a} via 10.0.0.2 dev b0\n")
        g.write(f"route add {a} via 10.0.0.2 dev b0 table 100\n")
base = """[profile]
name = bench

[veth b0]
peer = b1
addresses = 10.0.0.1/16
"""
open(f"{w}/base.ini", "w").write(base)
open(f"{w}/full.ini", "w").write(base + """
[routes bulk]
file = bulk.routes
table = 100
""")
PY

# The measurements, each run by bash in its own sandbox; they print
# microseconds (and counts).
cat >"$W/lib.sh" <<'EOF'
set -e
mkdir -p /run/netns /run/hanet
mount -t tmpfs -o mode=0755 bench /run/netns
mount -t tmpfs -o mode=0700 bench /run/hanet
ip link set lo up
EOF
cat >"$W/ip-batch.sh" <<EOF
. $W/lib.sh
ip link add b0 type veth peer name b1
ip addr add 10.0.0.1/16 dev b0
ip link set b0 up; ip link set b1 up
sleep 0.5
t0=\${EPOCHREALTIME/./}; ip -batch $W/ip.batch; t1=\${EPOCHREALTIME/./}
[ \$(ip route show table 100 | wc -l) -eq $N ]
echo \$(( t1 - t0 ))
EOF
cat >"$W/hanet-100k.sh" <<EOF
. $W/lib.sh
cd $W
$HANET apply base.ini >/dev/null
sleep 0.5
t0=\${EPOCHREALTIME/./}
/usr/bin/time -f %M -o $W/rss $HANET apply full.ini >/dev/null
t1=\${EPOCHREALTIME/./}
[ \$(ip route show table 100 | wc -l) -eq $N ]
t2=\${EPOCHREALTIME/./}
$HANET -v apply full.ini 2>$W/reapply.log >/dev/null
t3=\${EPOCHREALTIME/./}
w=\$(sed -n 's/.* \([0-9]*\) netlink write requests/\1/p' $W/reapply.log)
echo \$(( t1 - t0 )) \$(( t3 - t2 )) \$w \$(cat $W/rss)
EOF
for side in ip hanet; do
	if [ $side = ip ]; then cmd="sh $TOP/tools/bench/controller-bridge.sh"
	else cmd="$HANET apply $TOP/tools/bench/controller-bridge.ini >/dev/null"; fi
	cat >"$W/ctl-$side.sh" <<EOF
. $W/lib.sh
ip link add eth1 type veth peer name eth1-p; ip link add eth2 type veth peer name eth2-p
sleep 0.5
t0=\${EPOCHREALTIME/./}; $cmd; t1=\${EPOCHREALTIME/./}
$HANET check $TOP/tools/bench/controller-bridge.ini >/dev/null
echo \$(( t1 - t0 ))
EOF
done

in_sandbox() { unshare --mount --net --propagation private -- bash "$W/$1"; }

# ---- one round ----------------------------------------------------------------
round() {
	local t_ip h sh=() hc=() sh_m hc_m
	t_ip=$(in_sandbox ip-batch.sh)
	h=$(in_sandbox hanet-100k.sh)
	for _ in 1 2 3; do
		sh+=("$(in_sandbox ctl-ip.sh)")
		hc+=("$(in_sandbox ctl-hanet.sh)")
	done
	sh_m=$(printf '%s\n' "${sh[@]}" | sort -n | sed -n 2p)
	hc_m=$(printf '%s\n' "${hc[@]}" | sort -n | sed -n 2p)
	echo "$t_ip $h $sh_m $hc_m"
}

echo "bench-apply: $ROUNDS rounds, $N routes, $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %12s %12s %7s %9s %12s %12s\n' round "ip-batch" "hanet" "re-apply" writes "rss(KB)" \
	"ip-script" "hanet-ctl"
: >"$W/rounds"
for r in $(seq "$ROUNDS"); do
	line=$(round)
	echo "$line" >>"$W/rounds"
	# shellcheck disable=SC2086
	printf '%-6s %10sus %10sus %10sus %7s %9s %10sus %10sus\n' "$r" $line
done

python3 - "$W/rounds" <<'PY'
import statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
col = lambda i: statistics.median(r[i] for r in rows)
ip, h, re_, writes, rss, sh, hc = (col(i) for i in range(7))
max_writes = max(r[3] for r in rows)
max_rss = max(r[4] for r in rows)
checks = [
    ("100k routes: hanet apply / ip -batch", h / ip, 1.0),
    ("re-apply, nothing to change: hanet / ip -batch", re_ / ip, 0.1),
    ("controller example: hanet apply / ip script", hc / sh, 0.1),
]
bad = False
print()
for name, ratio, target in checks:
    ok = ratio <= target
    bad |= not ok
    print(f"{'PASS' if ok else 'FAIL'}  {name:50s} {ratio:6.3f}  (target <= {target})")
ok = max_writes == 0
bad |= not ok
print(f"{'PASS' if ok else 'FAIL'}  {'re-apply netlink write requests':50s} {max_writes:6d}  (target 0)")
ok = max_rss <= 100 * 1024
bad |= not ok
print(f"{'PASS' if ok else 'FAIL'}  {'peak RSS, 100k-route apply (MB)':50s} {max_rss / 1024:6.1f}  (target <= 100)")
print(f"medians: ip -batch {ip/1e6:.3f}s, hanet {h/1e6:.3f}s, re-apply {re_/1e6:.3f}s, "
      f"ip script {sh/1e3:.1f}ms, hanet {hc/1e3:.1f}ms")
sys.exit(1 if bad else 0)
PY
