#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP with a hostile profile does not block the daemon: its [routes]
# file replaced by a FIFO, pointing at /dev/zero or /dev/urandom, or a
# 2 GB sparse file; the profile replaced by a FIFO, a link to /dev/zero
# or /dev/urandom, or a 2 GB sparse file.  Each reload is refused at once with a
# message naming the file, and the running profile stays enforced (a
# deleted address is put back after each).
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

P=$HN_TMP/wt.ini
R=$HN_TMP/bulk.routes
hw_profile "$P"
printf '10.77.0.0/16 via 10.0.0.21 dev v0\n' >"$R"
printf '\n[routes bulk]\nfile = %s\n' "$R" >>"$P"
hw_start "$P"
cp "$P" "$HN_TMP/good.ini"

# reload WHAT MESSAGE: SIGHUP, the message in the log, and repairs go on
n=0
reload() {
	n=$((n + 1))
	kill -HUP "$W_PID"
	hw_until 3 sh -c "grep -cF -- \"$2\" \"$W_LOG\" | grep -qx $n" ||
		hn_fail "$1: no message \"$2\": $(tail -n 20 "$W_LOG")"
	hw_alive || hn_fail "$1: watch died"
	ip -n api addr del 10.0.0.21/24 dev v0p
	hw_until 3 sh -c 'ip -n api -4 -o addr show dev v0p | grep -q " 10.0.0.21/24 "' ||
		hn_fail "$1: no repair after the reload: $(tail -n 20 "$W_LOG")"
	echo "# $1: refused, repairs go on"
}

rm "$R"; mkfifo "$R"
reload "a FIFO routes file" "$R: [routes bulk] cannot read: not a regular file (a FIFO)"
n=0
sed -i "s|^file = .*|file = /dev/zero|" "$P"
reload "/dev/zero as the routes file" "/dev/zero: [routes bulk] cannot read: not a regular file (a character device)"
n=0
sed -i "s|^file = .*|file = /dev/urandom|" "$P"
reload "/dev/urandom as the routes file" "/dev/urandom: [routes bulk] cannot read: not a regular file (a character device)"
n=0
rm "$R"; truncate -s 2G "$R"
sed -i "s|^file = .*|file = $R|" "$P"
reload "a 2 GB sparse routes file" "$R: [routes bulk] cannot read: 2147483648 bytes, more than a routes file may have (128 MiB)"
n=0
rm "$P"; mkfifo "$P"
reload "a FIFO profile" "$P: cannot read: not a regular file (a FIFO)"
# the profile's path now a link to a device, then a 2 GB sparse file
n=0
rm "$P"; ln -s /dev/zero "$P"
reload "the profile a link to /dev/zero" "$P: cannot read: not a regular file (a character device)"
# (the same message again: counted on)
rm "$P"; ln -s /dev/urandom "$P"
reload "the profile a link to /dev/urandom" "$P: cannot read: not a regular file (a character device)"
n=0
rm "$P"; truncate -s 2G "$P"
reload "a 2 GB sparse profile" "$P: cannot read: 2147483648 bytes, more than a profile may have (64 MiB)"
rm "$P"
hw_stop
