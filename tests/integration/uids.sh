#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# UIDs that are easy to get wrong: 0 (root), 65534 (nobody), 4294967294 (the
# largest valid UID) and a UID inside a user namespace, which must be
# reported as its UID on the host, not as the 0 it is inside. pdttd counts
# only this test's cgroup, so each count is exact and no traffic of one may
# show up under another UID or a bucket.
. "$PDTT_TESTS/integration/lib.sh"
setup
use_own_cgroup
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
U=$(test_uid 1)
MAXUID=4294967294

start_daemon
udp_transfer 0 65534 127.0.0.1 5701 7 100        # 7 x 128
udp_transfer 65534 $MAXUID ::1 5702 3 200        # 3 x 248
udp_transfer $MAXUID 0 127.0.0.1 5703 2 50       # 2 x 78

# U makes a user namespace where it is root, and a network namespace owned by
# it, and sends 5 x 100 bytes to itself there.
mkdir "$WORK/userns" && chown "$U" "$WORK/userns"
ip netns exec "$NETNS" setpriv --reuid "$U" --regid "$U" --clear-groups \
	unshare --user --map-root-user --net /bin/sh -c '
		[ "$(id -u)" = 0 ] || exit 3
		ip link set lo up || exit 4
		"$1" "$2" udp-recv --addr 127.0.0.1 --port 5704 --count 5 --timeout 10 >"$3" &
		for _ in $(seq 100); do grep -q ready "$3" 2>/dev/null && break; sleep 0.05; done
		"$1" "$2" udp-send --addr 127.0.0.1 --port 5704 --count 5 --size 72 || exit 5
		wait $! || exit 6' sh "$PYTHON" "$TRAFFIC" "$WORK/userns/out" ||
	fail "traffic in the user namespace failed ($?): $(cat "$WORK/userns/out" 2>/dev/null)"
wait_next_report
wait_next_report

expect_counts 0 "896 7 156 2"
expect_counts 65534 "744 3 896 7"
expect_counts $MAXUID "156 2 744 3"
expect_counts $U "500 5 500 5"
[ "$(uids_in_report | sort -n | tr '\n' ' ')" = "0 65534 $U $MAXUID " ] ||
	fail "the report has UIDs $(uids_in_report | tr '\n' ' '), expected 0 65534 $U $MAXUID"
[ "$(bucket_counts unattributed)" = "0 0 0 0" ] || fail "unattributed: $(bucket_counts unattributed)"
[ "$(bucket_counts overflow)" = "0 0 0 0" ] || fail "overflow: $(bucket_counts overflow)"
[ "$(grand_total)" = "2296 17 2296 17" ] || fail "grand total $(grand_total)"
echo "ok: UIDs 0, 65534, $MAXUID and user-namespace root (host UID $U) each exact, nothing elsewhere"
stop_daemon
exit 0
