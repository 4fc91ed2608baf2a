#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A device hanet does not create ([nic]): the keys the profile declares
# (mtu, alias, addresses, master) are kept; keys it does not declare are
# left alone.  The kernel sends no event when an alias changes: the
# periodic resync (--resync-interval) puts it back.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

ip link add n0 type veth peer name n0p
ip link add br9 type bridge
ip link set n0p up
ip link set br9 up
P=$HN_TMP/nic.ini
cat >"$P" <<'INI'
[profile]
name = nic

[nic n0]
mtu = 1400
alias = uplink
addresses = 10.1.0.1/24

[bridge brw]
ports = n0p
INI
hw_start "$P" --resync-interval 500ms

ip link set n0 mtu 1500
hw_until 3 sh -c 'ip -o link show n0 | grep -q "mtu 1400"' || hn_fail "mtu not put back"
hw_wait_record 2 event=repair kind=nic object=n0

ip link set n0 alias something-else
hw_until 3 sh -c 'ip -d link show n0 | grep -q "alias uplink"' || hn_fail "alias not put back: $(cat "$W_LOG")"

# a key the profile does not declare: txqueuelen stays as set
ip link set n0 txqueuelen 123
sleep 0.3
ip -o link show n0 | grep -q "qlen 123" || hn_fail "txqueuelen was changed"

# a port released from the bridge hanet made is enslaved again
ip link set n0p nomaster
hw_until 3 sh -c 'ip -o link show n0p | grep -q "master brw"' || hn_fail "n0p not a port of brw again"
hw_wait_record 2 event=repair kind=slave object=n0p
# and moved to another bridge: back too
ip link set n0p master br9
hw_until 3 sh -c 'ip -o link show n0p | grep -q "master brw"' || hn_fail "n0p not back from br9"

hw_converged "$P"
hw_stop
