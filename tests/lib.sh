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
#
#   HN_PIDNS=1 hn_sandbox "$@"
#
# also gives the test a PID namespace of its own, with its own /proc (the
# test is its process 1): pgrep, pidof and /proc then see only the
# processes the test started and theirs, never another run's on the
# machine, and none of them outlives the test (when process 1 ends, the
# kernel kills the rest; when the test is killed, so is process 1).

HN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HANET=${HANET:-$HN_TOP/hanet}
# the test build (make tests): hanet with the test hooks, HANET_FAIL_AT=k
# fails step k of an apply; hanet itself ignores HANET_FAIL_AT
HANET_TEST=${HANET_TEST:-$HN_TOP/build/tests/hanet-test}

hn_sandbox() {
	if [ -z "${HN_IN_SANDBOX:-}" ]; then
		export HN_IN_SANDBOX=1
		exec unshare --mount --net ${HN_PIDNS:+--pid --kill-child --mount-proc} --propagation private -- "$0" "$@"
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
		# (a process that ended meanwhile makes xargs exit 123: under
		# set -e that would be the test's exit status)
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || :
		ip netns delete "$ns" 2>/dev/null || :
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

# The state of every namespace as `ip -d -j` shows it (links, addresses,
# routes of every table and both families, rules), normalised so that two
# dumps of the same configuration compare equal: hn_dump_json_all.
# What is left out, and why:
#  - link counters and timers (carrier_changes/_up/_down counts; bridge
#    and bridge port timers): they count and tick on their own;
#  - operstate and the LOWER_UP, NO-CARRIER, M-DOWN flags: the kernel
#    updates them from the carrier a moment later (linkwatch), and a
#    carrier that came back is the same configuration; the admin flag UP
#    is kept;
#  - qdisc: a device that was up once keeps its default qdisc;
#  - bond slave mii_status, link_failure_count, and the bond's
#    active_slave: the slaves' carrier as the bond last probed it, and
#    the slave the kernel picked as active (among those with a link:
#    after a slave is released and enslaved again, another one); so
#    also a bond slave's promiscuity and allmulti counts, which the
#    bond hands to its active slave;
#  - bridge port state: learning/forwarding follows the carrier;
#  - the "linkdown" route flag: a route through a device without carrier;
#  - IPv6 link-local addresses (fe80::/64, scope link) and their routes:
#    the kernel derives them from the MAC address a link has when it
#    comes up, and does not derive them again when the MAC changes: a
#    bond that a rollback brings up before it gives the bond its MAC
#    back (that comes with its slaves, later) keeps one derived from the
#    MAC it had for a moment;
#  - link indexes: a vlan or macvlan that a rollback puts back in
#    another namespace than its lower device's gets another index when
#    its own is taken in the lower's namespace (Linux before 6.5 makes
#    it there first); the lower device's index (link_index) is kept;
#  - address lifetimes (what is left of a finite one; "forever" is
#    kept as such), and the "tentative" address flag (DAD is off in the
#    tests, it shows only for an instant).
# Lists are sorted: the order of a dump is the order of creation.
hn_dump_json() {
	local n=${1:+-n $1}
	# three ip runs a namespace, one jq run in all (processes are slow
	# in user-mode Linux)
	printf '"%s"\n' "${1:-(current)}"
	printf 'link show\naddr show\n' | ip $n -d -j -batch -
	printf 'route show table all\nrule show\n' | ip $n -4 -d -j -batch -
	printf 'route show table all\nrule show\n' | ip $n -6 -d -j -batch -
}

# hn_plan_steps PROFILE [CMD]: how many steps `CMD --dry-run` (default
# apply) plans
hn_plan_steps() { "$HANET" "${2:-apply}" --dry-run "$1" | grep -cE '^ *[0-9]+  '; }

# hn_fail_steps LABEL CMD PROFILE FROM TO STATE REF: `hanet CMD PROFILE`
# with a failure injected at each of its steps FROM to TO in turn (the
# test build, HANET_FAIL_AT=k); every time exit status 3, the step named
# in the error, no undo step that failed, and the output of the command
# STATE equal to the file REF.
hn_fail_steps() {
	local label=$1 cmd=$2 prof=$3 from=$4 to=$5 state=$6 ref=$7 k rc
	for ((k = from; k <= to; k++)); do
		rc=0
		HANET_FAIL_AT=$k "$HANET_TEST" "$cmd" "$prof" >"$HN_TMP/out" 2>&1 || rc=$?
		[ $rc -eq 3 ] || { cat "$HN_TMP/out"; hn_fail "$label: a failure at step $k: exit $rc, expected 3"; }
		grep -q "step $k (.*failure injected" "$HN_TMP/out" || { cat "$HN_TMP/out"; hn_fail "$label: step $k: no message"; }
		grep -q 'failed too\|could not undo' "$HN_TMP/out" && { cat "$HN_TMP/out"; hn_fail "$label: step $k: an undo step failed"; }
		"$state" >"$HN_TMP/fail-steps.state"
		diff -u "$ref" "$HN_TMP/fail-steps.state" >&2 ||
			{ cat "$HN_TMP/out"; hn_fail "$label: a failure at step $k of $to did not leave the state as it was"; }
	done
}

# hn_dump_json of the current namespace and of every named one, as one
# JSON document.
hn_dump_json_all() {
	local ns i
	# an IPv6 address gets its local route once DAD is done (at once
	# when it is off, but from a work queue): wait for that, 5 s at most
	for ((i = 0; i < 50; i++)); do
		[ -z "$(ip -6 -o addr show tentative; for ns in /run/netns/*; do
			[ -e "$ns" ] && ip -n "${ns##*/}" -6 -o addr show tentative; done)" ] && break
		sleep 0.1
	done
	{
		hn_dump_json
		for ns in /run/netns/*; do
			[ -e "$ns" ] && hn_dump_json "${ns##*/}"
		done
	} | jq -S -s '
		def clean: del(.. | objects | (.stats, .stats64, .carrier_changes, .carrier_up_count, .ifindex,
		                                .carrier_down_count, .operstate, .qdisc, .mii_status,
		                                .link_failure_count, .active_slave, .state,
		                                .hello_timer, .tcn_timer, .topology_change_timer, .gc_timer,
		                                .message_age_timer, .forward_delay_timer, .hold_timer,
		                                .tentative, .expires))
		  | (.. | objects | select(has("flags") and (.flags | type) == "array") | .flags)
		      |= map(select(. != "LOWER_UP" and . != "NO-CARRIER" and . != "M-DOWN" and . != "linkdown"))
		  | (.. | objects | select(has("valid_life_time") and .valid_life_time != 4294967295))
		      |= (.valid_life_time = "finite" | .preferred_life_time = "finite");
		def ns: { links: (.[1] | map(clean | if .linkinfo.info_slave_kind == "bond" then del(.promiscuity, .allmulti)
		                                      else . end) | sort_by(.ifname)),
		          addrs: (.[2] | map({ifname, addr_info: (.addr_info | map(select(.family != "inet6" or .scope != "link")
		                                                                   | clean) | sort_by(.local))})
		                  | sort_by(.ifname)),
		          routes4: (.[3] | map(clean) | sort),
		          routes6: (.[5] | map(select((.dst // "") | startswith("fe80:") | not) | clean) | sort),
		          rules4: .[4], rules6: .[6] };
		[range(0; length; 7) as $i | .[$i:$i + 7] | { key: .[0], value: ns }] | from_entries'
}

# Processes by pid, never by name (other people's processes may match a
# name).  A start time tells a process from a later one that took its pid.
# hn_descendants PID: PID's children, theirs, and so on, one pass over
# /proc ("pid start" a line, for hn_pid_alive).
hn_descendants() {
	local f s a p
	local -A kids=()
	local -a todo=("$1")
	for f in /proc/[0-9]*/stat; do
		{ read -r s <"$f"; } 2>/dev/null || continue
		read -r -a a <<<"${s##*) }"
		f=${f#/proc/}
		kids[${a[1]}]+=" ${f%/stat}:${a[19]}"
	done
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		for s in ${kids[$p]:-}; do
			echo "${s%:*} ${s#*:}"
			todo+=("${s%:*}")
		done
	done
}
# hn_pid_alive PID START: true while that very process runs (a zombie
# does not count).
hn_pid_alive() {
	local s a
	{ read -r s </proc/"$1"/stat; } 2>/dev/null || return 1
	read -r -a a <<<"${s##*) }"
	[ "${a[0]}" != Z ] && [ "${a[0]}" != X ] && [ "${a[19]}" = "$2" ]
}

# hn_reaped LEFT PIDFILE CMD...: run CMD as the child of a subreaper,
# its pid written to PIDFILE; SIGTERM and SIGINT go on to it.  Every
# process CMD leaves behind becomes the subreaper's child when its parent
# dies: those still running 2 s after CMD ended are written to LEFT
# ("pid command", one a line), then killed by their pid.  Exit status:
# CMD's (128 + the signal that ended it).
hn_reaped() {
	python3 - "$@" <<'PY'
import ctypes, os, signal, subprocess, sys, time
left, pidfile, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER): %s" % os.strerror(ctypes.get_errno()))
p = subprocess.Popen(cmd)
with open(pidfile, "w") as f:
    f.write("%d\n" % p.pid)
for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, lambda s, _: p.send_signal(s))
rc = p.wait()
def children():
    while True:  # reap whatever has ended
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            return []
    out = []
    for d in os.listdir("/proc"):
        try:
            st = open("/proc/%s/stat" % d).read()
        except (OSError, ValueError):
            continue
        f = st[st.rindex(")") + 2:].split()
        if d.isdigit() and int(f[1]) == os.getpid() and f[0] not in "ZX":
            out.append((int(d), st[st.index("(") + 1:st.rindex(")")]))
    return out
until = time.monotonic() + 2
while children() and time.monotonic() < until:
    time.sleep(0.02)
found = children()
with open(left, "w") as f:
    for pid, comm in found:
        f.write("%d %s\n" % (pid, comm))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
for pid, _ in found:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
sys.exit(rc if rc >= 0 else 128 - rc)
PY
}
