#!/bin/bash
# A primary IPv4 address removed while the profile keeps secondaries of
# its subnet: with net.ipv4.conf.{all,DEV}.promote_secondaries off the
# kernel deletes those secondaries (a VIP among them, and one hanet did
# not make) and the routes that had them as their source, in the
# device's table; with it on, it makes the first of them the primary.
# The plan says which, re-adds what the kernel drops, and a failure
# injected at each step (and apply --confirm killed) leaves the `ip -d
# -j` dumps as they were: the old primary is the primary again, its
# secondaries secondaries (fail_each_step, lib-engine.sh).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e

A=$HN_TMP/a.ini
B=$HN_TMP/b.ini
cat >"$A" <<'EOT'
[profile]
name = promote

[netns p]

[veth v0]
netns = p
peer = v1
peer_netns = p
addresses = 10.20.0.1/24, 10.20.0.2/24, 10.20.0.3/24, 10.21.0.1/24

[vip api]
netns = p
dev = v0
address = 10.20.0.100/24

[route sec]
netns = p
to = 10.30.0.0/16
via = 10.20.0.254
dev = v0
src = 10.20.0.2

[route t100]
netns = p
to = 10.31.0.0/16
via = 10.20.0.254
dev = v0
src = 10.20.0.3
table = 100
EOT
# B: another primary, the secondaries kept
sed 's|^addresses = 10.20.0.1/24, |addresses = 10.20.0.5/24, |' "$A" >"$B"

# primary DEV: the device's primary address of 10.20.0.0/24
primary() {
	ip -n p -4 -j addr show dev "$1" | jget '[a["local"] for a in d[0]["addr_info"] if a["local"].startswith("10.20.0.") and not a.get("secondary")]'
}

# round: where the flag is set (none, the device, all) and what it is then
for round in none:0 dev:1 all:1; do
	where=${round%:*} promote=${round#*:}
	apply_ok "$A"
	case $where in
	dev) ip netns exec p sysctl -qw net.ipv4.conf.v0.promote_secondaries=1 ;;
	all) ip netns exec p sysctl -qw net.ipv4.conf.all.promote_secondaries=1 ;;
	*) ip netns exec p sysctl -qw net.ipv4.conf.all.promote_secondaries=0 net.ipv4.conf.v0.promote_secondaries=0 ;;
	esac
	"$HANET" check "$A"
	hn_assert_eq "$(primary v0)" "['10.20.0.1']" "$where: the primary before"
	# a secondary hanet did not make, a route with it as its source, and
	# a route through the device in a table the profile does not use
	ip -n p addr add 10.20.0.7/24 dev v0
	ip -n p route add 10.32.0.0/16 via 10.20.0.254 dev v0 src 10.20.0.7
	ip -n p route add 10.33.0.0/16 via 10.20.0.254 dev v0 table 500

	# net.ipv4.conf.all.promote_secondaries is a file under /proc/sys,
	# whose lookup grows with the host's namespaces: read once, where a
	# primary with secondaries goes, and not for one without (10.21.0.1)
	strace -f -qq -e trace=openat -o "$HN_TMP/opens" "$HANET" apply --dry-run "$B" >"$HN_TMP/plan.raw" ||
		hn_fail "$where: plan of B failed"
	# (the device's own flag, in IFLA_AF_SPEC, settles it without "all")
	hn_assert_eq "$(grep -c '"/proc/sys/' "$HN_TMP/opens")" "$([ "$where" = dev ] && echo 0 || echo 1)" \
		"$where: files opened under /proc/sys by the plan of B"
	sed 's|^addresses = .*|addresses = 10.20.0.1/24, 10.20.0.2/24, 10.20.0.3/24, 10.21.0.9/24|' "$A" >"$HN_TMP/c.ini"
	strace -f -qq -e trace=openat -o "$HN_TMP/opens" "$HANET" apply --dry-run "$HN_TMP/c.ini" >"$HN_TMP/plan.raw" ||
		hn_fail "$where: plan of C failed"
	grep -q '10.21.0.1/24.*remove' "$HN_TMP/plan.raw" || hn_fail "$where: the plan of C does not remove 10.21.0.1: $(cat "$HN_TMP/plan.raw")"
	hn_assert_eq "$(grep -c '"/proc/sys/' "$HN_TMP/opens")" 0 "$where: files opened under /proc/sys by a plan removing a primary without secondaries"

	plan_of "$B" >"$HN_TMP/plan"
	sed "s/^/  $where: /" "$HN_TMP/plan"
	if [ "$promote" = 0 ]; then
		grep -q 'addr 10.20.0.1/24 dev v0 (netns p): remove; the kernel drops with it: addr 10.20.0.2/24 dev v0 (netns p), addr 10.20.0.3/24 dev v0 (netns p), addr 10.20.0.100/24 dev v0 (netns p), addr 10.20.0.7/24 dev v0 (netns p) (6 in all)$' "$HN_TMP/plan" ||
			hn_fail "$where: the removal does not name the secondaries the kernel drops"
		for x in 'addr 10.20.0.2/24 dev v0 (netns p): add' 'addr 10.20.0.3/24 dev v0 (netns p): add' \
			'vip api 10.20.0.100/24 dev v0 (netns p): add' 'route sec (netns p): add 10.30.0.0/16'; do
			grep -qF "$x" "$HN_TMP/plan" || hn_fail "$where: not added again: $x"
		done
		grep -q 'route t100' "$HN_TMP/plan" && hn_fail "$where: the route of table 100 stays (its source is not looked up there)"
	else
		grep -q 'addr 10.20.0.1/24 dev v0 (netns p): remove; the kernel makes 10.20.0.2/24 the primary (promote_secondaries) and keeps the other secondaries$' "$HN_TMP/plan" ||
			hn_fail "$where: the removal does not say the kernel promotes 10.20.0.2"
		grep -q 'addr 10.20.0.[237]/24 dev v0 (netns p): add\|vip api.*: add\|route sec' "$HN_TMP/plan" &&
			hn_fail "$where: the plan adds again what the kernel keeps"
	fi
	fail_each_step "$where" "$B" "$A" 1 last

	apply_ok "$B"
	"$HANET" check "$B"
	if [ "$promote" = 0 ]; then
		hn_assert_eq "$(primary v0)" "['10.20.0.5']" "$where: the primary after"
		[ -z "$(ip -n p -4 addr show dev v0 to 10.20.0.7)" ] || hn_fail "$where: 10.20.0.7 is still there"
	else
		hn_assert_eq "$(primary v0)" "['10.20.0.2']" "$where: the primary after"
		[ -n "$(ip -n p -4 addr show dev v0 to 10.20.0.7)" ] || hn_fail "$where: 10.20.0.7 went"
	fi
	ip -n p route show 10.30.0.0/16 | grep -q 'src 10.20.0.2' || hn_fail "$where: route sec is missing"
	ip -n p route show table 100 10.31.0.0/16 | grep -q 'src 10.20.0.3' || hn_fail "$where: route t100 is missing"
	# and back
	apply_ok "$A"
	"$HANET" check "$A"
	"$HANET" down "$A" >/dev/null
	has_link p v0 2>/dev/null && hn_fail "$where: down left v0"
done
exit 0
