#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdttd without -f (the SysV init script's way) forks to leave the terminal
# after its first history write. SQLite's locks are POSIX record locks, which
# a child does not inherit: the detached daemon must hold its own, or another
# process (pdtt history, sqlite3) could take it for the last user of the
# database and checkpoint and remove the WAL under it. The proof: the lock
# SQLite keeps on the -shm file for as long as a connection is open (see
# /proc/locks) belongs to the detached daemon, and the history still sums.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_history.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
write_config "interval = 1;" "history_period = 1;"

start_detached
udp_transfer $U1 $U2 127.0.0.1 5701 10 100 # 10 x 128
wait_report "$WORK/pdtt.log" 3            # a history write after the fork

[ -e "$WORK/history.db-shm" ] || fail "no $WORK/history.db-shm while pdttd runs"
shm_inode=$(stat -c %i "$WORK/history.db-shm")
awk -v pid="$DAEMON_PID" -v ino="$shm_inode" \
	'$2 == "POSIX" && $5 == pid { n = split($6, f, ":"); if (f[n] == ino) found = 1 }
	 END { exit !found }' /proc/locks ||
	fail "the detached pdttd ($DAEMON_PID) holds no lock on history.db-shm (inode $shm_inode): $(grep -c POSIX /proc/locks) POSIX locks in /proc/locks"
echo "ok: the detached pdttd holds its own SQLite lock on the history"

stop_detached
expect_counts $U1 "1280 10 0 0"
expect_history_sums $U1 $U2
echo "ok: the history of a detached pdttd sums to the totals"
