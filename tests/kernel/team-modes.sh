#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A team in every mode of the kernel's team driver, two veth ports each
# with priorities: mode, ports, priorities, notify_peers and mcast_rejoin
# as libteam reads them back, the ports' master as ip reports it, an
# active port chosen in activebackup, and a second apply that does
# nothing.  Then a mode change (the ports go out and back, their
# priorities set again) and a priority change on live ports.
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

modes="roundrobin activebackup loadbalance broadcast random"
p=$HN_TMP/teams.ini
: >"$p"
veths=
i=0
for m in $modes; do
	veths+=" p${i}a p${i}b"
	cat >>"$p" <<EOT
[team tm$i]
mode = $m
ports = p${i}a, p${i}b
priority.p${i}a = $((i + 1))
priority.p${i}b = $((20 + i))
notify_peers_count = $((i + 2))
notify_peers_interval = $((10 * (i + 1)))ms
mcast_rejoin_count = $((i + 1))
mcast_rejoin_interval = $((5 * (i + 1)))

EOT
	i=$((i + 1))
done
kl_veths $veths
kl_apply "$p"

expect=
shown=
i=0
for m in $modes; do
	t=tm$i
	shown+="$t mode $m
$t ports p${i}a,p${i}b
$t priority.p${i}a $((i + 1))
$t priority.p${i}b $((20 + i))
$t notify_peers_count $((i + 2))
$t notify_peers_interval $((10 * (i + 1)))
$t mcast_rejoin_count $((i + 1))
$t mcast_rejoin_interval $((5 * (i + 1)))
"
	expect+="$t .operstate UP
p${i}a .master $t
p${i}b .master $t
p${i}a .operstate UP
"
	i=$((i + 1))
done
# activebackup: the port with the highest priority (both have a link)
shown+="tm1 active_port p1b
"
kl_expect_show <<<"$shown"
kl_expect_ip <<<"$expect"
kl_apply_noop "$p"

# mode change activebackup -> roundrobin: ports out and back, priorities kept
sed -i '/^\[team tm1\]/,/^$/ s/^mode = activebackup/mode = roundrobin/' "$p"
kl_apply "$p"
kl_applied '^tm1: flap: mode activebackup -> roundrobin' || hn_fail "expected a step matching '^tm1: flap: mode activebackup -> roundrobin'"
kl_applied '^tm1: release p1a' || hn_fail "expected a step matching '^tm1: release p1a'"
kl_applied '^tm1: attach p1a' || hn_fail "expected a step matching '^tm1: attach p1a'"
kl_expect_show <<'EOT'
tm1 mode roundrobin
tm1 ports p1a,p1b
tm1 priority.p1a 2
tm1 priority.p1b 21
EOT
kl_apply_noop "$p"

# priorities on live ports, and the active port follows in activebackup
sed -i '/^\[team tm1\]/,/^$/ s/^mode = roundrobin/mode = activebackup/' "$p"
kl_apply "$p"
kl_expect_show <<<"tm1 active_port p1b"
sed -i 's/^priority.p1a = 2$/priority.p1a = 50/' "$p"
kl_apply "$p"
kl_applied '^tm1: live: priority.p1a 2 -> 50' || hn_fail "expected a step matching '^tm1: live: priority.p1a 2 -> 50'"
if kl_applied 'release|attach|down'; then
	hn_fail "a priority change released ports or took the team down"
fi
kl_expect_show <<'EOT'
tm1 priority.p1a 50
tm1 active_port p1b
EOT
kl_apply_noop "$p"
