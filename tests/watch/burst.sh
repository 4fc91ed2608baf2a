#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Drift in several namespaces at once is repaired together: with the
# watch stopped (SIGSTOP), the VIPs of three namespaces are deleted; once
# it runs again their events come in one batch, and one scoped plan and
# one transaction put the three back.  Each is still logged ("with 2
# other namespaces") and recorded on its own, and nothing else changed.
# Then a burst whose transaction fails is undone and repaired one VIP
# at a time.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/burst.ini
{
	printf '[profile]\nname = burst\n'
	for i in 1 2 3 4; do
		printf '\n[netns s%d]\n\n[veth a%d]\nnetns = s%d\npeer = b%d\n' "$i" "$i" "$i" "$i"
		printf 'addresses = 10.2.%d.1/24\n\n[veth b%d]\nnetns = s%d\npeer = a%d\n' "$i" "$i" "$i" "$i"
		printf '\n[vip v%d]\naddress = 10.2.%d.100/24\ndev = a%d\nnetns = s%d\n' "$i" "$i" "$i" "$i"
	done
} >"$P"
vip_there() { ip -n "s$1" -4 -o addr show dev "a$1" | grep -q "10.2.$1.100/24"; }
snap() { ip -4 -n "$1" -o addr show; ip -n "$1" route show; ip -n "$1" -o link show; }
# burst N...: with the watch stopped, the VIP of each namespace sN deleted;
# once it runs again, each is back within 5 s and recorded
burst() {
	local i
	kill -STOP "$W_PID"
	for i in "$@"; do
		ip -n "s$i" addr del "10.2.$i.100/24" dev "a$i"
	done
	kill -CONT "$W_PID"
	for i in "$@"; do
		hw_until 5 vip_there "$i" || hn_fail "VIP v$i not re-added after the burst $*: $(tail -5 "$W_LOG")"
		hw_wait_record 2 event=repair kind=vip object="v$i" netns="s$i"
	done
}

hw_start "$P"
snap s4 >"$HN_TMP/s4.before"
burst 1 2 3
hn_assert_eq "$(grep -c 'drift: vip v[123] .*re-added in .* ms (with 2 other namespaces)' "$W_LOG")" 3 \
	"drift lines of the three VIPs repaired together"
hn_assert_eq "$(hw_records event=repair)" 3 "repair records"
snap s4 >"$HN_TMP/s4.after"
diff "$HN_TMP/s4.before" "$HN_TMP/s4.after" >&2 || hn_fail "the repairs changed s4"
hw_converged "$P"
echo "together: 3 VIPs in 3 namespaces, one transaction"

# a burst whose transaction fails (the test build's HANET_FAIL_AT=2 fails
# the second step of any transaction: the repairs of one step each go
# through) is undone and repaired one VIP at a time
hw_stop
"$HANET" check "$P" >/dev/null || hn_fail "the profile does not hold before the second burst"
# the test build, with its debug lines (what the fast path tried)
printf '#!/bin/sh\nexec %s --verbose "$@"\n' "$HANET_TEST" >"$HN_TMP/hanet-test-verbose"
chmod +x "$HN_TMP/hanet-test-verbose"
: >"$W_REC"
HANET=$HN_TMP/hanet-test-verbose HANET_FAIL_AT=2 hw_start "$P"
burst 1 2 4
hn_assert_eq "$(hw_records event=repair)" 3 "repair records of the second burst"
grep -q 'fast path: 3 addresses at once: .*failure injected' "$W_LOG" ||
	hn_fail "the burst was not tried together: $(grep -E 'drift|fast path' "$W_LOG")"
grep -q 'other namespace' "$W_LOG" && hn_fail "a burst that failed was logged as repaired together"
hn_assert_eq "$(grep -c 'drift: vip v[124] .*re-added in [0-9.]* ms$' "$W_LOG")" 3 "drift lines of the VIPs repaired one by one"
hw_converged "$P"
hw_stop
echo "PASS burst"
