#!/bin/bash
# apply --confirm: rolled back when `hanet confirm` does not come in time,
# kept when it does; the waiting process holds the lock meanwhile.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/c.ini

cat >"$P" <<EOF
[profile]
name = c

[netns a]

[veth v0]
peer = v1
peer_netns = a
addresses = 10.0.0.1/24

[vip web]
address = 10.0.0.100/24
dev = v0
preferred_lft = 0

[route r]
to = 10.1.0.0/16
via = 10.0.0.2
dev = v0
EOF

# wait_gone FILE SECONDS
wait_gone() {
	local i
	for i in $(seq $(( $2 * 20 ))); do [ -e "$1" ] || return 0; sleep 0.05; done
	return 1
}

hn_dump >"$HN_TMP/before"

# ---- not confirmed: rolled back
out=$("$HANET" apply --confirm 1s "$P")
echo "$out"
grep -q "run \`hanet confirm c\` within 1.0s" <<<"$out" || hn_fail "apply --confirm says what to run"
[ -e /run/hanet/confirm/c.pid ] || hn_fail "no waiting process"
has_link v0 || hn_fail "not applied"
# the waiting process holds the lock
hn_expect_rc 4 "$HANET" apply "$P"
wait_gone /run/hanet/confirm/c.pid 10 || hn_fail "the waiting process did not finish"
grep -q "rolled back" /run/hanet/confirm/c.log || hn_fail "log: $(cat /run/hanet/confirm/c.log)"
has_link v0 && hn_fail "not rolled back"
ip netns list | grep -q . && hn_fail "netns not rolled back"
settle
hn_dump >"$HN_TMP/after"
diff -u "$HN_TMP/before" "$HN_TMP/after" || hn_fail "state after the rollback differs"
[ ! -e /run/hanet/owned/c.owned ] || hn_fail "records not rolled back"
hn_expect_rc 1 "$HANET" confirm c

# ---- confirmed: kept
"$HANET" apply --confirm 20s "$P"
"$HANET" confirm "$P"
wait_gone /run/hanet/confirm/c.pid 5 || hn_fail "confirm did not stop the waiting process"
grep -q "confirmed" /run/hanet/confirm/c.log || hn_fail "log: $(cat /run/hanet/confirm/c.log)"
has_link v0 || hn_fail "confirmed change was rolled back"
"$HANET" check "$P"
# the lock is free again
hn_assert_eq "$("$HANET" apply "$P")" "c: nothing to do" "lock released"

# ---- a change on top of existing state, not confirmed: the old state comes back
sed -i 's/^via = 10.0.0.2$/via = 10.0.0.3/' "$P"
settle a
hn_dump >"$HN_TMP/before2"
"$HANET" apply --confirm 500ms "$P"
ip route show 10.1.0.0/16 | grep -q "via 10.0.0.3" || hn_fail "change not applied"
wait_gone /run/hanet/confirm/c.pid 10 || hn_fail "the waiting process did not finish"
ip route show 10.1.0.0/16 | grep -q "via 10.0.0.2" || hn_fail "route not rolled back"
settle a
hn_dump >"$HN_TMP/after2"
diff -u "$HN_TMP/before2" "$HN_TMP/after2" || hn_fail "state after the second rollback differs"
"$HANET" down "$P"
exit 0
