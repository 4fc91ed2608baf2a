#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# [vrf]: a vrf with two members (an existing device and a dummy), a route
# given by vrf =, one given by the vrf's table, and a rule to that table.
# A failure injected at each step leaves nothing behind; applied, the
# members are enslaved to it (the vrf made first) and the kernel routes
# in its table; applied again: nothing to do; a new table makes the vrf
# again with its members, and a failure at each step of that gives the
# old one back; hanet down removes it and frees its members.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
kl_veths e1
p=$HN_TMP/vrf.ini
cat >"$p" <<'EOT'
[profile]
name = kvrf

[vrf mgmt]
table = 100

[nic e1]
vrf = mgmt
state = up
addresses = 192.0.2.71/24

[dummy d0]
vrf = mgmt
addresses = 198.51.100.1/32

[route r1]
to = 203.0.113.0/24
via = 192.0.2.254
vrf = mgmt

[route r2]
to = 10.0.0.0/8
via = 192.0.2.254
dev = e1
table = 100

[rule from-mgmt]
from = 198.51.100.0/24
table = 100
priority = 2000
EOT

# links, addresses, the routes hanet adds (protocol 72) and its rule
vrf_state() {
	hk_state
	ip route show table all proto 72
	ip rule show pref 2000
}

vrf_state >"$HN_TMP/state-0"
hk_fail_each_step create "$p" vrf_state "$HN_TMP/state-0" 8

hk_apply "$p"
# the plan: the vrf is made before its members join it
create=$(grep -n 'mgmt: create vrf (table 100)' "$HN_TMP/hanet.out" | cut -d: -f1)
enslave=$(grep -n 'e1: enslave to mgmt' "$HN_TMP/hanet.out" | cut -d: -f1)
[ -n "$create" ] && [ -n "$enslave" ] || hn_fail "no creation or enslaving step"
[ "$create" -lt "$enslave" ] || hn_fail "e1 enslaved (line $enslave) before mgmt was made (line $create)"
kl_expect_ip <<'EOT'
mgmt table 100
e1 .master mgmt
d0 .master mgmt
EOT
[ "$(kl_ipfield mgmt linkinfo.info_kind)" = vrf ] || hn_fail "mgmt is not a vrf"
# the kernel routes in the vrf's table: the member's subnet and both routes
ip route show table 100 >"$HN_TMP/t100"
cat "$HN_TMP/t100"
grep -q '^203.0.113.0/24 via 192.0.2.254 dev e1' "$HN_TMP/t100" || hn_fail "route r1 (vrf = mgmt) not in table 100"
grep -q '^10.0.0.0/8 via 192.0.2.254 dev e1' "$HN_TMP/t100" || hn_fail "route r2 (table = 100) not in table 100"
ip route show table main | grep -q '203.0.113.0/24' && hn_fail "route r1 in the main table"
[[ $(ip route get vrf mgmt 203.0.113.9) == *"via 192.0.2.254 dev e1"* ]] ||
	hn_fail "no route to 203.0.113.9 in vrf mgmt: $(ip route get vrf mgmt 203.0.113.9 2>&1)"
ip route get 203.0.113.9 2>/dev/null | grep -q 'dev e1' && hn_fail "203.0.113.9 routed through e1 outside the vrf"
ip rule show pref 2000 | grep -q 'from 198.51.100.0/24 lookup 100' || hn_fail "rule from-mgmt: $(ip rule show pref 2000)"
hk_noop "$p"

# a new table: check says so; a failure at each step of making the vrf
# again gives back the old one with its members, routes and rule;
# apply makes it again and its members join it
vrf_state >"$HN_TMP/state-1"
sed -i 's/^table = 100$/table = 101/' "$p"
hk_fail_each_step "new table" "$p" vrf_state "$HN_TMP/state-1" 4
out=$("$HANET" check "$p") && hn_fail "check missed the table change"
[[ $out == *"mgmt"*"table 100 -> 101"* ]] || hn_fail "table change: $out"
hk_apply "$p"
hk_applied 'mgmt: create vrf \(table 101\)' || hn_fail "the vrf was not made again"
kl_expect_ip <<'EOT'
mgmt table 101
e1 .master mgmt
d0 .master mgmt
EOT
ip route show table 101 | grep -q '^203.0.113.0/24 via 192.0.2.254 dev e1' || hn_fail "route r1 not in table 101"
hk_noop "$p"

"$HANET" down "$p" >"$HN_TMP/down.out" 2>&1 || { cat "$HN_TMP/down.out"; hn_fail "hanet down failed"; }
for d in mgmt d0; do
	ip link show "$d" >/dev/null 2>&1 && hn_fail "$d left after hanet down"
done
[ "$(kl_ipfield e1 master)" = null ] || hn_fail "e1 still has a master: $(kl_ipfield e1 master)"
vrf_state >"$HN_TMP/state"
diff -u "$HN_TMP/state-0" "$HN_TMP/state" || hn_fail "hanet down left something"
true
