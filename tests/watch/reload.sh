#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP reloads the profile.  A valid one is diffed and applied: a VIP
# added, a route the new profile drops is removed (hanet made it), and
# the new profile is the one kept from then on.  An invalid one is
# reported with file:line and the running profile stays in force.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
hw_start "$P"
cp "$P" "$HN_TMP/orig.ini"

# valid: one more VIP, route r1 dropped
sed -i '/^\[route r1\]/,/^dev = v0$/d' "$P"
cat >>"$P" <<'INI'

[vip admin]
address = 10.0.0.60/24
dev = v0p
netns = api
preferred_lft = 0
INI
kill -HUP "$W_PID"
hw_until 5 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q 10.0.0.60/24' || hn_fail "new VIP not added: $(cat "$W_LOG")"
hw_until 5 sh -c '! ip -4 route show 10.9.0.0/16 | grep -q .' || hn_fail "dropped route still there"
hw_wait_log "reload: vip admin 10.0.0.60/24 dev v0p (netns api): add" || hn_fail "no reload line"
hw_wait_record 2 event=reload result=ok
hw_converged "$P"
# the new profile is enforced: its VIP comes back, the old route does not
ip -n api addr del 10.0.0.60/24 dev v0p
hw_until 3 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q 10.0.0.60/24' || hn_fail "new VIP not repaired"
ip route add 10.9.0.0/16 via 10.0.0.21 dev v0
ip route del 10.9.0.0/16
sleep 0.2
ip -4 route show 10.9.0.0/16 | grep -q . && hn_fail "dropped route repaired"

# invalid: an unknown key; the running profile stays
cp "$P" "$HN_TMP/good.ini"
sed -i 's/^preferred_lft = 0$/preferred_lft = 0\nbogus_key = 1/' "$P"
kill -HUP "$W_PID"
hw_wait_log "reload: the profile is invalid" || hn_fail "no invalid line: $(cat "$W_LOG")"
grep -q "^$P:[0-9]*: .*bogus_key" "$W_LOG" || hn_fail "no file:line diagnostic: $(cat "$W_LOG")"
hw_wait_record 2 event=reload result=invalid
hw_alive || hn_fail "watch died on an invalid profile"
ip -n api addr del 10.0.0.60/24 dev v0p
hw_until 3 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q 10.0.0.60/24' || hn_fail "old profile not enforced after a bad reload"
hw_until_is 2 = 1 hw_metric 'hanet_watch_reloads_total{profile="wt",result="invalid"}' ||
	hn_fail "metrics: $(cat "$W_MET")"

# fixed again: back to normal
cp "$HN_TMP/good.ini" "$P"
kill -HUP "$W_PID"
hw_until_is 3 = 2 hw_records event=reload result=ok || hn_fail "second good reload not recorded"
hw_converged "$P"
hw_stop
