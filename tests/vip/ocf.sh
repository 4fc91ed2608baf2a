#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The OCF resource agent tools/ocf/hanet-vip run as Pacemaker runs it,
# without OCF_ROOT (no OCF shell functions): meta-data is well-formed XML
# describing the agent, and start/stop/monitor/validate-all and the
# migration's migrate_to/migrate_from move the VIP and answer with the OCF
# exit codes.
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
# one VIP is one resource's: vip is unique
assert params["vip"].getAttribute("unique") == "1"
# IPaddr2's optional parameters, with its types
for name, kind in (("arp_count", "integer"), ("arp_interval", "integer"), ("arp_count_refresh", "integer"),
                   ("run_arping", "boolean"), ("network_namespace", "string"), ("collision_wait", "string")):
    assert name in params, name
    assert params[name].getAttribute("required") == "0", name
    assert params[name].getElementsByTagName("content")[0].getAttribute("type") == kind, name
actions = {a.getAttribute("name"): a for a in ra.getElementsByTagName("action")}
assert {"start", "stop", "monitor", "migrate_to", "migrate_from", "validate-all", "meta-data"} <= set(actions), \
    actions.keys()
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

# several VIPs in one resource: moved together; monitor says running only
# when all are there, a failure (not "not running") when some are
OCF_RESKEY_vip=api,api6 hn_expect_rc 7 ra monitor
OCF_RESKEY_vip=api,api6 hn_expect_rc 0 ra start
has_addr ctl c0 10.0.0.100/24 && has_addr ctl c0 2001:db8::100/64 || hn_fail "start api,api6"
OCF_RESKEY_vip=api,api6 hn_expect_rc 0 ra monitor
ip -n ctl addr del 2001:db8::100/64 dev c0
OCF_RESKEY_vip=api,api6 hn_expect_rc 1 ra monitor
grep -q 'api,api6: only 1 of them on their devices' "$HN_TMP/ra.log" || hn_fail "partial monitor not logged"
OCF_RESKEY_vip=api,api6 hn_expect_rc 0 ra stop
has_addr ctl c0 10.0.0.100/24 && hn_fail "stop api,api6 left api"
OCF_RESKEY_vip=api,api6 hn_expect_rc 7 ra monitor
OCF_RESKEY_vip=api,nope hn_expect_rc 6 ra validate-all

# arp_count and arp_interval override the profile's 3 x 20ms; monitor
# with arp_count_refresh announces again
vt_listen "$HN_TMP/frames" 7 2000
OCF_RESKEY_arp_count=5 OCF_RESKEY_arp_interval=5 hn_expect_rc 0 ra start
sleep 0.3
OCF_RESKEY_arp_count_refresh=2 hn_expect_rc 0 ra monitor
wait "$LPID" || true
# the schedule hanet used is in its line (the frames' own spacing is no
# proof: the background sender shares 2 cores with the agent's shell,
# and a late frame makes every later one late)
grep -q 'taken over on c0 .*, 4 more 5ms apart in the background' "$HN_TMP/ra.log" ||
	hn_fail "arp_count, arp_interval: not 5 x 5ms: $(grep 'taken over' "$HN_TMP/ra.log" | tail -1)"
python3 - "$HN_TMP/frames" <<'PY' || hn_fail "arp_count, arp_interval, arp_count_refresh: $(cat "$HN_TMP/frames")"
import re, sys
t = [float(re.search(r"t=([0-9.]+)", l).group(1)) for l in open(sys.argv[1]) if l.startswith("arp ") and "spa=10.0.0.100" in l]
assert len(t) == 7, t                                   # 5 on start, 2 on monitor
start = t[:5]
assert start[-1] - start[0] < 0.3, start                # the 5 of the start, before the monitor's
assert t[5] - t[4] > 0.1, t                             # the monitor's, later
print("start: %d frames in %.1f ms; monitor: 2 more" % (len(start), (start[-1] - start[0]) * 1e3))
PY
hn_expect_rc 0 ra stop
OCF_RESKEY_arp_count_refresh=1 hn_expect_rc 7 ra monitor

