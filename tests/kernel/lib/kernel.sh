# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the kernel tests (bond, team, vlan).  Source after
# tests/lib.sh and hn_sandbox:
#
#   . "$(dirname "$0")/../lib.sh"
#   . "$(dirname "$0")/lib/kernel.sh"
#   hn_sandbox "$@"

KL_TOOL=${KL_TOOL:-$HN_TOP/build/tests/link-kind}
[ -x "$KL_TOOL" ] || { echo "missing $KL_TOOL: run make tests" >&2; exit 1; }

# Starting a process costs a lot in user-mode Linux: the helpers below
# use shell builtins where they can.

# Print a file with a prefix on each line: kl_prefix PREFIX FILE
kl_prefix() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		printf '%s%s\n' "$1" "$l"
	done <"$2"
}

# Apply a profile: bonds, teams, vlans, macvlans created or changed, slaves
# and ports attached.  Output (one line per step, then "writes N") in
# $HN_TMP/apply.out, and shown.
kl_apply() {
	local rc=0
	"$KL_TOOL" apply "$1" >"$HN_TMP/apply.out" 2>&1 || rc=$?
	kl_prefix "  apply: " "$HN_TMP/apply.out"
	[ $rc -eq 0 ] || hn_fail "apply $1 failed (exit $rc)"
}

# Whether a line of the last apply matches an extended regex.
kl_applied() {
	local l
	while IFS= read -r l; do
		[[ $l =~ $1 ]] && return 0
	done <"$HN_TMP/apply.out"
	return 1
}

# The kernel state matches the profile: nothing to do.
kl_check() {
	local out rc=0
	out=$("$KL_TOOL" check "$1" 2>&1) || rc=$?
	[ $rc -eq 0 ] || hn_fail "check $1: differs: $out"
}

# A second apply does nothing: no step, no write request.
kl_apply_noop() {
	local out=
	kl_check "$1"
	kl_apply "$1"
	IFS= read -r -d '' out <"$HN_TMP/apply.out"
	hn_assert_eq "$out" "writes 0"$'\n' "second apply of $1"
}

# veth pairs NAME <-> NAME-p, the -p ends up, in one ip run:
#   kl_veths NAME...
# With KL_PEER_NS=NS the -p ends go to namespace NS.
kl_veths() {
	local v cmds=
	for v in "$@"; do
		cmds+="link add $v type veth peer name $v-p${KL_PEER_NS:+ netns $KL_PEER_NS}
"
	done
	ip -batch - <<<"$cmds" || hn_fail "veths $*"
	cmds=
	for v in "$@"; do
		cmds+="link set $v-p up
"
	done
	ip ${KL_PEER_NS:+-n $KL_PEER_NS} -batch - <<<"$cmds" || hn_fail "veth peers $* up"
}

# Values as the backends observe them (link-kind show), lines
# "DEV KEY VALUE" on stdin, all in one run.
kl_expect_show() {
	"$KL_TOOL" expect || hn_fail "observed values differ"
}

