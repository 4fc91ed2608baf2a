#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# loose_binding: a vlan with it keeps its state (and so its IPv6
# addresses and routes) when its lower device goes down; one without it
# goes down with it.  The plan, from what it observes (IFLA_VLAN_FLAGS),
# names only the one that follows; the key sets the flag on creation and
# changes it on a live vlan; a failure at each step of either change
# leaves the `ip -d -j` dumps as they were (hk_fail_each_step).
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"
for s in all default; do sysctl -qw net.ipv6.conf.$s.accept_dad=0; done
kl_veths e1
A=$HN_TMP/a.ini
B=$HN_TMP/b.ini
C=$HN_TMP/c.ini
cat >"$A" <<'EOT'
[profile]
name = kloose

[nic e1]
state = up

[vlan e1.10]
link = e1
id = 10
loose_binding = yes
addresses = 2001:db8:10::1/64

[vlan e1.20]
link = e1
id = 20
addresses = 2001:db8:20::1/64

[route r10]
to = 2001:db8:110::/64
via = 2001:db8:10::fe
dev = e1.10
table = 100
EOT
# B: the lower device goes down, and e1.20 (which cannot be up then);
# C: e1.10 without loose_binding
sed -e 's/^state = up$/state = down/' -e 's/^id = 20$/id = 20\nstate = down/' "$A" >"$B"
sed 's/^loose_binding = yes$/loose_binding = no/' "$A" >"$C"
flags() { ip -d -j link show "$1" | jq -c '.[0].linkinfo.info_data.flags'; }

hk_apply "$A"
hk_noop "$A"
flags e1.10 | grep -q LOOSE_BINDING || hn_fail "e1.10 flags: $(flags e1.10)"
flags e1.20 | grep -q LOOSE_BINDING && hn_fail "e1.20 flags: $(flags e1.20)"

"$HANET" apply --dry-run "$B" >"$HN_TMP/plan"
kl_prefix "  plan B: " "$HN_TMP/plan"
grep -q 'link e1: down; the kernel takes e1.20 down with it, which loses addr 2001:db8:20::1/64 dev e1.20$' "$HN_TMP/plan" ||
	hn_fail "the plan does not name e1.20 (alone) going down with e1"
hn_dump_json_all >"$HN_TMP/before"
hk_fail_each_step down "$B" hn_dump_json_all "$HN_TMP/before" 1
hk_apply "$B"
hk_noop "$B"
[ "$(ip -j link show e1.10 | jq -r '.[0].flags | index("UP") != null')" = true ] || hn_fail "e1.10 went down"
ip -6 route show table 100 | grep -q '^2001:db8:110::/64' || hn_fail "e1.10 lost its route"
hk_apply "$A"
hk_noop "$A"

"$HANET" apply --dry-run "$C" >"$HN_TMP/plan"
kl_prefix "  plan C: " "$HN_TMP/plan"
grep -q 'link e1.10: .*loose_binding yes -> no' "$HN_TMP/plan" || hn_fail "the plan does not change loose_binding"
hn_dump_json_all >"$HN_TMP/before"
hk_fail_each_step loose "$C" hn_dump_json_all "$HN_TMP/before" 1
hk_apply "$C"
hk_noop "$C"
flags e1.10 | grep -q LOOSE_BINDING && hn_fail "e1.10 flags after C: $(flags e1.10)"
"$HANET" down "$C" >/dev/null
exit 0
