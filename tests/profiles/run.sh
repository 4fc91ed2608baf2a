#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Profile fixtures:
# - every tests/profiles/bad/NAME.ini makes `hanet validate NAME.ini`
#   (run in that directory) exit non-zero with stderr exactly NAME.expected;
# - every tests/profiles/lint/NAME.ini validates with exactly the
#   warnings of NAME.expected (exit 0), and fails under --strict (exit 1);
# - every tests/profiles/good/*.ini and every example in profiles/ validates
#   (exit 0) without a warning, also under --strict; but for an example
#   that shows a warning on purpose (a lab of the lint's case), whose
#   fixture in tests/profiles/lint is a link to it.
# Prints PASS/FAIL per file; exits non-zero when any failed.
# HANET=path selects the binary (default: ./hanet of the tree).
set -u
cd "$(dirname "$0")/../.."
root=$PWD
HANET=${HANET:-$root/hanet}
case $HANET in /*) ;; *) HANET=$root/$HANET ;; esac
[ -x "$HANET" ] || { echo "FAIL profiles: $HANET not built (make)"; exit 1; }

failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in tests/profiles/bad/*.ini; do
	name=$(basename "$f" .ini)
	exp=tests/profiles/bad/$name.expected
	if [ ! -f "$exp" ]; then
		echo "FAIL bad/$name: no $name.expected"
		failed=1
		continue
	fi
	(cd tests/profiles/bad && "$HANET" validate "$name.ini" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "FAIL bad/$name: exit 0, expected an error"
		failed=1
	elif ! cmp -s "$tmp/err" "$exp"; then
		echo "FAIL bad/$name: stderr differs (exit $rc)"
		diff -u "$exp" "$tmp/err" | sed 's/^/    /'
		failed=1
	else
		echo "PASS bad/$name"
	fi
done

for f in tests/profiles/lint/*.ini; do
	name=$(basename "$f" .ini)
	exp=tests/profiles/lint/$name.expected
	(cd tests/profiles/lint && "$HANET" validate "$name.ini" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	(cd tests/profiles/lint && "$HANET" validate --strict "$name.ini" >/dev/null 2>&1)
	src=$?
	if [ $rc -ne 0 ] || [ $src -ne 1 ]; then
		echo "FAIL lint/$name: exit $rc (expected 0), under --strict $src (expected 1)"
		failed=1
	elif ! cmp -s "$tmp/err" "$exp"; then
		echo "FAIL lint/$name: warnings differ"
		diff -u "$exp" "$tmp/err" | sed 's/^/    /'
		failed=1
	else
		echo "PASS lint/$name"
	fi
done

for f in tests/profiles/good/*.ini profiles/*.ini profiles/lab/*.ini; do
	[ -e "$f" ] || continue
	for l in tests/profiles/lint/*.ini; do
		[ -L "$l" ] && [ "$(readlink -f "$l")" = "$(readlink -f "$f")" ] && continue 2
	done
	if "$HANET" validate --strict "$f" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
		echo "PASS ${f#tests/profiles/}"
	else
		echo "FAIL ${f#tests/profiles/}: exit $?"
		sed 's/^/    /' "$tmp/err"
		failed=1
	fi
done
# Hostile files: refused at once (no blocking on a FIFO, nothing read of
# a file too big), naming the file; a file of garbage lines stops after
# 1000 errors (bounded time and memory).
hostile() {     # hostile NAME FILE MESSAGE
	local rc=0
	timeout 10 "$HANET" validate "$2" >/dev/null 2>"$tmp/err" || rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$3" "$tmp/err"; then
		echo "PASS hostile/$1"
	else
		echo "FAIL hostile/$1: exit $rc (124: it hung)"
		sed 's/^/    /' "$tmp/err" | tail -3
		failed=1
	fi
}
mkfifo "$tmp/fifo.ini"
mkdir "$tmp/dir.ini"
truncate -s 100M "$tmp/sparse.ini"
awk 'BEGIN { for (i = 0; i < 200000; i++) print "garbage " i }' >"$tmp/garbage.ini"
hostile fifo "$tmp/fifo.ini" "$tmp/fifo.ini: cannot read: not a regular file (a FIFO)"
hostile dev-zero /dev/zero "/dev/zero: cannot read: not a regular file (a character device)"
hostile directory "$tmp/dir.ini" "$tmp/dir.ini: cannot read: not a regular file (a directory)"
hostile sparse "$tmp/sparse.ini" "$tmp/sparse.ini: cannot read: 104857600 bytes, more than a profile may have (64 MiB)"
hostile garbage "$tmp/garbage.ini" "$tmp/garbage.ini:1000: 1000 errors: the rest of the file is not read"
# a continued line of more than 1 MiB
awk 'BEGIN { print "[bridge br0]"; printf "ports = p0"; for (i = 1; i < 120000; i++) printf ", \\\n p%d", i; print "" }' \
	>"$tmp/long.ini"
hostile continued-line "$tmp/long.ini" "$tmp/long.ini:2: [bridge br0] a line longer than 1048576 bytes, its continuation lines included"

# Loading is linear in the number of sections: 200k [route] sections
# validate within 10 s of CPU time (about 1.6 s here; a loader quadratic
# in the sections took 11 s for 20k, and 200k did not finish).
# tools/bench/bench-profile-load.sh measures the growth.
awk 'BEGIN {
	print "[profile]\nname = scale\n\n[netns r]\n\n[veth v0]\nnetns = r\npeer = v1\naddresses = 10.0.0.1/8\n"
	for (i = 0; i < 200000; i++)
		printf "[route r%d]\nnetns = r\nto = 10.%d.%d.%d/32\nvia = 10.0.0.2\ndev = v0\n\n", i,
			int(i / 65536) + 1, int(i / 256) % 256, i % 256
}' >"$tmp/scale.ini"
cpu=$( { TIMEFORMAT='%U %S'; time timeout 60 "$HANET" validate "$tmp/scale.ini" >/dev/null 2>"$tmp/err"; } 2>&1 ) && rc=0 || rc=$?
cpu=$(awk '{ print $(NF - 1) + $NF }' <<<"$cpu")
if [ $rc -eq 0 ] && awk -v c="$cpu" 'BEGIN { exit !(c < 10) }'; then
	echo "PASS scale/200k-sections (${cpu}s CPU)"
else
	echo "FAIL scale/200k-sections: exit $rc (124: over 60 s), ${cpu}s CPU"
	sed 's/^/    /' "$tmp/err" | tail -3
	failed=1
fi
rm -f "$tmp/scale.ini"

# The command line: exit codes over several files, usage errors, --json.
check() {       # check NAME EXPECTED-EXIT COMMAND...
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq "$want" ]; then
		echo "PASS cli/$name"
	else
		echo "FAIL cli/$name: exit $rc, expected $want"
		sed 's/^/    /' "$tmp/err" | head -5
		failed=1
	fi
}
bad=tests/profiles/bad/dup-key.ini
lint=tests/profiles/lint/single-slave.ini
good=profiles/controller-ab.ini
check valid-and-lint 0 "$HANET" validate "$good" "$lint"
check strict-lint 1 "$HANET" validate --strict "$good" "$lint"
check worst-is-invalid 2 "$HANET" validate --strict "$lint" "$bad" "$good"
check missing-file 2 "$HANET" validate tests/profiles/no-such-profile.ini
check no-profile 64 "$HANET" validate
check bad-option 64 "$HANET" validate --frobnicate "$good"
check help 0 "$HANET" validate --help
if command -v python3 >/dev/null; then
	check json 2 "$HANET" validate --json "$good" "$lint" "$bad"
	if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["files"]
assert d["status"] == 2 and len(f) == 3
assert f[0]["valid"] and f[0]["status"] == 0 and f[0]["counts"]["bond"] == 1
assert f[1]["warnings"] == 1 and f[1]["diagnostics"][0]["code"] == "single-slave"
assert not f[2]["valid"] and f[2]["errors"] == 1 and f[2]["diagnostics"][0]["line"] == 6
' "$tmp/out"; then
		echo "PASS cli/json-document"
	else
		echo "FAIL cli/json-document"
		failed=1
	fi
fi
exit $failed
