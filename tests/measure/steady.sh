#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Steady-state probing from namespace c to namespace t over a veth:
# at 1 ms the 99.9th percentile of the gap between replies stays within
# 2 ms (ICMP; 5 ms for UDP through the responder); at 100 us most replies
# come back; every run ends by its count or time limit.
. "$(dirname "$0")/../lib.sh"
hn_sandbox "$@"
set -eu

B=$HN_TOP/build/tests
hn_veth_pair c vc t vt
sleep 0.2

# json_get FILE EXPR: a value of probe-run -j output
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# run LABEL ARGS...: probe-run -j into $HN_TMP/LABEL.json, printed as a # line
run() {
	local label=$1
	shift
	"$B/probe-run" -N c -P 10 -s 20 -l "$label" -j "$@" >"$HN_TMP/$label.json"
	echo "# $(json_get "$HN_TMP/$label.json" '"%s: sent %d received %d gap p50 %dus p99 %dus p99.9 %dus max %dus rtt p50 %dus" % (j["label"], j["gaps"]["sent"], j["gaps"]["received"], j["gaps"]["gap_p50_us"], j["gaps"]["gap_p99_us"], j["gaps"]["gap_p999_us"], j["gaps"]["gap_max_us"], j["gaps"]["rtt_p50_us"])')"
}

# 1 ms, 5 s: p99.9 of the gap <= LIMIT_US.  The machine is shared and a
# neighbour's burst can hold any thread for milliseconds: up to three
# attempts, each printed.
steady_1ms() {
	local label=$1 limit=$2
	shift 2
	# a machine already running more than it has CPUs cannot promise
	# anyone 2 ms: the limit doubles, and the output says so
	if awk -v n="$(nproc)" '{ exit !($1 > n) }' /proc/loadavg; then
		echo "# $label: load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs: p99.9 limit $((limit * 2)) us instead of $limit"
		limit=$((limit * 2))
	fi
	for attempt in 1 2 3; do
		run "$label" -i 1000 -c 5000 -d 8000 "$@"
		hn_assert_eq "$(json_get "$HN_TMP/$label.json" 'j["gaps"]["received"]')" 5000 "$label: every reply"
		[ "$(json_get "$HN_TMP/$label.json" "j['gaps']['gap_p999_us'] <= $limit")" = True ] && return 0
		echo "# $label: p99.9 above $limit us on attempt $attempt"
	done
	hn_fail "$label: p99.9 of the gap between replies above $limit us three times"
}
# ICMP: the target's kernel answers
steady_1ms icmp-1ms 2000 -a 10.0.0.2
# UDP: a user-space responder must wake up for every probe, a little more jitter
steady_1ms udp6-1ms 5000 -a 2001:db8::2 -k udp -R t
hn_assert_eq "$(json_get "$HN_TMP/udp6-1ms.json" 'j["kernel_timestamps"]')" True "kernel receive timestamps"

# 100 us, 2 s: most replies come back, at the right pace
for k in icmp udp; do
	args=(-a 10.0.0.2)
	[ $k = udp ] && args+=(-k udp -R t)
	run "$k-100us" -i 100 -c 20000 -d 4000 "${args[@]}"
	f=$HN_TMP/$k-100us.json
	[ "$(json_get "$f" 'j["gaps"]["received"] >= 0.95 * j["gaps"]["sent"] and j["gaps"]["sent"] >= 15000')" = True ] ||
		hn_fail "$k at 100 us: too few replies"
	[ "$(json_get "$f" '75 <= j["gaps"]["gap_p50_us"] <= 125')" = True ] || hn_fail "$k at 100 us: median gap not 100 us"
done

# the hybrid sleep: the spin stays within its bounds (at least -s, at
# most a quarter of the interval and 100 us); with SCHED_FIFO, -p pins
# the thread to one of its CPUs, and without -p it is not pinned
if [ "$(nproc)" -ge 2 ]; then
	for iv in 1000 100; do
		"$B/probe-run" -N c -a 10.0.0.2 -i $iv -c 500 -d 2000 -P 10 -s 20 -p -j >"$HN_TMP/pin.json"
		cap=$(( iv / 4 < 100 ? iv / 4 : 100 ))
		floor=$(( 20 < cap ? 20 : cap ))
		[ "$(json_get "$HN_TMP/pin.json" "$floor <= j['spin_max_us'] <= $cap")" = True ] ||
			hn_fail "interval $iv us: spin $(json_get "$HN_TMP/pin.json" 'j["spin_max_us"]') us outside $floor..$cap"
		if [ "$(json_get "$HN_TMP/pin.json" 'j["realtime"]')" = True ]; then
			cpu=$(json_get "$HN_TMP/pin.json" 'j["cpu"]')
			python3 -c 'import os, sys; sys.exit(int(sys.argv[1]) not in os.sched_getaffinity(0))' "$cpu" ||
				hn_fail "-p: not pinned to one of its CPUs (cpu $cpu)"
		fi
	done
	"$B/probe-run" -N c -a 10.0.0.2 -i 1000 -c 100 -d 2000 -P 10 -s 20 -j >"$HN_TMP/nopin.json"
	hn_assert_eq "$(json_get "$HN_TMP/nopin.json" 'j["cpu"]')" -1 "without -p: not pinned"
fi

# ICMP through ping sockets when the namespace allows them (else raw)
ip netns exec c sysctl -qw net.ipv4.ping_group_range="0 0"
for a in 10.0.0.2 2001:db8::2; do
	"$B/probe-run" -N c -a $a -i 1000 -c 200 -d 2000 -j >"$HN_TMP/ping.json"
	hn_assert_eq "$(json_get "$HN_TMP/ping.json" 'j["raw_socket"]')" False "$a: a ping socket"
	hn_assert_eq "$(json_get "$HN_TMP/ping.json" 'j["gaps"]["received"]')" 200 "$a: replies through a ping socket"
done
ip netns exec c sysctl -qw net.ipv4.ping_group_range="1 0"
"$B/probe-run" -N c -a 10.0.0.2 -i 1000 -c 20 -d 2000 -j >"$HN_TMP/raw.json"
hn_assert_eq "$(json_get "$HN_TMP/raw.json" 'j["raw_socket"]')" True "a raw socket when ping sockets are not allowed"

# bounded: a probe count and a time limit both end a run
"$B/probe-run" -N c -a 10.0.0.2 -i 1000 -c 50 -d 5000 -j >"$HN_TMP/count.json"
hn_assert_eq "$(json_get "$HN_TMP/count.json" 'j["gaps"]["sent"]')" 50 "count limit"
start=$(date +%s%N)
"$B/probe-run" -N c -a 10.0.0.2 -i 1000 -c 100000 -d 300 -j >"$HN_TMP/time.json"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 1500 ] || hn_fail "time limit: ran ${ms} ms"
[ "$(json_get "$HN_TMP/time.json" '250 <= j["gaps"]["sent"] <= 301')" = True ] || hn_fail "time limit: sent $(json_get "$HN_TMP/time.json" 'j["gaps"]["sent"]')"
# an unreachable target: probes are sent, nothing comes back, it still ends
"$B/probe-run" -N c -a 10.0.0.99 -i 1000 -c 100 -d 2000 -j >"$HN_TMP/none.json"
hn_assert_eq "$(json_get "$HN_TMP/none.json" 'j["gaps"]["received"]')" 0 "no replies from nowhere"
hn_assert_eq "$(json_get "$HN_TMP/none.json" 'j["gaps"]["sent"]')" 100 "probes to nowhere"
exit 0
