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

# hw_stop: SIGTERM, and the exit status must be 0.
hw_stop() {
	local rc=0
	[ -n "$W_PID" ] || return 0
	kill -TERM "$W_PID" 2>/dev/null
	wait "$W_PID" || rc=$?
	W_PID=
	[ $rc -eq 0 ] || hn_fail "watch exited with $rc: $(tail -n 20 "$W_LOG")"
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
# (a value "null" matches a JSON null).
hw_records() {
	python3 - "$W_REC" "$@" <<'PY'
import json, sys
path, conds = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
n = 0
try:
    lines = open(path).read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    r = json.loads(line)       # every line must be JSON
    if all(str(r.get(k)) == v if v != "null" else r.get(k) is None for k, v in conds):
        n += 1
print(n)
PY
}

# hw_wait_record SECONDS KEY=VALUE...: such a record appears.
hw_wait_record() {
	local t=$1
	shift
	hw_until "$t" hw_has_record "$@" || hn_fail "no record $*; records: $(tail -n 5 "$W_REC")"
}
hw_has_record() { [ "$(hw_records "$@")" -gt 0 ]; }

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
