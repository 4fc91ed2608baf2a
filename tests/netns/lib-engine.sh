# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the engine's root tests (after tests/lib.sh and hn_sandbox).

# jget EXPR: evaluate a Python expression over the JSON on stdin (as d).
jget() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
try:
    v = eval(sys.argv[1])
except (KeyError, IndexError, TypeError):
    v = None
print(v)' "$1"
}

# link_json [NS] DEV: `ip -d -j link show` of one device (first object).
link_json() {
	local ns=""
	if [ $# -eq 2 ]; then ns="-n $1"; shift; fi
	ip $ns -d -j link show dev "$1" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]))'
}

# lget [NS] DEV EXPR: a field of a device's `ip -d -j link` object.
lget() {
	local expr=${*: -1}
	link_json "${@:1:$#-1}" | jget "$expr"
}

# has_link [NS] DEV
has_link() {
	local ns=""
	if [ $# -eq 2 ]; then ns="-n $1"; shift; fi
	ip $ns link show dev "$1" >/dev/null 2>&1
}

# addrs [NS] DEV: "ADDR/PLEN" lines of a device
addrs() {
	local ns=""
	if [ $# -eq 2 ]; then ns="-n $1"; shift; fi
	ip $ns -j addr show dev "$1" | jget '"\n".join(a["local"] + "/" + str(a["prefixlen"]) for a in d[0]["addr_info"] if not a["local"].startswith("fe80:"))'
}

# apply_ok FILE: apply must succeed
apply_ok() { "$HANET" apply "$@" >"$HN_TMP/apply.out" 2>&1 || { cat "$HN_TMP/apply.out"; hn_fail "apply $* failed"; }; }

# writes FILE: netlink write requests of an apply (from its debug log)
apply_writes() {
	"$HANET" -v apply "$@" 2>&1 | sed -n 's/.* \([0-9][0-9]*\) netlink write requests/\1/p'
}

# the plan of a dry run, without the step numbers
plan_of() { "$HANET" apply --dry-run "$@" | sed -E 's/^ *[0-9]+  //'; }

# aget [NS] DEV ADDR EXPR: a field of one address of a device (a = the addr_info object)
aget() {
	local ns=""
	if [ $# -eq 4 ]; then ns="-n $1"; shift; fi
	ip $ns -j addr show dev "$1" | python3 -c 'import json, sys
d = json.load(sys.stdin)
a = [x for x in d[0]["addr_info"] if x["local"] == sys.argv[1]]
a = a[0] if a else None
try:
    print(eval(sys.argv[2]))
except (KeyError, TypeError):
    print(None)' "$2" "$3"
}

# settle [NS...]: wait (up to 5s) until no IPv6 address is tentative (DAD
# done), so that two dumps taken a moment apart compare equal
settle() {
	local i ns
	for i in $(seq 100); do
		if ! { ip -6 addr; for ns in "$@"; do ip -n "$ns" -6 addr; done; } | grep -q tentative; then
			return 0
		fi
		sleep 0.05
	done
}

# fail_each_step LABEL PROFILE PREV [K...]: apply PROFILE (over PREV,
# applied) with a failure injected at each of its steps in turn (the
# test build, HANET_FAIL_AT=k): every time exit status 3, no undo step
# that failed, and hn_dump_json_all equal to the dump before.  Then the
# same from the journal on disk: `apply --confirm` killed (SIGKILL,
# HANET_KILL_AT) at each step K ("last": the last step), and the next
# command (check PREV) rolls the change back to the same dump.
fail_each_step() {
	local label=$1 prof=$2 prev=$3 n k
	shift 3
	hn_dump_json_all >"$HN_TMP/before"
	n=$(hn_plan_steps "$prof")
	[ "$n" -gt 0 ] || hn_fail "$label: an empty plan"
	hn_fail_steps "$label" apply "$prof" 1 "$n" hn_dump_json_all "$HN_TMP/before"
	echo "$label: a failure at each of the $n steps left every namespace as it was"
	for k in "$@"; do
		[ "$k" = last ] && k=$n
		hn_expect_rc 137 env HANET_KILL_AT=$k "$HANET_TEST" apply --confirm 30s "$prof" >/dev/null 2>&1
		"$HANET" check "$prev" >/dev/null 2>"$HN_TMP/err" || true
		grep -q "was not confirmed and .*: rolled back" "$HN_TMP/err" ||
			hn_fail "$label: killed at step $k: check did not roll back: $(cat "$HN_TMP/err")"
		hn_dump_json_all >"$HN_TMP/after"
		diff -u "$HN_TMP/before" "$HN_TMP/after" >&2 ||
			hn_fail "$label: apply --confirm killed at step $k: not rolled back as it was"
	done
}
