#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A [vxlan] removed by an `apply --confirm` whose waiting process is
# killed comes back, rolled back from the journal by the next command,
# with its options: id, local, remote, dev, dstport and learning.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib-engine.sh"
set -e
P=$HN_TMP/vxr.ini
PIDS=()

# the waiting process goes with the test: a pid still in this test's
# network namespace is still the one it started
ours() { [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ]; }
trap 'for p in "${PIDS[@]}"; do ! ours "$p" || kill -9 "$p" 2>/dev/null || true; done; hn_cleanup' EXIT

write_profile() {   # $1: yes to declare the vxlan
	cat >"$P" <<EOF
[profile]
name = vxr

[netns a]
[netns b]

[veth ua]
netns = a
peer = ub
peer_netns = b
addresses = 10.79.0.1/24
EOF
	[ "$1" = yes ] || return 0
	cat >>"$P" <<EOF

[vxlan vxa]
netns = a
id = 4242
local = 10.79.0.1
remote = 10.79.0.2
dev = ua
dstport = 4791
learning = no
EOF
}

check_vxa() {   # $1: when
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_kind"]')" vxlan "$1: vxa kind"
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["id"]')" 4242 "$1: vxa id"
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["remote"]')" 10.79.0.2 "$1: vxa remote"
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["local"]')" 10.79.0.1 "$1: vxa local"
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["link"]')" ua "$1: vxa dev"
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["port"]')" 4791 "$1: vxa dstport"
	hn_assert_eq "$(lget a vxa 'd["linkinfo"]["info_data"]["learning"]')" False "$1: vxa learning"
}

write_profile yes
apply_ok "$P"
check_vxa "after apply"

# the vxlan goes: its deletion is journaled with what it was
write_profile no
out=$("$HANET" apply --confirm 30s "$P")
w=$(sed -n 's/.*(pid \([0-9]*\))$/\1/p' <<<"$out")
[ -n "$w" ] || hn_fail "no waiting process in: $out"
PIDS+=("$w")
! has_link a vxa || hn_fail "vxa still there after the apply that removes it"
kill -9 "$w"
for _ in $(seq 200); do [ -d "/proc/$w" ] || break; sleep 0.01; done
[ ! -d "/proc/$w" ] || hn_fail "pid $w did not go"

# the next command rolls the change back from the journal
"$HANET" check "$P" >"$HN_TMP/check.out" 2>&1 || true
grep -q "rolled back" "$HN_TMP/check.out" || { cat "$HN_TMP/check.out"; hn_fail "check did not roll back"; }
has_link a vxa || hn_fail "vxa did not come back"
check_vxa "after the rollback"

write_profile yes
"$HANET" check "$P" >/dev/null || hn_fail "check after the rollback differs"
"$HANET" down "$P" >/dev/null || hn_fail "hanet down failed"
exit 0
