#!/bin/bash
# Addresses and VIPs, IPv4 and IPv6: label, preferred_lft 0, noprefixroute,
# nodad; a VIP owned by keepalived (owner = external) is left alone; a
# change of VIP flags is a live replace; dropped ones are removed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/addrs.ini

write_profile() {   # $1: noprefixroute of web (yes/no)
	cat >"$P" <<EOF
[profile]
name = addrs

[netns a]

[veth v0]
peer = v1
peer_netns = a
addresses = 10.0.0.1/24, 2001:db8::1/64

[veth v1]
netns = a
peer = v0
addresses = 10.0.0.2/24, 2001:db8::2/64

[vip web]
address = 10.0.0.100/24
dev = v1
netns = a
label = v1:web
preferred_lft = 0
noprefixroute = $1

[vip web6]
address = 2001:db8::100/64
dev = v1
netns = a
nodad = yes
preferred_lft = 0

[vip db]
address = 10.0.0.101/24
dev = v1
netns = a
owner = external
EOF
}

write_profile yes
"$HANET" validate "$P"
apply_ok "$P"
cat "$HN_TMP/apply.out"
hn_assert_eq "$(aget v0 10.0.0.1 'a["prefixlen"]')" 24 "v0 IPv4"
hn_assert_eq "$(aget v0 2001:db8::1 'a["prefixlen"]')" 64 "v0 IPv6"
hn_assert_eq "$(aget a v1 10.0.0.2 'a["prefixlen"]')" 24 "v1 IPv4"
hn_assert_eq "$(aget a v1 2001:db8::2 'a["prefixlen"]')" 64 "v1 IPv6"
hn_assert_eq "$(aget a v1 10.0.0.100 'a["label"]')" v1:web "VIP label"
hn_assert_eq "$(aget a v1 10.0.0.100 'a.get("deprecated")')" True "VIP preferred_lft 0"
hn_assert_eq "$(aget a v1 10.0.0.100 'a.get("noprefixroute")')" True "VIP noprefixroute"
hn_assert_eq "$(aget a v1 2001:db8::100 'a.get("nodad")')" True "VIP6 nodad"
hn_assert_eq "$(aget a v1 2001:db8::100 'a["preferred_life_time"]')" 0 "VIP6 preferred_lft 0"
hn_assert_eq "$(aget a v1 2001:db8::100 'a.get("tentative")')" None "nodad: never tentative"
hn_assert_eq "$(aget a v1 10.0.0.101 'a')" None "external VIP not added by apply"

# keepalived takes the external VIP over: apply leaves it there
ip -n a addr add 10.0.0.101/24 dev v1
hn_assert_eq "$("$HANET" apply "$P")" "addrs: nothing to do" "external VIP is not apply's"

# a flag change is a live replace
write_profile no
plan=$(plan_of "$P")
echo "$plan"
grep -q "^flap      vip web 10.0.0.100/24 dev v1 (netns a): remove to change noprefixroute off" <<<"$plan" || hn_fail "IPv4 VIP flags: remove, add"
apply_ok "$P"
hn_assert_eq "$(aget a v1 10.0.0.100 'a.get("noprefixroute")')" None "noprefixroute off"
hn_assert_eq "$(aget a v1 10.0.0.100 'a["label"]')" v1:web "label kept"

# drop an address and a VIP
sed -i 's/^addresses = 10.0.0.1\/24, 2001:db8::1\/64$/addresses = 2001:db8::1\/64/' "$P"
python3 - "$P" <<'PY'
import sys, re
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\[vip web6\].*?(?=\n\[)", "", s, flags=re.S)
open(p, "w").write(s)
PY
plan=$(plan_of "$P")
echo "$plan"
grep -q "^live      vip 2001:db8::100/64 dev v1 (netns a): remove" <<<"$plan" || hn_fail "dropped VIP removed"
grep -q "^live      addr 10.0.0.1/24 dev v0: remove" <<<"$plan" || hn_fail "dropped address removed"
apply_ok "$P"
hn_assert_eq "$(aget v0 10.0.0.1 'a')" None "address removed"
hn_assert_eq "$(aget a v1 2001:db8::100 'a')" None "VIP6 removed"
hn_assert_eq "$(aget a v1 10.0.0.101 'a["prefixlen"]')" 24 "external VIP untouched"
"$HANET" check "$P"

"$HANET" down "$P"
! has_link v0 || hn_fail "v0 left"
exit 0
