#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# json_log: every line is a JSON object a parser accepts, with the host
# name, RFC 3339 UTC time, cumulative and per-interval figures that agree
# with each other and with the text log; the log is rotated like the text
# log (moved away: a new file; SIGHUP: reopened), and turned on and off by
# SIGHUP. Each report starts with a report line, written even when nobody
# moved data. pdttd counts this test's cgroup only, so that its first
# reports are idle whatever the rest of the machine does.
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
use_own_cgroup
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
JSON="$WORK/json/pdtt.jsonl"
mkdir "$WORK/json"
CONF=("interval = 1;" "cgroup_path = \"$CGROUP\";")

# settled CMD...: CMD, a check that reads the logs of the running pdttd, until
# it passes, at most 5 s: a check may read while a report is being written,
# or between the text report and its JSON lines, which come right after it.
# A log that is wrong stays wrong, and the last try's failure is the verdict.
settled() {
	for _ in $(seq 50); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	"$@"
}
json_written() { [ -s "$JSON" ]; }

write_config "${CONF[@]}" "json_log = \"$JSON\";"
start_daemon
# Nobody has moved data yet: each report is its report line alone.
wait_next_report
wait_next_report
settled json_written || fail "an idle report wrote no line to $JSON"
idle_reports() {
	"$PYTHON" -c '
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    obj = json.loads(line)
    if obj.get("type") != "report" or (obj["users"], obj["buckets"]) != (0, 0):
        sys.exit(f"line {n} of an idle log: {line.strip()}")
print(f"ok: {n} idle reports, each a report line alone: {line.strip()}")
' "$JSON"
}
settled idle_reports || fail "the idle reports in the JSON log"
udp_transfer $U1 $U2 127.0.0.1 6101 10 1000     # 10 x 1028
wait_next_report
settled json_written || fail "no JSON log at $JSON"
[ "$(stat -c %a "$JSON")" = 640 ] || fail "$JSON has mode $(stat -c %a "$JSON"), expected 640"
udp_transfer $U1 $U2 ::1 6102 5 200             # 5 x 248
wait_next_report

# Moved away without a signal (logrotate without postrotate): a new file.
mv "$JSON" "$JSON.1"
wait_next_report
settled json_written || fail "no new $JSON after the old one was moved away"
echo "ok: a new JSON log after the old one was moved away"

# Moved away, then SIGHUP (logrotate's postrotate).
mv "$JSON" "$JSON.2"
kill -HUP "$DAEMON_PID"
udp_transfer $U3 $U1 127.0.0.1 6103 3 72        # 3 x 100
wait_next_report
settled json_written || fail "no new $JSON after SIGHUP"
echo "ok: a new JSON log after SIGHUP"

CHECK=("$PYTHON" "$PDTT_TESTS/integration/jsonl_check.py" --host "$(hostname)"
	--max-interval 5 --nameless "$U1,$U2,$U3" --show "$U1,$U2,$U3")
check_all() { out=$("${CHECK[@]}" "$JSON.1" "$JSON.2" "$JSON" 2>&1); }
settled check_all || fail "JSON log: $out"
echo "$out"
grep -qx "$U1 11520 15 300 3" <<<"$out" || fail "UID $U1 in the JSON log: $(grep "^$U1 " <<<"$out")"
grep -qx "$U2 0 0 11520 15" <<<"$out" || fail "UID $U2 in the JSON log: $(grep "^$U2 " <<<"$out")"
grep -qx "$U3 300 3 0 0" <<<"$out" || fail "UID $U3 in the JSON log: $(grep "^$U3 " <<<"$out")"
echo "ok: the JSON log has the exact cumulative counts, and intervals that add up to them"

# The last JSON report has its text report: same reading, same time. The
# JSON is read first: pdttd writes each text report before its JSON lines,
# so that text report is in the log by then, whatever pdttd writes meanwhile.
expect_counts $U1 "11520 15 300 3"
json_time=$("$PYTHON" -c 'import json, sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["time"])' "$JSON")
json_secs=$(date -d "$json_time" +%s)
text_time=""
while read -r t; do
	[ "$(date -d "$t" +%s)" = "$json_secs" ] && text_time=$t
done < <(sed -n 's/^=== Network Statistics Report \[\(.*\)\] ===$/\1/p' "$WORK/pdtt.log")
[ -n "$text_time" ] || fail "no text report at the time of the last JSON one, $json_time"
echo "ok: JSON time $json_time is the text report's $text_time"

# SIGHUP with json_log = "": no more lines; set again: lines again.
reload_daemon "${CONF[@]}"
lines=$(wc -l <"$JSON")
wait_next_report
wait_next_report
[ "$(wc -l <"$JSON")" = "$lines" ] || fail "JSON lines were written after json_log was turned off"
reload_daemon "${CONF[@]}" "json_log = \"$JSON\";"
wait_next_report
wait_next_report
[ "$(wc -l <"$JSON")" -gt "$lines" ] || fail "no JSON line after json_log was turned on again"
echo "ok: json_log turned off and on by SIGHUP"

# A JSON log that cannot be opened at start: the daemon does not start.
stop_daemon
write_config "${CONF[@]}" "json_log = \"$WORK/missing-dir/pdtt.jsonl\";"
rc=0
"$PDTTD" -f -c "$WORK/pdtt.conf" >/dev/null 2>"$WORK/start.err" || rc=$?
[ $rc = 1 ] || fail "pdttd with an unwritable json_log exited $rc, expected 1"
grep -q "cannot open json_log $WORK/missing-dir/pdtt.jsonl: No such file or directory" \
	"$WORK/start.err" || fail "message: $(cat "$WORK/start.err")"
echo "ok: an unwritable json_log stops the start: $(cat "$WORK/start.err")"
exit 0
