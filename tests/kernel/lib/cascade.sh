# SPDX-License-Identifier: GPL-2.0-or-later
# The stacked profile of the tests/kernel/cascade-*.sh, applied, and
# each_step.  Source after tests/lib.sh, lib/kernel.sh and hn_sandbox.
# Stack: bond0 (veth slaves) -> vlan bond0.100 -> macvlan api0 in the
# named namespace ha -> VIPs (IPv4, IPv6); a vlan bond0.200 kept down
# (the kernel brings every vlan up with its lower device: a rollback
# puts it down again); routes in several tables
# through the vlan and the macvlan, both families; rules in both
# namespaces; and routes in tables the profile does not mention (500 to
# 503, both families, through the vlan and the macvlan), made by hand:
# the kernel drops them too when the vlan goes down, and a rollback puts
# them back.

for s in all default; do sysctl -qw net.ipv6.conf.$s.accept_dad=0; done
kl_veths s1 s2
A=$HN_TMP/a.ini
p=$HN_TMP/kc.ini
cat >"$A" <<'EOT'
[profile]
name = kcascade

[netns ha]

[bond bond0]
mode = active-backup
slaves = s1, s2
miimon = 10

[vlan bond0.100]
link = bond0
id = 100
mtu = 1500
addresses = 192.0.2.11/24, 2001:db8:100::11/64

[vlan bond0.200]
link = bond0
id = 200
state = down
addresses = 192.0.2.211/24

[macvlan api0]
netns = ha
link = bond0.100
mode = bridge
addresses = 198.51.100.21/24, 2001:db8:200::21/64

[vip api]
netns = ha
dev = api0
address = 198.51.100.100/24

[vip api6]
netns = ha
dev = api0
address = 2001:db8:200::100/64
nodad = yes

[route storage]
to = 10.20.0.0/16
via = 192.0.2.1
dev = bond0.100
table = 100

[route default]
to = 0.0.0.0/0
via = 192.0.2.1
dev = bond0.100

[route storage6]
to = 2001:db8:300::/64
via = 2001:db8:100::1
dev = bond0.100
table = 200

[route ha-default]
netns = ha
to = 0.0.0.0/0
via = 198.51.100.1
dev = api0

[route ha6]
netns = ha
to = 2001:db8:400::/64
via = 2001:db8:200::1
dev = api0
table = 300

[rule storage]
from = 192.0.2.0/24
table = 100
priority = 1000

[rule storage6]
from = 2001:db8:100::/64
table = 200
priority = 1001

[rule ha6]
netns = ha
from = 2001:db8:200::/64
table = 300
priority = 1002
EOT

# each_step NAME PROFILE [FROM [TO]]: a failure at every step (FROM..TO,
# default all) of applying PROFILE over the state now leaves every
# namespace as it was
each_step() {
	local name=$1 prof=$2 from=${3:-1} to=${4:-} n
	"$HANET" apply --dry-run "$prof" >"$HN_TMP/plan.$name"
	kl_prefix "  $name: " "$HN_TMP/plan.$name"
	n=$(grep -cE '^ *[0-9]+  ' "$HN_TMP/plan.$name")
	[ "$n" -ge 1 ] || hn_fail "$name: an empty plan"
	[ -z "$to" ] || [ "$to" -gt "$n" ] && to=$n
	[ "$from" -le "$to" ] || hn_fail "$name: a plan of $n steps has no step $from"
	foreign_routes_there || hn_fail "$name: the routes in tables the profile does not mention are not there before"
	hn_dump_json_all >"$HN_TMP/before"
	hn_fail_steps "$name" apply "$prof" "$from" "$to" hn_dump_json_all "$HN_TMP/before"
	echo "$name: a failure at each of the steps $from to $to (of $n) left every namespace as it was"
}

# routes that hanet does not know of, in tables the profile does not use
foreign_routes() {
	ip route replace 10.99.0.0/16 via 192.0.2.1 dev bond0.100 table 500 &&
	ip -6 route replace 2001:db8:501::/64 via 2001:db8:100::1 dev bond0.100 table 501 &&
	ip -n ha route replace 10.98.0.0/16 via 198.51.100.1 dev api0 table 502 &&
	ip -n ha -6 route replace 2001:db8:503::/64 dev api0 table 503 metric 7
}
foreign_routes_there() {
	[ -n "$(ip route show table 500 10.99.0.0/16)" ] &&
	[ -n "$(ip -6 route show table 501 2001:db8:501::/64)" ] &&
	[ -n "$(ip -n ha route show table 502 10.98.0.0/16)" ] &&
	[ -n "$(ip -n ha -6 route show table 503 2001:db8:503::/64)" ]
}

cp "$A" "$p"
hk_apply "$p"
hk_noop "$p"
foreign_routes || hn_fail "adding the routes in tables the profile does not use"
hk_noop "$p"
