#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A reboot, simulated by stopping pdttd and removing its pins (what a reboot
# does to bpffs): the next start continues the totals from the state file,
# with the same accounting start. A crash followed by a reboot loses at most
# what was counted since the last state file, the last interval.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

start_daemon
udp_transfer $U1 $U2 127.0.0.1 5301 10 100      # 10 x 128
wait_next_report
stop_daemon                                     # final report and state file
expect_counts $U1 "1280 10 0 0"
start=$(state_field accounting_start)
instance=$(state_field instance)
[ -n "$start" ] && [ -n "$instance" ] || fail "no state file: $(cat "$WORK/state")"

simulate_reboot
start_daemon
[ "$(state_field instance)" != "$instance" ] || fail "the maps were not recreated"
wait_next_report
expect_counts $U1 "1280 10 0 0"
expect_counts $U2 "0 0 1280 10"
udp_transfer $U1 $U2 ::1 5302 4 52              # 4 x 100
wait_counted
expect_counts $U1 "1680 14 0 0"
expect_counts $U2 "0 0 1680 14"
[ "$(state_field accounting_start)" = "$start" ] ||
	fail "accounting_start changed from $start to $(state_field accounting_start)"
echo "ok: totals and accounting start ($start) survive a reboot"

# Two reboots in a row, the second without any report in between.
stop_daemon
simulate_reboot
start_daemon
stop_daemon
simulate_reboot
start_daemon
wait_next_report
expect_counts $U1 "1680 14 0 0"

# A crash, then a reboot: what was counted after the last state file is
# lost, and nothing else. interval = 3600, so the last state file is the one
# written at start.
stop_daemon
write_config "interval = 3600;"
start_daemon
udp_transfer $U1 $U2 127.0.0.1 5303 2 100       # 2 x 128: after the last state file
kill_daemon
simulate_reboot
write_config "interval = 1;"
start_daemon
wait_next_report
expect_counts $U1 "1680 14 0 0"
echo "ok: a crash followed by a reboot lost only the traffic since the last state file"
stop_daemon
exit 0
