#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# [dummy]: a device for addresses that must not depend on a NIC.  Applied
# (with an mtu, a MAC and addresses), checked against ip -d -j link,
# applied again (nothing to do), a failure injected at each step of its
# creation leaves nothing behind, and hanet down removes it.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
p=$HN_TMP/dummy.ini
cat >"$p" <<'EOT'
[profile]
name = kdummy

[dummy vip0]
mtu = 9000
mac = 02:00:00:00:0d:01
addresses = 192.0.2.53/32, 2001:db8::53/128
EOT

# a failure at each step: nothing is left (the kernel as before)
hk_state >"$HN_TMP/state-0"
hk_fail_each_step create "$p" hk_state "$HN_TMP/state-0" 3

hk_apply "$p"
hk_applied 'vip0: create dummy' || hn_fail "no creation step"
kl_expect_ip <<'EOT'
vip0 .mtu 9000
vip0 .address 02:00:00:00:0d:01
vip0 .link -
EOT
[ "$(kl_ipfield vip0 linkinfo.info_kind)" = dummy ] || hn_fail "vip0 is not a dummy"
[ "$(ip -o addr show dev vip0 | awk '$4 !~ /^fe80:/ {print $4}' | sort | tr '\n' ' ')" = "192.0.2.53/32 2001:db8::53/128 " ] ||
	hn_fail "addresses on vip0: $(ip -o addr show dev vip0)"
hk_noop "$p"

# a changed MTU is a live change, not a new device
sed -i 's/^mtu = 9000$/mtu = 1400/' "$p"
out=$("$HANET" check "$p") && hn_fail "check missed the mtu change"
[[ $out == *"vip0"*"mtu"* ]] || hn_fail "mtu change: $out"
hk_apply "$p"
hk_applied 'vip0: create' && hn_fail "an mtu change made the dummy again"
echo "vip0 .mtu 1400" | kl_expect_ip

"$HANET" down "$p" >"$HN_TMP/down.out" 2>&1 || { cat "$HN_TMP/down.out"; hn_fail "hanet down failed"; }
ip link show vip0 >/dev/null 2>&1 && hn_fail "vip0 left after hanet down"
hk_state >"$HN_TMP/state"
diff -u "$HN_TMP/state-0" "$HN_TMP/state" || hn_fail "hanet down left something"
true
