#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile files and names: a clear error naming the file, in bounded
# time, and nothing changed.
# - a FIFO, /dev/zero, /dev/urandom, a directory and a 2 GB sparse file
#   as the profile and as a [routes] file: validate and apply exit 2 at
#   once, naming the file and what it is;
# - output files (watch --records) are never written through a symbolic
#   link;
# - namespace names with the characters of hanet's own formats: "-" and
#   "|" are refused; "=", ",", ":", "#", ";", "\" and a leading "-" work
#   (the VIP is added and announced, the route made, down removes them);
# - profile names of 64 bytes are kept whole (records, confirm);
# - a corrupt ownership record is refused without a leak;
# - [netns X] for a namespace that existed with lo down: down puts lo
#   down again.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -eu

D=$HN_TMP/files
mkdir "$D"
mkfifo "$D/fifo"
mkdir "$D/dir"
truncate -s 2G "$D/sparse"
hn_dump >"$HN_TMP/h0"

# quick WHAT FILE MESSAGE: validate and apply of FILE exit 2 within 2 s
# with MESSAGE on stderr
quick() {
	local what=$1 file=$2 msg=$3 cmd rc t0 ms
	for cmd in validate apply; do
		t0=${EPOCHREALTIME/./}
		rc=0
		timeout 5 "$HANET" $cmd "$file" >/dev/null 2>"$HN_TMP/err" || rc=$?
		ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
		[ $rc -eq 2 ] || hn_fail "$what: $cmd exit $rc (124: it hung): $(cat "$HN_TMP/err")"
		grep -qF -- "$msg" "$HN_TMP/err" || hn_fail "$what: $cmd said: $(cat "$HN_TMP/err"), not: $msg"
		[ $ms -lt 2000 ] || hn_fail "$what: $cmd took $ms ms"
	done
	echo "# $what: refused in $ms ms"
}
quick "a FIFO profile" "$D/fifo" "$D/fifo: cannot read: not a regular file (a FIFO)"
quick "/dev/zero as the profile" /dev/zero "/dev/zero: cannot read: not a regular file (a character device)"
quick "/dev/urandom as the profile" /dev/urandom "/dev/urandom: cannot read: not a regular file (a character device)"
quick "a directory profile" "$D/dir" "$D/dir: cannot read: not a regular file (a directory)"
quick "a 2 GB sparse profile" "$D/sparse" "$D/sparse: cannot read: 2147483648 bytes, more than a profile may have (64 MiB)"

P=$HN_TMP/rt.ini
routes_profile() {
	printf '[profile]\nname = rt\n\n[netns rt]\n\n[veth v0]\nnetns = rt\npeer = v1\naddresses = 10.0.0.1/24\n\n[routes bulk]\nfile = %s\nnetns = rt\n' "$1" >"$P"
}
routes_profile "$D/fifo"
quick "a FIFO routes file" "$P" "$D/fifo: [routes bulk] cannot read: not a regular file (a FIFO)"
routes_profile /dev/zero
quick "/dev/zero as the routes file" "$P" "/dev/zero: [routes bulk] cannot read: not a regular file (a character device)"
routes_profile /dev/urandom
quick "/dev/urandom as the routes file" "$P" "/dev/urandom: [routes bulk] cannot read: not a regular file (a character device)"
routes_profile "$D/dir"
quick "a directory as the routes file" "$P" "$D/dir: [routes bulk] cannot read: not a regular file (a directory)"
routes_profile "$D/sparse"
quick "a 2 GB sparse routes file" "$P" "$D/sparse: [routes bulk] cannot read: 2147483648 bytes, more than a routes file may have (128 MiB)"
hn_dump >"$HN_TMP/h"; diff -u "$HN_TMP/h0" "$HN_TMP/h" || hn_fail "a refused profile changed something"
[ -z "$(ls /run/netns)" ] || hn_fail "a refused profile made a namespace"

