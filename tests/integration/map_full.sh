#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# max_users = 4 and traffic from 10 UIDs: 4 UIDs get their exact counts, the
# traffic of the other 6 is in the [overflow] bucket, a warning naming
# max_users is logged at most once per report, and the sum over all UIDs and
# buckets is exactly what was sent. pdttd counts only this test's cgroup, so
# the sum can be exact.
. "$PDTT_TESTS/integration/lib.sh"
setup
use_own_cgroup
write_config "interval = 1;" "max_users = 4;" "cgroup_path = \"$CGROUP\";"

start_daemon
expected_total="0 0 0 0"
declare -A expected
for i in $(seq 1 10); do
	uid=$(test_uid "$i")
	size=$((100 + i))
	udp_transfer "$uid" "$uid" 127.0.0.1 $((5600 + i)) 3 $size   # 3 x (size + 28), to itself
	bytes=$((3 * (size + 28)))
	expected[$uid]="$bytes 3 $bytes 3"
	expected_total=$(add_counts "$expected_total" "${expected[$uid]}")
done
wait_next_report
wait_next_report

in_map=0
missing="0 0 0 0"
for i in $(seq 1 10); do
	uid=$(test_uid "$i")
	got=$(counts_of "$uid")
	if [ "$got" = "0 0 0 0" ]; then
		missing=$(add_counts "$missing" "${expected[$uid]}")
	elif [ "$got" = "${expected[$uid]}" ]; then
		in_map=$((in_map + 1))
	else
		fail "UID $uid counted '$got', expected '${expected[$uid]}' or nothing (overflow)"
	fi
done
[ $in_map = 4 ] || fail "$in_map UIDs in the map, expected max_users = 4"
[ "$(uids_in_report | wc -l)" = 4 ] || fail "other UIDs in the report: $(uids_in_report)"
got=$(bucket_counts overflow)
[ "$got" = "$missing" ] || fail "overflow bucket '$got', expected the 6 other UIDs' '$missing'"
echo "ok: 4 UIDs in the map, the other 6 in [overflow]: $got"
got=$(grand_total)
[ "$got" = "$expected_total" ] || fail "sum of all UIDs and buckets '$got', sent '$expected_total'"
echo "ok: sum over UIDs and buckets = what was sent: $got"

warnings=$(grep -c 'the counter map is full: 4 UIDs have entries (max_users = 4)' "$WORK/stderr")
reports=$(report_count)
[ "$warnings" -ge 1 ] || fail "no warning about the full map: $(cat "$WORK/stderr")"
[ "$warnings" -le "$reports" ] || fail "$warnings warnings for $reports reports"
grep -q "raise max_users in $WORK/pdtt.conf and restart pdttd" "$WORK/stderr" ||
	fail "the warning does not say how to raise max_users"
# No new overflow: no new warning.
wait_next_report
wait_next_report
[ "$(grep -c 'the counter map is full' "$WORK/stderr")" = "$warnings" ] ||
	fail "warned again although the overflow bucket did not grow"
echo "ok: $warnings warning(s) for $reports reports, none while the overflow did not grow"
stop_daemon
exit 0
