#!/bin/bash
# A network node at small scale: N router namespaces, each a veth into a
# shared bridge namespace, 2 addresses, 1 VIP, 5 routes
# (tools/bench/gen-routers.py), at N=20 and N=100.  What hanet asks the
# kernel per namespace must not grow with the number of namespaces
# (requests are counted, not timed: the machine may be loaded): apply,
# apply with nothing to do (no write at all) and down; down deletes the
# namespaces whole, one action each; a re-apply asks at most 4 requests a
# namespace and opens no file under /proc/sys (whose lookups grow with the
# host's namespaces).  tools/bench/bench-scale.sh is the
# full-size benchmark.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 0; }

# requests: the netlink messages hanet sends (sendto / sendmsg calls)
requests() {
	strace -f -qq -c -e trace=sendto,sendmsg -o "$HN_TMP/strace" "$HANET" "$@" >"$HN_TMP/out" 2>&1 ||
		{ cat "$HN_TMP/out"; hn_fail "hanet $* failed"; }
	awk '$NF == "sendto" || $NF == "sendmsg" { n += $4 } END { print n + 0 }' "$HN_TMP/strace"
}

declare -A AP RE DN
for n in 20 100; do
	mkdir -p "$HN_TMP/$n"
	python3 "$HN_TOP/tools/bench/gen-routers.py" $n "$HN_TMP/$n"
	P=$HN_TMP/$n/routers.ini
	AP[$n]=$(requests apply "$P")
	hn_assert_eq "$(ls /run/netns | wc -l)" $((n + 1)) "namespaces after apply (N=$n)"
	hn_assert_eq "$(ip -n qr-$((n - 1)) -4 -o addr show dev rg-$((n - 1)) | wc -l)" 3 "addresses of the last router (N=$n)"
	RE[$n]=$(requests apply "$P")
	hn_assert_eq "$(apply_writes "$P")" 0 "netlink writes of an apply with nothing to do (N=$n)"
	strace -f -qq -e trace=openat -o "$HN_TMP/opens" "$HANET" apply "$P" >/dev/null 2>&1 || hn_fail "re-apply (N=$n) failed"
	hn_assert_eq "$(grep -c '"/proc/sys/' "$HN_TMP/opens")" 0 "files opened under /proc/sys by a re-apply (N=$n)"
	DN[$n]=$(requests down "$P")
	grep -q "removed ($((n + 1)) actions)" "$HN_TMP/out" || { cat "$HN_TMP/out"; hn_fail "down (N=$n): not one action per namespace"; }
	hn_assert_eq "$(ls /run/netns | wc -l)" 0 "namespaces after down (N=$n)"
	# what was in a namespace deleted whole is forgotten with it
	[ -z "$(ls -A /run/hanet/owned 2>/dev/null)" ] ||
		hn_fail "records left after down (N=$n): $(ls /run/hanet/owned; head -n 20 /run/hanet/owned/*.owned)"
	echo "# N=$n requests: apply ${AP[$n]}, re-apply ${RE[$n]}, down ${DN[$n]}"
	# a re-apply asks each namespace its links, addresses and routes, and
	# one namespace id per veth pair (the peer's side is known from it):
	# not its forwarding, which no namespace of it sets (a VIP's needs
	# none)
	[ "${RE[$n]}" -le $((4 * (n + 1) + 10)) ] ||
		hn_fail "re-apply (N=$n): ${RE[$n]} requests, more than 4 a namespace"
done
# per namespace, N=100 against N=20: at most 1.5x, and 20 requests of slack
for what in AP RE DN; do
	declare -n v=$what
	python3 - "$what" "${v[20]}" "${v[100]}" <<'PY' || hn_fail "$what: requests grow faster than the namespaces"
import sys
what, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ok = b <= 5 * a * 1.5 + 20
print(f"{what}: N=20 {a}, N=100 {b}: x{b / max(a, 1):.2f} for x5 namespaces: {'ok' if ok else 'too much'}")
sys.exit(0 if ok else 1)
PY
done
exit 0
