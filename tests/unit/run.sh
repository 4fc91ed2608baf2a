#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every unit test program build/tests/test-* (cmocka, no root) and
# every shell test tests/unit/*.sh (no root; run.sh aside), and print one
# PASS/FAIL line per test; exit non-zero when any failed.
# `make tests` builds them.  Each cmocka program runs under valgrind
# when it is installed (VALGRIND=0: not): an invalid read or a leak is a
# failure.  A read through a pointer into an array that was realloc'd
# away (plan's want_add) returns the old values and passes without it.
set -u
cd "$(dirname "$0")/../.."
. tests/runner.sh

shopt -s nullglob
bins=(build/tests/test-*)
if [ ${#bins[@]} -eq 0 ]; then
	echo "FAIL unit: no build/tests/test-* (run make tests)"
	exit 1
fi
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${bins[@]}"; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if [ "${VALGRIND:-$(command -v valgrind >/dev/null && echo 1)}" = 1 ]; then
		cmd=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$t")
	else
		cmd=("$t")
	fi
	if "${cmd[@]}" >"$log" 2>&1; then
		echo "PASS $name ($(grep -c '^\[       OK \]' "$log") tests)"
	else
		echo "FAIL $name"
		grep -E '^\[  (FAILED|ERROR) \]|^\[  ERROR   \]|error|Error|==[0-9]+==' "$log" | head -n 40 | sed 's/^/    /'
		failed=1
	fi
done
for t in tests/unit/*.sh; do
	name=$(basename "$t" .sh)
	[ "$name" = run ] && continue
	hn_run_test "$name" 120 30 "$t" || failed=1
done
exit $failed
