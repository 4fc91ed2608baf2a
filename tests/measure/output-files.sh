#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hanet measure --json=FILE, --csv FILE and --svg FILE never write
# through a symbolic link (one another user planted in a sticky,
# world-writable directory, or root's own, or one that points nowhere)
# and never open a FIFO or a socket there: exit 3, a message that names
# the file and says why, the file the link points to unchanged, nothing
# created where a dangling link points, and the lab removed.  A plain
# file, and /dev/null, are written.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

LAB=$HN_TOP/tests/measure/lab/small.ini
O=$HN_TMP
chmod 0755 "$O"
# a sticky, world-writable directory, as /tmp is, where nobody plants links
S=$O/sticky
mkdir -m 1777 "$S"
echo "precious" >"$O/target"
cp "$O/target" "$O/target.orig"

assert_gone() {
	[ -z "$(ip netns list)" ] || hn_fail "$1: namespaces left: $(ip netns list | tr '\n' ' ')"
	[ -z "$(ls -A /run/hanet/owned 2>/dev/null)" ] || hn_fail "$1: records left: $(ls /run/hanet/owned)"
}

# refused WHAT PATH WHY OPTION...: measure exits 3 and says PATH: WHY
refused() {
	local what=$1 path=$2 why=$3 rc=0
	shift 3
	timeout 120 "$HANET" measure --fault c2-down --trials 1 "$@" "$LAB" >"$O/out" 2>"$O/err" || rc=$?
	[ "$rc" = 3 ] || { cat "$O/err"; hn_fail "$what: exit $rc, expected 3"; }
	grep -qF "writing $path: $why" "$O/err" || { cat "$O/err"; hn_fail "$what: the message does not name $path and why"; }
	cmp -s "$O/target" "$O/target.orig" || hn_fail "$what: the file the link points to was written"
	assert_gone "$what"
	echo "$what: refused: $(grep -F "writing $path" "$O/err")"
}

link_msg="a symbolic link, which hanet does not follow"
# planted by another user in a sticky directory
setpriv --reuid=nobody --regid=nogroup --clear-groups ln -s "$O/target" "$S/report.json"
[ "$(stat -c %U "$S/report.json")" = nobody ] || hn_fail "the planted link is not nobody's"
refused "--json through nobody's link" "$S/report.json" "$link_msg" --json="$S/report.json"
# root's own link, each option
ln -s "$O/target" "$O/link"
refused "--json through a link" "$O/link" "$link_msg" --json="$O/link"
refused "--csv through a link" "$O/link" "$link_msg" --csv "$O/link"
refused "--svg through a link" "$O/link" "$link_msg" --svg "$O/link"
# a dangling link: nothing is created where it points
ln -s "$O/nowhere" "$O/dangling"
refused "--csv through a dangling link" "$O/dangling" "$link_msg" --csv "$O/dangling"
[ ! -e "$O/nowhere" ] || hn_fail "a file was created where the dangling link points"
# a FIFO (no reader: an open that waited would hang) and a socket
mkfifo "$O/fifo"
refused "--svg into a FIFO" "$O/fifo" "not a regular file" --svg "$O/fifo"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$O/sock"
refused "--json into a socket" "$O/sock" "not a regular file" --json="$O/sock"
# the links are still links
[ -L "$O/link" ] && [ -L "$S/report.json" ] || hn_fail "a link was replaced"

# a plain file (made before, truncated) and /dev/null are written
echo "old content that is longer than nothing" >"$O/ok.csv"
"$HANET" measure --fault c2-down --trials 1 --json="$O/ok.json" --csv "$O/ok.csv" --svg /dev/null "$LAB" \
	>/dev/null 2>"$O/err" || { cat "$O/err"; hn_fail "measure into plain files"; }
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$O/ok.json" || hn_fail "the JSON report does not parse"
grep -q "old content" "$O/ok.csv" && hn_fail "the CSV file was not truncated"
[ -s "$O/ok.csv" ] || hn_fail "the CSV file is empty"
[ -c /dev/null ] || hn_fail "/dev/null is no longer a device"
assert_gone "plain files"
exit 0
