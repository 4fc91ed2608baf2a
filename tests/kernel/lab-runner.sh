#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/kernel-lab itself: exit status, stdout/stderr, directory and
# environment pass through; the guest cannot write the host's /run or
# /tmp; a timeout kills the guest; nothing is left on the host.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
lab=$top/tools/kernel-lab
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d /var/tmp/hanet-lab-test.XXXXXX)
probe=hanet-lab-probe-$$-$RANDOM
trap 'rm -rf "$work" "/run/$probe" "/tmp/$probe" "/var/tmp/$probe"' EXIT
mkdir "$work/state" "$work/cwd"
uml_before=$(ls -A ~/.uml 2>/dev/null | sort | tr '\n' ' ')

# one boot: status, streams, cwd, env, modules, masked directories
cd "$work/cwd"
rc=0
TMPDIR=$work/state HN_LAB_FROM_HOST='a b' "$lab" --env HN_LAB_FROM_HOST --env HN_LAB_SET=x=y --modules "bonding veth" \
	-- bash -c '
	echo "out:$(pwd)"
	echo "err:$KERNEL_LAB" >&2
	echo "env:$HN_LAB_FROM_HOST:$HN_LAB_SET:${HOME}"
	[ -d /sys/module/bonding ] && echo "mod:bonding"
	[ -d /sys/module/8021q ] || echo "mod:no-8021q"
	touch /run/'"$probe"' /tmp/'"$probe"' /var/tmp/'"$probe"'
	echo file-in-cwd > written
	exit 7' >"$work/out" 2>"$work/err" || rc=$?
cat "$work/out"
cat "$work/err"
[ "$rc" = 7 ] || fail "exit status: expected 7, got $rc"
grep -qx "out:$work/cwd" "$work/out" || fail "stdout or directory"
grep -qx "err:1" "$work/err" || fail "stderr or KERNEL_LAB"
grep -qx "env:a b:x=y:/root" "$work/out" || fail "environment"
grep -qx "mod:bonding" "$work/out" || fail "module bonding not loaded"
grep -qx "mod:no-8021q" "$work/out" || fail "--modules not honoured"
[ "$(cat written)" = file-in-cwd ] || fail "a file written in the directory did not reach the host"
for d in /run /tmp /var/tmp; do
	[ ! -e "$d/$probe" ] || fail "the guest wrote the host's $d"
done

# a command that outlives --timeout: status 124, the guest is killed
t0=$SECONDS
rc=0
TMPDIR=$work/state "$lab" --timeout 5 --modules "" -- sleep 1000 >"$work/out" 2>&1 || rc=$?
cat "$work/out"
[ "$rc" = 124 ] || fail "timeout: expected exit 124, got $rc"
[ $((SECONDS - t0)) -lt 30 ] || fail "timeout took $((SECONDS - t0))s"

# nothing left behind: no process, no state directory, no ~/.uml entry
sleep 0.5
if pgrep -f "kernel_lab_dir=$work/state/" >/dev/null; then
	pgrep -af "kernel_lab_dir=$work/state/" >&2
	fail "guest processes left running"
fi
[ -z "$(ls -A "$work/state")" ] || fail "state left in TMPDIR: $(ls -A "$work/state")"
uml_after=$(ls -A ~/.uml 2>/dev/null | sort | tr '\n' ' ')
[ "$uml_before" = "$uml_after" ] || fail "~/.uml changed: '$uml_before' -> '$uml_after'"
echo "ok"
