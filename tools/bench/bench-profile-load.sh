#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How `hanet validate` grows with the number of [route] sections of a
# profile (target: linear, and 200k sections in under 2 s), against awk
# reading the same file (splitting it into sections and keys), and, when
# HANET_REF names one (e.g. the binary built from an older commit),
# another hanet, in the same run.
# Usage: tools/bench/bench-profile-load.sh [SIZES] [RUNS]
#   SIZES: e.g. "10000 50000 100000 200000" (the default); RUNS: 3
# Prints, per size, the best of RUNS in wall-clock and CPU seconds (user
# + system), the ratios, and the growth exponent k of time ~ sections^k
# between the smallest and the largest size (1: linear, 2: quadratic).
# Exits 1 when the largest size of 200k or more takes 2 s of CPU or more.
# HANET_REF_MAX (default 20000) bounds the sizes given to HANET_REF:
# an older, quadratic hanet would take minutes beyond.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${1:-"10000 50000 100000 200000"}
RUNS=${2:-3}
HANET=${HANET:-./hanet}
REF=${HANET_REF:-}
REF_MAX=${HANET_REF_MAX:-20000}
[ -x "$HANET" ] || make -s hanet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {         # gen N FILE: a veth and N [route] sections of 4 keys
	awk -v n="$1" 'BEGIN {
		print "[profile]\nname = bench\n\n[netns r]\n\n[veth v0]\nnetns = r\npeer = v1\naddresses = 10.0.0.1/8\n"
		for (i = 0; i < n; i++)
			printf "[route r%d]\nnetns = r\nto = 10.%d.%d.%d/32\nvia = 10.0.0.2\ndev = v0\n\n", i,
				int(i / 65536) + 1, int(i / 256) % 256, i % 256
	}' >"$2"
}

# best WALL CPU of RUNS runs of a command (seconds)
best() {
	local w c bw=999999 bc=999999 i
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
		read -r w u s <"$tmp/t"
		c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
		bw=$(awk -v a="$bw" -v b="$w" 'BEGIN { print (b < a) ? b : a }')
		bc=$(awk -v a="$bc" -v b="$c" 'BEGIN { print (b < a) ? b : a }')
	done
	echo "$bw $bc"
}

echo "hanet validate of N [route] sections (best of $RUNS; seconds; the machine may be shared: CPU time is steadier)"
printf '%8s %10s %10s %10s %10s %12s' sections hanet-wall hanet-cpu awk-wall awk-cpu hanet/awk
[ -n "$REF" ] && printf ' %10s %10s' ref-cpu ref/hanet
echo
first= last=
for n in $SIZES; do
	f=$tmp/p$n.ini
	gen "$n" "$f"
	"$HANET" validate "$f" >/dev/null || { echo "FAIL: $f does not validate"; exit 1; }
	read -r hw hc < <(best "$HANET" validate "$f")
	# the reference: awk splitting the same file into sections and keys
	read -r aw ac < <(best awk -F' *= *' '/^\[/ { s++; next } NF == 2 { k[s % 64, $1] = $2 } END { print s }' "$f")
	printf '%8d %10.3f %10.3f %10.3f %10.3f %12.1f' "$n" "$hw" "$hc" "$aw" "$ac" \
		"$(awk -v a="$hc" -v b="$ac" 'BEGIN { print (b > 0) ? a / b : 0 }')"
	if [ -n "$REF" ]; then
		if [ "$n" -le "$REF_MAX" ]; then
			read -r rw rc < <(best "$REF" validate "$f")
			printf ' %10.3f %10.1f' "$rc" "$(awk -v a="$rc" -v b="$hc" 'BEGIN { print (b > 0) ? a / b : 0 }')"
		else
			printf ' %10s %10s' - -
		fi
	fi
	echo
	[ -n "$first" ] || first="$n $hc"
	last="$n $hc"
	rm -f "$f"
done
read -r n0 t0 <<<"$first"
read -r n1 t1 <<<"$last"
if [ "$n1" != "$n0" ]; then
	awk -v n0="$n0" -v t0="$t0" -v n1="$n1" -v t1="$t1" 'BEGIN {
		if (t0 <= 0) t0 = 0.001
		printf "growth: %gx the sections, %.1fx the CPU time: exponent %.2f (1 linear, 2 quadratic)\n",
			n1 / n0, t1 / t0, log(t1 / t0) / log(n1 / n0)
	}'
fi
if [ "$n1" -ge 200000 ] && awk -v t="$t1" 'BEGIN { exit !(t >= 2) }'; then
	echo "FAIL: $n1 sections took $t1 s of CPU (target: under 2 s)"
	exit 1
fi
