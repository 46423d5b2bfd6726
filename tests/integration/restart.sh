#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Traffic sent while pdttd is stopped is still counted (the pinned programs
# keep counting), and a restart neither loses nor doubles anything.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

start_daemon
udp_transfer $U1 $U2 127.0.0.1 5101 10 100      # 10 x 128
wait_counted
expect_counts $U1 "1280 10 0 0"
stop_daemon

udp_transfer $U1 $U2 ::1 5102 5 200             # 5 x 248, while stopped

start_daemon
wait_next_report
expect_counts $U1 "2520 15 0 0"
expect_counts $U2 "0 0 2520 15"
stop_daemon
exit 0
