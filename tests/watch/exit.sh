#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGTERM and SIGINT exit cleanly (status 0) and leave the configuration;
# --max-runtime exits on its own; with --down-on-exit, everything the
# profile owns is removed (namespace, links, addresses, routes, rules) and
# its records with it, as `hanet down` does.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
hn_dump >"$HN_TMP/before"

hw_start "$P"
hw_stop
"$HANET" check "$P" >/dev/null || hn_fail "SIGTERM removed something"

hw_start "$P"
kill -INT "$W_PID"
rc=0
wait "$W_PID" || rc=$?
W_PID=
hn_assert_eq "$rc" 0 "exit status after SIGINT"

# --max-runtime: bounded without a signal
t0=$SECONDS
HW_MAX_RUNTIME=1s hw_start "$P"
rc=0
wait "$W_PID" || rc=$?
W_PID=
hn_assert_eq "$rc" 0 "exit status after --max-runtime"
[ $((SECONDS - t0)) -le 5 ] || hn_fail "--max-runtime 1s took $((SECONDS - t0))s"
grep -q -- "--max-runtime reached: exiting" "$W_LOG" || hn_fail "no max-runtime line"

hw_start "$P" --down-on-exit
hw_stop
[ -e /run/netns/api ] && hn_fail "namespace api left"
ip link show v0 >/dev/null 2>&1 && hn_fail "v0 left"
ip rule show priority 1000 | grep -q . && hn_fail "rule left"
[ -e /run/hanet/owned/wt.owned ] && hn_fail "records left"
hn_dump >"$HN_TMP/after"
diff -u "$HN_TMP/before" "$HN_TMP/after" || hn_fail "state differs from before"
grep -q "down: netns api: delete" "$W_LOG" || hn_fail "no down lines: $(cat "$W_LOG")"
