#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every Debian package hanet's build, tests and lab demo need.
# Idempotent: quiet when nothing is missing; loud, and non-zero, on failure.
set -euo pipefail

PACKAGES=(
	# build
	make gcc libc6-dev pkg-config
	libnl-3-dev libnl-route-3-dev libmnl-dev libteam-dev libiniparser-dev libsystemd-dev
	# tests: unit tests, fuzzing, leak checks, JSON/XML checks
	libcmocka-dev clang libclang-rt-14-dev valgrind python3
	# the kernel lab: namespaces, user-mode Linux with its modules
	iproute2 kmod util-linux procps iputils-ping user-mode-linux jq
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages: ${missing[*]}" >&2
	echo "setup: run as root (or with sudo) to install them" >&2
	exit 1
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/hanet-setup.log 2>&1; then
	apt-get update -q >>/tmp/hanet-setup.log 2>&1 || true
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/hanet-setup.log 2>&1; then
		tail -n 30 /tmp/hanet-setup.log >&2
		echo "setup: FAILED to install: ${missing[*]} (full log: /tmp/hanet-setup.log)" >&2
		exit 1
	fi
fi
echo "setup: done" >&2