# network_namespace: the profile places the VIPs; a resource that says
# another namespace is misconfigured
OCF_RESKEY_network_namespace=ctl hn_expect_rc 0 ra validate-all
OCF_RESKEY_network_namespace=sw hn_expect_rc 6 ra validate-all
OCF_RESKEY_network_namespace=sw hn_expect_rc 6 ra start
has_addr ctl c0 10.0.0.100/24 && hn_fail "start with another network_namespace added the VIP"
OCF_RESKEY_network_namespace=ctl hn_expect_rc 0 ra start
hn_expect_rc 0 ra stop

# run_arping: another host answering for the address fails the start,
# nothing changed; the address gone, the start succeeds
ip -n sw addr add 10.0.0.100/24 dev c0-sw
OCF_RESKEY_run_arping=true hn_expect_rc 1 ra start
has_addr ctl c0 10.0.0.100/24 && hn_fail "start after a collision added the VIP"
grep -q 'an address answers elsewhere' "$HN_TMP/ra.log" || hn_fail "collision not logged: $(cat "$HN_TMP/ra.log")"
grep -q "10.0.0.100 answers from $(mac_of sw c0-sw)" "$HN_TMP/ra.log" || hn_fail "who answered not logged"
ip -n sw addr del 10.0.0.100/24 dev c0-sw
OCF_RESKEY_run_arping=true OCF_RESKEY_collision_wait=100ms hn_expect_rc 0 ra start
has_addr ctl c0 10.0.0.100/24 || hn_fail "start with run_arping and no collision"
hn_expect_rc 0 ra stop
OCF_RESKEY_arp_count=x hn_expect_rc 6 ra start

# a migration (allow-migrate=true): migrate_to on the source changes
# nothing; migrate_from on the target takes the VIP over while the source
# still answers for it: no collision check, even with run_arping (here
# "sw" plays the source); then the source's stop.  Without Pacemaker's
# migrate_source and _target it is not a migration.
hn_expect_rc 2 ra migrate_from
hn_expect_rc 2 ra migrate_to
has_addr ctl c0 10.0.0.100/24 && hn_fail "migrate_from without a source added the VIP"
export OCF_RESKEY_CRM_meta_migrate_source=ctl2 OCF_RESKEY_CRM_meta_migrate_target=ctl1
ip -n sw addr add 10.0.0.100/24 dev c0-sw
hn_expect_rc 0 ra migrate_to
has_addr ctl c0 10.0.0.100/24 && hn_fail "migrate_to added the VIP"
vt_listen "$HN_TMP/frames" 3 2000
OCF_RESKEY_run_arping=true hn_expect_rc 0 ra migrate_from
wait "$LPID" || true
has_addr ctl c0 10.0.0.100/24 || hn_fail "migrate_from did not add the VIP"
[ "$(grep -c '^arp .*spa=10.0.0.100' "$HN_TMP/frames")" -eq 3 ] || hn_fail "migrate_from did not announce: $(cat "$HN_TMP/frames")"
grep -q 'api: taken over from ctl2' "$HN_TMP/ra.log" || hn_fail "migrate_from not logged: $(cat "$HN_TMP/ra.log")"
hn_expect_rc 0 ra monitor
ip -n sw addr del 10.0.0.100/24 dev c0-sw
hn_expect_rc 0 ra stop
# an IPv6 VIP whose [vip] asks for duplicate address detection: a start
# keeps it, migrate_from adds the address nodad (the source holds it:
# DAD would mark it dadfailed)
sed '/^\[vip api6\]/,/^\[/{/^nodad/d}' "$P" >"$HN_TMP/dad.ini"
grep -q '^nodad' "$HN_TMP/dad.ini" && hn_fail "dad.ini still has nodad"
v6flags() { ip -n ctl -6 -o addr show dev c0 to 2001:db8::100/128; }
OCF_RESKEY_profile=$HN_TMP/dad.ini OCF_RESKEY_vip=api6 hn_expect_rc 0 ra start
case $(v6flags) in *nodad*) hn_fail "start added api6 nodad: $(v6flags)" ;; "") hn_fail "start did not add api6" ;; esac
OCF_RESKEY_profile=$HN_TMP/dad.ini OCF_RESKEY_vip=api6 hn_expect_rc 0 ra stop
ip -n sw addr add 2001:db8::100/64 dev c0-sw nodad
OCF_RESKEY_profile=$HN_TMP/dad.ini OCF_RESKEY_vip=api6 hn_expect_rc 0 ra migrate_from
case $(v6flags) in *nodad*) ;; *) hn_fail "migrate_from added api6 without nodad: $(v6flags)" ;; esac
# the held record says it went on nodad: vip status takes it as the VIP,
# and hanet watch leaves it alone (taking it for drift, it would remove
# it and add it again with DAD: a flap, and dadfailed while the source
# still holds it)
grep -qx 'nodad 1' /run/hanet/vip/*/api6.held ||
	hn_fail "the held record does not say nodad: $(cat /run/hanet/vip/*/api6.held)"
