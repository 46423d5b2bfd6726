#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A failed insert into pdtt_slots takes no slot. With max_users = 4 and
# pdtt_slots made full from outside (4 entries that name no slot, as a
# program leaves one between claiming a UID's entry and writing its slot),
# every insert of a new UID fails, as it would without kernel memory: its
# packets go to [overflow], and slots_used stays 0, where taking the slot
# before the insert burnt one per packet until max_users was used up by
# nothing. The unnamed entries are neither reported nor counted as UIDs,
# and a UID whose entry is unnamed is counted in [overflow], never in a
# slot. Once they are gone, new UIDs get slots and exact counts.
. "$PDTT_TESTS/integration/lib.sh"
setup
use_own_cgroup
write_config "interval = 1;" "max_users = 4;" "cgroup_path = \"$CGROUP\";"
start_daemon

# le32 N: N as the 4 bytes of a little-endian __u32, for bpftool.
le32() {
	printf '%d %d %d %d' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

slots_used() {
	bpftool -j map lookup pinned "$PIN_PATH/pdtt_meta" key 0 0 0 0 |
		"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["formatted"]["value"]["slots_used"])'
}

[ "$(printf '\1\0' | od -An -tu2 | tr -d ' ')" = 1 ] || skip "the keys below are written little-endian"
UNNAMED=""
for i in 1 2 3 4; do
	UNNAMED="$UNNAMED $(test_uid $((10 + i)))"
done
for uid in $UNNAMED; do
	bpftool map update pinned "$PIN_PATH/pdtt_slots" key $(le32 "$uid") value 255 255 255 255 ||
		fail "cannot add an unnamed entry for $uid"
done
bpftool map update pinned "$PIN_PATH/pdtt_slots" key $(le32 "$(test_uid 20)") value 0 0 0 0 2>/dev/null &&
	fail "pdtt_slots is not full with 4 entries"

U1=$(test_uid 1)
udp_transfer "$U1" "$U1" 127.0.0.1 5701 20 100   # 20 x 128, to itself: 40 first packets
wait_counted
expect_counts "$U1" "0 0 0 0"
got=$(bucket_counts overflow)
[ "$got" = "2560 20 2560 20" ] || fail "overflow bucket '$got', expected UID $U1's '2560 20 2560 20'"
used=$(slots_used)
[ "$used" = 0 ] || fail "slots_used is $used after 40 packets whose UID's insert failed, expected 0"
echo "ok: 40 packets of a UID whose insert failed: in [overflow], no slot taken"
for uid in $UNNAMED; do
	[ "$(counts_of "$uid")" = "0 0 0 0" ] || fail "an unnamed entry ($uid) is reported"
done
pdtt_cmd -c "$WORK/pdtt.conf" status >"$WORK/status" 2>&1 || fail "pdtt status: $(cat "$WORK/status")"
grep -q '0 of 4 UIDs' "$WORK/status" || fail "pdtt status counts unnamed entries: $(cat "$WORK/status")"
echo "ok: the unnamed entries are neither reported nor counted as UIDs"

for uid in $UNNAMED; do
	bpftool map delete pinned "$PIN_PATH/pdtt_slots" key $(le32 "$uid") || fail "cannot delete $uid"
done
# A UID whose entry names no slot (a program on another CPU claimed it, or
# the slots ran out before it took one) is never counted in a slot.
U3=$(test_uid 3)
bpftool map update pinned "$PIN_PATH/pdtt_slots" key $(le32 "$U3") value 255 255 255 255 ||
	fail "cannot add an unnamed entry for $U3"
udp_transfer "$U3" "$U3" 127.0.0.1 5703 5 100   # 5 x 128
wait_counted
expect_counts "$U3" "0 0 0 0"
got=$(bucket_counts overflow)
[ "$got" = "3200 25 3200 25" ] || fail "overflow bucket '$got', expected '3200 25 3200 25' with UID $U3's"
[ "$(slots_used)" = 0 ] || fail "slots_used is $(slots_used) for a UID whose entry names no slot"
echo "ok: packets of a UID whose entry names no slot: in [overflow]"

U2=$(test_uid 2)
udp_transfer "$U2" "$U2" 127.0.0.1 5702 10 100   # 10 x 128
wait_counted
expect_counts "$U2" "1280 10 1280 10"
[ "$(slots_used)" = 1 ] || fail "slots_used is $(slots_used) for one UID, expected 1"
stop_daemon
exit 0
