#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A namespace hanet made is deleted (ip netns delete): watch lets go of
# it (its sockets would keep it alive), and makes it again with its
# contents: the veth into it, addresses, the VIP; twice in a row.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
cat >>"$P" <<'INI'

[route api-default]
to = default
via = 10.0.0.1
dev = v0p
netns = api
INI
hw_start "$P"

for round in 1 2; do
	ino=$(stat -c %i /run/netns/api)
	ip netns delete api
	hw_until 5 sh -c "[ -e /run/netns/api ] && [ \"\$(stat -c %i /run/netns/api)\" != $ino ]" ||
		hn_fail "round $round: namespace not made again"
	hw_until 5 sh -c 'ip -n api -4 -o addr show dev v0p 2>/dev/null | grep -q "10.0.0.50/24"' ||
		hn_fail "round $round: VIP not back in the new namespace"
	hw_converged "$P"
	ip -n api route show default | grep -q "via 10.0.0.1 dev v0p" || hn_fail "round $round: default route in api"
done
hw_wait_record 2 event=repair kind=netns
hw_wait_log "drift: netns api deleted" || hn_fail "no drift line"
# only the new namespace exists: the old one died (its v0 end with it)
hn_assert_eq "$(ip -o link show type veth | wc -l)" 1 "veths in the test namespace"
hw_stop
