#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# prometheus_textfile: written at start and at every report, atomically
# (a reader never sees part of a file, no temporary file is left), mode 0640 in its directory's group,
# with the exact counters per UID and class, the buckets, the gauges and
# their HELP and TYPE lines, passing promtool where it is installed. SIGHUP
# moves it or turns it off (the old file is removed); a directory that does
# not exist stops the start. pdttd counts this test's cgroup only, so that
# the users in the file are this test's, whatever the rest of the machine
# does.
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
use_own_cgroup
setup_peer
U1=$(test_uid 1)
U2=$(test_uid 2)
DIR="$WORK/textfile"
PROM="$DIR/pdtt.prom"
mkdir "$DIR"
CONF=("interval = 1;" "max_users = 64;" "cgroup_path = \"$CGROUP\";")

write_config "${CONF[@]}" "prometheus_textfile = \"$PROM\";"
start_daemon
[ -s "$PROM" ] || fail "no $PROM right after the start"
echo "ok: $PROM written at start"
t0=$(date +%s)
udp_transfer $U1 $U2 127.0.0.1 6201 10 1000                         # local:    10 x 1028
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.2.2 6202 4 100        # external:  4 x 128
# The textfile is written after the text report: the second report after the
# traffic read the counters after it, and once a third has begun, the
# second one's file is surely there.
wait_report "$WORK/pdtt.log" 3

samples=$(prom_samples "$PROM")
t1=$(date +%s)
expect_user_samples "$samples" $U1 local "10280 10 0 0"
expect_user_samples "$samples" $U1 external "512 4 0 0"
expect_user_samples "$samples" $U2 local "0 0 10280 10"
expect_user_samples "$samples" $U2 external "0 0 512 4"
expect_sample "$samples" "pdtt_max_users 64"
for b in unattributed overflow; do
	for c in local external; do
		grep -qE "^pdtt_bucket_transmit_bytes_total\{bucket=\"$b\",class=\"$c\"\} [0-9]+$" \
			<<<"$samples" || fail "no $b/$c bucket sample"
	done
done
echo "ok: both buckets, both classes"
users=$(sed -n 's/^pdtt_users //p' <<<"$samples")
[ "${users:-0}" = 2 ] || fail "pdtt_users is '$users', expected 2 (U1 and U2)"
stamp=$(sed -n 's/^pdtt_last_report_timestamp_seconds //p' <<<"$samples")
# A reading after the traffic began, before the file was read (no timing:
# the counts above show that this reading came after the traffic).
[ "${stamp:-0}" -ge "$t0" ] && [ "${stamp:-0}" -le "$t1" ] ||
	fail "pdtt_last_report_timestamp_seconds is '$stamp', expected $t0..$t1"
echo "ok: pdtt_users $users, pdtt_last_report_timestamp_seconds $stamp"
types=$("$PYTHON" "$PDTT_TESTS/integration/prom_parse.py" --types <"$PROM")
for m in transmit_bytes_total receive_bytes_total transmit_packets_total receive_packets_total; do
	expect_sample "$types" "TYPE pdtt_$m counter"
	expect_sample "$types" "TYPE pdtt_bucket_$m counter"
	grep -q "^# HELP pdtt_$m " "$PROM" || fail "no HELP line for pdtt_$m"
done
for m in users max_users last_report_timestamp_seconds; do
	expect_sample "$types" "TYPE pdtt_$m gauge"
	grep -q "^# HELP pdtt_$m " "$PROM" || fail "no HELP line for pdtt_$m"
done
[ "$(stat -c %a "$PROM")" = 640 ] || fail "$PROM has mode $(stat -c %a "$PROM"), expected 640"
[ "$(stat -c %g "$PROM")" = "$(stat -c %g "$DIR")" ] ||
	fail "$PROM has group $(stat -c %g "$PROM"), expected its directory's, $(stat -c %g "$DIR")"
echo "ok: mode 640, the directory's group"

if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$PROM" || fail "promtool check metrics refuses $PROM"
	echo "ok: promtool check metrics accepts $PROM"
else
	echo "note: promtool is not installed: not linted"
fi

# A reader never sees a partial file: read it continuously across three reports.
"$PYTHON" - "$PROM" <<'PY' || fail "a reader saw a partial file"
import sys, time
end, reads = time.monotonic() + 3, 0
while time.monotonic() < end:
    with open(sys.argv[1]) as f:
        text = f.read()
    reads += 1
    if not text.endswith("\n") or "\npdtt_last_report_timestamp_seconds " not in text:
        sys.exit(f"partial file after {reads} reads: {text[-200:]!r}")
print(f"ok: {reads} reads during three reports, every one a whole file")
PY
[ "$(ls -A "$DIR")" = pdtt.prom ] || fail "left in $DIR: $(ls -A "$DIR")"
echo "ok: no temporary file left in $DIR"

# SIGHUP to another file: the old one goes, the new one comes.
reload_daemon "${CONF[@]}" "prometheus_textfile = \"$DIR/other.prom\";"
wait_next_report
[ "$(ls -A "$DIR")" = other.prom ] || fail "after moving prometheus_textfile, $DIR has: $(ls -A "$DIR")"
echo "ok: prometheus_textfile moved by SIGHUP"
# SIGHUP with "": no file at all.
reload_daemon "${CONF[@]}"
wait_next_report
[ -z "$(ls -A "$DIR")" ] || fail "after turning prometheus_textfile off, $DIR has: $(ls -A "$DIR")"
echo "ok: prometheus_textfile turned off by SIGHUP, its file removed"
stop_daemon

# A directory that does not exist stops the start, with a message.
write_config "${CONF[@]}" "prometheus_textfile = \"$WORK/nodir/pdtt.prom\";"
rc=0
"$PDTTD" -f -c "$WORK/pdtt.conf" >/dev/null 2>"$WORK/start.err" || rc=$?
[ $rc = 1 ] || fail "pdttd with a missing textfile directory exited $rc, expected 1"
grep -q "cannot write prometheus_textfile $WORK/nodir/pdtt.prom: $WORK/nodir: No such file or directory" \
	"$WORK/start.err" || fail "message: $(cat "$WORK/start.err")"
echo "ok: $(cat "$WORK/start.err")"
exit 0