# ---- output files: never through a symbolic link
echo "not hanet's" >"$HN_TMP/target"
ln -s "$HN_TMP/target" "$HN_TMP/records.jsonl"
W=$HN_TMP/w.ini
printf '[profile]\nname = w\n\n[veth w0]\npeer = w1\naddresses = 10.5.0.1/24\n' >"$W"
apply_ok "$W"
rc=0
timeout 10 "$HANET" watch --records "$HN_TMP/records.jsonl" --max-runtime 2s "$W" 2>"$HN_TMP/err" || rc=$?
[ $rc -ne 0 ] || hn_fail "watch wrote its records through a symbolic link"
grep -q "records.jsonl: a symbolic link, which hanet does not follow" "$HN_TMP/err" || hn_fail "watch said: $(cat "$HN_TMP/err")"
hn_assert_eq "$(cat "$HN_TMP/target")" "not hanet's" "the file the link points to"
"$HANET" down "$W" >/dev/null

# ---- namespace names and hanet's own formats
for ns in - 'a|b'; do
	printf '[profile]\nname = nsname\n\n[netns %s]\n' "$ns" >"$HN_TMP/n.ini"
	hn_expect_rc 2 "$HANET" apply "$HN_TMP/n.ini" 2>"$HN_TMP/err"
	grep -qF "\"$ns\" is not a namespace name hanet can use" "$HN_TMP/err" || hn_fail "netns $ns: $(cat "$HN_TMP/err")"
done
for ns in 'a=b' 'a,b' 'a:b' 'a#b' 'a;b' 'a\b' '-a'; do
	printf '[profile]\nname = nsname\n\n[veth n0]\nnetns = "%s"\npeer = n1\naddresses = 10.6.0.1/24\n\n[vip v]\naddress = 10.6.0.10/24\ndev = n0\nnetns = "%s"\nannounce_count = 1\n\n[route r]\nnetns = "%s"\nto = 10.60.0.0/16\nvia = 10.6.0.2\ndev = n0\n' "$ns" "$ns" "$ns" >"$HN_TMP/n.ini"
	ip netns add "$ns"
	# the link first, then the VIP under a listener on the peer (in the
	# same namespace: the listener is run there by name too): the
	# VIP's announcement (its namespace goes through the announcer's
	# arguments) is seen on the wire
	awk 'BEGIN { RS = ""; ORS = "\n\n" } !/^\[vip /' "$HN_TMP/n.ini" >"$HN_TMP/n-novip.ini"
	apply_ok "$HN_TMP/n-novip.ini"
	ip -n "$ns" link set n1 up
	hn_listen "$HN_TMP/frames" 1 3000 "$ns" n1 "$(ip -n "$ns" -j link show dev n0 | jget 'd[0]["address"]')"
	apply_ok "$HN_TMP/n.ini"
	wait "$LPID" || true
	grep -q '^arp .* spa=10.6.0.10 ' "$HN_TMP/frames" || hn_fail "netns $ns: the VIP was not announced: $(cat "$HN_TMP/frames")"
	ip -n "$ns" -o addr show dev n0 | grep -q ' 10.6.0.10/24 ' || hn_fail "netns $ns: no VIP"
	ip -n "$ns" route show 10.60.0.0/16 | grep -q . || hn_fail "netns $ns: no route"
	"$HANET" check "$HN_TMP/n.ini" >/dev/null || hn_fail "netns $ns: check differs"
	"$HANET" down "$HN_TMP/n.ini" >/dev/null || hn_fail "netns $ns: down failed"
	ip -n "$ns" link show n0 >/dev/null 2>&1 && hn_fail "netns $ns: down left n0"
	ip netns del "$ns"
done

# ---- profile names of 64 bytes, the most there may be, are kept whole:
# two that differ only in their last byte have records of their own, and
# down of one leaves the other's namespace (65 bytes: tests/profiles/bad)
n63=$(printf 'p%.0s' $(seq 63))
for c in a b; do
	printf '[profile]\nname = %s\n\n[netns pn%s]\n\n[veth pv%s]\nnetns = pn%s\npeer = pw%s\n' \
		"$n63$c" $c $c $c $c >"$HN_TMP/pn-$c.ini"
	apply_ok "$HN_TMP/pn-$c.ini"
	[ -f "/run/hanet/owned/$n63$c.owned" ] || hn_fail "no record of the whole name: $(ls /run/hanet/owned)"
