#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel's own side effects on stacked devices, and the rollback of
# every step (the stack: tests/kernel/lib/cascade.sh).  A recreate: bond0 becomes a team (deleted and
# created again, the vlan and the macvlan on it too).  Steps 13 and on
# (addresses, VIPs, routes, rules); cascade-recreate.sh has 1 to 12.
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

# recreate: bond0 becomes a team
sed -e 's/^\[bond bond0\]$/[team bond0]/' -e 's/^mode = active-backup$/mode = activebackup/' \
    -e 's/^slaves = s1, s2$/ports = s1, s2/' -e '/^miimon/d' "$A" >"$p"
each_step recreate "$p" 13
hk_apply "$p"
hk_noop "$p"
exit 0
