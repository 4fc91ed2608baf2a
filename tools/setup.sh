#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every Debian package hanet's build, tests and lab demo need.
# Idempotent: quiet when nothing is missing; loud, and non-zero, on failure.
set -euo pipefail

PACKAGES=(
	# build
	make gcc libc6-dev pkg-config
	libnl-3-dev libnl-route-3-dev libmnl-dev libteam-dev libsystemd-dev
	# tests: unit tests, fuzzing, leak checks, JSON/XML checks
	libcmocka-dev clang libclang-rt-14-dev valgrind python3 strace
	# the frames on the wire the VIP tests look at (tests/vip/keepalived.sh)
	tcpdump
	# the kernel lab: namespaces, user-mode Linux with its modules
	iproute2 kmod util-linux procps iputils-ping user-mode-linux jq
	# the cluster engines the labs and tests run: keepalived (VRRP),
	# corosync and Pacemaker (profiles/lab/pacemaker.ini, its crm tools)
	keepalived corosync pacemaker pacemaker-cli-utils
	# the OCF agent's tests and benchmark: ocf-tester, IPaddr2
	resource-agents
	# the Debian package, bash completion and the boot lab (tools/boot-lab:
	# a debootstrapped image in ext4, booted in user-mode Linux)
	debhelper dpkg-dev fakeroot lintian bash-completion debootstrap e2fsprogs
)
# Wanted but not required: the tests that use them are skipped without
# them, and a failure to install them is only a warning.
# (none at present)
OPTIONAL=(
)

installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
optional=()
for p in "${OPTIONAL[@]}"; do
	installed "$p" || optional+=("$p")
done
[ ${#missing[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if [ ${#missing[@]} -eq 0 ]; then
		echo "setup: optional packages missing (their tests are skipped): ${optional[*]}" >&2
		exit 0
	fi
	echo "setup: missing packages: ${missing[*]}" >&2
	echo "setup: run as root (or with sudo) to install them" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: installing optional packages: ${optional[*]}" >&2
	if ! apt-get install -y -q --no-install-recommends "${optional[@]}" >/tmp/hanet-setup.log 2>&1; then
		echo "setup: warning: could not install ${optional[*]} (their tests are skipped; log: /tmp/hanet-setup.log)" >&2
	fi
	exit 0
fi

echo "setup: installing ${missing[*]}" >&2
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/hanet-setup.log 2>&1; then
	apt-get update -q >>/tmp/hanet-setup.log 2>&1 || true
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/hanet-setup.log 2>&1; then
		tail -n 30 /tmp/hanet-setup.log >&2
		echo "setup: FAILED to install: ${missing[*]} (full log: /tmp/hanet-setup.log)" >&2
		exit 1
	fi
fi
if [ ${#optional[@]} -gt 0 ] &&
	! apt-get install -y -q --no-install-recommends "${optional[@]}" >>/tmp/hanet-setup.log 2>&1; then
	echo "setup: warning: could not install ${optional[*]} (their tests are skipped; log: /tmp/hanet-setup.log)" >&2
fi
echo "setup: done" >&2
