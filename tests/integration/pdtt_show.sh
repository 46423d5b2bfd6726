#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdtt show: four UIDs exchange known UDP traffic; `pdtt show --json` has
# their exact counts and equals the daemon's last report (the daemon counts
# this test's cgroup only, so every user and bucket must match), while pdttd
# runs and after it stopped. The table sorts biggest first in human units;
# --bytes gives exact figures; --user takes a name or a UID, and an unknown
# user is an error. After a reboot (pins gone) it shows the state file's
# totals and says so, and pdttd continues from the same figures.
. "$PDTT_TESTS/integration/lib.sh"
setup
use_own_cgroup
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
U4=$(test_uid 4)
NAME="pdtt-show-$$"
command -v useradd >/dev/null && command -v userdel >/dev/null || skip "needs useradd"
useradd -M -N -d /nonexistent -s /usr/sbin/nologin -u "$U3" "$NAME" || fail "useradd $NAME failed"
on_cleanup "userdel '$NAME'"
JSON="$WORK/pdtt.jsonl"
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";" "json_log = \"$JSON\";"

# show_users [ARGS...]: "uid user tx_bytes tx_packets rx_bytes rx_packets" for
# each user of `pdtt show --json ARGS`, in its order.
show_users() {
	pdtt_cmd -c "$WORK/pdtt.conf" show --json "$@" >"$WORK/show.json" 2>"$WORK/show.err" ||
		fail "pdtt show --json $* exited $?: $(cat "$WORK/show.err")"
	"$PYTHON" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for u in doc["users"]:
    c = u["cumulative"]
    print(u["uid"], u["user"], c["tx_bytes"], c["tx_packets"], c["rx_bytes"], c["rx_packets"])
' "$WORK/show.json" || fail "pdtt show --json is not JSON: $(cat "$WORK/show.json")"
}

# expect_show UID "TXB TXP RXB RXP": the UID's counts in pdtt show --json.
expect_show() {
	local got
	got=$(show_users | awk -v uid="$1" '$1 == uid { print $3, $4, $5, $6 }')
	[ "$got" = "$2" ] || fail "pdtt show: UID $1 has '$got', expected '$2'"
	echo "ok: pdtt show: UID $1 $got"
}

# same_as_last_report: pdtt show --json equals the last report of the JSON
# log (the lines after its last report line): the same users and buckets with
# the same cumulative counts.
same_as_last_report() {
	pdtt_cmd -c "$WORK/pdtt.conf" show --json >"$WORK/show.json" 2>"$WORK/show.err" ||
		fail "pdtt show --json exited $?: $(cat "$WORK/show.err")"
	"$PYTHON" -c '
import json, sys
show = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
start = max(n for n, l in enumerate(lines) if l.get("type") == "report")
last = lines[start + 1:]
report = {(l["uid"], l["bucket"]): l["cumulative"] for l in last}
shown = {(u["uid"], None): u["cumulative"] for u in show["users"]}
# The JSON log leaves zero buckets out; pdtt show has both.
shown.update({(None, b["bucket"]): b["cumulative"] for b in show["buckets"]
              if b["cumulative"]["tx_packets"] + b["cumulative"]["rx_packets"]})
if shown != report:
    sys.exit("pdtt show %s\nlast report %s" % (shown, report))
print("ok: pdtt show equals the last report (%d users and buckets)" % len(report))
' "$WORK/show.json" "$JSON" || fail "pdtt show differs from the daemon's last report"
}

start_daemon
udp_transfer $U1 $U2 127.0.0.1 6201 100 1000    # 100 x 1028
udp_transfer $U2 $U3 ::1 6202 50 500             # 50 x 548
udp_transfer $U3 $U4 127.0.0.1 6203 2000 1400    # 2000 x 1428
udp_transfer $U4 $U1 ::1 6204 3 10               # 3 x 58
wait_next_report
wait_next_report
expect_show $U1 "102800 100 174 3"
expect_show $U2 "27400 50 102800 100"
expect_show $U3 "2856000 2000 27400 50"
expect_show $U4 "174 3 2856000 2000"
same_as_last_report
show_users | grep -q "^$U3 $NAME " || fail "pdtt show --json names $U3 other than $NAME: $(show_users)"

# The table: a header, then users biggest first, in human units.
pdtt_cmd -c "$WORK/pdtt.conf" show >"$WORK/table" 2>"$WORK/show.err" || fail "pdtt show exited $?: $(cat "$WORK/show.err")"
cat "$WORK/table"
head -n 1 "$WORK/table" | grep -Eq '^Totals since [0-9-]+ [0-9:]+ .* \(accounting start\), as of ' ||
	fail "pdtt show: no header line"
