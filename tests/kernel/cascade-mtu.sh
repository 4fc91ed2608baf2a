#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel's own side effects on stacked devices, and the rollback of
# every step (the stack: tests/kernel/lib/cascade.sh).  The vlan's mtu lowered under the macvlan in
# ha: the kernel lowers the macvlan's, and never raises it again.
# The plan names what the step disturbs and re-adds what the kernel
# drops (a successful apply matches the profile); a failure injected at
# every step k (the test build, HANET_FAIL_AT) leaves `ip -d -j` dumps
# of links, addresses, routes (all tables, both families) and rules of
# every namespace as they were (hn_dump_json_all, tests/lib.sh, says
# what it leaves out and why).
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"
. "${0%/*}/lib/cascade.sh"

# mtu: the vlan's, under the macvlan in ha
sed 's/^mtu = 1500$/mtu = 1400/' "$A" >"$p"
each_step mtu "$p"
grep -q 'link bond0.100: set mtu 1400 (was 1500); the kernel lowers the mtu of api0 (netns ha) to 1400 with it' \
	"$HN_TMP/plan.mtu" || hn_fail "mtu: the plan does not name api0"
hk_apply "$p"
hk_noop "$p"
[ "$(ip -n ha -j link show api0 | jq '.[0].mtu')" = 1400 ] || hn_fail "api0: mtu $(ip -n ha -j link show api0 | jq '.[0].mtu')"
# and back: the vlan is raised, the macvlan (no mtu declared) stays
cp "$A" "$p"
hk_apply "$p"
hk_noop "$p"
exit 0