"$HANET" vip status --json "$HN_TMP/dad.ini" api6 >"$HN_TMP/st6.json" || true
grep -q '"matches": true' "$HN_TMP/st6.json" || hn_fail "api6 after migrate_from differs from the profile: $(cat "$HN_TMP/st6.json")"
grep -q '"nodad": true' "$HN_TMP/st6.json" || hn_fail "vip status does not say the held api6 went on nodad: $(cat "$HN_TMP/st6.json")"
"$HANET" vip status "$HN_TMP/dad.ini" api6 | grep -q 'takeover pid [0-9]*, without DAD)' ||
	hn_fail "vip status (text) does not say the held api6 went on nodad: $("$HANET" vip status "$HN_TMP/dad.ini" api6)"
# past DAD's time (one probe, 1 s), under hanet watch: still usable
hn_expect_rc 0 "$HANET" watch --max-runtime 1500ms --records "$HN_TMP/w6.jsonl" "$HN_TMP/dad.ini"
grep -q api6 "$HN_TMP/w6.jsonl" && hn_fail "hanet watch repaired the migrated api6: $(cat "$HN_TMP/w6.jsonl")"
case $(v6flags) in "" | *dadfailed* | *tentative*) hn_fail "api6 after migrate_from: $(v6flags)" ;; esac
# gone while held: hanet watch adds it back as it was taken over, nodad
# (with DAD, dadfailed: the source still holds it)
ip -n ctl addr del 2001:db8::100/64 dev c0
hn_expect_rc 0 "$HANET" watch --max-runtime 1500ms "$HN_TMP/dad.ini"
case $(v6flags) in *dadfailed* | *tentative* | "") hn_fail "api6 added back by hanet watch: $(v6flags)" ;; *nodad*) ;;
*) hn_fail "hanet watch added api6 back without nodad: $(v6flags)" ;; esac
# the source gone, a plain start of the held VIP: the address as the
# profile declares it (DAD), and so recorded
ip -n sw addr del 2001:db8::100/64 dev c0-sw
OCF_RESKEY_profile=$HN_TMP/dad.ini OCF_RESKEY_vip=api6 hn_expect_rc 0 ra start
grep -qx 'nodad 0' /run/hanet/vip/*/api6.held ||
	hn_fail "the held record after a plain start: $(cat /run/hanet/vip/*/api6.held)"
case $(v6flags) in *nodad* | *dadfailed* | "") hn_fail "api6 after a plain start: $(v6flags)" ;; esac
"$HANET" vip status --json "$HN_TMP/dad.ini" api6 >"$HN_TMP/st6.json" || true
grep -q '"matches": true' "$HN_TMP/st6.json" || hn_fail "api6 after a plain start differs: $(cat "$HN_TMP/st6.json")"
grep -q '"nodad": false' "$HN_TMP/st6.json" || hn_fail "vip status after a plain start: $(cat "$HN_TMP/st6.json")"
hn_expect_rc 0 "$HANET" watch --max-runtime 500ms --records "$HN_TMP/w6c.jsonl" "$HN_TMP/dad.ini"
grep -q api6 "$HN_TMP/w6c.jsonl" && hn_fail "hanet watch repaired api6 after a plain start: $(cat "$HN_TMP/w6c.jsonl")"
OCF_RESKEY_profile=$HN_TMP/dad.ini OCF_RESKEY_vip=api6 hn_expect_rc 0 ra stop
unset OCF_RESKEY_CRM_meta_migrate_source OCF_RESKEY_CRM_meta_migrate_target

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
