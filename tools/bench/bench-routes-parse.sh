#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How fast `hanet validate` reads a [routes] file of 100k lines (target:
# under 0.2 s), against awk reading the same file, for scale.
# Usage: tools/bench/bench-routes-parse.sh [LINES] [RUNS]
# Prints the best of RUNS for each and the ratio; exits 1 over the target.
set -euo pipefail
cd "$(dirname "$0")/../.."
LINES=${1:-100000}
RUNS=${2:-5}
TARGET_MS=200
HANET=${HANET:-./hanet}
[ -x "$HANET" ] || make -s hanet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Routes in the forms a routes file holds: IPv4 and IPv6 prefixes, via,
# dev, metric, table, src, onlink, comments.
awk -v n="$LINES" 'BEGIN {
	print "# generated: " n " routes"
	for (i = 0; i < n; i++) {
		a = int(i / 65536) % 224 + 1; b = int(i / 256) % 256; c = i % 256
		if (i % 10 == 9)
			printf "2001:db8:%x:%x::/64 via 2001:db8::1 dev eth1 metric %d\n", a, i % 65536, i % 1000
		else if (i % 10 == 8)
			printf "%d.%d.%d.0/24 via 192.0.2.1 dev eth0 table 100 src 192.0.2.10\n", a, b, c
		else if (i % 10 == 7)
			printf "%d.%d.%d.0/24 via 192.0.2.254 dev eth0 onlink   # backup path\n", a, b, c
		else
			printf "%d.%d.%d.0/24 via 192.0.2.%d dev eth0 metric %d\n", a, b, c, i % 250 + 1, i % 100
	}
}' > "$tmp/routes.txt"
cat > "$tmp/bench.ini" <<EOP
[nic eth0]
addresses = 192.0.2.10/24

[nic eth1]
addresses = 2001:db8::10/64

[routes bulk]
file = routes.txt
EOP

now_ns() { date +%s%N; }
best() {        # best wall time in ms of RUNS runs of "$@"
	local best=
	for _ in $(seq "$RUNS"); do
		local t0 t1 ms
		t0=$(now_ns)
		"$@" >/dev/null
		t1=$(now_ns)
		ms=$(( (t1 - t0) / 1000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

out=$("$HANET" validate "$tmp/bench.ini")
case $out in
*"($LINES routes)"*) ;;
*) echo "bench: unexpected validate output: $out" >&2; exit 2 ;;
esac

hanet_us=$(best "$HANET" validate "$tmp/bench.ini")
awk_us=$(best awk '{ n += NF } END { print n }' "$tmp/routes.txt")

lines=$(wc -l < "$tmp/routes.txt")
size=$(du -k "$tmp/routes.txt" | cut -f1)
printf 'routes file: %d lines, %d KiB; best of %d runs\n' "$lines" "$size" "$RUNS"
printf 'hanet validate: %d.%03d s\n' $((hanet_us / 1000000)) $(((hanet_us % 1000000) / 1000))
printf 'awk (read, split fields): %d.%03d s\n' $((awk_us / 1000000)) $(((awk_us % 1000000) / 1000))
awk -v h="$hanet_us" -v a="$awk_us" 'BEGIN { printf "ratio hanet/awk: %.2f\n", h / a }'
if [ $((hanet_us / 1000)) -lt $TARGET_MS ]; then
	echo "PASS under ${TARGET_MS}ms"
else
	echo "FAIL over ${TARGET_MS}ms"
	exit 1
fi
