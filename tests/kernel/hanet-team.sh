#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet apply / check on a team profile: an activebackup team with port
# priorities, notify_peers and mcast_rejoin, a VLAN on it; applied,
# checked, applied again (nothing to do); a priority change (live); a mode
# change (flap: ports out, mode, ports back with their priorities).
. "${0%/*}/../lib.sh"
. "${0%/*}/lib/kernel.sh"
hn_sandbox "$@"

kl_veths t1 t2
p=$HN_TMP/team.ini
cat >"$p" <<'EOT'
[profile]
name = kteam

[team team0]
mode = activebackup
ports = t1, t2
priority.t1 = 10
priority.t2 = 5
notify_peers_count = 2
notify_peers_interval = 20ms
mcast_rejoin_count = 1
mcast_rejoin_interval = 30ms

[vlan team0.7]
link = team0
id = 7
EOT
hk_apply "$p"
kl_expect_show <<'EOT'
team0 mode activebackup
team0 ports t1,t2
team0 priority.t1 10
team0 priority.t2 5
team0 notify_peers_count 2
team0 notify_peers_interval 20
team0 mcast_rejoin_count 1
team0 mcast_rejoin_interval 30
team0 active_port t1
EOT
kl_expect_ip <<'EOT'
t1 .master team0
t2 .master team0
team0.7 id 7
team0.7 .link team0
team0 .operstate UP
EOT
hk_noop "$p"

sed -i 's/^priority.t2 = 5$/priority.t2 = 50/' "$p"
hk_apply "$p"
hk_applied 'live +link team0: change team .*priority.t2 5 -> 50' || hn_fail "no live priority change"
echo "team0 priority.t2 50" | kl_expect_show
hk_noop "$p"

sed -i 's/^mode = activebackup$/mode = roundrobin/' "$p"
hk_apply "$p"
hk_applied 'flap +link team0: change team mode activebackup -> roundrobin' || hn_fail "no flap mode change"
kl_expect_show <<'EOT'
team0 mode roundrobin
team0 ports t1,t2
team0 priority.t1 10
team0 priority.t2 50
EOT
hk_noop "$p"
