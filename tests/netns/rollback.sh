#!/bin/bash
# Transactions: a failure injected at every step k (HANET_FAIL_AT=k) of a
# first apply, of a modifying apply and of down leaves every namespace
# exactly as it was before (hn_dump), and the ownership records too.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e

P1=$HN_TMP/p1.ini
P2=$HN_TMP/p2.ini

# foreign objects, and a device for [nic]
ip link add f0 type veth peer name f1
ip addr add 192.168.50.1/24 dev f0
ip link set f0 up
ip route add 10.99.0.0/16 via 192.168.50.2 table 100
ip rule add from 192.168.50.0/24 table 100 pref 500
ip link add n0 type veth peer name n1

cat >"$HN_TMP/bulk.routes" <<EOF
172.16.0.0/24 via 10.0.0.2 dev v0
172.16.1.0/24 via 10.0.0.2 dev v0
2001:db8:aa::/64 via 2001:db8::2 dev v0
EOF

cat >"$P1" <<EOF
[profile]
name = txn

[netns a]
forwarding = yes

[netns b]

[veth v0]
peer = v1
peer_netns = a
mtu = 1400
alias = uplink
addresses = 10.0.0.1/24, 2001:db8::1/64

[veth v1]
netns = a
peer = v0
addresses = 10.0.0.2/24, 2001:db8::2/64

[veth p0]
netns = b
peer = p1
peer_netns = a

[bridge br0]
netns = a
ports = p1
stp = no
addresses = 10.5.0.1/24

[macvlan mv0]
netns = b
link = p0
mode = bridge
addresses = 10.5.0.2/24

[nic n0]
mtu = 1300
alias = given
state = up
addresses = 10.7.0.1/24

[vip web]
address = 10.0.0.100/24
dev = v1
netns = a
label = v1:web
preferred_lft = 0

[vip web6]
address = 2001:db8::100/64
dev = v1
netns = a
nodad = yes

[route r1]
to = 10.10.0.0/16
via = 10.0.0.2
dev = v0
table = 100
metric = 5

[route ecmp]
to = 10.11.0.0/16
nexthops = via 10.0.0.2 dev v0 weight 1, via 10.0.0.3 dev v0 weight 2

[route bh]
to = 10.12.0.0/16
type = blackhole
table = 100

[route in-a]
netns = a
to = 10.20.0.0/16
via = 10.5.0.2
dev = br0

[routes bulk]
file = bulk.routes
table = 200

[rule r1]
from = 10.0.0.0/24
table = 100
priority = 1000

[rule r6]
to = 2001:db8:aa::/64
table = 200
priority = 1001
EOF

# P2: modifications of every kind
sed -e 's/^mtu = 1400$/mtu = 1450/' \
    -e 's/^mode = bridge$/mode = private/' \
    -e 's/^via = 10.0.0.2$/via = 10.0.0.3/' \
    -e 's/^nodad = yes$/nodad = no/' \
    -e 's/^priority = 1001$/priority = 1002/' \
    -e 's/^alias = given$/alias = given twice/' \
    "$P1" >"$P2"
