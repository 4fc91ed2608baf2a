# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the kernel tests (bond, team, vlan).  Source after
# tests/lib.sh and hn_sandbox:
#
#   . "$(dirname "$0")/../lib.sh"
#   . "$(dirname "$0")/lib/kernel.sh"
#   hn_sandbox "$@"

KL_TOOL=${KL_TOOL:-$HN_TOP/build/tests/link-kind}
[ -x "$KL_TOOL" ] || { echo "missing $KL_TOOL: run make tests" >&2; exit 1; }

# Apply a profile: bonds, teams, vlans, macvlans created or changed, slaves
# and ports attached.  Output (one line per step, then "writes N") in
# $HN_TMP/apply.out, and shown.
kl_apply() {
	"$KL_TOOL" apply "$1" >"$HN_TMP/apply.out" 2>&1
	local rc=$?
	sed 's/^/  apply: /' "$HN_TMP/apply.out"
	[ $rc -eq 0 ] || hn_fail "apply $1 failed (exit $rc)"
}

# The lines of the last apply that match a pattern.
kl_applied() { grep -E "$1" "$HN_TMP/apply.out"; }

# The kernel state matches the profile: nothing to do.
kl_check() {
	local out rc=0
	out=$("$KL_TOOL" check "$1" 2>&1) || rc=$?
	[ $rc -eq 0 ] || hn_fail "check $1: differs: $out"
}

# A second apply does nothing: no step, no write request.
kl_apply_noop() {
	kl_check "$1"
	kl_apply "$1"
	hn_assert_eq "$(cat "$HN_TMP/apply.out")" "writes 0" "second apply of $1"
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

# Values of ip -d -j link (lib/ipjson.py), lines "DEV KEY EXPECTED" on stdin.
kl_expect_ip() {
	python3 "$HN_TOP/tests/kernel/lib/ipjson.py" || hn_fail "ip -d -j link differs"
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
	sed 's/^/  hanet apply: /' "$HN_TMP/hanet.out"
	[ $rc -eq 0 ] || hn_fail "hanet apply $p failed (exit $rc)"
}

# The kernel matches the profile, and applying it again does nothing.
hk_noop() {
	local out rc=0
	out=$("$HANET" check "$1" 2>&1) || rc=$?
	[ $rc -eq 0 ] || hn_fail "hanet check $1 (exit $rc): $out"
	hk_apply "$1"
	grep -q ': nothing to do$' "$HN_TMP/hanet.out" || hn_fail "second apply of $1 did something"
}

# Lines of the last hanet apply output matching a pattern.
hk_applied() { grep -E "$1" "$HN_TMP/hanet.out"; }

# What rollback must restore, as text: links (name, state, master, MAC,
# kind details), bond options, addresses.  IPv6 link-local addresses
# follow the MACs and are left out; so is a bond's active slave, which
# the kernel picks (among slaves with a link, the primary first) and
# changes on any failure: it is state, not configuration.
hk_state() {
	ip -d -j link show | python3 -c '
import json, sys
for l in sorted(json.load(sys.stdin), key=lambda x: x["ifname"]):
    li = l.get("linkinfo", {})
    d = dict(li.get("info_data", {}))
    d.pop("active_slave", None)
    print(l["ifname"], l.get("operstate"), ",".join(l.get("flags", [])), "master=" + l.get("master", ""),
          l.get("address"), l.get("link", ""), li.get("info_kind", ""), json.dumps(d, sort_keys=True))'
	ip -o addr show | awk '$4 !~ /^fe80:/ {print $2, $3, $4}' | sort
}
