#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Trials on a real active-backup bond (miimon 10 ms) behind a bridge: the
# active slave's switch port goes down for 200 ms.  The prober in the
# client namespace sees the failover as a short outage, the timeline
# names the bond's active-slave change as the reaction (detection about
# the miimon interval), and the outage is far below the 200 ms the port
# stays down.  v0 is the primary: when its port comes back the bond fails
# back, outside the 150 ms after the fault that are analysed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

B=$HN_TOP/build/tests
ip netns add sw
ip netns add ctrl
ip netns add c
ip -n sw link add br0 type bridge
ip -n sw link set br0 up
ip -n ctrl link add v0 type veth peer name v0p netns sw
ip -n ctrl link add v1 type veth peer name v1p netns sw
ip -n c link add vc type veth peer name cp netns sw
for p in v0p v1p cp; do
	ip -n sw link set $p master br0
	ip -n sw link set $p up
done
ip -n ctrl link add b0 type bond mode active-backup miimon 10
ip -n ctrl link set v0 master b0
ip -n ctrl link set v1 master b0
ip -n ctrl link set b0 type bond primary v0
ip -n ctrl link set b0 up
ip -n ctrl addr add 10.0.0.2/24 dev b0
ip -n c link set vc up
ip -n c addr add 10.0.0.1/24 dev vc
for _ in $(seq 100); do
	ip netns exec c ping -c 1 -W 1 -q 10.0.0.2 >/dev/null 2>&1 && break
	sleep 0.05
done

# one trial at a time, each from v0 active again (the failback after the
# last one may take a while in a slow guest)
for i in 1 2 3 4; do
	for _ in $(seq 100); do
		ip netns exec ctrl grep -q "Currently Active Slave: v0" /proc/net/bonding/b0 && break
		sleep 0.05
	done
	ip netns exec ctrl grep -q "Currently Active Slave: v0" /proc/net/bonding/b0 || hn_fail "v0 not active before trial $i"
	"$B/trial-run" -N c -a 10.0.0.2 -T sw -D v0p -o 200 -H 150 -n 1 -s 300 -t 50 -W ctrl -P 10 -m active-slave \
		-S 100 -j "$HN_TMP/bond$i.json" >"$HN_TMP/bond$i.txt" || { cat "$HN_TMP/bond$i.txt"; exit 1; }
done
python3 - "$HN_TMP"/bond[1-4].json <<'PY'
import json, sys
trials = [json.load(open(f))["groups"][0]["trials"][0] for f in sys.argv[1:]]
for t in trials:
    assert t["recovered"], t
    r = t["reaction"]
    assert r and r["kind"] == "active-slave" and r["netns"] == "ctrl" and r["dev"] == "b0", t
    assert r["detail"] == "active slave v1", r
    # miimon 10 ms: the bond notices within a few polls (a slow guest)
    assert t["detection_us"] <= 50000, t
    assert t["outage_us"] <= 100000, t
print("# bond failover, miimon 10 ms: outage %s ms, detection %s ms" % (
    [round(t["outage_us"] / 1000, 1) for t in trials], [round(t["detection_us"] / 1000, 1) for t in trials]))
PY
