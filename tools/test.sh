#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Set up what is missing, build with -Werror, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
make -s WERROR=1 -j"$(nproc)" tests
exec tests/run-tests "$@"
