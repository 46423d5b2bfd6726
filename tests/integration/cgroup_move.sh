#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A changed cgroup_path moves the socket-mode programs at the next start: two
# cgroups A and B, traffic from a process placed in each. With cgroup_path A
# only A's traffic is counted; after a restart with B, only B's, and the
# counts from before carry on. pdtt status names the cgroup the hooks are on,
# also while the configuration names another one.
. "$PDTT_TESTS/integration/lib.sh"
setup
ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
A="$ROOT/pdtt-test-$TEST_NAME-$$-a"
B="$ROOT/pdtt-test-$TEST_NAME-$$-b"
mkdir "$A" "$B" || fail "cannot create cgroups $A and $B"
on_cleanup "rmdir '$A' '$B'"
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
U4=$(test_uid 4)

# udp_in CGROUP UID PORT: 3 datagrams of 100 bytes from UID to itself, sent
# and received by processes in CGROUP.
udp_in() {
	(echo "$BASHPID" >"$1/cgroup.procs" && udp_transfer "$2" "$2" 127.0.0.1 "$3" 3 100) ||
		fail "UDP transfer in $1 failed"
}

# hooks_on: the cgroups the status says the hooks are on.
hooks_on() {
	pdtt_cmd -c "$WORK/pdtt.conf" status | sed -n 's/.*cgroup_skb [a-z]* on cgroup //p' | sort -u
}

write_config "interval = 1;" "cgroup_path = \"$A\";"
start_daemon
[ "$(hooks_on)" = "$A" ] || fail "pdtt status: hooks on '$(hooks_on)', expected $A"
udp_in "$A" "$U1" 5901
udp_in "$B" "$U2" 5902
wait_next_report
wait_next_report
expect_counts "$U1" "384 3 384 3"
expect_counts "$U2" "0 0 0 0"
stop_daemon

write_config "interval = 1;" "cgroup_path = \"$B\";"
hooks_on | grep -qxF "$A (cgroup_path is $B: pdttd moves the hooks there at its next start)" ||
	fail "pdtt status with cgroup_path changed: '$(hooks_on)'"
start_daemon
grep -q "cgroup_path is now $B: moving the socket-mode programs there from cgroup $A" \
	"$WORK/stderr" || fail "pdttd did not say it moved the programs from $A to $B"
[ "$(hooks_on)" = "$B" ] || fail "pdtt status after the restart: hooks on '$(hooks_on)', expected $B"
udp_in "$A" "$U3" 5903
udp_in "$B" "$U4" 5904
wait_next_report
wait_next_report
expect_counts "$U3" "0 0 0 0"
expect_counts "$U4" "384 3 384 3"
expect_counts "$U1" "384 3 384 3"
echo "ok: after the restart only $B is counted, and the counts from $A carried on"
stop_daemon
exit 0
