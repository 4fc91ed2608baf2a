#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel the tests run in has what they need: bond, team, VLAN,
# macvlan, bridge links with veth slaves, and (in a kernel-lab guest)
# tmpfs over the host's /run and /tmp.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"

if [ -n "${KERNEL_LAB:-}" ]; then
	for m in /run /tmp; do
		fs=$(awk -v m="$m" '$2 == m { fs = $3 } END { print fs }' /proc/mounts)
		hn_assert_eq "$fs" tmpfs "filesystem on $m in the guest"
	done
fi

ip link add v0 type veth peer name v0p
ip link add v1 type veth peer name v1p
ip link add b0 type bond mode active-backup miimon 10
ip link set v0 master b0
ip link set v1 master b0
ip link set b0 up
ip link set v0p up
ip link set v1p up
hn_assert grep -q "Bonding Mode: fault-tolerance (active-backup)" /proc/net/bonding/b0
hn_assert grep -q "Slave Interface: v0" /proc/net/bonding/b0
hn_assert grep -q "Slave Interface: v1" /proc/net/bonding/b0
hn_assert_eq "$(ip -j -d link show b0 | jq -r '.[0].linkinfo.info_data.mode')" active-backup "bond mode"

ip link add t0 type team
ip link add link b0 name b0.100 type vlan id 100
hn_assert_eq "$(ip -j -d link show b0.100 | jq -r '.[0].linkinfo.info_data.id')" 100 "vlan id"
ip link add link b0.100 name mv0 type macvlan mode bridge
ip link add br0 type bridge
ip link add d0 type dummy
echo "links: $(ip -br link | awk '{print $1}' | tr '\n' ' ')"