python3 - "$P2" <<'PY'
import sys, re
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\[route bh\].*?(?=\n\[)", "", s, flags=re.S)
s = s.replace("addresses = 10.7.0.1/24", "addresses = 10.7.0.1/24, 10.7.1.1/24")
# (not stp: with STP on, a port that comes back spends 30s learning)
s = s.replace("stp = no", "stp = no\nalias = the bridge")
s += "\n[route new]\nto = 10.30.0.0/16\nvia = 10.0.0.2\ndev = v0\n"
open(p, "w").write(s)
PY

# Every namespace, with what moves on its own normalized away: operstate
# (the kernel's link watch is asynchronous), the qdisc (a device once up keeps
# its default qdisc), "linkdown" on routes.  IPv6
# addresses re-added by a rollback go through DAD: wait for it.
dump_all() {
	local ns i
	for i in $(seq 50); do
		if ! { ip -6 addr; for ns in $(ip netns list | awk '{print $1}'); do ip -n "$ns" -6 addr; done; } | grep -q tentative; then
			break
		fi
		sleep 0.1
	done
	{
		echo "== (current)"; hn_dump
		for ns in $(ip netns list | awk '{print $1}' | sort); do echo "== $ns"; hn_dump "$ns"; done
		echo "== forwarding"
		for ns in $(ip netns list | awk '{print $1}' | sort); do
			ip netns exec "$ns" cat /proc/sys/net/ipv4/conf/all/forwarding /proc/sys/net/ipv6/conf/all/forwarding
		done
		echo "== records"
		cat /run/hanet/owned/* 2>/dev/null | sort
	} | sed -E -e 's/ state [A-Z]+//' -e 's/ qdisc [a-z_]+//' -e 's/^(\S+) +(UP|DOWN|UNKNOWN|LOWERLAYERDOWN|DORMANT) +/\1 /' -e 's/ linkdown//'
}

# inject a failure at each step of `hanet CMD PROFILE`; compare with $1
each_step() {
	local before=$1 cmd=$2 profile=$3 n
	n=$(hn_plan_steps "$profile" "$cmd")
	[ "$n" -gt 3 ] || hn_fail "$cmd: a plan of $n steps is too short to test"
	echo "$cmd $(basename "$profile"): $n steps"
	hn_fail_steps "$cmd" "$cmd" "$profile" 1 "$n" dump_all "$before"
}

dump_all >"$HN_TMP/d0"
each_step "$HN_TMP/d0" apply "$P1"
# the hook is the test build's only: hanet itself ignores HANET_FAIL_AT
HANET_FAIL_AT=1 "$HANET" apply "$P1" >"$HN_TMP/prod.out" 2>&1 || { cat "$HN_TMP/prod.out"; hn_fail "hanet obeyed HANET_FAIL_AT"; }
grep -a -q HANET_FAIL_AT "$HANET" && hn_fail "$HANET contains the failure injection hook"
grep -a -q HANET_FAIL_AT "$HANET_TEST" || hn_fail "$HANET_TEST lacks the failure injection hook"
apply_ok "$P1"
"$HANET" check "$P1"

dump_all >"$HN_TMP/d1"
"$HANET" apply --dry-run "$P2"
each_step "$HN_TMP/d1" apply "$P2"
apply_ok "$P2"
"$HANET" check "$P2"

# P3: no route actions, with routes on record (PROFILE.routes is not
# read for the undo then): a failure leaves the records as they were
P3=$HN_TMP/p3.ini
sed -e 's/^mtu = 1450$/mtu = 1460/' -e 's/^alias = given twice$/alias = given thrice/' \
    -e 's|^addresses = 10.7.0.1/24, 10.7.1.1/24$|addresses = 10.7.0.1/24, 10.7.2.1/24|' "$P2" >"$P3"
"$HANET" apply --dry-run "$P3" >"$HN_TMP/plan3"
grep -q ' route ' "$HN_TMP/plan3" && hn_fail "P3 plans route actions: $(cat "$HN_TMP/plan3")"
[ -s /run/hanet/owned/txn.routes ] || hn_fail "no route records: $(ls /run/hanet/owned)"
dump_all >"$HN_TMP/d2a"
each_step "$HN_TMP/d2a" apply "$P3"
apply_ok "$P3"
"$HANET" check "$P3"
apply_ok "$P2"

# forwarding turned on by hand in b (the profile does not say): a down
# that fails makes b again as it was, forwarding on
ip netns exec b sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
dump_all >"$HN_TMP/d2"
each_step "$HN_TMP/d2" down "$P2"
"$HANET" down "$P2"
dump_all >"$HN_TMP/d3"
# down leaves what was there before the first apply
diff -u "$HN_TMP/d0" "$HN_TMP/d3" || hn_fail "down did not leave the state as it was before apply"
exit 0
