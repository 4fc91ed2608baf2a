#!/bin/bash
# Routes: tables, metric, onlink, ECMP with weights, blackhole /
# unreachable / prohibit, src, mtu, IPv6, a [routes] file; a changed route
# is replaced, a dropped one removed, a foreign one left alone.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/routes.ini

# rget TABLE DST EXPR [FAMILY]: a field of one route (r) of a table
rget() {
	ip ${4:--4} -j route show table "$1" | python3 -c 'import json, sys
d = json.load(sys.stdin)
r = [x for x in d if x["dst"] == sys.argv[1]]
r = r[0] if r else None
try:
    print(eval(sys.argv[2]))
except (KeyError, TypeError):
    print(None)' "$2" "$3"
}

cat >"$HN_TMP/bulk.routes" <<EOF
# a [routes] file
172.16.0.0/24 via 10.0.0.2 dev v0
172.16.1.0/24 via 10.0.0.3 dev v0 metric 7
172.16.2.0/24 dev v0 table 300
EOF

write_profile() {   # $1: via of r-metric
	cat >"$P" <<EOF
[profile]
name = routes

[veth v0]
peer = v1
addresses = 10.0.0.1/24, 2001:db8::1/64

[veth v1]
peer = v0
addresses = 10.0.0.2/24

[route r-metric]
to = 10.10.0.0/16
via = $1
dev = v0
table = 100
metric = 50

[route r-onlink]
to = 10.11.0.0/16
via = 192.168.99.1
dev = v0
onlink = yes
table = 100

[route r-ecmp]
to = 10.12.0.0/16
nexthops = via 10.0.0.2 dev v0 weight 1, via 10.0.0.3 dev v0 weight 3
table = 100

[route r-blackhole]
to = 10.13.0.0/16
type = blackhole
table = 100

[route r-unreachable]
to = 10.14.0.0/16
type = unreachable
table = 100

[route r-prohibit]
to = 10.15.0.0/16
type = prohibit
table = 100

[route r-src]
to = 10.16.0.0/16
via = 10.0.0.2
dev = v0
src = 10.0.0.1
mtu = 1400

[route r-default]
to = default
via = 10.0.0.2
dev = v0
table = 200

[route r6]
to = 2001:db8:100::/64
via = 2001:db8::2
dev = v0
metric = 10
table = 100

[route r6-blackhole]
to = 2001:db8:200::/64
type = blackhole
table = 100

[routes bulk]
file = bulk.routes
table = 250
EOF
}

# a foreign route in a table hanet uses
ip link add f0 type veth peer name f1
ip link set f0 up
ip route add 10.99.0.0/16 dev f0 table 100

write_profile 10.0.0.2
apply_ok "$P"
cat "$HN_TMP/apply.out"
hn_assert_eq "$(rget 100 10.10.0.0/16 'r["gateway"] + " " + str(r["metric"]) + " " + r["protocol"]')" "10.0.0.2 50 72" "metric route"
hn_assert_eq "$(rget 100 10.11.0.0/16 '"onlink" in r["flags"]')" True "onlink"
hn_assert_eq "$(rget 100 10.12.0.0/16 '[(n["gateway"], n["weight"]) for n in r["nexthops"]]')" "[('10.0.0.2', 1), ('10.0.0.3', 3)]" "ECMP weights"
hn_assert_eq "$(rget 100 10.13.0.0/16 'r["type"]')" blackhole "blackhole"
hn_assert_eq "$(rget 100 10.14.0.0/16 'r["type"]')" unreachable "unreachable"
hn_assert_eq "$(rget 100 10.15.0.0/16 'r["type"]')" prohibit "prohibit"
hn_assert_eq "$(rget main 10.16.0.0/16 'r["prefsrc"] + " " + str(r["metrics"][0]["mtu"])')" "10.0.0.1 1400" "src and mtu"
hn_assert_eq "$(rget 200 default 'r["gateway"]')" 10.0.0.2 "default route in table 200"
hn_assert_eq "$(rget 100 2001:db8:100::/64 'r["gateway"] + " " + str(r["metric"])' -6)" "2001:db8::2 10" "IPv6 route"
hn_assert_eq "$(rget 100 2001:db8:200::/64 'r["type"]' -6)" blackhole "IPv6 blackhole"
hn_assert_eq "$(rget 250 172.16.0.0/24 'r["gateway"]')" 10.0.0.2 "routes file"
hn_assert_eq "$(rget 250 172.16.1.0/24 'r["metric"]')" 7 "routes file metric"
hn_assert_eq "$(rget 300 172.16.2.0/24 'r["dev"]')" v0 "routes file: table on the line"
hn_assert_eq "$(apply_writes "$P")" 0 "a second apply writes nothing"
"$HANET" check "$P"

# a changed route is replaced, live
write_profile 10.0.0.3
plan=$(plan_of "$P")
echo "$plan"
grep -q "^live      route r-metric: replace 10.10.0.0/16 via 10.0.0.3 dev v0 table 100 metric 50" <<<"$plan" \
	|| hn_fail "changed route replaced"
apply_ok "$P"
hn_assert_eq "$(rget 100 10.10.0.0/16 'r["gateway"]')" 10.0.0.3 "route replaced"

# drift: someone deletes a route; check sees it, apply puts it back
ip route del 10.13.0.0/16 table 100
hn_expect_rc 1 "$HANET" check "$P"
"$HANET" check "$P" | grep -q "route r-blackhole: add blackhole 10.13.0.0/16 table 100" || hn_fail "check shows the missing route"
apply_ok "$P"
hn_assert_eq "$(rget 100 10.13.0.0/16 'r["type"]')" blackhole "route back"

# a foreign route with the key of a profile route is an error, not overwritten
ip route del 10.16.0.0/16
ip route add 10.16.0.0/16 via 10.0.0.2 dev v0
hn_expect_rc 3 "$HANET" apply "$P"
hn_assert_eq "$(rget main 10.16.0.0/16 'r.get("prefsrc")')" None "foreign route untouched"
ip route del 10.16.0.0/16

# drop routes: they go; the foreign one stays
python3 - "$P" <<'PY'
import sys, re
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\[route r-(ecmp|prohibit)\].*?(?=\n\[)", "", s, flags=re.S)
s = re.sub(r"\[routes bulk\].*", "", s, flags=re.S)
open(p, "w").write(s)
PY
plan=$(plan_of "$P")
echo "$plan"
apply_ok "$P"
hn_assert_eq "$(rget 100 10.12.0.0/16 'r')" None "dropped ECMP route removed"
hn_assert_eq "$(rget 100 10.15.0.0/16 'r')" None "dropped prohibit route removed"
hn_assert_eq "$(rget 250 172.16.0.0/24 'r')" None "dropped routes file removed"
hn_assert_eq "$(rget 100 10.99.0.0/16 'r["dev"]')" f0 "foreign route untouched"

"$HANET" down "$P"
[ -z "$(ip route show table 100 proto 72)$(ip route show table all proto 72)" ] || hn_fail "routes left after down"
hn_assert_eq "$(rget 100 10.99.0.0/16 'r["dev"]')" f0 "foreign route untouched by down"
exit 0
