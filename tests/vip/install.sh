#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install` puts the OCF agent and the keepalived files where
# Pacemaker and an administrator look for them, with the installed
# paths in them.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

D=$HN_TMP/root
make -s -C "$HN_TOP" install DESTDIR="$D" PREFIX=/usr OCFDIR=/usr/lib/ocf >"$HN_TMP/make.log" 2>&1 ||
	hn_fail "make install: $(cat "$HN_TMP/make.log")"
RA=$D/usr/lib/ocf/resource.d/hanet/hanet-vip
KA=$D/usr/share/hanet/keepalived
[ -x "$RA" ] || hn_fail "no executable $RA"
[ -x "$KA/hanet-notify" ] || hn_fail "no executable hanet-notify"
[ -f "$KA/keepalived.conf" ] || hn_fail "no keepalived.conf"
grep -q '@SBINDIR@\|@DATADIR@' "$RA" "$KA/hanet-notify" "$KA/keepalived.conf" && hn_fail "placeholders left"
grep -qx 'HANET=${HANET:-/usr/sbin/hanet}' "$KA/hanet-notify" || hn_fail "hanet-notify's hanet"
grep -q 'notify "/usr/share/hanet/keepalived/hanet-notify ' "$KA/keepalived.conf" || hn_fail "keepalived.conf's notify"
"$RA" meta-data | python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.stdin)' || hn_fail "installed meta-data"
"$RA" meta-data | grep -q 'default="/usr/sbin/hanet"' || hn_fail "meta-data's hanet default"
# the installed agent works (with the hanet of the tree)
vt_applied
OCF_RESKEY_profile=$P OCF_RESKEY_vip=api OCF_RESKEY_hanet=$HANET "$RA" start 2>/dev/null || hn_fail "installed agent: start"
has_addr ctl c0 10.0.0.100/24 || hn_fail "installed agent did not take over"
echo ok
