#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: set up what is missing, build, and run the lab demo.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
make -s -j"$(nproc)" hanet
for p in profiles/*.ini profiles/lab/*.ini; do
	[ -e "$p" ] || continue
	./hanet validate "$p"
done
