#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The layering of src/ holds (doc/HACKING.md): no folder includes a
# header of a folder above it; and the check itself finds one that does.
set -eu
cd "$(dirname "$0")/../.."
out=$(tools/check-layers) || { echo "$out"; echo "FAIL: an include goes up a layer"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/src/base" "$t/src/engine"
printf '#include "util.h"\n' >"$t/src/engine/plan.c"
printf '#include "plan.h"\n' >"$t/src/base/util.c"
out=$(tools/check-layers "$t") && { echo "FAIL: base including plan.h was not found"; exit 1; }
grep -q 'src/base/util.c:1: base uses plan.h of engine, a layer above it' <<<"$out" ||
	{ echo "$out"; echo "FAIL: unexpected message"; exit 1; }
