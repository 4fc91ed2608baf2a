#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The report's JSON, CSV and SVG, read back by independent parsers
# (python3: json, csv, xml.dom.minidom) from a synthetic report.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/hanet-report.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$top/build/tests/report-sample" "$dir"
python3 - "$dir" <<'PY'
import csv, json, sys, xml.dom.minidom
d = sys.argv[1]
j = json.load(open(d + "/report.json"))
assert j["title"] == 'lab "demo" <&>', j["title"]
assert j["sla"] == {"failover_max_us": 30000, "percentile": 90}, j["sla"]
assert j["pass"] is True
g = j["groups"]
assert [x["name"] for x in g] == ["bond failover", "vip, move"]
assert len(g[0]["trials"]) == 12 and len(g[1]["trials"]) == 5
t8 = g[0]["trials"][7]
assert t8["recovered"] is False and t8["outage_us"] is None and t8["within_sla"] is False, t8
assert g[0]["summary"]["outage_max_us"] is None and g[0]["summary"]["recovered"] == 11
assert g[0]["summary"]["trials_within"] == 11 and g[0]["summary"]["pass"] is True
for t in g[0]["trials"]:
    if t["recovered"]:
        assert 9000 <= t["outage_us"] <= 15000, t
        assert t["reaction"]["kind"] == "active-slave" and t["reaction"]["netns"] == "ctrl<1>"
assert g[1]["interval_us"] == 100
rows = list(csv.DictReader(open(d + "/report.csv", newline="")))
assert len(rows) == 17, len(rows)
assert rows[0]["group"] == "bond failover" and rows[12]["group"] == "vip, move"
assert rows[7]["recovered"] == "no" and rows[7]["outage_us"] == "" and rows[7]["within_sla"] == "no"
for r, t in zip(rows[:12], g[0]["trials"]):
    if t["recovered"]:
        assert abs(float(r["outage_us"]) - t["outage_us"]) <= 1, (r, t)
    assert int(r["lost"]) == t["lost"]
for name in ("report.svg", "trial.svg"):
    doc = xml.dom.minidom.parse(d + "/" + name)
    svg = doc.documentElement
    assert svg.tagName == "svg" and svg.getAttribute("xmlns") == "http://www.w3.org/2000/svg"
    panels = svg.getElementsByTagName("g")
    assert len(panels) == (17 if name == "report.svg" else 1), len(panels)
    texts = " ".join(n.firstChild.data for n in svg.getElementsByTagName("text") if n.firstChild)
    assert 'lab "demo" <&>' in texts
    assert "fault" in texts
print("json, csv and svg parse; %d trials" % len(rows))
PY
