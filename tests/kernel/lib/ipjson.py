# SPDX-License-Identifier: GPL-2.0-or-later
# Check values of `ip -d -j link show` against expectations, all in one
# run (starting processes is slow in user-mode Linux).  Lines on stdin:
#   DEV KEY EXPECTED        info_data[KEY] (lists joined by ",", null as "none")
#   DEV .FIELD EXPECTED     a top-level field (master, operstate, mtu, ...)
#   DEV @slave.KEY EXPECTED info_slave_data[KEY]
# "-" as EXPECTED means absent.  Prints every mismatch; exit 1 if any.
import json
import subprocess
import sys

links = {}
for d in json.loads(subprocess.run(["ip", "-d", "-j", "link", "show"], check=True,
                                   capture_output=True, text=True).stdout):
    links[d["ifname"]] = d


def text(v):
    if v is None:
        return "none"
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return str(v)


bad = 0
for line in sys.stdin:
    parts = line.split(None, 2)
    if not parts:
        continue
    dev, key, want = parts[0], parts[1], parts[2].strip() if len(parts) > 2 else ""
    d = links.get(dev)
    if d is None:
        got = "-"
    elif key.startswith("."):
        got = text(d[key[1:]]) if key[1:] in d else "-"
    elif key.startswith("@slave."):
        s = d.get("linkinfo", {}).get("info_slave_data", {})
        got = text(s[key[7:]]) if key[7:] in s else "-"
    else:
        i = d.get("linkinfo", {}).get("info_data", {})
        got = text(i[key]) if key in i else "-"
    if got != want:
        print(f"ip -d -j link: {dev} {key}: expected '{want}', got '{got}'")
        bad = 1
sys.exit(bad)
