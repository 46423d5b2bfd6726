#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of pdttd in the middle of an interval, traffic while it is dead,
# restart: the next report's totals are everything sent, nothing lost or
# doubled (the kernel kept counting in the pinned maps, and the state file
# saved from these same maps is not added to them a second time).
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
write_config "interval = 2;"

start_daemon
udp_transfer $U1 $U2 127.0.0.1 5201 10 100      # 10 x 128, reported
wait_counted
expect_counts $U1 "1280 10 0 0"
instance=$(state_field instance)

udp_transfer $U1 $U2 ::1 5202 5 200             # 5 x 248, in the interval cut short
kill_daemon
echo "ok: pdttd killed with SIGKILL"
udp_transfer $U1 $U2 127.0.0.1 5203 3 300       # 3 x 328, while it is dead
udp_transfer $U2 $U1 ::1 5204 2 52              # 2 x 100, while it is dead

start_daemon
[ "$(state_field instance)" = "$instance" ] || fail "the restart made new maps"
wait_next_report
expect_counts $U1 "3504 18 200 2"
expect_counts $U2 "200 2 3504 18"

# And once more, killed right after start: still exact.
kill_daemon
start_daemon
wait_next_report
expect_counts $U1 "3504 18 200 2"
stop_daemon
exit 0
