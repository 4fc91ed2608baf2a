#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# [ipvlan]: two ipvlans on a veth (l2: the kernel keeps one mode per
# lower device) and one on a bond.
# Applied, checked against ip -d -j link, applied again (nothing to do),
# a mode change is live, a new lower device means a new link, a failure
# injected at each step of the creation leaves nothing behind, and
# hanet down removes them.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
kl_veths e1 e2 s1 s2
p=$HN_TMP/ipvlan.ini
cat >"$p" <<'EOT'
[profile]
name = kipvlan

[ipvlan ipv0]
link = e1
mode = l2
addresses = 192.0.2.61/24

[ipvlan ipv1]
link = e1
mode = l2

[bond bond0]
mode = active-backup
slaves = s1, s2
miimon = 10

[ipvlan ipvb]
link = bond0
EOT

hk_state >"$HN_TMP/state-0"
hk_fail_each_step create "$p" hk_state "$HN_TMP/state-0" 6

hk_apply "$p"
hk_applied 'ipv0: create ipvlan \(link e1 mode l2\)' || hn_fail "no creation step for ipv0"
kl_expect_ip <<'EOT'
ipv0 mode l2
ipv0 .link e1
ipv1 mode l2
ipv1 .link e1
ipvb mode l3
ipvb .link bond0
EOT
[ "$(kl_ipfield ipv0 linkinfo.info_kind)" = ipvlan ] || hn_fail "ipv0 is not an ipvlan"
hk_noop "$p"

# the mode changes live; a new lower device means a new link
printf 'mode = l3s\n' >>"$p"
hk_apply "$p"
hk_applied 'ipvb: create' && hn_fail "a mode change made ipvb again"
hk_applied 'ipvb: change ipvlan mode l3 -> l3s' || hn_fail "no live change of ipvb's mode"
echo "ipvb mode l3s" | kl_expect_ip
sed -i 's/^link = bond0$/link = e2/' "$p"
out=$("$HANET" check "$p") && hn_fail "check missed the lower device change"
[[ $out == *"ipvb"*"link bond0 -> e2"* ]] || hn_fail "lower change: $out"
hk_apply "$p"
echo "ipvb .link e2" | kl_expect_ip
hk_noop "$p"

"$HANET" down "$p" >"$HN_TMP/down.out" 2>&1 || { cat "$HN_TMP/down.out"; hn_fail "hanet down failed"; }
for d in ipv0 ipv1 ipvb bond0; do
	ip link show "$d" >/dev/null 2>&1 && hn_fail "$d left after hanet down"
done
true
