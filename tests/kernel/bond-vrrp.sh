#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bond timers against VRRP timers, for real (profiles/lab/bond-vrrp-*.ini):
# keepalived (VRRPv3, an advert every 100 ms) runs over active-backup
# bonds, and the master's active slave loses its carrier on the switch
# side.
#  - bad (miimon 100 ms + downdelay 400 ms): `hanet validate` warns
#    (bond-slower-than-cluster); ctl1's adverts stop for longer than ctl2
#    waits, so ctl2 becomes master (its advert as master seen on the
#    switch, the VIP added in ctl2 by keepalived) and gives the VIP back
#    once ctl1's bond has moved to c1b (ctl1's advert from c1b-sw): a VRRP
#    failover for a failure the bond absorbs;
#  - good (miimon 50 ms): no warning; the bond moves to c1b, no advert of
#    ctl2 as master, the VIP is never added or deleted anywhere, it
#    answers again within the bond's detection and a margin for the
#    guest.
# Each lab is removed afterwards, no keepalived of it left (the test has
# a PID namespace of its own: pgrep sees its labs' processes only, also
# on a host kernel that runs other keepalived).
. "$(dirname "$0")/../lib.sh"
HN_PIDNS=1 hn_sandbox "$@"
set -eu

command -v keepalived >/dev/null || { echo "SKIP: keepalived is not installed (tools/setup.sh installs it)"; exit 0; }
LABS=$HN_TOP/profiles/lab

for v in bad good; do
	rc=0
	"$HANET" validate --json "$LABS/bond-vrrp-$v.ini" >"$HN_TMP/$v.lint.json" ||
		hn_fail "validate $v: $(cat "$HN_TMP/$v.lint.json")"
	"$HANET" measure --trials 2 --json="$HN_TMP/$v.json" "$LABS/bond-vrrp-$v.ini" \
		>"$HN_TMP/$v.txt" 2>"$HN_TMP/$v.err" || rc=$?
	cat "$HN_TMP/$v.err" "$HN_TMP/$v.txt"
	# 0 within the SLA, 1 outside it: both are measurements
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || hn_fail "hanet measure $v exited $rc"
	[ -z "$(ip netns list)" ] || hn_fail "namespaces left: $(ip netns list | tr '\n' ' ')"
	! pgrep -f '^keepalived .*/run/keepalived/keepalived.conf' || hn_fail "a keepalived of the lab is left"
done

python3 - "$HN_TMP" <<'PY'
import json, os, sys
d = sys.argv[1]
VIP = "10.80.0.50/24"

for v in ("bad", "good"):
    codes = [x["code"] for f in json.load(open(os.path.join(d, v + ".lint.json")))["files"] for x in f["diagnostics"]]
    want = ["bond-slower-than-cluster"] * 2 if v == "bad" else []
    assert codes == want, (v, codes)

def trials(v):
    g = json.load(open(os.path.join(d, v + ".json")))["groups"][0]
    assert g["name"] == "slave-carrier-off" and len(g["trials"]) == 2, g
    return g["trials"]

def master(t, dev, prio):
    return [e for e in t["events"] if e["kind"] == "vrrp" and e["netns"] == "switch" and e["dev"] == dev
            and "prio %d: master" % prio in e["detail"]]

def vip(t, kind, ns):
    return [e for e in t["events"] if e["kind"] == kind and e["netns"] == ns and e.get("address") == VIP]

def active_c1b(t):
    return [e for e in t["events"] if e["kind"] == "active-slave" and e["netns"] == "ctl1"
            and e["detail"] == "active slave c1b"]

out = []
for t in trials("bad"):
    assert t["recovered"], t
    # ctl2 took over: it advertised as master, keepalived added the VIP in ctl2
    up, add = master(t, "c2a-sw", 100), vip(t, "addr-add", "ctl2")
    assert up and add, ("no VRRP failover", t["events"])
    # before ctl1's bond noticed (400 ms downdelay)
    sw = active_c1b(t)
    assert sw and up[0]["t_us"] < sw[0]["t_us"], ("ctl2 took over after the bond moved", t["events"])
    # and gave it back once ctl1's adverts came through c1b
    back, dele = master(t, "c1b-sw", 150), vip(t, "addr-del", "ctl2")
    assert back and dele and back[0]["t_us"] > sw[0]["t_us"], ("ctl1 not master again", t["events"])
    out.append("bad: ctl2 master at %.0f ms, ctl1's bond on c1b at %.0f ms, ctl1 master at %.0f ms" % (
        up[0]["t_us"] / 1000, sw[0]["t_us"] / 1000, back[0]["t_us"] / 1000))
for t in trials("good"):
    assert t["recovered"], t
    # from the fault on: the timeline also shows the second before it,
    # where the first trial may still see keepalived's own start (ctl1
    # becoming master, its VIP added)
    after = [e for e in t["events"] if e["t_us"] >= 0]
    assert not [e for e in after if e["kind"] == "vrrp"], ("a VRRP state change", t["events"])
    assert not [e for e in after if e["kind"] in ("addr-add", "addr-del") and e.get("address") == VIP], \
        ("the VIP moved", t["events"])
    r = t["reaction"]
    assert r and r == active_c1b(t)[0], t
    # miimon 50 ms, the bond's gratuitous ARP, then the VIP answers on
    # ctl1 again; a slow guest on a busy machine gets 150 ms more
    assert t["outage_us"] <= 50000 + 150000, t
    out.append("good: bond on c1b at %.0f ms, outage %.1f ms" % (r["t_us"] / 1000, t["outage_us"] / 1000))
print("# " + "; ".join(out))
PY
