#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A torn or damaged state file is never read as zeros: pdttd says which file
# and what is wrong, keeps a copy aside, and refuses to start (at every try,
# until an administrator restores or removes the file). The state file on
# disk is always complete: no temporary file is left behind.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

start_daemon
udp_transfer $U1 $U2 127.0.0.1 5401 10 100      # 10 x 128
wait_next_report
stop_daemon
ls -A "$WORK" | grep -q "^\.state\." && fail "a temporary state file was left behind"
tail -n 1 "$WORK/state" | grep -Eq '^crc32 [0-9a-f]{8}$' || fail "no checksum line"
cp "$WORK/state" "$WORK/state.good"
simulate_reboot                                 # the state file is all that is left

# Torn: the end is missing.
head -c -20 "$WORK/state.good" >"$WORK/state"
expect_start_failure 1 "state file $WORK/state is incomplete"
grep -q "a copy of it is kept as $WORK/state.corrupt-" "$WORK/fail.err" || fail "no copy named"
grep -q "restore a good copy to $WORK/state, or remove it" "$WORK/fail.err" ||
	fail "does not say how to go on"
ls "$WORK"/state.corrupt-* >/dev/null 2>&1 || fail "no copy kept aside"
cmp -s "$WORK/state" "$(ls "$WORK"/state.corrupt-* | head -n 1)" || fail "the copy differs"
[ ! -e "$PIN_PATH/link_sock_egress" ] || fail "pdttd attached although it refused to start"
# Again: still refused, not counted from zero now that a copy exists.
expect_start_failure 1 "is incomplete"

# Damaged: one digit changed.
sed '0,/^user /s/^\(user [0-9]* [0-9]*\)0 /\11 /' "$WORK/state.good" >"$WORK/state"
cmp -s "$WORK/state" "$WORK/state.good" && fail "the test did not change the file"
expect_start_failure 1 "state file $WORK/state is corrupt: checksum mismatch"

# Empty (a crash right after creating it), or not a state file at all.
: >"$WORK/state"
expect_start_failure 1 "is empty"
echo "interval = 1;" >"$WORK/state"
expect_start_failure 1 "incomplete|not a pdtt state file"

# A good copy restored: the totals are back.
cp "$WORK/state.good" "$WORK/state"
start_daemon
wait_next_report
expect_counts $U1 "1280 10 0 0"
stop_daemon
exit 0
