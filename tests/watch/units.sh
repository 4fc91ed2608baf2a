#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install` puts the systemd units in place with hanet's path in
# them; systemd-analyze (when there is one) finds nothing wrong in them.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

D=$HN_TMP/dest
make -s -C "$HN_TOP" install DESTDIR="$D" PREFIX=/usr >/dev/null
U=$D/usr/lib/systemd/system
for u in hanet-apply@.service hanet-watch@.service; do
	[ -f "$U/$u" ] || hn_fail "$u not installed"
	grep -q '@SBINDIR@' "$U/$u" && hn_fail "$u: @SBINDIR@ left"
done
grep -qx 'ExecStart=/usr/sbin/hanet apply --wait 30s --lock-wait 30s /etc/hanet/%i.ini' "$U/hanet-apply@.service" ||
	hn_fail "apply unit: ExecStart"
grep -qx 'Type=oneshot' "$U/hanet-apply@.service" || hn_fail "apply unit: not oneshot"
grep -q '^Before=network-online.target' "$U/hanet-apply@.service" || hn_fail "apply unit: not before network-online"
grep -qx 'Wants=network-pre.target' "$U/hanet-apply@.service" || hn_fail "apply unit: Wants"
grep -q '^After=network-pre.target' "$U/hanet-apply@.service" || hn_fail "apply unit: After"
grep -qx 'Type=notify' "$U/hanet-watch@.service" || hn_fail "watch unit: not Type=notify"
grep -q '^WatchdogSec=' "$U/hanet-watch@.service" || hn_fail "watch unit: no watchdog"
grep -qx 'Restart=on-failure' "$U/hanet-watch@.service" || hn_fail "watch unit: Restart"
grep -q '^ExecStart=/usr/sbin/hanet watch ' "$U/hanet-watch@.service" || hn_fail "watch unit: ExecStart"
if command -v systemd-analyze >/dev/null; then
	# only problems with the units themselves count (the binary and the
	# man pages are not installed where systemd looks in this sandbox)
	out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$U/hanet-apply@.service" "$U/hanet-watch@.service" 2>&1 |
		grep -v 'is not executable\|Failed to prepare filename\|ConditionPathExists' || true)
	[ -z "$out" ] || hn_fail "systemd-analyze: $out"
fi
