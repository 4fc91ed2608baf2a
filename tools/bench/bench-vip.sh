#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How long `hanet vip takeover` takes, as it reports it (--json): N
# takeover/release cycles of one IPv4 and one IPv6 VIP in a namespace
# (inside a private sandbox, nothing touches the host).  For each it
# prints the percentiles of:
#   added_ms               from takeover's first request (the namespace's
#                          socket) to the kernel's ack of RTM_NEWADDR
#   first_announcement_ms  to the first gratuitous ARP / unsolicited NA sent
#   total_ms               from the command's start: profile loading too
#   exec+run               the whole process as its caller sees it
#                          (fork, exec, dynamic linking, the above, exit)
#   tools/bench/bench-vip.sh [N]      (default 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${HN_BENCH_SANDBOX:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench-vip: needs root (namespaces)" >&2; exit 1; }
	make -s hanet >/dev/null
	export HN_BENCH_SANDBOX=1
	exec unshare --mount --net --propagation private -- "$0" "$@"
fi
N=${1:-50}
[ "$N" -ge 1 ] && [ "$N" -le 1000 ] || { echo "bench-vip: 1..1000 cycles" >&2; exit 1; }
mount -t tmpfs bench /run/netns
mkdir -p /run/hanet
mount -t tmpfs -o mode=0700 bench /run/hanet
tmp=$(mktemp -d /tmp/hanet-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ip netns add ctl
ip netns add sw
ip -n ctl link add c0 type veth peer name c0-sw netns sw
ip -n ctl link set c0 up
ip -n sw link set c0-sw up
ip -n ctl addr add 10.0.0.1/24 dev c0
cat >"$tmp/b.ini" <<'INI'
[profile]
name = bench

[nic c0]
netns = ctl

[vip v4]
address = 10.0.0.100/24
dev = c0
netns = ctl
label = c0:api
preferred_lft = 0
noprefixroute = yes
owner = external

[vip v6]
address = 2001:db8::100/64
dev = c0
netns = ctl
nodad = yes
owner = external
INI
sleep 0.3

python3 - "$tmp/b.ini" "$N" <<'PY'
import json, statistics, subprocess, sys, time
profile, n = sys.argv[1], int(sys.argv[2])
base = []
for _ in range(n):
    t0 = time.perf_counter()
    subprocess.run(["/bin/true"], check=True, stdout=subprocess.PIPE)
    base.append((time.perf_counter() - t0) * 1e3)
print("/bin/true as a process (the machine's fork+exec+exit): p50 %.3f ms" % statistics.median(base))
for vip in ("v4", "v6"):
    rows = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = subprocess.run(["./hanet", "vip", "takeover", "--json", profile, vip], check=True,
                             stdout=subprocess.PIPE).stdout
        wall = (time.perf_counter() - t0) * 1e3
        d = json.loads(out)
        d["exec+run"] = wall
        rows.append(d)
        subprocess.run(["./hanet", "vip", "release", profile, vip], check=True, stdout=subprocess.DEVNULL)
    print("%s %s, %d takeovers:" % (vip, rows[0]["address"], len(rows)))
    for k in ("added_ms", "first_announcement_ms", "total_ms", "exec+run"):
        v = sorted(r[k] for r in rows)
        print("  %-22s p50 %7.3f ms  p90 %7.3f ms  min %7.3f ms  max %7.3f ms"
              % (k, statistics.median(v), v[min(len(v) - 1, int(len(v) * 0.9))], v[0], v[-1]))
PY
