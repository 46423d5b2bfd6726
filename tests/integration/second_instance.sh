#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A second pdttd with the same pin_path refuses to start (exit 75) and names
# the running one by PID; the running one is not disturbed and keeps counting.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

start_daemon
link=$(bpftool -j link show pinned "$PIN_PATH/link_sock_egress" |
	"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])')
expect_start_failure 75 "another pdttd \(PID $DAEMON_PID\) is running with pin_path $PIN_PATH"
# The same in the background (as an init script would start it).
rc=0
"$PDTTD" -c "$WORK/pdtt.conf" 2>"$WORK/second.err" || rc=$?
[ $rc = 75 ] || fail "a detaching second pdttd exited with $rc: $(cat "$WORK/second.err")"
kill -0 "$DAEMON_PID" || fail "the running pdttd died"
[ "$(bpftool -j link show pinned "$PIN_PATH/link_sock_egress" |
	"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])')" = "$link" ] ||
	fail "the second pdttd replaced the running programs"
udp_transfer $U1 $U2 127.0.0.1 6001 4 100       # 4 x 128
wait_counted
expect_counts $U1 "512 4 0 0"
stop_daemon
exit 0
