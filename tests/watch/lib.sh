# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the watch tests.  Source after tests/lib.sh and hn_sandbox:
#
#   . "$(dirname "$0")/../lib.sh"
#   hn_sandbox "$@"
#   . "$(dirname "$0")/lib.sh"
#
# hw_start runs `hanet watch` in the background (bounded by --max-runtime)
# with its records, metrics and log in $HN_TMP; hw_stop sends SIGTERM and
# expects a clean exit.  HW_WRAP (e.g. "valgrind ...") runs it under a tool.

W_LOG=$HN_TMP/watch.log
W_REC=$HN_TMP/records.jsonl
W_MET=$HN_TMP/metrics.prom
W_PID=

# The profile most tests use: namespace api, a veth pair from here into
# it, addresses on both ends, a VIP, a route and a rule.
hw_profile() {
	cat >"$1" <<'INI'
[profile]
name = wt

[netns api]

[veth v0]
peer = v0p
addresses = 10.0.0.1/24

[veth v0p]
peer = v0
netns = api
addresses = 10.0.0.21/24

[vip api]
address = 10.0.0.50/24
dev = v0p
netns = api
preferred_lft = 0
announce_count = 2
announce_interval = 10ms

[route r1]
to = 10.9.0.0/16
via = 10.0.0.21
dev = v0

[rule r1]
from = 10.0.0.0/24
table = 100
priority = 1000
INI
}

# hw_start PROFILE [OPTIONS...]: start and wait until the kernel matches.
hw_start() {
	local profile=$1
	shift
	: >"$W_LOG"
	${HW_WRAP:-} "$HANET" watch --records "$W_REC" --metrics "$W_MET" --max-runtime "${HW_MAX_RUNTIME:-60s}" \
		"$@" "$profile" 2>"$W_LOG" &
	W_PID=$!
	hw_wait_log "the kernel matches the profile; watching" "${HW_START_TIMEOUT:-10}" ||
		hn_fail "watch did not get ready: $(tail -n 20 "$W_LOG")"
}

# hw_stop: SIGTERM, and the exit status must be 0; every record line is
# one JSON object.
hw_stop() {
	local rc=0
	[ -n "$W_PID" ] || return 0
	kill -TERM "$W_PID" 2>/dev/null
	wait "$W_PID" || rc=$?
	W_PID=
	[ $rc -eq 0 ] || hn_fail "watch exited with $rc: $(tail -n 20 "$W_LOG")"
	[ -f "$W_REC" ] || return 0
	python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    r = json.loads(line)
    assert isinstance(r, dict) and {"time", "mono_ns", "profile", "event", "netns"} <= r.keys(), "line %d" % n
' "$W_REC" || hn_fail "records are not one JSON object a line"
}

# hw_alive: watch still runs.
hw_alive() { [ -n "$W_PID" ] && kill -0 "$W_PID" 2>/dev/null; }

# hw_deadline SECONDS: prints the time (microseconds) SECONDS from now.
hw_now() { local t=${EPOCHREALTIME/./}; echo "$t"; }
hw_deadline() { echo $(( $(hw_now) + ${1%.*} * 1000000 )); }

# hw_wait_log TEXT [SECONDS]: the log has a line with TEXT.
hw_wait_log() {
	local end
	end=$(hw_deadline "${2:-5}")
	while :; do
		grep -qF -- "$1" "$W_LOG" && return 0
		[ "$(hw_now)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# hw_until SECONDS CMD...: CMD succeeds within SECONDS (of wall-clock
# time, however long CMD takes: a user-mode Linux guest is slow).
hw_until() {
	local end
	end=$(hw_deadline "$1")
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(hw_now)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# hw_converged PROFILE: `hanet check` says the kernel matches (within 5 s).
hw_converged() {
	hw_until "${2:-5}" "$HANET" check "$1" || hn_fail "not converged: $("$HANET" check "$1" 2>&1)"
}

# hw_records KEY=VALUE...: the number of records with all these fields
# (a value "null" matches a JSON null).  awk, not a JSON parser: records
# are written as "key":"value" / "key":number / "key":null (hw_stop checks
# that every line is JSON).  Fast where starting python takes a second
# (user-mode Linux).
hw_records() {
	local a conds=
	[ -f "$W_REC" ] || { echo 0; return; }
	for a in "$@"; do conds+="${conds:+ }${a// /$'\x01'}"; done
	awk -v conds="$conds" '
		BEGIN { n = split(conds, c, " ") }
		{
			ok = 1
			for (i = 1; i <= n && ok; i++) {
				k = substr(c[i], 1, index(c[i], "=") - 1)
				v = substr(c[i], index(c[i], "=") + 1)
				gsub(/\x01/, " ", v)
				if (v == "null")
					ok = index($0, "\"" k "\":null") > 0
				else
					ok = index($0, "\"" k "\":\"" v "\"") > 0 ||
					     index($0, "\"" k "\":" v ",") > 0 || index($0, "\"" k "\":" v "}") > 0
			}
			if (ok) m++
		}
		END { print m + 0 }' "$W_REC"
}

# hw_wait_record SECONDS KEY=VALUE...: such a record appears.
hw_wait_record() {
	local t=$1
	shift
	hw_until "$t" hw_has_record "$@" || hn_fail "no record $*; records: $(tail -n 5 "$W_REC")"
}
hw_has_record() { [ "$(hw_records "$@")" -gt 0 ]; }

# hw_until_is SECS OP WANT CMD...: until "$(CMD...)" OP WANT (test's =,
# -ge...), CMD run again at every try
hw_until_is() {
	local secs=$1
	shift
	hw_until "$secs" hw_is "$@"
}
hw_is() {
	local op=$1 want=$2
	shift 2
	test "$("$@")" "$op" "$want"
}

# hw_metric NAME{LABELS}: its value in the metrics file ("" when absent).
hw_metric() {
	awk -v m="$1" 'index($0, m " ") == 1 { print $2 }' "$W_MET" 2>/dev/null
}

hw_cleanup() {
	if [ -n "${W_PID:-}" ]; then
		kill -TERM "$W_PID" 2>/dev/null
		wait "$W_PID" 2>/dev/null
	fi
	hn_cleanup
}
trap hw_cleanup EXIT
