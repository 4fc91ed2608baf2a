#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A whole run under valgrind: start, every kind of drift repaired (fast
# path and resync), announcements, an overflow, a good and a bad reload,
# then SIGTERM with --down-on-exit.  No error and no leak (definite or
# indirect) allowed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 0; }
# a sanitizer build (make SANITIZE=...) does not run under valgrind
ldd "$HANET" | grep -q "libasan\|libubsan" && { echo "SKIP: $HANET is built with a sanitizer"; exit 0; }
P=$HN_TMP/wt.ini
hw_profile "$P"
HW_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$HN_TMP/vg.log" \
	HW_START_TIMEOUT=60 HW_MAX_RUNTIME=100s hw_start "$P" --rcvbuf 2048 --resync-interval 1s --down-on-exit

ip -n api addr del 10.0.0.50/24 dev v0p
hw_until 10 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q 10.0.0.50/24' || hn_fail "VIP"
ip route del 10.9.0.0/16
hw_until 10 sh -c 'ip -4 route show 10.9.0.0/16 | grep -q via' || hn_fail "route"
ip rule del priority 1000
hw_until 10 sh -c 'ip rule show priority 1000 | grep -q lookup' || hn_fail "rule"
ip link set v0 down
hw_until 10 sh -c 'ip -4 route show 10.9.0.0/16 | grep -q via' || hn_fail "link down"
ip link del v0
hw_until 10 sh -c 'ip -n api -4 -o addr show dev v0p 2>/dev/null | grep -q 10.0.0.50/24' || hn_fail "veth"
ip netns delete api
hw_until 15 sh -c 'ip -n api -4 -o addr show dev v0p 2>/dev/null | grep -q 10.0.0.50/24' || hn_fail "netns"
hw_converged "$P" 15

{
	for i in $(seq 0 999); do echo "addr add 10.200.$((i / 250)).$((i % 250 + 1))/32 dev v0p"; done
	for i in $(seq 0 999); do echo "addr del 10.200.$((i / 250)).$((i % 250 + 1))/32 dev v0p"; done
} >"$HN_TMP/batch"
ip -n api -batch "$HN_TMP/batch"
hw_converged "$P" 15

cp "$P" "$HN_TMP/good.ini"
echo "bogus = 1" >>"$P"
kill -HUP "$W_PID"
hw_wait_log "reload: the profile is invalid" 20 || hn_fail "bad reload"
cp "$HN_TMP/good.ini" "$P"
sed -i 's/^address = 10.0.0.50\/24$/address = 10.0.0.51\/24/' "$P"
kill -HUP "$W_PID"
hw_until 15 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q 10.0.0.51/24' || hn_fail "good reload"
sleep 1.5   # a periodic resync

kill -TERM "$W_PID"
rc=0
wait "$W_PID" || rc=$?
W_PID=
cat "$HN_TMP/vg.log"
hn_assert_eq "$rc" 0 "exit status under valgrind (99: errors or leaks)"
[ ! -s "$HN_TMP/vg.log" ] || hn_fail "valgrind said something"
[ -e /run/netns/api ] && hn_fail "--down-on-exit left namespace api"
true
