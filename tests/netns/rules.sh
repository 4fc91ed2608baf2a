#!/bin/bash
# Policy rules, IPv4 and IPv6, in the current namespace and in a named
# one: added with hanet's protocol, a dropped one removed, foreign ones
# left alone, drift found by check.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/rules.ini

cat >"$P" <<EOF
[profile]
name = rules

[netns a]

[veth v0]
peer = v1
peer_netns = a

[rule from-net]
from = 10.0.0.0/24
table = 100
priority = 1000

[rule mark]
fwmark = 0x10/0xff
iif = v0
table = 101
priority = 1001

[rule to6]
to = 2001:db8:5::/64
table = 102
priority = 1002

[rule in-a]
netns = a
oif = v1
table = 103
EOF

# a foreign rule
ip rule add from 192.168.7.0/24 table 7 pref 900

apply_ok "$P"
ip -j rule show >"$HN_TMP/r4"
ip -6 -j rule show >"$HN_TMP/r6"
hn_assert_eq "$(jget '[(r["priority"], r["src"], r["srclen"], r["table"], r.get("protocol")) for r in d if r["priority"] == 1000]' <"$HN_TMP/r4")" \
	"[(1000, '10.0.0.0', 24, '100', '72')]" "from rule"
hn_assert_eq "$(jget '[(r["fwmark"], r["fwmask"], r["iif"], r["table"]) for r in d if r["priority"] == 1001]' <"$HN_TMP/r4")" \
	"[('0x10', '0xff', 'v0', '101')]" "fwmark/iif rule"
hn_assert_eq "$(jget '[(r["dst"], r["dstlen"], r["table"]) for r in d if r["priority"] == 1002]' <"$HN_TMP/r6")" \
	"[('2001:db8:5::', 64, '102')]" "IPv6 rule"
hn_assert_eq "$(ip -n a -j rule show | jget '[(r["oif"], r["table"]) for r in d if r.get("oif")]')" \
	"[('v1', '103')]" "rule in a namespace (priority chosen by the kernel)"
hn_assert_eq "$(apply_writes "$P")" 0 "a second apply writes nothing"

# drift
ip rule del pref 1001
hn_expect_rc 1 "$HANET" check "$P"
apply_ok "$P"
"$HANET" check "$P"

# drop one: removed; the foreign one stays
python3 - "$P" <<'PY'
import sys, re
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\[rule mark\].*?(?=\n\[)", "", s, flags=re.S)
open(p, "w").write(s)
PY
plan=$(plan_of "$P")
echo "$plan"
grep -q "^live      rule inet priority 1001 from all fwmark 0x10/0xff iif v0 table 101: remove" <<<"$plan" || hn_fail "dropped rule"
apply_ok "$P"
ip rule show | grep -q "^1001:" && hn_fail "dropped rule still there"
ip rule show | grep -q "^900:.*lookup 7" || hn_fail "foreign rule touched"

"$HANET" down "$P"
ip rule show | grep -q "proto 72" && hn_fail "rules left after down"
ip -6 rule show | grep -q "proto 72" && hn_fail "IPv6 rules left after down"
ip rule show | grep -q "^900:.*lookup 7" || hn_fail "foreign rule removed by down"
exit 0