# Values of `ip -d -j link show`, all checked in one jq run (starting
# processes is slow in user-mode Linux).  Lines on stdin:
#   DEV KEY EXPECTED        info_data[KEY] (lists joined by ",", null as "none")
#   DEV .FIELD EXPECTED     a top-level field (master, operstate, link, ...)
#   DEV @slave.KEY EXPECTED info_slave_data[KEY]
# "-" as EXPECTED means absent.
kl_expect_ip() {
	local out
	ip -d -j link show >"$HN_TMP/links.json" || hn_fail "ip -d -j link show"
	out=$(jq -rRn --slurpfile L "$HN_TMP/links.json" '
		def text: if . == null then "none" elif type == "array" then map(tostring) | join(",")
		          else tostring end;
		def get($o; $k): if ($o | type) == "object" and ($o | has($k)) then $o[$k] | text else "-" end;
		($L[0] | map({ key: .ifname, value: . }) | from_entries) as $by
		| inputs
		| select(test("\\S"))
		| capture("^\\s*(?<dev>\\S+)\\s+(?<key>\\S+)\\s*(?<want>.*?)\\s*$")
		| $by[.dev] as $d
		| (if $d == null then "-"
		   elif (.key | startswith(".")) then get($d; .key[1:])
		   elif (.key | startswith("@slave.")) then get($d.linkinfo.info_slave_data; .key[7:])
		   else get($d.linkinfo.info_data; .key) end) as $got
		| select($got != .want)
		| "ip -d -j link: \(.dev) \(.key): expected \u0027\(.want)\u0027, got \u0027\($got)\u0027"') ||
		hn_fail "jq failed"
	[ -z "$out" ] || { echo "$out" >&2; hn_fail "ip -d -j link differs"; }
}

# Wait (at most 5 s) until every DEV is operationally up: the kernel
# updates operstate from carrier a moment after the change (linkwatch).
kl_wait_up() {
	local i devs
	devs=$(printf '"%s",' "$@")
	for ((i = 0; i < 50; i++)); do
		ip -j link show | jq -e "[.[] | select(.ifname | IN(${devs%,})) | select(.operstate == \"UP\")]
			| length == $#" >/dev/null && return 0
		sleep 0.1
	done
	ip -br link show >&2
	hn_fail "not up after 5s: $*"
}

# One field of a link (a top-level field of ip -j link): kl_ipfield DEV FIELD
kl_ipfield() {
	ip -d -j link show "$1" | jq -r ".[0].$2"
}

# A line of /proc/net/bonding/BOND, without forking: kl_bonding BOND "Currently Active Slave"
kl_bonding() {
	local l
	while IFS= read -r l; do
		if [ "${l%%: *}" = "$2" ]; then
			echo "${l#*: }"
			return
		fi
	done <"/proc/net/bonding/$1"
}

# Slave interfaces listed in /proc/net/bonding/BOND, space separated, in order.
kl_bonding_slaves() {
	local l s=
	while IFS= read -r l; do
		[ "${l#Slave Interface: }" != "$l" ] && s="$s${s:+ }${l#Slave Interface: }"
	done <"/proc/net/bonding/$1"
	echo "$s"
}

# ---- through hanet itself -------------------------------------------------

# hanet apply, output in $HN_TMP/hanet.out (shown): hk_apply PROFILE [ARGS...]
hk_apply() {
	local p=$1 rc=0
	shift
	"$HANET" apply "$@" "$p" >"$HN_TMP/hanet.out" 2>&1 || rc=$?
	kl_prefix "  hanet apply: " "$HN_TMP/hanet.out"
	[ $rc -eq 0 ] || hn_fail "hanet apply $p failed (exit $rc)"
}

# Whether a line of the last hanet apply matches an extended regex.
hk_applied() {
	local l
	while IFS= read -r l; do
		[[ $l =~ $1 ]] && return 0
	done <"$HN_TMP/hanet.out"
	return 1
}

# The kernel matches the profile, and applying it again does nothing.
hk_noop() {
	local out rc=0
	out=$("$HANET" check "$1" 2>&1) || rc=$?
	[ $rc -eq 0 ] || hn_fail "hanet check $1 (exit $rc): $out"
	hk_apply "$1"
	hk_applied ': nothing to do$' || hn_fail "second apply of $1 did something"
}

# What rollback must restore, as text: links (name, admin state, master,
# MAC, kind details), bond options, addresses.  Carrier and operstate
# follow the links below with a delay and are left out.  IPv6 link-local addresses
# follow the MACs and are left out; so is a bond's active slave, which
# the kernel picks (among slaves with a link, the primary first) and
# changes on any failure: it is state, not configuration.
hk_state() {
	ip -d -j link show | jq -r 'sort_by(.ifname)[]
		| [.ifname, (if (.flags | index(["UP"])) then "up" else "down" end), "master=" + (.master // ""),
		   .address, (.link // ""),
		   (.linkinfo.info_kind // ""), ((.linkinfo.info_data // {}) | del(.active_slave) | tojson)]
		| join(" ")'
	ip -o addr show | awk '$4 !~ /^fe80:/ {print $2, $3, $4}' | sort
}

# hk_fail_each_step LABEL PROFILE STATE REF MIN: apply PROFILE with a
# failure injected at each of its steps in turn (the test build,
# HANET_FAIL_AT=k); every time: exit status 3, no undo step that failed,
# and the output of the command STATE equal to the file REF.  The plan
# must have MIN steps or more.
hk_fail_each_step() {
	local label=$1 prof=$2 state=$3 ref=$4 min=$5 steps
	steps=$(hn_plan_steps "$prof")
	[ "$steps" -ge "$min" ] || hn_fail "$label: expected a plan of $min steps or more, got $steps"
	hn_fail_steps "$label" apply "$prof" 1 "$steps" "$state" "$ref"
	echo "$label: a failure at each of the $steps steps left the state as it was"
}
