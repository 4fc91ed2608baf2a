#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The OCF resource agent tools/ocf/hanet-vip run as Pacemaker runs it,
# without OCF_ROOT (no OCF shell functions): meta-data is well-formed XML
# describing the agent, and start/stop/monitor/validate-all move the VIP
# and answer with the OCF exit codes.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
. "$(dirname "$0")/lib.sh"
set -eu

vt_applied

unset OCF_ROOT OCF_FUNCTIONS_DIR
export OCF_RESKEY_profile=$P OCF_RESKEY_vip=api OCF_RESKEY_hanet=$HANET
ra() { "$OCF_AGENT" "$@" 2>>"$HN_TMP/ra.log"; }

# meta-data
ra meta-data >"$HN_TMP/meta.xml" || hn_fail "meta-data: exit $?"
python3 - "$HN_TMP/meta.xml" <<'PY' || hn_fail "meta-data: $(cat "$HN_TMP/meta.xml")"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
ra = doc.documentElement
assert ra.tagName == "resource-agent" and ra.getAttribute("name") == "hanet-vip", ra.tagName
assert doc.doctype and doc.doctype.systemId == "ra-api-1.dtd"
assert ra.getElementsByTagName("version")[0].firstChild.data == "1.0"
assert ra.getElementsByTagName("shortdesc") and ra.getElementsByTagName("longdesc")
params = {p.getAttribute("name"): p for p in ra.getElementsByTagName("parameter")}
assert {"profile", "vip"} <= set(params), params.keys()
for name in ("profile", "vip"):
    p = params[name]
    assert p.getAttribute("required") == "1", name
    assert p.getElementsByTagName("content")[0].getAttribute("type") == "string"
actions = {a.getAttribute("name"): a for a in ra.getElementsByTagName("action")}
assert {"start", "stop", "monitor", "validate-all", "meta-data"} <= set(actions), actions.keys()
assert actions["monitor"].getAttribute("interval") and all(a.getAttribute("timeout") for a in actions.values())
print("meta-data: %d parameters, actions %s" % (len(params), sorted(actions)))
PY
if command -v xmllint >/dev/null; then
	xmllint --noout "$HN_TMP/meta.xml" || hn_fail "xmllint"
fi

# the life of a resource
hn_expect_rc 0 ra validate-all
hn_expect_rc 7 ra monitor                # probe: not running
hn_expect_rc 0 ra stop                   # stopping what is stopped
hn_expect_rc 0 ra start
has_addr ctl c0 10.0.0.100/24 || hn_fail "start did not add the VIP"
hn_assert_eq "$(aget ctl c0 10.0.0.100 'a["label"]')" c0:api "label after start"
hn_expect_rc 0 ra monitor
hn_expect_rc 0 ra start                  # starting what runs
hn_assert_eq "$(count_addr ctl c0 10.0.0.100/24)" 1 "addresses after two starts"
# the VIP removed behind Pacemaker's back: monitor says so
ip -n ctl addr del 10.0.0.100/24 dev c0
hn_expect_rc 7 ra monitor
hn_expect_rc 0 ra start
hn_expect_rc 0 ra stop
has_addr ctl c0 10.0.0.100/24 && hn_fail "stop left the VIP"
hn_expect_rc 7 ra monitor
hn_expect_rc 0 ra stop
grep -q 'taken over on c0' "$HN_TMP/ra.log" || hn_fail "start did not log hanet's line: $(cat "$HN_TMP/ra.log")"

# IPv6 too
OCF_RESKEY_vip=api6 hn_expect_rc 0 ra start
has_addr ctl c0 2001:db8::100/64 || hn_fail "start api6"
OCF_RESKEY_vip=api6 hn_expect_rc 0 ra monitor
OCF_RESKEY_vip=api6 hn_expect_rc 0 ra stop

# configuration errors: OCF_ERR_CONFIGURED (6), OCF_ERR_INSTALLED (5)
OCF_RESKEY_vip=nope hn_expect_rc 6 ra validate-all
OCF_RESKEY_vip=nope hn_expect_rc 6 ra start
OCF_RESKEY_vip= hn_expect_rc 6 ra validate-all
OCF_RESKEY_profile= hn_expect_rc 6 ra monitor
printf '[vip api]\naddress = nonsense\n' >"$HN_TMP/bad.ini"
OCF_RESKEY_profile=$HN_TMP/bad.ini hn_expect_rc 6 ra validate-all
OCF_RESKEY_profile=$HN_TMP/missing.ini hn_expect_rc 5 ra validate-all
OCF_RESKEY_hanet=/nonexistent/hanet hn_expect_rc 5 ra start
# a device that is gone: start fails (generic), monitor says not running
ip -n ctl link del c0
hn_expect_rc 1 ra start
hn_expect_rc 7 ra monitor
hn_expect_rc 0 ra stop
# unknown actions: OCF_ERR_UNIMPLEMENTED (3)
hn_expect_rc 3 ra promote
hn_expect_rc 3 ra
echo ok
