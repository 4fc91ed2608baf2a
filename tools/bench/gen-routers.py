#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a network-node profile of N neutron-style routers, and the same
as `ip` batch scripts.

Each router is a namespace qr-I with a veth rg-I whose peer rp-I is a
port of a bridge in the shared namespace brns; rg-I has 2 addresses,
1 VIP and 5 routes.  The bridges hold at most PER_BRIDGE ports each
(a [bridge] ports line is one profile line).

Usage: gen-routers.py N DIR [PER_BRIDGE]
Writes DIR/routers.ini, and for the reference: DIR/ip-host.batch (the
namespaces and veths, for `ip -batch`), DIR/ip-brns.batch (for
`ip -n brns -batch`) and DIR/ip-qr-I.batch (for `ip -n qr-I -batch`),
and DIR/ip-down.batch (`ip -batch`: the namespaces deleted).
"""
import os
import sys

n = int(sys.argv[1])
d = sys.argv[2]
per = int(sys.argv[3]) if len(sys.argv) > 3 else 64
nbr = (n + per - 1) // per


def net(i):
    return f"{i >> 8}.{i & 255}"


p = ["[profile]", "name = routers", f"description = network node: {n} routers", "",
     "[netns brns]", ""]
host = ["netns add brns"]
brns = []
for b in range(nbr):
    ports = ", ".join(f"rp-{i}" for i in range(b * per, min(n, (b + 1) * per)))
    p += [f"[bridge br-ex{b}]", "netns = brns", f"ports = {ports}", "stp = no", ""]
    brns += [f"link add br-ex{b} type bridge stp_state 0", f"link set br-ex{b} up"]
for i in range(n):
    x = net(i)
    p += [f"[netns qr-{i}]", "",
          f"[veth rg-{i}]", f"netns = qr-{i}", f"peer = rp-{i}",
          f"addresses = 10.{x}.1/24, 100.{64 + (i >> 14)}.{(i >> 6) & 255}.{(i & 63) * 4 + 1}/30", "",
          f"[veth rp-{i}]", "netns = brns", f"peer = rg-{i}", "",
          f"[vip vip-{i}]", f"address = 10.{x}.100/24", f"dev = rg-{i}", f"netns = qr-{i}",
          "preferred_lft = 0", ""]
    for k in range(5):
        p += [f"[route r{k}-{i}]", f"to = 172.{16 + k}.{i & 255}.0/24",
              f"via = 10.{x}.254", f"dev = rg-{i}", f"netns = qr-{i}", ""]
    host += [f"netns add qr-{i}",
             f"link add rg-{i} netns qr-{i} type veth peer name rp-{i} netns brns"]
    brns += [f"link set rp-{i} master br-ex{i // per}", f"link set rp-{i} up"]
    with open(os.path.join(d, f"ip-qr-{i}.batch"), "w") as f:
        f.write("\n".join([
            "link set lo up",
            f"addr add 10.{x}.1/24 dev rg-{i}",
            f"addr add 100.{64 + (i >> 14)}.{(i >> 6) & 255}.{(i & 63) * 4 + 1}/30 dev rg-{i}",
            f"addr add 10.{x}.100/24 dev rg-{i} preferred_lft 0",
            f"link set rg-{i} up"] +
            [f"route add 172.{16 + k}.{i & 255}.0/24 via 10.{x}.254 dev rg-{i}" for k in range(5)]) + "\n")
with open(os.path.join(d, "routers.ini"), "w") as f:
    f.write("\n".join(p))
with open(os.path.join(d, "ip-host.batch"), "w") as f:
    f.write("\n".join(host) + "\n")
with open(os.path.join(d, "ip-brns.batch"), "w") as f:
    f.write("\n".join(["link set lo up"] + brns) + "\n")
with open(os.path.join(d, "ip-down.batch"), "w") as f:
    f.write("\n".join([f"netns del qr-{i}" for i in range(n)] + ["netns del brns"]) + "\n")
