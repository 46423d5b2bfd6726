#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The usage history when things go wrong: a full disk loses no period (each
# is kept in memory and written, whole and in its own row, once there is
# space), and a corrupt file is moved aside with a clear error while
# counting goes on in a new history that still sums to the totals.
#
# The full disk is a small tmpfs, mounted in a mount namespace of this test's
# own: the script runs itself again inside one.
if [ -z "${PDTT_IN_MOUNT_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	PDTT_IN_MOUNT_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_history.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

# -- a full disk
SMALL="$WORK/small"
mkdir "$SMALL"
mount -t tmpfs -o size=4m,mode=0755 pdtt-test "$SMALL" || skip "cannot mount a tmpfs"
on_cleanup "umount '$SMALL'"
HISTORY_FILE="$SMALL/history.db"
write_config "interval = 1;" "history_period = 1;"

# wait_stderr PATTERN: pdttd says PATTERN (grep -E) within 15 s.
wait_stderr() {
	for _ in $(seq 150); do
		grep -Eq "$1" "$WORK/stderr" && return 0
		sleep 0.1
	done
	fail "pdttd did not say '$1': $(tail -n 5 "$WORK/stderr")"
}

# fill: no free block left on the tmpfs.
fill() {
	dd if=/dev/zero of="$SMALL/fill.$1" bs=4k >/dev/null 2>"$WORK/dd.err"
	grep -q "No space left" "$WORK/dd.err" || fail "$SMALL is not full: $(cat "$WORK/dd.err")"
}

start_daemon
wait_next_report
# The WAL reuses its own space: truncate it first, so that once the disk is
# full the next writes must grow it.
"$PYTHON" - "$HISTORY_FILE" <<'PY' || fail "cannot truncate the WAL"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10)
for _ in range(50):
    if db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY
fill 1
udp_transfer $U1 $U2 127.0.0.1 5701 6 100       # 6 x 128
wait_stderr "cannot write history_file $HISTORY_FILE: .*kept in memory"
wait_next_report
wait_next_report
rm -f "$SMALL"/fill.*
wait_stderr "wrote history_file $HISTORY_FILE again, with the [0-9]+ periods kept in memory"
kept=$(grep -Eo "again, with the [0-9]+ periods" "$WORK/stderr" | grep -Eo "[0-9]+")
[ "$kept" -ge 2 ] || fail "only $kept periods were kept in memory"
stop_daemon
reports=$(report_count)
periods=$(history_sql "SELECT count(*) FROM periods")
# One period at start, then one per report: none lost, none merged.
[ "$periods" = $((reports + 1)) ] || fail "$periods periods for $reports reports (and the start)"
expect_history_sums $U1 $U2
echo "ok: a full disk: $kept periods kept in memory, then written; $periods periods for $reports reports"

# -- a corrupt file: moved aside, and a new history starts from the totals
"$PYTHON" -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.write(b"this is not a database" * 200)' "$HISTORY_FILE"
start_daemon
grep -q "history_file $HISTORY_FILE is corrupt (.*): kept as $HISTORY_FILE.corrupt-" "$WORK/stderr" ||
	fail "no clear error about the corrupt history: $(tail -n 5 "$WORK/stderr")"
ls "$HISTORY_FILE".corrupt-* >/dev/null 2>&1 || fail "the corrupt file was not kept"
udp_transfer $U1 $U2 127.0.0.1 5702 2 100       # 2 x 128
wait_next_report
stop_daemon
expect_counts $U1 "1024 8 0 0"
expect_history_sums $U1 $U2
[ "$(history_sql "SELECT catch_up FROM periods ORDER BY time LIMIT 1")" = 1 ] ||
	fail "the new history's first period is not marked catch_up"
echo "ok: a corrupt history is kept aside; the new one sums to the totals"
exit 0
