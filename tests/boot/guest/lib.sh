# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shared by the guest's hooks (tests/boot/guest/early, late): results
# and measurements go to the lab disk (/lab/out) and to the console.
OUT=/lab/out
PROFILE=/etc/hanet/controller.ini

say() { echo "hanet-lab: $*" >/dev/console; }
pass() { echo "PASS $*" >>"$OUT/results"; say "PASS $*"; }
fail() { echo "FAIL $*" >>"$OUT/results"; say "FAIL $*"; }
# info KEY VALUE: a measurement for the host
info() { echo "$1 $2" >>"$OUT/info"; say "info $1 $2"; }
# check NAME CMD...: PASS or FAIL NAME (with CMD's output)
check() {
	local name=$1 o
	shift
	if o=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name: $(echo "$o" | tail -n 8 | tr '\n' '|')"
	fi
}

stage() { cat "$OUT/stage" 2>/dev/null || echo ifupdown; }
next_stage() { echo "$1" >"$OUT/stage"; sync; }
# boot again: a full shutdown, then tools/boot-lab starts the guest anew
# (a power cycle: user-mode Linux's in-place restart can hang)
lab_reboot() { : >"$OUT/reboot"; sync; systemctl poweroff; }

# until SECONDS CMD...: true once CMD is, within SECONDS (0.2 s steps)
until_true() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# nic NAME: a "NIC" of the guest, a veth whose far end is in namespace
# switch (up, for a carrier)
nic() {
	ip netns list | grep -qw switch || ip netns add switch
	ip link add "$1" type veth peer name "sw-$1" netns switch &&
		ip -n switch link set "sw-$1" up
}

prop() { systemctl show -P "$2" "$1"; }

# unit_ms UNIT: the unit's start time, in ms, as systemd-analyze blame
# counts it (from leaving inactive to active)
unit_ms() {
	local a b
	a=$(prop "$1" InactiveExitTimestampMonotonic)
	b=$(prop "$1" ActiveEnterTimestampMonotonic)
	[ "$a" -gt 0 ] && [ "$b" -ge "$a" ] || return 1
	echo $(((b - a) / 1000))
}
blame() { systemd-analyze blame --no-pager | awk -v u="$1" '$NF == u { $NF = ""; sub(/ +$/, ""); print }'; }

# the controller network, as one line per fact, whoever made it
state() {
	local d
	ip -d -j link show bond0 | jq -r '.[0] | "link bond0 \(.linkinfo.info_kind) mode=\(.linkinfo.info_data.mode) miimon=\(.linkinfo.info_data.miimon) updelay=\(.linkinfo.info_data.updelay) primary=\(.linkinfo.info_data.primary) active=\(.linkinfo.info_data.active_slave) mtu=\(.mtu)\(if (.flags | index("UP")) then " up" else "" end)"'
	for d in eth1 eth2; do
		ip -j link show "$d" | jq -r --arg d "$d" '.[0] | "link \($d) master=\(.master) mtu=\(.mtu)\(if (.flags | index("UP")) then " up" else "" end)"'
	done
	for d in bond0.100 bond0.200; do
		ip -d -j link show "$d" | jq -r --arg d "$d" '.[0] | "link \($d) \(.linkinfo.info_kind) id=\(.linkinfo.info_data.id) on=\(.link)\(if (.flags | index("UP")) then " up" else "" end)"'
		ip -4 -j addr show dev "$d" | jq -r --arg d "$d" '.[0].addr_info[] | "addr \($d) \(.local)/\(.prefixlen)"'
	done
	ip -n ha -d -j link show api0 | jq -r '.[0] | "link ha/api0 \(.linkinfo.info_kind) mode=\(.linkinfo.info_data.mode)\(if (.flags | index("UP")) then " up" else "" end)"'
	ip -n ha -4 -j addr show dev api0 | jq -r '.[0].addr_info[] | "addr ha/api0 \(.local)/\(.prefixlen)"'
	ip -n ha -4 -j route show default | jq -r '.[] | "route ha \(.dst) via \(.gateway) dev \(.dev)"'
	ip -4 -j route show table 100 | jq -r '.[] | "route table 100 \(.dst) via \(.gateway) dev \(.dev)"'
	ip -4 -j rule show | jq -r '.[] | select(.priority == 1000) | "rule 1000 from \(.src)/\(.srclen) table \(.table)"'
}

# state_is NAME: the network is /lab/expected-state (else the difference)
state_is() {
	state 2>&1 | sort >"$OUT/state.$1"
	diff -u /lab/expected-state "$OUT/state.$1"
}

unit_is() { # UNIT ActiveState SubState
	local a s
	a=$(prop "$1" ActiveState)
	s=$(prop "$1" SubState)
	[ "$a $s" = "$2 $3" ] || { echo "$1: $a $s, expected $2 $3"; journalctl -b -u "$1" --no-pager | tail -n 10; return 1; }
}

system_running() {
	local s
	s=$(systemctl is-system-running)
	[ "$s" = running ] || { echo "system $s; failed: $(systemctl list-units --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')"; return 1; }
}

save_journal() { journalctl -b --no-pager -o short-monotonic >"$OUT/journal.$1" 2>&1; }
