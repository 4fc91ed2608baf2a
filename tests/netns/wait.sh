#!/bin/bash
# apply --wait: a [nic] that does not exist yet is waited for (link
# events, bounded); without --wait, or when it never comes, apply fails
# and changes nothing.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/w.ini

cat >"$P" <<EOF
[profile]
name = w

[netns a]

[nic slow0]
netns = a
mtu = 1400
addresses = 10.0.0.1/24
EOF

hn_dump >"$HN_TMP/before"
hn_expect_rc 3 "$HANET" apply "$P"
rc=0; out=$("$HANET" apply --wait 300ms "$P" 2>&1) || rc=$?
echo "$out"
[ $rc -eq 3 ] || hn_fail "a device that never comes: exit $rc"
grep -q "slow0.*no such device after waiting" <<<"$out" || hn_fail "message"
hn_dump >"$HN_TMP/after"
diff -u "$HN_TMP/before" "$HN_TMP/after" || hn_fail "a failed wait changed something"

# the device comes 0.5s later (a slow driver): apply waits for it, moves
# it into netns a and configures it
( sleep 0.5; ip link add slow0 type veth peer name slow1 ) &
t0=$(date +%s%N)
apply_ok --wait 10s "$P"
t1=$(date +%s%N)
wait
echo "waited $(( (t1 - t0) / 1000000 )) ms"
[ $(( (t1 - t0) / 1000000 )) -lt 5000 ] || hn_fail "woke up late"
hn_assert has_link a slow0
hn_assert_eq "$(lget a slow0 'd["mtu"]')" 1400 "configured after the wait"
hn_assert_eq "$(addrs a slow0)" 10.0.0.1/24 "address"
"$HANET" down "$P"
hn_assert has_link slow0
exit 0
