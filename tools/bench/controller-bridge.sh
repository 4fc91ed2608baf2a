#!/bin/sh
# tools/bench/controller-bridge.ini as a script of `ip` commands (what a
# hand-written setup does); eth1 and eth2 exist.  `hanet check` of the
# profile passes after it (apart from ownership, which only hanet keeps).
ip netns add ha
ip -n ha link set lo up
ip link set eth1 mtu 9000
ip link set eth2 mtu 9000
ip link add bond0 mtu 9000 type bridge stp_state 0
ip link set eth1 master bond0
ip link set eth2 master bond0
ip link add mgmt0 link bond0 type macvlan mode bridge
ip link add apiv0 link bond0 type macvlan mode bridge
ip link add stor0 mtu 9000 link bond0 type macvlan mode bridge
ip link add api0 link apiv0 netns ha type macvlan mode bridge
ip link set bond0 up
ip link set mgmt0 up
ip link set apiv0 up
ip link set stor0 up
ip -n ha link set api0 up
ip addr add 192.0.2.11/24 dev mgmt0
ip addr add 198.51.100.11/24 dev apiv0
ip addr add 2001:db8:200::11/64 dev apiv0
ip addr add 203.0.113.11/24 dev stor0
ip -n ha addr add 198.51.100.21/24 dev api0
ip -n ha addr add 198.51.100.100/24 dev api0 label api0:api preferred_lft 0
ip -n ha addr add 2001:db8:200::100/64 dev api0 nodad preferred_lft 0
ip route add default via 192.0.2.1 dev mgmt0 metric 100
ip -n ha route add default via 198.51.100.1 dev api0
ip route add 10.20.0.0/16 via 203.0.113.1 dev stor0 table 100
ip rule add from 203.0.113.0/24 table 100 pref 1000
