#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `hanet watch` and external VIPs: one this node does not hold is left
# alone; one it took over is put back (and announced) when someone
# removes it, also when watch starts after the removal, but not while a
# release holds the VIP's lock; after a release it is left alone again.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
. "$HN_TOP/tests/watch/lib.sh"
set -eu

P=$HN_TMP/vt.ini
vt_profile "$P"
hw_start "$P"

# not held: watch neither adds it nor puts it back
sleep 0.2
has_addr ctl c0 10.0.0.100/24 && hn_fail "watch added an external VIP it does not hold"
ip -n ctl addr add 10.0.0.100/24 dev c0
ip -n ctl addr del 10.0.0.100/24 dev c0
sleep 0.3
has_addr ctl c0 10.0.0.100/24 && hn_fail "watch re-added an external VIP it does not hold"

# held: removed behind its back, put back with its flags, announced
"$HANET" vip takeover --foreground "$P" api >/dev/null
vt_listen "$HN_TMP/frames" 3 3000
ip -n ctl addr del 10.0.0.100/24 dev c0
hw_until 3 has_addr ctl c0 10.0.0.100/24 || hn_fail "held VIP not re-added: $(tail -n 5 "$W_LOG")"
hw_wait_log "drift: vip api 10.0.0.100/24 removed from c0 in ns ctl; re-added in" || hn_fail "no drift line: $(cat "$W_LOG")"
hw_wait_record 2 event=repair kind=vip object=api netns=ctl
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a["label"]')" c0:api "label after the repair"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a.get("deprecated", False)')" True "deprecated after the repair"
wait "$LPID" || true
hn_assert_eq "$(grep -c '^arp .*spa=10.0.0.100 .*tpa=10.0.0.100' "$HN_TMP/frames" || true)" 3 "announcements of the repair"
grep -q '10.0.0.100' /run/hanet/owned/vt.owned && hn_fail "the repair put the external VIP in the ownership records"
hw_converged "$P"

# a release under way (the VIP's lock taken) when the VIP goes: watch
# waits for the lock, then sees the record gone and leaves it
exec {lockfd}>/run/hanet/vip/vt/api.lock
flock -x "$lockfd"
ip -n ctl addr del 10.0.0.100/24 dev c0
sleep 0.4
has_addr ctl c0 10.0.0.100/24 && hn_fail "watch re-added the VIP under its lock"
rm /run/hanet/vip/vt/api.held
flock -u "$lockfd"
exec {lockfd}>&-
sleep 0.4
has_addr ctl c0 10.0.0.100/24 && hn_fail "watch re-added a VIP released under its lock"
hw_alive || hn_fail "watch died"
"$HANET" vip takeover "$P" api >/dev/null

# released: removed, and not put back, even when it shows up and goes again
"$HANET" vip release "$P" api >/dev/null
sleep 0.3
has_addr ctl c0 10.0.0.100/24 && hn_fail "watch put back a released VIP"
ip -n ctl addr add 10.0.0.100/24 dev c0
ip -n ctl addr del 10.0.0.100/24 dev c0
sleep 0.3
has_addr ctl c0 10.0.0.100/24 && hn_fail "watch re-added a released VIP"
hn_assert_eq "$(hw_records event=repair kind=vip object=api)" 1 "repairs of api"
hw_stop

# taken over, removed while watch is not running: watch's start puts it back
"$HANET" vip takeover "$P" api6 >/dev/null
ip -n ctl addr del 2001:db8::100/64 dev c0
hw_start "$P"
has_addr ctl c0 2001:db8::100/64 || hn_fail "watch's start did not put back a held VIP"
hn_assert_eq "$(aget ctl c0 2001:db8::100 'a.get("nodad", False)')" True "nodad after watch's start"
hw_stop
echo ok
