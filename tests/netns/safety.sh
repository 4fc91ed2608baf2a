#!/bin/bash
# What apply must never do: touch anything for an invalid profile (exit
# 2), run next to another run (exit 4), delete or change objects hanet did
# not create, change keys a [nic] does not declare; a second apply writes
# nothing; down leaves what was there before.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/s.ini

# foreign objects everywhere hanet works
ip netns add a
ip -n a link set lo up
ip -n a link add fa0 type veth peer name fa1
ip -n a addr add 10.9.0.1/24 dev fa0
ip -n a link set fa0 up
ip -n a route add 10.98.0.0/16 dev fa0 table 100
ip -n a rule add from 10.9.0.0/24 table 100 pref 700
ip link add n0 type veth peer name n1
ip link set n0 mtu 1500 up
ip addr add 10.8.0.1/24 dev n0
ip link set n0 alias "not hanet's"

cat >"$P" <<EOF
[profile]
name = s

[netns a]

[netns b]

[veth v0]
netns = a
peer = v1
peer_netns = b
addresses = 10.0.0.1/24

[nic n0]
mtu = 1400
addresses = 10.8.1.1/24

[route r]
netns = a
to = 10.1.0.0/16
via = 10.0.0.2
dev = v0
table = 100

[rule x]
netns = a
from = 10.0.0.0/24
table = 100
priority = 800
EOF

settle a
hn_dump >"$HN_TMP/h0"; hn_dump a >"$HN_TMP/a0"

# ---- an invalid profile: exit 2, nothing touched
printf '[profile]\nname = bad\n[veth v9]\npeer = v8\nmtu = fast\n' >"$HN_TMP/bad.ini"
hn_expect_rc 2 "$HANET" apply "$HN_TMP/bad.ini"
hn_expect_rc 2 "$HANET" check "$HN_TMP/bad.ini"
hn_dump >"$HN_TMP/h"; diff -u "$HN_TMP/h0" "$HN_TMP/h" || hn_fail "invalid profile changed something"

# ---- another run holds the lock: exit 4; --lock-wait gives up after it
exec 9>/run/hanet/lock
flock 9
hn_expect_rc 4 "$HANET" apply "$P"
t0=$(date +%s%N)
hn_expect_rc 4 "$HANET" apply --lock-wait 300ms "$P"
[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 250 ] || hn_fail "--lock-wait did not wait"
flock -u 9
exec 9>&-
hn_dump >"$HN_TMP/h"; diff -u "$HN_TMP/h0" "$HN_TMP/h" || hn_fail "a locked-out run changed something"

# ---- apply: only what the profile says
apply_ok "$P"
hn_assert_eq "$(lget n0 'd["mtu"]')" 1400 "declared nic key changed"
hn_assert_eq "$(lget n0 'd["ifalias"]')" "not hanet's" "undeclared nic key kept"
hn_assert_eq "$(lget n0 '"UP" in d["flags"]')" True "undeclared nic state kept"
hn_assert_eq "$(addrs n0)" "10.8.0.1/24
10.8.1.1/24" "nic's own address kept"
hn_assert has_link a fa0
ip -n a route show table 100 | grep -q "10.98.0.0/16 dev fa0" || hn_fail "foreign route"
ip -n a rule show | grep -q "^700:" || hn_fail "foreign rule"
hn_assert_eq "$(apply_writes "$P")" 0 "second apply: no netlink write"
hn_assert_eq "$("$HANET" apply "$P")" "s: nothing to do" "second apply: nothing to do"

# ---- show: what hanet owns, with its live state
"$HANET" show "$P"
"$HANET" show --json "$P" >"$HN_TMP/show.json"
hn_assert_eq "$(jget '[(l["name"], l["netns"], l["present"]) for l in d["links"]]' <"$HN_TMP/show.json")" \
	"[('v0', 'a', True)]" "show: the veth hanet made"
hn_assert_eq "$(jget '[(n["name"], n["before"]["mtu"]) for n in d["nics"]]' <"$HN_TMP/show.json")" \
	"[('n0', 1500)]" "show: the nic's mtu before"
hn_assert_eq "$(jget '[r["owned"] == r["present"] == 1 for r in d["routes"]]' <"$HN_TMP/show.json")" "[True]" "show: routes"
hn_assert_eq "$(jget '[n["name"] for n in d["netns"]]' <"$HN_TMP/show.json")" "['b']" "show: only the namespace hanet made"

# ---- down: what hanet made goes, the rest stays as it was
"$HANET" down "$P"
settle a
hn_dump >"$HN_TMP/h"; diff -u "$HN_TMP/h0" "$HN_TMP/h" || hn_fail "down: current namespace differs from before"
hn_dump a >"$HN_TMP/a"; diff -u "$HN_TMP/a0" "$HN_TMP/a" || hn_fail "down: netns a (not hanet's) differs from before"
ip netns list | grep -q '^b' && hn_fail "netns b (hanet's) left"
ip netns list | grep -q '^a' || hn_fail "netns a (not hanet's) deleted"
[ -z "$(ls /run/hanet/owned)" ] || hn_fail "records left: $(ls /run/hanet/owned)"

# ---- down by name, when the profile file is gone
apply_ok "$P"
mv "$P" "$P.gone"
"$HANET" show s | grep -q "link v0 netns a (veth): up" || hn_fail "show by name"
"$HANET" down s
hn_dump >"$HN_TMP/h"; diff -u "$HN_TMP/h0" "$HN_TMP/h" || hn_fail "down by name: current namespace differs"
[ -z "$(ls /run/hanet/owned)" ] || hn_fail "records left after down by name"
exit 0
