#!/bin/bash
# observe reads links (with veth peers and macvlan lowers across
# namespaces), addresses, routes of the requested tables and rules.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
DUMP=$HN_TOP/build/tests/nl-dump

ip netns add a
ip link add v0 type veth peer name v1 netns a
ip link add v2 type veth peer name v3
ip link add mv0 link v2 type macvlan mode private
ip link set mv0 netns a
ip addr add 10.0.0.1/24 dev v0
ip -6 addr add 2001:db8::1/64 dev v0 nodad
ip link set v0 up
ip route add 10.2.0.0/16 table 100 nexthop via 10.0.0.2 weight 2 nexthop via 10.0.0.3
ip route add 10.9.0.0/16 via 10.0.0.2 table 200
ip -6 route add 2001:db8:5::/64 dev v0 table 100 metric 7 mtu 1400
ip route add blackhole 10.3.0.0/16 table 100
ip rule add fwmark 0x10/0xff iif v0 table 100 pref 1001

out=$("$DUMP" -t 100 -n - -n a)
echo "$out"
grep -q "link v0 .*kind veth/veth up .* peer v1 peer-netns a" <<<"$out" || hn_fail "veth peer across namespaces"
grep -q "link v1 .* peer v0 peer-netns (current)" <<<"$out" || hn_fail "veth peer seen from a"
grep -q "link mv0 .*kind macvlan.* link v2 mode 1$" <<<"$out" || hn_fail "macvlan lower across namespaces"
grep -q "addr 2001:db8::1/64 dev v0" <<<"$out" || hn_fail "IPv6 address"
grep -q "route 10.2.0.0/16 table 100 .* nexthop via 10.0.0.2 dev v0 weight 2 nexthop via 10.0.0.3 dev v0 weight 1" <<<"$out" \
	|| hn_fail "ECMP route"
grep -q "route 10.3.0.0/16 table 100 .*type blackhole" <<<"$out" || hn_fail "blackhole route"
grep -q "route 2001:db8:5::/64 table 100 metric 7 .* mtu 1400" <<<"$out" || hn_fail "IPv6 route with mtu"
grep -q "10.9.0.0" <<<"$out" && hn_fail "table 200 was not asked for"
grep -q "rule inet priority 1001 table 100 .* fwmark 0x10/0xff iif v0" <<<"$out" || hn_fail "rule"
exit 0
