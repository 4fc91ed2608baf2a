#!/bin/bash
# Golden plans: `hanet apply --dry-run` (and --json) of the fixtures in
# golden/ against a fresh namespace with two uplinks (eth1, eth2, veths),
# compared with golden/NAME.plan and NAME.json.  NAME.next.ini is planned
# after NAME.ini was applied (NAME.next.plan).  HN_GOLDEN_UPDATE=1
# rewrites the expected files.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
G=$(cd "$(dirname "$0")" && pwd)/golden
fail=0

ip link add eth1 type veth peer name eth1-peer
ip link add eth2 type veth peer name eth2-peer

# compare NAME EXT CMD...: the output of CMD with golden/NAME.EXT
compare() {
	local name=$1 ext=$2 out
	shift 2
	out=$("$@" 2>&1) || { echo "$out"; echo "FAIL: $name.$ext: exit $?"; fail=1; return; }
	if [ -n "${HN_GOLDEN_UPDATE:-}" ]; then
		printf '%s\n' "$out" >"$G/$name.$ext"
		return
	fi
	if ! diff -u "$G/$name.$ext" <(printf '%s\n' "$out"); then
		echo "FAIL: $name.$ext differs"
		fail=1
	fi
}

for f in "$G"/*.ini; do
	name=$(basename "$f" .ini)
	case $name in *.next) continue ;; esac
	compare "$name" plan "$HANET" apply --dry-run "$f"
	compare "$name" json "$HANET" apply --dry-run --json "$f"
	if [ -e "$G/$name.next.ini" ]; then
		"$HANET" apply "$f" >/dev/null || { echo "FAIL: apply $name"; fail=1; continue; }
		compare "$name.next" plan "$HANET" apply --dry-run "$G/$name.next.ini"
		compare "$name.next" json "$HANET" apply --dry-run --json "$G/$name.next.ini"
		"$HANET" down "$f" >/dev/null
	fi
	# stable: the same plan twice
	a=$("$HANET" apply --dry-run "$f"); b=$("$HANET" apply --dry-run "$f")
	[ "$a" = "$b" ] || { echo "FAIL: $name: two dry runs differ"; fail=1; }
done
exit $fail
