#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/keepalived/hanet-notify as keepalived runs it: with the state in
# the command (notify_master ...) or appended by `notify` (TYPE NAME
# STATE PRIORITY); MASTER takes over, BACKUP, FAULT and STOP release;
# several VIPs at once; what it did on standard error; hanet's status.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied
export HANET

notify() { "$NOTIFY" "$@" 2>>"$HN_TMP/notify.log"; }

hn_expect_rc 0 notify "$P" api MASTER
has_addr ctl c0 10.0.0.100/24 || hn_fail "MASTER did not take over"
grep -q '^hanet-notify: vip api 10.0.0.100/24 taken over on c0 in netns ctl' "$HN_TMP/notify.log" ||
	hn_fail "hanet's line not logged: $(cat "$HN_TMP/notify.log")"
grep -q '^hanet-notify: MASTER: api: takeover done$' "$HN_TMP/notify.log" || hn_fail "no summary line"
hn_expect_rc 0 notify "$P" api BACKUP
has_addr ctl c0 10.0.0.100/24 && hn_fail "BACKUP did not release"

# keepalived's `notify`: INSTANCE NAME STATE PRIORITY appended
hn_expect_rc 0 notify "$P" api INSTANCE VI_api MASTER 150
has_addr ctl c0 10.0.0.100/24 || hn_fail "notify MASTER"
grep -q '^hanet-notify: INSTANCE VI_api: MASTER: api: takeover done$' "$HN_TMP/notify.log" || hn_fail "no instance in the log"
hn_expect_rc 0 notify "$P" api INSTANCE VI_api FAULT 150
has_addr ctl c0 10.0.0.100/24 && hn_fail "notify FAULT"
hn_expect_rc 0 notify "$P" api INSTANCE VI_api MASTER 150
hn_expect_rc 0 notify "$P" api INSTANCE VI_api STOP 150
has_addr ctl c0 10.0.0.100/24 && hn_fail "notify STOP"
[ -f /run/hanet/vip/vt/api.held ] && hn_fail "a record left after STOP"

# several VIPs
hn_expect_rc 0 notify "$P" api,api6 GROUP G1 MASTER
has_addr ctl c0 10.0.0.100/24 && has_addr ctl c0 2001:db8::100/64 || hn_fail "MASTER of two VIPs"
hn_expect_rc 0 notify "$P" api,api6 BACKUP
has_addr ctl c0 10.0.0.100/24 || has_addr ctl c0 2001:db8::100/64 && hn_fail "BACKUP of two VIPs"

# failures: hanet's status, logged; a state with nothing to do; usage
hn_expect_rc 2 notify "$P" nope MASTER
grep -q "^hanet-notify: MASTER: hanet vip takeover $P nope failed (exit 2)$" "$HN_TMP/notify.log" || hn_fail "failure not logged"
ip -n ctl link set c0 netns sw
hn_expect_rc 3 notify "$P" api,api6 MASTER
ip -n sw link set c0 netns ctl
hn_expect_rc 0 notify "$P" api UNKNOWN
hn_expect_rc 64 notify "$P" api
hn_expect_rc 64 notify "$P" api INSTANCE VI_api
echo ok
