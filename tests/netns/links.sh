#!/bin/bash
# Create, modify and remove each link kind this kernel has: veth (peer in
# another namespace), bridge with ports, macvlan, and a [nic] (a device
# hanet did not create: only its declared keys change, and come back).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/links.ini

# an existing device for [nic]
ip link add n0 type veth peer name n1
ip link set n0 mtu 1500

write_profile() {   # $1: macvlan mode, $2: mtu of v0, $3: stp, $4: peer netns, $5: extra nic key
	cat >"$P" <<EOF
[profile]
name = links

[netns a]
[netns b]

[veth v0]
peer = v1
peer_netns = $4
mtu = $2
alias = uplink
addresses = 10.0.0.1/24

[veth v2]
peer = v3

[bridge br0]
ports = v2
stp = $3
addresses = 10.1.0.1/24

[macvlan mv0]
link = v3
mode = $1

[nic n0]
mtu = 1300
alias = managed by hanet
$5
EOF
}

# ---- create
write_profile bridge 1400 no a
apply_ok "$P"
hn_assert_eq "$(lget v0 'd["linkinfo"]["info_kind"]')" veth "v0 kind"
hn_assert_eq "$(lget v0 'd["mtu"]')" 1400 "v0 mtu"
hn_assert_eq "$(lget v0 'd["ifalias"]')" uplink "v0 alias"
hn_assert_eq "$(lget v0 '"UP" in d["flags"]')" True "v0 up"
hn_assert has_link a v1
hn_assert_eq "$(lget a v1 '"UP" in d["flags"]')" True "peer up"
hn_assert_eq "$(lget br0 'd["linkinfo"]["info_kind"]')" bridge "br0 kind"
hn_assert_eq "$(lget br0 'd["linkinfo"]["info_data"]["stp_state"]')" 0 "stp off"
hn_assert_eq "$(lget v2 'd["master"]')" br0 "v2 is a port of br0"
hn_assert_eq "$(lget mv0 'd["linkinfo"]["info_kind"]')" macvlan "mv0 kind"
hn_assert_eq "$(lget mv0 'd["linkinfo"]["info_data"]["mode"]')" bridge "macvlan mode"
hn_assert_eq "$(lget mv0 'd["link"]')" v3 "macvlan lower"
hn_assert_eq "$(addrs br0)" 10.1.0.1/24 "br0 address"
hn_assert_eq "$(lget n0 'd["mtu"]')" 1300 "nic mtu"
hn_assert_eq "$(lget n0 'd["ifalias"]')" "managed by hanet" "nic alias"
hn_assert_eq "$(lget n0 '"UP" in d["flags"]')" False "nic state is not declared: left down"
hn_assert_eq "$(lget n1 'd["mtu"]')" 1500 "the nic's peer is not touched"

# ---- modify: live changes
write_profile private 1450 yes a
plan=$(plan_of "$P")
echo "$plan"
grep -q "^live      link v0: set mtu 1450 (was 1400)" <<<"$plan" || hn_fail "mtu change is live"
grep -q "^live      link mv0: change macvlan mode bridge -> private" <<<"$plan" || hn_fail "macvlan mode is live"
grep -q "^flap      link br0: change bridge stp no -> yes" <<<"$plan" || hn_fail "stp on a bridge with ports is a flap"
apply_ok "$P"
hn_assert_eq "$(lget v0 'd["mtu"]')" 1450 "v0 mtu changed"
hn_assert_eq "$(lget mv0 'd["linkinfo"]["info_data"]["mode"]')" private "macvlan mode changed"
hn_assert_eq "$(lget br0 'd["linkinfo"]["info_data"]["stp_state"]')" 1 "stp on"

# passthru cannot be switched on live: recreate, never skipped
write_profile passthru 1450 yes a
plan=$(plan_of "$P")
echo "$plan"
grep -q "^recreate  link mv0: delete macvlan (recreate: mode private -> passthru)" <<<"$plan" || hn_fail "passthru is a recreate"
grep -q "^recreate  link mv0: create macvlan" <<<"$plan" || hn_fail "recreate creates"
idx=$(lget mv0 'd["ifindex"]')
apply_ok "$P"
hn_assert_eq "$(lget mv0 'd["linkinfo"]["info_data"]["mode"]')" passthru "macvlan recreated in passthru"
[ "$(lget mv0 'd["ifindex"]')" != "$idx" ] || hn_fail "mv0 was not recreated"

# the veth's peer moves to another namespace: recreate
write_profile passthru 1450 yes b
plan=$(plan_of "$P")
echo "$plan"
grep -q "^recreate  link v0: delete veth (recreate: peer netns a -> b)" <<<"$plan" || hn_fail "peer netns change is a recreate"
apply_ok "$P"
hn_assert has_link b v1
hn_assert_eq "$(lget v0 'd["mtu"]')" 1450 "recreated v0 has its mtu"
hn_assert_eq "$(lget v0 'd["ifalias"]')" uplink "recreated v0 has its alias"
hn_assert_eq "$(addrs v0)" 10.0.0.1/24 "recreated v0 has its address"

# the nic moves into a namespace
write_profile passthru 1450 yes b "netns = b"
plan=$(plan_of "$P")
echo "$plan"
grep -q "^flap      link n0: move to netns b" <<<"$plan" || hn_fail "moving a nic is planned"
apply_ok "$P"
hn_assert has_link b n0
hn_assert_eq "$(lget b n0 'd["mtu"]')" 1300 "moved nic keeps its mtu"

# ---- remove: drop the bridge, the macvlan, the nic and netns a
cat >"$P" <<EOF
[profile]
name = links
[netns b]
[veth v0]
peer = v1
peer_netns = b
[veth v2]
peer = v3
EOF
plan=$(plan_of "$P")
echo "$plan"
apply_ok "$P"
! has_link br0 || hn_fail "br0 was not removed"
! has_link mv0 || hn_fail "mv0 was not removed"
hn_assert has_link v2
hn_assert_eq "$(lget v2 'd.get("master")')" None "v2 released"
# the nic is given back: its namespace, mtu and alias as before
hn_assert has_link n0
hn_assert_eq "$(lget n0 'd["mtu"]')" 1500 "nic mtu restored"
hn_assert_eq "$(lget n0 'd.get("ifalias")')" None "nic alias restored"
! ip netns list | grep -q '^a\b' || hn_fail "netns a (dropped) still there"

"$HANET" down "$P"
for d in v0 v2 v3; do ! has_link $d || hn_fail "$d left after down"; done
hn_assert has_link n0
hn_assert has_link n1
[ -z "$(ip netns list)" ] || hn_fail "namespaces left after down: $(ip netns list)"
exit 0
