#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A policy rule of the profile removed is added again.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
hw_profile "$P"
hw_start "$P"

ip rule del priority 1000
hw_until 3 sh -c 'ip -4 rule show priority 1000 | grep -q "from 10.0.0.0/24 lookup 100"' || hn_fail "rule not re-added"
hw_wait_log "drift: rule priority 1000 table 100 removed; rule r1: add" || hn_fail "no drift line: $(cat "$W_LOG")"
hw_wait_record 2 event=repair kind=rule object=r1
hw_converged "$P"
hw_stop
