#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel's own side effects on stacked devices, and the rollback of
# every step (the stack: tests/kernel/lib/cascade.sh).  A flap: bond0's mode changes, so the bond
# goes down, and the kernel takes the vlan down with it: the vlan's IPv6
# addresses and its routes, in every table, go.
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

# flap: bond0's mode
sed 's/^mode = active-backup$/mode = balance-xor/' "$A" >"$p"
each_step flap "$p"
grep -q 'link bond0: down; the kernel takes bond0.100 down with it, which loses addr 2001:db8:100::11/64 dev bond0.100' \
	"$HN_TMP/plan.flap" || hn_fail "flap: the plan does not name what bond0 going down takes"
grep -q 'route storage6: add 2001:db8:300::/64' "$HN_TMP/plan.flap" || hn_fail "flap: storage6 is not added again"
hk_apply "$p"
hk_noop "$p"
# and back
cp "$A" "$p"
hk_apply "$p"
hk_noop "$p"
exit 0
