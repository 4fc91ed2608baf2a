#!/bin/bash
# The kernel's own side effects, on the host kernel (bridge, macvlan,
# veth): what a step takes from the devices and routes around it is in
# the plan (re-added, named in --dry-run) and in the journal (a failure
# at any step k puts it back: `ip -d -j` dumps of every namespace, see
# hn_dump_json, equal those taken before).
#  - a bridge's IPv4 address changed (10.7.0.1/24 -> 10.7.0.2/24) with
#    routes via 10.7.0.254 on it, in several tables: removing the old
#    address (the bridge's last) takes every IPv4 route through the
#    bridge (also in tables the profile does not use); one with the old
#    address as its source goes too;
#  - a lower device's mtu lowered: the kernel lowers the macvlans on it
#    (in another namespace too) and never raises them again.
# The vlan and bond cases are in tests/kernel/cascade.sh.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
for s in all default; do sysctl -qw net.ipv6.conf.$s.accept_dad=0; done

A=$HN_TMP/a.ini
B=$HN_TMP/b.ini
cat >"$A" <<'EOT'
[profile]
name = cascade

[netns c]

[veth p0]
netns = c
peer = p1
peer_netns = c

[bridge br0]
netns = c
ports = p1
stp = no
addresses = 10.7.0.1/24, 2001:db8:7::1/64

[veth up0]
peer = up1
peer_netns = c
mtu = 1500

[macvlan mv0]
link = up0
mode = bridge
addresses = 10.6.0.1/24

[macvlan mv1]
netns = c
link = up0
mode = bridge

[route main]
netns = c
to = 10.8.0.0/16
via = 10.7.0.254
dev = br0

[route t100]
netns = c
to = 10.8.0.0/16
via = 10.7.0.254
dev = br0
table = 100

[route src]
netns = c
to = 10.9.0.0/16
via = 10.7.0.254
dev = br0
src = 10.7.0.1
table = 101

[route v6]
netns = c
to = 2001:db8:8::/64
via = 2001:db8:7::fe
dev = br0
table = 100

[route mv]
to = 10.60.0.0/16
via = 10.6.0.254
dev = mv0
table = 102

[rule r100]
netns = c
from = 10.7.0.0/24
table = 100
priority = 1000
EOT
# B: the bridge's address changes, the source route follows it, the
# veth's mtu goes down (and with it the macvlans' on either end)
sed -e 's|^addresses = 10.7.0.1/24, |addresses = 10.7.0.2/24, |' -e 's|^src = 10.7.0.1$|src = 10.7.0.2|' \
    -e 's|^mtu = 1500$|mtu = 1400|' "$A" >"$B"

apply_ok "$A"
"$HANET" check "$A"
# a route hanet did not make, through the bridge, in a table of the
# profile: the kernel takes it too
ip -n c route add 10.10.0.0/16 via 10.7.0.254 dev br0 table 100
# and routes in tables the profile does not use (the plan does not read
# them): the kernel takes them as well, a rollback puts them back
ip -n c route add 10.11.0.0/16 via 10.7.0.254 dev br0 table 500
ip -n c route add 10.12.0.0/16 dev br0 table 501 metric 9 proto static
ip link show mv0 | grep -q 'mtu 1500' || hn_fail "mv0: $(ip link show mv0)"

"$HANET" apply --dry-run "$B" >"$HN_TMP/plan"
cat "$HN_TMP/plan"
# the plan names what each step disturbs
grep -q 'addr 10.7.0.1/24 dev br0 (netns c): remove; the kernel drops with it: route 10.8.0.0/16 via 10.7.0.254 dev br0' "$HN_TMP/plan" ||
	hn_fail "the address removal does not name the routes it takes"
grep -q '10.10.0.0/16 via 10.7.0.254 dev br0 table 100' "$HN_TMP/plan" ||
	hn_fail "the plan does not name the route hanet did not make that the kernel drops"
grep -q 'link up0: set mtu 1400 (was 1500); the kernel lowers the mtu of mv0 to 1400 with it' "$HN_TMP/plan" ||
	hn_fail "the mtu step does not name mv0"
grep -q 'the kernel lowers the mtu of mv1 (netns c) to 1400 with it' "$HN_TMP/plan" ||
	hn_fail "the mtu step does not name mv1 (netns c)"
# and re-adds the routes the kernel drops
grep -q 'route main (netns c): add 10.8.0.0/16' "$HN_TMP/plan" || hn_fail "route main is not added again"
grep -q 'route t100 (netns c): add 10.8.0.0/16' "$HN_TMP/plan" || hn_fail "route t100 is not added again"

[ -n "$(ip -n c route show table 500 10.11.0.0/16)" ] && [ -n "$(ip -n c route show table 501 10.12.0.0/16)" ] ||
	hn_fail "the routes in tables the profile does not use are not there"
# a failure at each step, then apply --confirm killed after the address
# went and at the last step: each rolled back, routes of the tables the
# profile does not use too
fail_each_step cascade "$B" "$A" 3 last

apply_ok "$B"
"$HANET" check "$B"
ip -n c route show table 100 | grep -q '^10.8.0.0/16 via 10.7.0.254 dev br0' || hn_fail "route t100 lost"
# back: a failed rollback-free apply of A again, then down
apply_ok "$A"
"$HANET" check "$A"
ip link show mv0 | grep -q 'mtu 1400' || hn_fail "mv0: $(ip link show mv0)"
"$HANET" down "$A" >/dev/null
exit 0