sed -n 2p "$WORK/table" | grep -Eq '^UID +USER +TX +RX +TOTAL$' || fail "pdtt show: no column heading"
order=$(awk -v a=$U1 -v b=$U2 -v c=$U3 -v d=$U4 '$1 == a || $1 == b || $1 == c || $1 == d { print $1 }' \
	"$WORK/table" | tr '\n' ' ')
[ "$order" = "$U3 $U4 $U2 $U1 " ] || fail "pdtt show: order '$order', expected biggest first: $U3 $U4 $U2 $U1"
row() { awk -v uid="$1" '$1 == uid { $1 = $1; print }' "$2"; }
[ "$(row $U3 "$WORK/table")" = "$U3 $NAME 2.7 MiB 26.8 KiB 2.7 MiB" ] || fail "row: $(row $U3 "$WORK/table")"
[ "$(row $U1 "$WORK/table")" = "$U1 (unknown) 100.4 KiB 174 B 100.6 KiB" ] || fail "row: $(row $U1 "$WORK/table")"
echo "ok: the table sorts biggest first, in human units"

pdtt_cmd -c "$WORK/pdtt.conf" show --bytes >"$WORK/table" || fail "pdtt show --bytes exited $?"
[ "$(row $U1 "$WORK/table")" = "$U1 (unknown) 102800 174 102974" ] || fail "row: $(row $U1 "$WORK/table")"
echo "ok: --bytes: $(row $U1 "$WORK/table")"

# --user: by name, by UID; an unknown user is an error (exit 67).
pdtt_cmd -c "$WORK/pdtt.conf" show --user "$NAME" >"$WORK/table" || fail "pdtt show --user $NAME exited $?"
[ "$(tail -n +3 "$WORK/table" | awk '{ $1 = $1; print }')" = "$U3 $NAME 2.7 MiB 26.8 KiB 2.7 MiB" ] ||
	fail "pdtt show --user $NAME: $(cat "$WORK/table")"
[ "$(show_users --user $U1)" = "$U1 None 102800 100 174 3" ] || fail "pdtt show --json --user $U1: $(show_users --user $U1)"
grep -q '"buckets":\[\]' "$WORK/show.json" || fail "pdtt show --user lists buckets"
rc=0
pdtt_cmd -c "$WORK/pdtt.conf" show --user "no-such-user-$$" >"$WORK/out" 2>"$WORK/err" || rc=$?
[ $rc = 67 ] || fail "pdtt show --user no-such-user-$$ exited $rc, expected 67"
grep -qx "pdtt: --user no-such-user-$$: no such user (not in the passwd database, and not a UID)" \
	"$WORK/err" || fail "message: $(cat "$WORK/err")"
[ ! -s "$WORK/out" ] || fail "pdtt show printed a table for an unknown user"
echo "ok: --user by name and by UID; an unknown user: $(cat "$WORK/err")"

# Stopped: the pins keep the counts; the final report is the last one.
stop_daemon
same_as_last_report
expect_show $U3 "2856000 2000 27400 50"

# A reboot: no pins; the state file's totals, said so in the table and the JSON.
simulate_reboot
same_as_last_report
grep -q '"source":"state_file"' "$WORK/show.json" || fail "pdtt show --json after a reboot: no source state_file"
pdtt_cmd -c "$WORK/pdtt.conf" show >"$WORK/table" || fail "pdtt show after a reboot exited $?"
head -n 1 "$WORK/table" | grep -q "as saved at .* in the state file $WORK/state" ||
	fail "pdtt show after a reboot does not say the totals come from the state file: $(head -n 2 "$WORK/table")"
sed -n 2p "$WORK/table" | grep -q "^No maps are pinned in $PIN_PATH: pdttd has not started since the last reboot" ||
	fail "pdtt show after a reboot: $(head -n 2 "$WORK/table")"
[ ! -e "$PIN_PATH" ] || fail "pdtt show created $PIN_PATH"
echo "ok: after a reboot, pdtt show has the state file's totals: $(head -n 1 "$WORK/table")"

# pdttd continues from exactly those figures.
start_daemon
wait_next_report
same_as_last_report
grep -q '"source":"maps"' "$WORK/show.json" || fail "pdtt show --json: source is not maps"
expect_show $U4 "174 3 2856000 2000"
stop_daemon
exit 0
