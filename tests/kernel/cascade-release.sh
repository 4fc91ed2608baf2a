#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VLANs on a bond slave that the profile releases from the bond.  What
# the kernel does to them (seen in user-mode Linux 6.1): the bond closes
# the slave, so the vlans on it go down (one with loose_binding stays
# up), losing their IPv6 addresses and their routes in every table; the
# bond gives the slave back its mtu from before it was enslaved (here
# 1400), and a vlan above it is lowered to that; the slave gets its
# permanent MAC back, and a vlan whose MAC was never set follows it.
# IPv4 addresses stay.  The plan names it and adds back what the
# profile wants; a failure injected at each step (hk_fail_each_step)
# leaves the `ip -d -j` dumps (hn_dump_json_all) as they were: the
# re-enslaved slave takes the bond's mtu and MAC again, the vlans follow
# it up (a vlan that was down is put down again) and their mtu, addresses
# and routes come back.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"
for s in all default; do sysctl -qw net.ipv6.conf.$s.accept_dad=0; done
kl_veths s1 s2
# s1's mtu before it is enslaved: the bond gives it back on release
ip link set s1 mtu 1400
A=$HN_TMP/a.ini
B=$HN_TMP/b.ini
cat >"$A" <<'EOT'
[profile]
name = krelease

[bond bond0]
mode = active-backup
slaves = s1, s2
miimon = 10
addresses = 192.0.2.1/24

[vlan s1.10]
link = s1
id = 10
addresses = 198.51.100.11/24, 2001:db8:10::11/64

[vlan s1.20]
link = s1
id = 20
state = down

[route r10]
to = 10.20.0.0/16
via = 198.51.100.1
dev = s1.10
table = 100

[route r10v6]
to = 2001:db8:300::/64
via = 2001:db8:10::1
dev = s1.10
table = 200
EOT
# B: s1 leaves the bond and stays up on its own
sed -e 's/^slaves = s1, s2$/slaves = s2/' "$A" >"$B"
cat >>"$B" <<'EOT'

[nic s1]
state = up
EOT
hk_apply "$A"
hk_noop "$A"
# a route hanet did not make, in a table the profile does not use
ip -6 route add 2001:db8:501::/64 via 2001:db8:10::1 dev s1.10 table 501
ip route add 10.99.0.0/16 via 198.51.100.1 dev s1.10 table 500

"$HANET" apply --dry-run "$B" >"$HN_TMP/plan"
kl_prefix "  plan: " "$HN_TMP/plan"
grep -q 'link s1: release from bond0; the kernel takes s1.10 down with it, which loses addr 2001:db8:10::11/64 dev s1.10' \
	"$HN_TMP/plan" || hn_fail "the release does not name what s1.10 loses"
grep -q 'route r10: add 10.20.0.0/16' "$HN_TMP/plan" || hn_fail "route r10 is not added again"
grep -q 'addr 2001:db8:10::11/64 dev s1.10: add' "$HN_TMP/plan" || hn_fail "s1.10's IPv6 address is not added again"
hn_dump_json_all >"$HN_TMP/before"
hk_fail_each_step release "$B" hn_dump_json_all "$HN_TMP/before" 3
hk_apply "$B"
hk_noop "$B"
[ "$(ip -j link show s1.10 | jq -r '.[0].mtu')" = 1400 ] || hn_fail "s1.10: mtu $(ip -j link show s1.10 | jq '.[0].mtu')"
# and back
hk_apply "$A"
hk_noop "$A"
exit 0
