# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The loop of the tests/SUITE/run.sh runners.  Source it:
#
#   . "$(dirname "$0")/../runner.sh"
#
# Each test runs as its own process with its output in a temporary log,
# bounded in time, and gets one line:
#   PASS NAME (1.2s)            then the log's "# " lines (measurements)
#   SKIP NAME: WHY              it exited 0 after printing "SKIP: WHY"
#   FAIL NAME (exit N, 1.2s)    then the end of its log, indented

# hn_run_test NAME TIMEOUT TAIL CMD...: run one test, CMD, for at most
# TIMEOUT seconds (then SIGTERM, SIGKILL 5 s later); on failure show the
# last TAIL lines of its log.  Returns 1 when it failed.
hn_run_test() {
	local name=$1 limit=$2 tail=$3 log took rc=0 start=$EPOCHREALTIME
	shift 3
	log=$(mktemp "/tmp/hanet-test-$name.XXXXXX")
	timeout -k 5 "$limit" "$@" >"$log" 2>&1 || rc=$?
	took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [ $rc -ne 0 ]; then
		echo "FAIL $name (exit $rc, ${took}s)"
		sed 's/^/    /' "$log" | tail -n "$tail"
	elif grep -q '^SKIP' "$log"; then
		echo "SKIP $name: $(sed -n 's/^SKIP: //p' "$log" | head -n 1)"
	else
		echo "PASS $name (${took}s)"
		grep '^# ' "$log"
	fi
	rm -f "$log"
	[ $rc -eq 0 ]
}

# hn_run_tests TIMEOUT TAIL [EXCLUDE...]: hn_run_test, with bash, for
# every NAME.sh of the current directory, or for those TESTS="a b" names;
# run.sh and the names matching an EXCLUDE pattern (lib, lab-*) are not
# tests.  Returns 1 when any failed.
hn_run_tests() {
	local limit=$1 tail=$2 fail=0 t name x
	shift 2
	for t in ${TESTS:-*.sh}; do
		name=${t%.sh}
		for x in run "$@"; do
			# shellcheck disable=SC2053 # $x is a pattern
			[[ $name == $x ]] && continue 2
		done
		if [ ! -f "$name.sh" ]; then
			echo "FAIL $name (no such test)"
			fail=1
			continue
		fi
		hn_run_test "$name" "$limit" "$tail" bash "./$name.sh" || fail=1
	done
	return $fail
}
