#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The usage history: every tier sums to pdtt show's totals after a clean
# stop, kill -9, a restart and a reboot; traffic counted while pdttd was
# stopped lands in the period of the next start, marked catch_up; and
# pdtt history answers from it as a table, JSON and the billing CSV.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_history.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
write_config "interval = 1;" "history_period = 1;"

start_daemon
udp_transfer $U1 $U2 127.0.0.1 5601 10 100      # 10 x 128
wait_next_report
wait_next_report
stop_daemon
expect_counts $U1 "1280 10 0 0"
expect_history_sums $U1 $U2
[ "$(stat -c %a "$WORK/history.db")" = 640 ] || fail "history.db has mode $(stat -c %a "$WORK/history.db")"
[ "$(history_sql 'PRAGMA journal_mode')" = wal ] || fail "the history is not in WAL mode"

# -- pdtt history, end to end
pdtt_cmd -c "$WORK/pdtt.conf" history --monthly --csv --since this-month --until this-month \
	>"$WORK/bill.csv" || fail "pdtt history --csv failed"
head -n 1 "$WORK/bill.csv" | grep -q '^start,end,uid,user,tx_bytes,tx_packets,rx_bytes,rx_packets,local_tx_bytes,' ||
	fail "billing CSV header: $(head -n 1 "$WORK/bill.csv")"
[ "$(grep -c ",$U1,," "$WORK/bill.csv")" = 1 ] || fail "not one row for UID $U1: $(cat "$WORK/bill.csv")"
grep ",$U1,," "$WORK/bill.csv" | awk -F, '$5 != 1280 || $6 != 10 || $7 != 0 { exit 1 }' ||
	fail "UID $U1's row: $(grep ",$U1,," "$WORK/bill.csv")"
echo "ok: billing CSV: $(grep ",$U1,," "$WORK/bill.csv")"
pdtt_cmd -c "$WORK/pdtt.conf" history --user $U1 >"$WORK/table" || fail "pdtt history --user"
grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}\*? +\(unknown\) +$U1 +0 B +1\.3 KiB +1\.3 KiB +#+$" "$WORK/table" ||
	fail "pdtt history --user table: $(cat "$WORK/table")"
pdtt_cmd -c "$WORK/pdtt.conf" history --hourly --json --since today --until today >"$WORK/h.json" ||
	fail "pdtt history --json"
"$PYTHON" -c 'import json, sys
doc = json.load(open(sys.argv[1]))
rows = [r for r in doc["rows"] if r["uid"] == int(sys.argv[2])]
assert doc["tier"] == "hourly" and sum(r["tx_bytes"] for r in rows) == 1280, rows' \
	"$WORK/h.json" $U1 || fail "pdtt history --json: $(cat "$WORK/h.json")"
pdtt_cmd -c "$WORK/pdtt.conf" history --top 1 --since 2020-01-01 >/dev/null || fail "--top"
rc=0
pdtt_cmd -c "$WORK/pdtt.conf" history --since 2026-02-30 2>"$WORK/err" || rc=$?
[ $rc = 64 ] && grep -q "not a date" "$WORK/err" || fail "a bad date: exit $rc, $(cat "$WORK/err")"
echo "ok: pdtt history: table, JSON, CSV"

# -- kill -9 at random moments, between and during writes
for i in 1 2 3 4 5; do
	start_daemon
	udp_transfer $U1 $U2 127.0.0.1 $((5610 + i)) 3 100
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	kill_daemon
done
start_daemon
stop_daemon
expect_history_sums $U1 $U2
echo "ok: kill -9, five times: the history still sums to the totals"

# -- counted while stopped: in the next start's period, marked catch_up
before=$(history_sql "SELECT coalesce(sum(tx_bytes), 0) FROM usage_5min WHERE uid = $U1 AND catch_up = 1")
udp_transfer $U1 $U2 127.0.0.1 5620 4 100       # 4 x 128, pdttd stopped
start_daemon
wait_next_report
stop_daemon
after=$(history_sql "SELECT coalesce(sum(tx_bytes), 0) FROM usage_5min WHERE uid = $U1 AND catch_up = 1")
[ $((after - before)) = 512 ] || fail "catch_up rows of UID $U1 grew by $((after - before)), expected 512"
expect_history_sums $U1 $U2
echo "ok: traffic counted while pdttd was stopped is in the history, marked catch_up"

# -- a reboot: the maps are gone, the state file carries the totals
simulate_reboot
start_daemon
udp_transfer $U1 $U2 ::1 5621 4 52              # 4 x 100
wait_next_report
stop_daemon
expect_counts $U1 "$((1280 + 15 * 128 + 512 + 400)) $((10 + 15 + 4 + 4)) 0 0"
expect_history_sums $U1 $U2
echo "ok: after a reboot the history still sums to the totals"
exit 0
