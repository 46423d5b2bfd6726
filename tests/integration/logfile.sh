#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The report log: removed or renamed without a signal -> a new file at the
# next report. Disk full -> an error on stderr (syslog when detached), no
# partial report left in the file, pdttd keeps running, and once there is
# space again the next report is written in full, with the traffic sent
# meanwhile. A log directory that does not exist -> a clear error at start,
# nothing attached.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
FULL="$WORK/full"
mkdir "$FULL"
mount -t tmpfs -o size=64k pdtt-test "$FULL" || skip "cannot mount a tmpfs"
on_cleanup "umount '$FULL'"
LOG="$FULL/pdtt.log"
# config_with_log FILE: the test's configuration, with log_file = FILE.
config_with_log() {
	write_config "interval = 1;"
	sed -i "s|^log_file = .*|log_file = \"$1\";|" "$WORK/pdtt.conf"
}
config_with_log "$LOG"

# every_report_complete FILE: each report is a header and whole 5-line UID blocks.
every_report_complete() {
	awk '
		/^=== Network Statistics Report \[.*\] ===$/ { if (n % 5) exit 1; n = 0; next }
		{ n++ }
		n % 5 == 1 && !/^UID: / { exit 1 }
		n % 5 == 0 && $0 != "---" { exit 1 }
		END { if (n % 5) exit 1 }
	' "$1" && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]
}

"$PDTTD" -f -c "$WORK/pdtt.conf" >>"$WORK/stdout" 2>>"$WORK/stderr" &
DAEMON_PID=$!
wait_report "$LOG"

# -- renamed, then removed, without SIGHUP
mv "$LOG" "$FULL/pdtt.log.1"
wait_report "$LOG"
old=$(reports_in "$FULL/pdtt.log.1")
wait_report "$LOG"
[ "$(reports_in "$FULL/pdtt.log.1")" = "$old" ] || fail "pdttd still writes to the renamed log"
echo "ok: renamed log replaced by a new file at the next report"
rm "$LOG" "$FULL/pdtt.log.1"
wait_report "$LOG"
echo "ok: removed log replaced by a new file at the next report"

# -- disk full
udp_transfer $U1 $U2 127.0.0.1 5901 10 100      # 10 x 128
wait_report "$LOG"
expect_counts $U1 "1280 10 0 0" "$LOG"
dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null
for _ in $(seq 300); do
	grep -q "cannot write the report to $LOG: No space left on device" "$WORK/stderr" && break
	sleep 0.1
done
grep -q "cannot write the report to $LOG: No space left on device" "$WORK/stderr" ||
	fail "no error about the full disk: $(tail -n 5 "$WORK/stderr")"
echo "ok: $(grep "cannot write the report" "$WORK/stderr" | head -n 1)"
udp_transfer $U1 $U2 ::1 5902 5 200             # 5 x 248, while reports cannot be written
sleep 2
kill -0 "$DAEMON_PID" || fail "pdttd died on a full disk"
every_report_complete "$LOG" || fail "a partial report was left in the log: $(tail -n 3 "$LOG")"
size=$(stat -c %s "$LOG")
sleep 1.5
[ "$(stat -c %s "$LOG")" = "$size" ] || fail "the log changed while the disk was full"
[ "$(grep -c 'cannot write the report' "$WORK/stderr")" = 1 ] ||
	fail "the error was repeated at every report"
echo "ok: pdttd keeps running, the log holds only complete reports"

rm "$FULL/filler"
wait_report "$LOG"
grep -q "writing reports to $LOG again" "$WORK/stderr" || fail "no message when writing works again"
every_report_complete "$LOG" || fail "a report in the log is incomplete"
expect_counts $U1 "2520 15 0 0" "$LOG"
expect_counts $U2 "0 0 2520 15" "$LOG"
echo "ok: the first report after the disk had space again is complete and has everything"
stop_daemon

# -- the log directory does not exist
config_with_log "$WORK/no-such-dir/pdtt.log"
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
expect_start_failure 1 "cannot open log_file $WORK/no-such-dir/pdtt.log: its directory $WORK/no-such-dir does not exist"
[ ! -e "$PIN_PATH/link_sock_egress" ] && [ ! -e "$PIN_PATH/pdtt_counters" ] ||
	fail "pdttd attached although its log directory is missing"
echo "ok: nothing attached"
exit 0