done
"$HANET" down "$HN_TMP/pn-a.ini" >/dev/null
[ -e /run/netns/pna ] && hn_fail "down of a 64-byte name left its namespace"
ip -n pnb link show pvb >/dev/null 2>&1 || hn_fail "down of one 64-byte name took the other's namespace"
"$HANET" check "$HN_TMP/pn-b.ini" >/dev/null || hn_fail "the other 64-byte name's profile differs"
out=$("$HANET" apply --confirm 30s "$HN_TMP/pn-a.ini")
hn_assert_eq "$("$HANET" confirm "$n63"a)" "${n63}a: confirmed" "confirm of a 64-byte name ($out)"
for c in a b; do "$HANET" down "$HN_TMP/pn-$c.ini" >/dev/null; done
[ -z "$(ls /run/hanet/owned)" ] || hn_fail "records left: $(ls /run/hanet/owned)"

# ---- a corrupt ownership record: refused (exit 3), nothing leaked on
# the way out (valgrind): a nic whose alias is read before a bad field,
# and one whose alias is given twice
if command -v valgrind >/dev/null; then
	printf '[profile]\nname = rec\n\n[veth r0]\npeer = r1\n' >"$HN_TMP/rec.ini"
	"$HANET" down "$HN_TMP/rec.ini" >/dev/null
	for rec in 'nic - eth9 alias=6869 mtu=abc' 'nic - eth9 alias=6869 alias=6a6b up=1 mtu=abc'; do
		printf 'hanet-owned 1\nprofile rec\n%s\n' "$rec" >/run/hanet/owned/rec.owned
		chmod 0600 /run/hanet/owned/rec.owned
		rc=0
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
			--log-file="$HN_TMP/vg.log" "$HANET" show "$HN_TMP/rec.ini" >/dev/null 2>"$HN_TMP/err" || rc=$?
		hn_assert_eq "$rc" 3 "show of a corrupt record ($rec; 99: valgrind: $(cat "$HN_TMP/vg.log"))"
		grep -q "reading the records of rec" "$HN_TMP/err" || hn_fail "corrupt record: $(cat "$HN_TMP/err")"
		[ ! -s "$HN_TMP/vg.log" ] || hn_fail "valgrind: $(cat "$HN_TMP/vg.log")"
	done
	rm /run/hanet/owned/rec.owned
fi

# ---- [netns X] of a namespace that existed with lo down
ip netns add pre
ip -n pre link show lo | grep -q '<LOOPBACK>' || hn_fail "lo of a new namespace is up"
printf '[profile]\nname = pre\n\n[netns pre]\n' >"$HN_TMP/pre.ini"
apply_ok "$HN_TMP/pre.ini"
ip -n pre link show lo | grep -q '<LOOPBACK,UP' || hn_fail "apply did not bring lo up"
hn_assert_eq "$(apply_writes "$HN_TMP/pre.ini")" 0 "writes of a second apply"
"$HANET" down "$HN_TMP/pre.ini" >/dev/null
ip -n pre link show lo | grep -q '<LOOPBACK,UP' && hn_fail "down left lo up"
[ -e /run/netns/pre ] || hn_fail "down deleted a namespace hanet did not make"
ip netns del pre
# a namespace hanet makes: nothing recorded, down deletes it
apply_ok "$HN_TMP/pre.ini"
grep -q '^nic pre lo' /run/hanet/owned/pre.owned && hn_fail "lo of hanet's own namespace recorded"
"$HANET" down "$HN_TMP/pre.ini" >/dev/null
[ -e /run/netns/pre ] && hn_fail "down left hanet's namespace"
echo ok
