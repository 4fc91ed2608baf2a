#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# [vxlan]: two namespaces joined by a veth, a VXLAN tunnel endpoint in
# each over it (unicast remote, a port of our own, learning off in one).
# Applied and checked against ip -d -j link, traffic passes through the
# tunnel (bounded ping), a second apply does nothing, learning changes
# live, a new id means a new link, a failure injected at each step of the
# creation leaves the namespaces as they were, and hanet down removes it.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/vxlan.ini

write_profile() {   # $1: id, $2: learning of vxb
	cat >"$P" <<EOF
[profile]
name = vxlan

[netns a]
[netns b]

[veth ua]
netns = a
peer = ub
peer_netns = b
addresses = 10.77.0.1/24

[veth ub]
netns = b
peer = ua
peer_netns = a
addresses = 10.77.0.2/24

[vxlan vxa]
netns = a
id = $1
local = 10.77.0.1
remote = 10.77.0.2
dev = ua
dstport = 4790
addresses = 10.78.0.1/24

[vxlan vxb]
netns = b
id = $1
local = 10.77.0.2
remote = 10.77.0.1
dev = ub
dstport = 4790
learning = $2
addresses = 10.78.0.2/24
EOF
}

# what is left in namespace $1 besides lo (none when it is gone)
left_in() {
	[ -e "/run/netns/$1" ] || return 0
	ip -n "$1" -o link show | grep -v ': lo:' || true
}

# a failure at each step of the creation: nothing is left
write_profile 42 no
steps=$("$HANET" apply --dry-run "$P" | grep -c '^ *[0-9]')
[ "$steps" -ge 6 ] || hn_fail "expected a plan of 6 steps or more, got $steps"
for ((k = 1; k <= steps; k++)); do
	rc=0
	HANET_FAIL_AT=$k "$HANET_TEST" apply "$P" >"$HN_TMP/out" 2>&1 || rc=$?
	hn_assert_eq "$rc" 3 "exit status with a failure injected at step $k"
	if grep -q 'failed too' "$HN_TMP/out"; then cat "$HN_TMP/out"; hn_fail "step $k: an undo step failed"; fi
	for ns in a b; do
		left=$(left_in $ns)
		[ -z "$left" ] || hn_fail "step $k: left in $ns: $left"
	done
done

apply_ok "$P"
grep -q 'link vxa (netns a): create vxlan (id 42 remote 10.77.0.2 dev ua)' "$HN_TMP/apply.out" ||
	{ cat "$HN_TMP/apply.out"; hn_fail "no creation step for vxa"; }
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_kind"]')" vxlan "vxa kind"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["id"]')" 42 "vxa id"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["remote"]')" 10.77.0.2 "vxa remote"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["local"]')" 10.77.0.1 "vxa local"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["link"]')" ua "vxa dev"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["port"]')" 4790 "vxa dstport"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["learning"]')" True "vxa learning (the kernel's default)"
hn_assert_eq "$(lget b vxb 'd["linkinfo"]["info_data"]["learning"]')" False "vxb learning"
hn_assert_eq "$(addrs b vxb)" 10.78.0.2/24 "vxb address"
ip netns exec a ping -c 2 -i 0.2 -W 2 10.78.0.2 >/dev/null || hn_fail "no reply through the tunnel"
"$HANET" check "$P" >/dev/null || hn_fail "check after apply differs"
hn_assert_eq "$(apply_writes "$P")" 0 "second apply writes"

# learning: a live change
write_profile 42 yes
plan=$(plan_of "$P")
grep -q '^live      link vxb (netns b): .*learning no -> yes' <<<"$plan" || hn_fail "learning change: $plan"
apply_ok "$P"
hn_assert_eq "$(lget b vxb 'd["linkinfo"]["info_data"]["learning"]')" True "vxb learning after the change"

# a new VNI: the link is made again
write_profile 43 yes
plan=$(plan_of "$P")
grep -q 'recreate  link vxa (netns a): .*id 42 -> 43' <<<"$plan" || hn_fail "id change: $plan"
apply_ok "$P"
hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["id"]')" 43 "vxa id after the change"
ip netns exec a ping -c 2 -i 0.2 -W 2 10.78.0.2 >/dev/null || hn_fail "no reply through the new tunnel"

"$HANET" down "$P" >/dev/null || hn_fail "hanet down failed"
for ns in a b; do
	left=$(left_in $ns)
	[ -z "$left" ] || hn_fail "left in $ns after down: $left"
done
exit 0
