#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The unit suite: every cmocka test (tests/unit/test-*.c, built as
# build/tests/test-*) and every shell test here (tests/unit/*.sh but this
# one), no root needed.  Prints PASS/FAIL per test; exits 1 when any failed.
# VALGRIND=1 runs each cmocka program under valgrind (leaks are failures).
set -u
cd "$(dirname "$0")/../.."
fail=0
for src in tests/unit/test-*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	bin=build/tests/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: not built (make tests)"
		fail=1
		continue
	fi
	if [ "${VALGRIND:-0}" = 1 ]; then
		cmd=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$bin")
	else
		cmd=("$bin")
	fi
	if out=$(timeout 120 "${cmd[@]}" 2>&1); then
		echo "PASS $name"
	else
		echo "FAIL $name"
		echo "$out" | grep -v '^\[ RUN\|^\[       OK' | sed 's/^/    /' | tail -n 30
		fail=1
	fi
done
for t in tests/unit/*.sh; do
	[ "$(basename "$t")" = run.sh ] && continue
	name=$(basename "$t" .sh)
	if out=$(timeout 120 "$t" 2>&1); then
		echo "PASS $name"
	else
		echo "FAIL $name"
		echo "$out" | sed 's/^/    /' | tail -n 30
		fail=1
	fi
done
exit $fail
