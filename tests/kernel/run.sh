#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Kernel tests: bonding, team, VLAN.  Each tests/kernel/NAME.sh runs as
# its own process in its own sandbox (tests/lib.sh), bounded in time, in
# a kernel that has the drivers:
#  - the host kernel, when it can create bond, team, dummy, vlan and vrf
#    links (a normal distribution kernel);
#  - else one user-mode Linux guest (tools/kernel-lab) runs them all.
# tests/kernel/lab-*.sh test tools/kernel-lab itself and run on the host,
# only when the guest is used.
# Prints "PASS name" / "FAIL name" / "SKIP name: why"; exits 1 when any
# failed.  TESTS="a b" runs only those; HN_TIMEOUT (seconds, default 300:
# user-mode Linux is slow on a loaded machine) bounds each test,
# KERNEL_LAB_TIMEOUT (default 1800) the guest; KERNEL_TESTS=host|uml
# forces where they run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/runner.sh"

# Inside the kernel that has the drivers: run the tests.
run_tests() {
	cd "$here"
	hn_run_tests "${HN_TIMEOUT:-300}" 60 'lab-*'
}

# Tests of the runner itself, on the host.
run_lab_tests() {
	local fail=0 t name
	cd "$here"
	for t in lab-*.sh; do
		[ -f "$t" ] || continue
		name=${t%.sh}
		if [ -n "${TESTS:-}" ] && ! [[ " $TESTS " == *" $name "* || " $TESTS " == *" $t "* ]]; then
			continue
		fi
		hn_run_test "$name" "${HN_TIMEOUT:-300}" 40 bash "./$t" || fail=1
	done
	return $fail
}

# Whether this kernel can make every kind of link the tests need, tried
# in a throwaway network namespace.
host_has_drivers() {
	unshare --net -- sh -c '
		ip link add hn-b type bond &&
		ip link add hn-t type team &&
		ip link add hn-d type dummy &&
		ip link add hn-v0 type veth peer name hn-v1 &&
		ip link add link hn-v0 name hn-v0.5 type vlan id 5 &&
		ip link add link hn-v0 name hn-m type macvlan &&
		ip link add hn-br type bridge &&
		ip link add hn-vrf type vrf table 10' >/dev/null 2>&1 || return 1
	local m
	for m in team_mode_roundrobin team_mode_activebackup team_mode_loadbalance team_mode_broadcast \
	         team_mode_random; do
		[ -d "/sys/module/$m" ] || modprobe -q "$m" 2>/dev/null || return 1
	done
}

if [ "${1:-}" = --in-kernel ]; then
	run_tests
	exit $?
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP kernel: needs root"
	exit 0
fi

where=${KERNEL_TESTS:-}
if [ -z "$where" ]; then
	if host_has_drivers; then
		where=host
	else
		where=uml
	fi
fi

case $where in
host)
	echo "kernel: the host kernel has bonding, team and 8021q: tests run directly"
	run_tests
	exit $?
	;;
uml)
	if ! command -v linux.uml >/dev/null; then
		echo "SKIP kernel: the host kernel lacks bonding/team/8021q and user-mode Linux is not installed" \
		     "(Debian package user-mode-linux, see tools/setup.sh)"
		exit 0
	fi
	echo "kernel: the host kernel lacks bonding/team/8021q: tests run in user-mode Linux (tools/kernel-lab)"
	fail=0
	run_lab_tests || fail=1
	t0=$SECONDS
	"$top/tools/kernel-lab" --timeout "${KERNEL_LAB_TIMEOUT:-1800}" --env TESTS --env HN_TIMEOUT \
		-- "$here/run.sh" --in-kernel || fail=1
	echo "kernel: guest run took $((SECONDS - t0))s"
	exit $fail
	;;
*)
	echo "kernel: KERNEL_TESTS must be host or uml, not '$where'" >&2
	exit 2
	;;
esac
