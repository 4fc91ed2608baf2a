#!/bin/bash
# `hanet apply` announces the VIPs it adds: gratuitous ARP (here the
# "both" form) and unsolicited NA, from the VIP's namespace, seen on the
# wire by a listener in another namespace, with the configured count.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/vip.ini

cat >"$P" <<EOF
[profile]
name = vip

[netns ctl]
[netns sw]

[veth c0]
netns = ctl
peer = c0-sw
peer_netns = sw
addresses = 10.0.0.1/24, 2001:db8::1/64

[veth c0-sw]
netns = sw
peer = c0
addresses = 10.0.0.2/24

[vip api]
address = 10.0.0.100/24
dev = c0
netns = ctl
preferred_lft = 0
announce_count = 3
announce_interval = 20ms
announce_mode = both

[vip api6]
address = 2001:db8::100/64
dev = c0
netns = ctl
nodad = yes
announce_count = 2
announce_interval = 10ms
EOF

# the namespaces and links first, without the VIPs
python3 - "$P" "$HN_TMP/novip.ini" <<'PY'
import sys, re
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r"\[vip .*", "", s, flags=re.S))
PY
apply_ok "$HN_TMP/novip.ini"
sleep 0.3   # the links' own start-up traffic passes
MAC=$(ip -n ctl -j link show dev c0 | jget 'd[0]["address"]')

hn_listen "$HN_TMP/frames" 8 3000 sw c0-sw "$MAC"

apply_ok "$P"
wait $LPID || true
cat "$HN_TMP/frames"
arp=$(grep -c '^arp .*spa=10.0.0.100 .*tpa=10.0.0.100' "$HN_TMP/frames" || true)
req=$(grep -c '^arp .*op=1 .*spa=10.0.0.100' "$HN_TMP/frames" || true)
rep=$(grep -c '^arp .*op=2 .*spa=10.0.0.100' "$HN_TMP/frames" || true)
na=$(grep -c '^na .*o=1 target=2001:db8::100 ' "$HN_TMP/frames" || true)
hn_assert_eq "$arp" 6 "gratuitous ARP frames (3 rounds of request + reply)"
hn_assert_eq "$req" 3 "ARP requests"
hn_assert_eq "$rep" 3 "ARP replies"
hn_assert_eq "$na" 2 "unsolicited NAs"

# nothing changed: nothing announced
hn_listen "$HN_TMP/frames" 8 500 sw c0-sw "$MAC"
hn_assert_eq "$("$HANET" apply "$P")" "vip: nothing to do" "second apply"
wait $LPID || true
hn_assert_eq "$(grep -c 'spa=10.0.0.100\|target=2001:db8::100' "$HN_TMP/frames" || true)" 0 "no announcement without a change"

# a network node adds many VIPs at once: every one is announced (apply
# once stopped at 64)
M=100
{
	cat "$P"
	for i in $(seq 1 $M); do
		printf '\n[vip many%d]\naddress = 10.0.%d.%d/32\ndev = c0\nnetns = ctl\nannounce_count = 2\nannounce_interval = 20ms\n' \
			"$i" $((1 + i / 250)) $((i % 250 + 1))
	done
} >"$HN_TMP/many.ini"
hn_listen "$HN_TMP/frames" $((2 * M + 10)) 4000 sw c0-sw "$MAC"
apply_ok "$HN_TMP/many.ini"
wait $LPID || true
seen=$(grep '^arp ' "$HN_TMP/frames" | sed -n 's/.* spa=\(10\.0\.[1-9][0-9]*\.[0-9]*\) .*/\1/p' | sort | uniq -c)
hn_assert_eq "$(echo "$seen" | grep -c .)" $M "VIPs announced of the $M added"
hn_assert_eq "$(echo "$seen" | awk '$1 != 2' | wc -l)" 0 "VIPs not announced exactly twice"
exit 0
