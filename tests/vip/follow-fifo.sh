#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet vip follow acts on what its FIFO says, so only root may be able
# to write to it: a symbolic link, a file that is not a FIFO, a FIFO of
# another user or one others may write to is refused at once with a
# message naming it (exit 3), and nothing is taken over.  A FIFO of root,
# 0600, is followed.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu
command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 0; }

vt_applied
D=$HN_TMP/fifo
mkdir -m 0755 "$D"
LINE='INSTANCE "api" MASTER 150'

# refused FILE WHY: follow exits 3 at once saying WHY, api not taken over
refused() {
	local rc=0
	timeout -k 1 5 "$HANET" vip follow "$P" "$1" 2>"$HN_TMP/err" </dev/null || rc=$?
	hn_assert_eq "$rc" 3 "follow $1: $(cat "$HN_TMP/err")"
	grep -qF "$1" "$HN_TMP/err" && grep -q "$2" "$HN_TMP/err" ||
		hn_fail "follow $1: no message '$2': $(cat "$HN_TMP/err")"
	has_addr ctl c0 10.0.0.100/24 && hn_fail "follow $1 took api over"
	return 0
}

# a regular file with a MASTER line in it
printf '%s\n' "$LINE" >"$D/file"
refused "$D/file" "not a FIFO"
# a symbolic link to a FIFO of root
mkfifo -m 0600 "$D/real"
ln -s "$D/real" "$D/link"
refused "$D/link" "symbolic link"
# a FIFO of nobody
setpriv --reuid=65534 --regid=65534 --clear-groups mkfifo -m 0600 "$D/nobody.fifo" 2>/dev/null ||
	{ mkfifo -m 0600 "$D/nobody.fifo"; chown 65534:65534 "$D/nobody.fifo"; }
refused "$D/nobody.fifo" "owned by uid 65534"
# a FIFO of root that others may write to
mkfifo -m 0622 "$D/open.fifo"
chmod 0622 "$D/open.fifo"
refused "$D/open.fifo" "writable by"
mkfifo -m 0620 "$D/group.fifo"
chmod 0620 "$D/group.fifo"
refused "$D/group.fifo" "writable by"

# root's own, 0600: followed
timeout -k 1 20 "$HANET" vip follow "$P" "$D/real" 2>"$HN_TMP/err" &
F=$!
exec 3>"$D/real"
printf '%s\n' "$LINE" >&3
until_ok 5 has_addr ctl c0 10.0.0.100/24 || hn_fail "follow of root's FIFO did not take api over: $(cat "$HN_TMP/err")"
printf '%s\n' 'INSTANCE "api" BACKUP 150' >&3
exec 3>&-
wait "$F" || hn_fail "follow exited $?: $(cat "$HN_TMP/err")"
has_addr ctl c0 10.0.0.100/24 && hn_fail "BACKUP did not release api"
echo "PASS follow-fifo"
