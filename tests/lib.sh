# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the root tests.  Source it first thing:
#
#   . "$(dirname "$0")/../lib.sh"
#   hn_sandbox "$@"
#
# hn_sandbox re-runs the test in a private mount and network namespace
# (unshare -mn) with tmpfs over /run/netns and /run/hanet: every
# namespace, device, lock and state file the test makes is invisible to
# the host and disappears when the test exits, even on a crash.  The
# "current namespace" of hanet inside is the test's own fresh namespace,
# never the host's.  A trap still deletes what it can on exit.

HN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HANET=${HANET:-$HN_TOP/hanet}
# the test build (make tests): hanet with the test hooks, HANET_FAIL_AT=k
# fails step k of an apply; hanet itself ignores HANET_FAIL_AT
HANET_TEST=${HANET_TEST:-$HN_TOP/build/tests/hanet-test}

hn_sandbox() {
	if [ -z "${HN_IN_SANDBOX:-}" ]; then
		export HN_IN_SANDBOX=1
		exec unshare --mount --net --propagation private -- "$0" "$@"
	fi
	mkdir -p /run/netns /run/hanet
	mount -t tmpfs -o mode=0755 hanet-test /run/netns
	mount -t tmpfs -o mode=0755 hanet-test /run/hanet
	ip link set lo up
	HN_TMP=$(mktemp -d /tmp/hanet-test.XXXXXX)
	trap hn_cleanup EXIT
}

hn_cleanup() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns delete "$ns" 2>/dev/null
	done
	[ -n "${HN_TMP:-}" ] && rm -rf "$HN_TMP"
}

# Assertions: print what failed and exit 1.
hn_fail() { echo "FAIL: $*" >&2; exit 1; }
hn_assert() { "$@" || hn_fail "assertion failed: $*"; }
hn_assert_eq() { [ "$1" = "$2" ] || hn_fail "${3:-values differ}: expected '$2', got '$1'"; }
# Run and expect exit code N: hn_expect_rc N cmd...
hn_expect_rc() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" -eq "$want" ] || hn_fail "expected exit $want, got $rc: $*"
}

# hn_veth_pair NS1 DEV1 NS2 DEV2: two new namespaces joined by a veth
# pair, both ends up, 10.0.0.1/24 and 2001:db8::1/64 on DEV1, 10.0.0.2/24
# and 2001:db8::2/64 on DEV2 (IPv6 without duplicate address detection).
hn_veth_pair() {
	ip netns add "$1"
	ip netns add "$3"
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
	ip -n "$1" addr add 10.0.0.1/24 dev "$2"
	ip -n "$3" addr add 10.0.0.2/24 dev "$4"
	ip -n "$1" addr add 2001:db8::1/64 dev "$2" nodad
	ip -n "$3" addr add 2001:db8::2/64 dev "$4" nodad
}

# hn_listen OUT MAX TIMEOUT_MS NS DEV MAC: tests/tools/pktlisten on DEV
# in namespace NS ("": the test's own), in the background ($LPID), for at
# most MAX frames from MAC or TIMEOUT_MS; its lines go to OUT.  Returns
# once it listens.
hn_listen() {
	local out=$1 max=$2 ms=$3 ns=$4 dev=$5 mac=$6
	local cmd=("$HN_TOP/build/tests/pktlisten" -i "$dev" -m "$mac" -n "$max" -t "$ms")
	: >"$out"
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "${cmd[@]}" >"$out" &
	else
		"${cmd[@]}" >"$out" &
	fi
	LPID=$!
	for _ in $(seq 200); do
		grep -q ready "$out" && return 0
		sleep 0.01
	done
	hn_fail "listener not ready"
}

# The full state of a namespace (links, addresses, routes of every table,
# rules) as stable text, for before/after comparisons.  Volatile fields
# (counters, timers) are left out.
hn_dump() {
	local n=${1:+-n $1}
	{
		ip $n -d -br link show | sort
		ip $n addr show | grep -E '^\s+inet|^[0-9]+:' | sed -E 's/ (valid|preferred)_lft [^ ]+//g'
		ip $n -4 route show table all | sort
		ip $n -6 route show table all | grep -v '^local\|^multicast\|fe80::' | sort
		ip $n -4 rule show; ip $n -6 rule show
	} 2>&1
}
