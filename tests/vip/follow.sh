#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet vip follow, fed as keepalived feeds it (vrrp_notify_fifo lines
# such as `INSTANCE "VI_api" MASTER 150`), by the test through the FIFO:
# MASTER takes the instance's VIPs over, BACKUP/FAULT/STOP release them,
# other instances and other lines are ignored, an instance named like a
# VIP moves it without a mapping; the FIFO closed without a SIGTERM
# (keepalived killed) releases what it took over; closed after a SIGTERM
# (keepalived stopping or reloading) leaves the VIPs as they are.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied
FIFO=$HN_TMP/vrrp.fifo
both_here() { has_addr ctl c0 10.0.0.100/24 && has_addr ctl c0 2001:db8::100/64; }
none_here() { ! has_addr ctl c0 10.0.0.100/24 && ! has_addr ctl c0 2001:db8::100/64; }

# follow_start ARGS...: hanet vip follow in the background ($FPID), with
# the test writing to the FIFO on fd 3
follow_start() {
	rm -f "$FIFO"
	mkfifo "$FIFO"
	timeout -k 5 60 "$HANET" vip follow "$@" "$FIFO" 2>>"$HN_TMP/follow.log" &
	FPID=$!
	HPID=""
	for _ in $(seq 100); do
		HPID=$(cat "/proc/$FPID/task/$FPID/children" 2>/dev/null || true)
		[ -n "$HPID" ] && break
		sleep 0.01
	done
	HPID=${HPID%% *}
	exec 3>"$FIFO"
}
feed() { printf '%s\n' "$@" >&3; }
follow_wait() {
	local rc=0
	wait "$FPID" || rc=$?
	[ "$rc" -eq 0 ] || hn_fail "follow exited $rc: $(cat "$HN_TMP/follow.log")"
}

follow_start VI_api=api,api6 "$P"
feed 'INSTANCE "VI_other" MASTER 150' 'garbage' 'INSTANCE "VI_api" BACKUP 150'
sleep 0.3
none_here || hn_fail "a line of another instance moved a VIP"
feed 'INSTANCE "VI_api" MASTER 150'
until_ok 5 both_here || hn_fail "MASTER did not take api,api6 over: $(cat "$HN_TMP/follow.log")"
[ -f /run/hanet/vip/vt/api.held ] || hn_fail "no held record after MASTER"
feed 'INSTANCE "VI_api" MASTER_PRIORITY 150'
feed 'INSTANCE "VI_api" FAULT 150'
until_ok 5 none_here || hn_fail "FAULT did not release"
feed 'GROUP "VI_api" MASTER'
until_ok 5 both_here || hn_fail "GROUP MASTER did not take over"
# split brain healed: the address put back and announced
ip -n ctl addr del 10.0.0.100/24 dev c0
feed 'INSTANCE "VI_api" MASTER_RX_LOWER_PRI 150'
until_ok 5 both_here || hn_fail "MASTER_RX_LOWER_PRI did not put the VIP back"
# keepalived killed: the FIFO closes without a SIGTERM first
exec 3>&-
follow_wait
none_here || hn_fail "the FIFO closed without SIGTERM, and the VIPs stayed"
grep -q 'VI_api: keepalived closed .* without stopping: releasing' "$HN_TMP/follow.log" || hn_fail "not logged"
grep -q 'VI_api MASTER: vip api taken over: added in' "$HN_TMP/follow.log" || hn_fail "takeover not logged"

# keepalived stopping or reloading: SIGTERM, its last lines, then the
# close; a reload leaves the VIPs where they are
follow_start VI_api=api,api6 "$P"
feed 'INSTANCE "VI_api" MASTER 150'
until_ok 5 both_here || hn_fail "MASTER (2)"
kill -TERM "$HPID"
sleep 0.2
feed 'INSTANCE "VI_api" STOP 150'
until_ok 5 none_here || hn_fail "STOP after SIGTERM did not release"
feed 'INSTANCE "VI_api" MASTER 150'
until_ok 5 both_here || hn_fail "MASTER after SIGTERM"
exec 3>&-
follow_wait
both_here || hn_fail "closed after SIGTERM (a reload), and the VIPs went"

# no mapping: an instance named like a VIP moves it
"$HANET" vip release "$P" api,api6 >/dev/null
follow_start "$P"
feed 'INSTANCE "api6" MASTER 100'
until_ok 5 has_addr ctl c0 2001:db8::100/64 || hn_fail "instance api6 did not move vip api6"
has_addr ctl c0 10.0.0.100/24 && hn_fail "instance api6 moved vip api"
feed 'INSTANCE "api6" BACKUP 100'
until_ok 5 none_here || hn_fail "BACKUP of api6"
exec 3>&-
follow_wait

# the command line
hn_expect_rc 64 "$HANET" vip follow "$P"
hn_expect_rc 2 "$HANET" vip follow VI_api=nope "$P" "$FIFO"
hn_expect_rc 64 "$HANET" vip follow =api "$P" "$FIFO"
echo ok
