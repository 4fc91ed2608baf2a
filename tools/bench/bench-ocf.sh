#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Starting VIPs through Pacemaker's resource agents, run directly as OCF
# scripts (OCF_ROOT, OCF_RESKEY_*), in the same run and the same
# namespace (inside a private sandbox, nothing touches the host):
#   one VIP      ocf:hanet:hanet-vip start  vs  ocf:heartbeat:IPaddr2 start
#   20 VIPs      one hanet-vip start of vip=v1,...,v20  vs  20 IPaddr2 starts
# Each start is followed by its stop (not timed).  Prints the p50 and p90
# of each and the ratios hanet-vip / IPaddr2 (the targets: 0.25 for one
# VIP, 0.1 for 20), and how hanet-vip's start grows from 1 to 20 VIPs.
#   tools/bench/bench-ocf.sh [ROUNDS]      (default 3, 1..100; a round takes
#   about 21 IPaddr2 starts: over a minute on a loaded 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${HN_BENCH_SANDBOX:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench-ocf: needs root (namespaces)" >&2; exit 1; }
	[ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] ||
		{ echo "bench-ocf: needs IPaddr2 (resource-agents; tools/setup.sh)" >&2; exit 1; }
	make -s hanet >/dev/null
	export HN_BENCH_SANDBOX=1
	exec unshare --mount --net --propagation private -- "$0" "$@"
fi
if [ -z "${HN_BENCH_INNER:-}" ]; then
	ROUNDS=${1:-3}
	[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 100 ] || { echo "bench-ocf: 1..100 rounds" >&2; exit 1; }
	mount -t tmpfs bench /run/netns
	mkdir -p /run/hanet
	mount -t tmpfs -o mode=0700 bench /run/hanet
	tmp=$(mktemp -d /tmp/hanet-bench.XXXXXX)
	# IPaddr2 keeps its state in HA_RSCTMP (/run/resource-agents): a tmpfs
	# of the sandbox's own
	mkdir -p /run/resource-agents
	mount -t tmpfs bench /run/resource-agents
	trap 'ip netns del ctl 2>/dev/null; ip netns del sw 2>/dev/null; rm -rf "$tmp"' EXIT
	ip netns add ctl
	ip netns add sw
	ip -n ctl link set lo up
	ip -n ctl link add c0 type veth peer name c0-sw netns sw
	ip -n ctl link set c0 up
	ip -n sw link set c0-sw up
	ip -n ctl addr add 10.0.0.1/24 dev c0
	{
		printf '[profile]\nname = bench\n\n[nic c0]\nnetns = ctl\n'
		for i in $(seq 20); do
			printf '\n[vip v%d]\naddress = 10.0.0.%d/24\ndev = c0\nnetns = ctl\nowner = external\n' "$i" $((100 + i))
		done
	} >"$tmp/b.ini"
	sleep 0.3
	# both agents run from a shell inside the namespace, as the cluster's
	# own processes would be
	export HN_BENCH_INNER=1 BENCH_TMP=$tmp
	ip netns exec ctl "$0" "$ROUNDS"
	exit
fi

ROUNDS=$1
tmp=$BENCH_TMP
export OCF_ROOT=/usr/lib/ocf
IPADDR2=$OCF_ROOT/resource.d/heartbeat/IPaddr2
HANET_VIP=$PWD/tools/ocf/hanet-vip
HANET_BIN=$PWD/hanet
list() { seq -s, -f 'v%g' 1 "$1"; }

python3 - "$ROUNDS" "$IPADDR2" "$HANET_VIP" "$HANET_BIN" "$tmp/b.ini" <<'PY'
import os, statistics, subprocess, sys, time
rounds, ipaddr2, hanet_vip, hanet, profile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]

def run(agent, action, env):
    e = dict(os.environ)
    e.update(env)
    t0 = time.perf_counter()
    r = subprocess.run([agent, action], env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = (time.perf_counter() - t0) * 1e3
    if r.returncode != 0:
        sys.exit("%s %s: exit %d: %s" % (agent, action, r.returncode, r.stderr.decode()[-500:]))
    return dt

def ipaddr2_env(i):
    return {"OCF_RESOURCE_INSTANCE": "ip%d" % i, "OCF_RESKEY_ip": "10.0.0.%d" % (100 + i),
            "OCF_RESKEY_cidr_netmask": "24", "OCF_RESKEY_nic": "c0"}

def hanet_env(n):
    return {"OCF_RESOURCE_INSTANCE": "vips%d" % n, "OCF_RESKEY_profile": profile, "OCF_RESKEY_hanet": hanet,
            "OCF_RESKEY_vip": ",".join("v%d" % i for i in range(1, n + 1))}

def present(n):
    out = subprocess.run(["ip", "-o", "-4", "addr", "show", "dev", "c0"], stdout=subprocess.PIPE).stdout.decode()
    return sum(("10.0.0.%d/24" % (100 + i)) in out for i in range(1, n + 1))

rows = {k: [] for k in ("ipaddr2-1", "hanet-1", "ipaddr2-20", "hanet-20", "hanet-5", "hanet-10")}
for r in range(rounds):
    # one VIP
    rows["ipaddr2-1"].append(run(ipaddr2, "start", ipaddr2_env(1)))
    assert present(1) == 1
    run(ipaddr2, "stop", ipaddr2_env(1))
    rows["hanet-1"].append(run(hanet_vip, "start", hanet_env(1)))
    assert present(1) == 1
    run(hanet_vip, "stop", hanet_env(1))
    # 20 VIPs
    rows["ipaddr2-20"].append(sum(run(ipaddr2, "start", ipaddr2_env(i)) for i in range(1, 21)))
    assert present(20) == 20
    for i in range(1, 21):
        run(ipaddr2, "stop", ipaddr2_env(i))
    for n in (5, 10, 20):
        rows["hanet-%d" % n].append(run(hanet_vip, "start", hanet_env(n)))
        assert present(n) == n, present(n)
        run(hanet_vip, "stop", hanet_env(n))
    assert present(20) == 0

def p(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * q))]

print("OCF start, run directly (%d rounds, same run, same namespace)" % rounds)
print("%-34s %10s %10s" % ("", "p50 ms", "p90 ms"))
for k, label in (("ipaddr2-1", "IPaddr2, 1 VIP"), ("hanet-1", "hanet-vip, 1 VIP"),
                 ("ipaddr2-20", "IPaddr2, 20 resources (20 starts)"), ("hanet-5", "hanet-vip, vip=v1..v5"),
                 ("hanet-10", "hanet-vip, vip=v1..v10"), ("hanet-20", "hanet-vip, vip=v1..v20 (1 start)")):
    print("%-34s %10.1f %10.1f" % (label, statistics.median(rows[k]), p(rows[k], 0.9)))
one = statistics.median(rows["hanet-1"]) / statistics.median(rows["ipaddr2-1"])
twenty = statistics.median(rows["hanet-20"]) / statistics.median(rows["ipaddr2-20"])
print("ratio hanet-vip / IPaddr2, 1 VIP:   %.3f (target <= 0.25)" % one)
print("ratio hanet-vip / IPaddr2, 20 VIPs: %.3f (target <= 0.1)" % twenty)
print("hanet-vip per extra VIP: %.2f ms (1 -> 20 VIPs)" % ((statistics.median(rows["hanet-20"]) -
                                                           statistics.median(rows["hanet-1"])) / 19))
PY
