#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bash completion, as `make install` puts it: the completion function is
# driven as bash would (COMP_WORDS, COMP_CWORD) and its answers checked:
# commands, options, profiles here and in /etc/hanet, a profile's VIPs
# for `hanet vip`, its faults for `measure --fault`, pending confirms.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu
[ -r /usr/share/bash-completion/bash_completion ] || { echo "SKIP: no bash-completion package"; exit 0; }

D=$HN_TMP/dest
make -s -C "$HN_TOP" install DESTDIR="$D" PREFIX=/usr/local >/dev/null
C=$D/usr/local/share/bash-completion/completions/hanet
[ -f "$C" ] || hn_fail "make install did not install $C"

# a directory with profiles, and an /etc/hanet of our own
W=$HN_TMP/work
mkdir -p "$W/sub" "$HN_TMP/etc"
cp "$HN_TOP/profiles/controller-ab.ini" "$W/"
cp "$HN_TOP/profiles/lab/bond-failover.ini" "$W/sub/"
echo x >"$W/notes.txt"
cp "$HN_TOP/profiles/controller-lacp.ini" "$HN_TMP/etc/lacp.ini"
# a change waiting for `hanet confirm` (/run/hanet is the sandbox's)
mkdir -p /run/hanet/confirm
echo 1 >/run/hanet/confirm/controller-ab.pid

cd "$W"
# comp WORD...: what completing the last word offers, sorted, one a line
comp() {
	HANET_COMPLETION_ETC=$HN_TMP/etc bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_hanet hanet "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' "$C" "$@"
}
# expect "WANTED|LINES" WORD...
expect() {
	local want=$1 got
	shift
	got=$(comp "$@" | paste -sd'|')
	[ "$got" = "$want" ] || hn_fail "completing '$*': expected '$want', got '$got'"
}

expect "apply|check|confirm|down|measure|show|validate|vip|watch" hanet ""
expect "validate|vip" hanet v
expect "watch" hanet --verbose wa
expect "--confirm|--dry-run|--help|--json|--lock-wait|--wait" hanet apply --
expect "--debounce|--down-on-exit" hanet watch --d
# profiles: *.ini and directories here, /etc/hanet's
expect "$HN_TMP/etc/lacp.ini|controller-ab.ini|sub" hanet apply ""
expect "sub/bond-failover.ini" hanet check sub/
expect "$HN_TMP/etc/lacp.ini" hanet down "$HN_TMP/etc/"
# an option's value is not a profile; after the profile, nothing
expect "" hanet apply --wait ""
expect "" hanet apply controller-ab.ini ""
# hanet vip ACTION PROFILE VIP: the profile's VIPs
expect "release|status|takeover" hanet vip ""
expect "api|api6|db" hanet vip takeover controller-ab.ini ""
expect "api|api6" hanet vip --lock-wait 2s release controller-ab.ini ap
expect "" hanet vip status lacp x
expect "api" hanet vip status lacp a
# measure --fault: the profile's faults
expect "primary-slave" hanet measure sub/bond-failover.ini --fault ""
# confirm: the pending ones
expect "controller-ab" hanet confirm ""
rm /run/hanet/confirm/controller-ab.pid
expect "" hanet confirm ""
