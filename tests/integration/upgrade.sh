#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Pins made by a build with another map layout are never misread: layout 1
# and 2 pins (fabricated here with bpftool, as a pdttd of that layout made
# them: counters in a per-CPU hash by UID) and layout 4 pins (per-CPU slots
# of one lane, named by pdtt_slots) are migrated with their counts; an
# unknown layout, or maps that do not have the shape their version says,
# are refused with a clear message and left alone. A new max_users is migrated the same way, and so is a migration
# that a crash interrupted. pdttd counts this test's cgroup only: with
# max_users = 16, the UIDs of the rest of the machine (other tests' among
# them) could otherwise take the slots and push this test's into overflow.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_history.sh"
setup
use_own_cgroup
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
U1=$(test_uid 1)
U2=$(test_uid 2)
# Per-CPU maps: bpftool writes the value given on every possible CPU.
NCPUS=$("$PYTHON" -c '
n = 0
for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
print(n)')

# bytes FMT VALUES...: little-endian bytes for bpftool (struct.pack format).
bytes() {
	"$PYTHON" -c 'import struct, sys
print(" ".join(str(b) for b in struct.pack("<" + sys.argv[1], *map(int, sys.argv[2:]))))' "$@"
}

# make_pins VERSION META_SIZE VALUE_SIZE MAX_USERS: maps as a pdtt of that layout pins them,
# with UID U1 at local {1000 10 2000 20} external {300 3 0 0} and 40 bytes unattributed.
make_pins() {
	local version=$1 meta_size=$2 value_size=$3 entries=$4 meta
	mkdir -p "$PIN_PATH"
	bpftool map create "$PIN_PATH/pdtt_counters" type percpu_hash key 4 value "$value_size" \
		entries "$entries" name pdtt_counters || fail "bpftool map create"
	bpftool map create "$PIN_PATH/pdtt_buckets" type percpu_array key 4 value "$value_size" \
		entries 2 name pdtt_buckets || fail "bpftool map create"
	bpftool map create "$PIN_PATH/pdtt_meta" type array key 4 value "$meta_size" \
		entries 1 name pdtt_meta || fail "bpftool map create"
	case $meta_size in
	16) meta=$(bytes IIQ "$version" 1 1700000000) ;;
	24) meta=$(bytes IIQQ "$version" 1 1700000000 77) ;;
	*) meta=$(bytes IIQQII "$version" 1 1700000000 77 0 0) ;;
	esac
	bpftool map update pinned "$PIN_PATH/pdtt_meta" key 0 0 0 0 value $meta
	[ "$value_size" = 64 ] || return 0
	bpftool map update pinned "$PIN_PATH/pdtt_counters" key $(bytes I "$U1") \
		value $(bytes 8Q 1000 10 2000 20 300 3 0 0)
	bpftool map update pinned "$PIN_PATH/pdtt_buckets" key 0 0 0 0 \
		value $(bytes 8Q 40 1 0 0 0 0 0 0)
}

# make_slot_pins VERSION VALUE_SIZE: maps as a pdtt of layout 3 or later pins
# them for max_users = 16, U1 in slot 0 with the counts make_pins gives it
# (first lane: a 64-byte value is one lane of local and external).
make_slot_pins() {
	local version=$1 value_size=$2
	mkdir -p "$PIN_PATH"
	bpftool map create "$PIN_PATH/pdtt_counters" type percpu_array key 4 value "$value_size" \
		entries 16 name pdtt_counters || fail "bpftool map create"
	bpftool map create "$PIN_PATH/pdtt_buckets" type percpu_array key 4 value "$value_size" \
		entries 2 name pdtt_buckets || fail "bpftool map create"
	bpftool map create "$PIN_PATH/pdtt_slots" type hash key 4 value 4 entries 16 \
		name pdtt_slots flags 1 || fail "bpftool map create"
	bpftool map create "$PIN_PATH/pdtt_meta" type array key 4 value 32 entries 1 \
		name pdtt_meta || fail "bpftool map create"
	bpftool map update pinned "$PIN_PATH/pdtt_meta" key 0 0 0 0 \
		value $(bytes IIQQII "$version" 1 1700000000 78 1 0)
	bpftool map update pinned "$PIN_PATH/pdtt_slots" key $(bytes I "$U1") value 0 0 0 0
	bpftool map update pinned "$PIN_PATH/pdtt_counters" key 0 0 0 0 \
		value $(bytes 8Q 1000 10 2000 20 300 3 0 0) $(bytes "$(((value_size - 64) / 8))Q")
	bpftool map update pinned "$PIN_PATH/pdtt_buckets" key 0 0 0 0 \
		value $(bytes 8Q 40 1 0 0 0 0 0 0) $(bytes "$(((value_size - 64) / 8))Q")
}

meta_of() {
	bpftool -j map dump pinned "$PIN_PATH/pdtt_meta" |
		"$PYTHON" -c 'import json, sys; print(int(json.load(sys.stdin)[0]["value"][0], 16))'
}

# -- layout 1 -> migrated, counts kept
make_pins 1 16 64 1024
start_daemon
grep -q "layout version 1; migrating their counts" "$WORK/stderr" || fail "no migration message"
[ ! -e "$PIN_PATH/retired" ] || fail "$PIN_PATH/retired left after the migration"
bpftool map show pinned "$PIN_PATH/pdtt_meta" | grep -q "value 32" || fail "meta not recreated"
bpftool map show pinned "$PIN_PATH/pdtt_counters" | grep -q "percpu_array" ||
	fail "counters not recreated as the current layout's per-CPU array"
udp_transfer $U1 $U2 127.0.0.1 5501 5 100       # 5 x 128
wait_counted
expect_counts $U1 "$((1300 * NCPUS + 640)) $((13 * NCPUS + 5)) $((2000 * NCPUS)) $((20 * NCPUS))"
read -r ub up _ _ < <(bucket_counts unattributed)
[ "$ub" -ge $((40 * NCPUS)) ] && [ "$up" -ge "$NCPUS" ] ||
	fail "unattributed bucket $ub bytes $up packets lost the migrated $((40 * NCPUS)) bytes"
[ "$(state_field accounting_start)" = 1700000000 ] || fail "accounting_start not carried over"
[ "$(state_field retired_map)" != 0 ] || fail "the migration is not recorded in the state file"
echo "ok: layout 1 pins migrated ($NCPUS CPUs), counts kept"

# -- a new max_users: migrated too
stop_daemon
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";" "max_users = 16;"
start_daemon
grep -q "made for max_users = 1024; migrating" "$WORK/stderr" || fail "no max_users migration message"
bpftool map show pinned "$PIN_PATH/pdtt_counters" | grep -q "max_entries 16" ||
	fail "counters not resized to 16"
wait_next_report
expect_counts $U1 "$((1300 * NCPUS + 640)) $((13 * NCPUS + 5)) $((2000 * NCPUS)) $((20 * NCPUS))"
expect_counts $U2 "0 0 640 5"
stop_daemon
echo "ok: max_users 1024 -> 16 migrated, counts kept"
# The usage history went through both migrations: it still sums to the totals.
expect_history_sums $U1 $U2

# -- a migration interrupted after its first step: completed at the next start
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
rm -f "$WORK/state"
make_pins 1 16 64 16
mkdir "$PIN_PATH/retiring"
mv "$PIN_PATH/pdtt_counters" "$PIN_PATH/retiring/"
start_daemon
grep -q "completing the migration" "$WORK/stderr" || fail "no message about the interrupted migration"
wait_next_report
expect_counts $U1 "$((1300 * NCPUS)) $((13 * NCPUS)) $((2000 * NCPUS)) $((20 * NCPUS))"
stop_daemon
echo "ok: an interrupted migration is completed"

# -- layout 2 -> migrated, counts kept, with the state file a layout-2 pdttd wrote
# for those maps (instance 77): its baseline of 5000 bytes sent by U1 from
# before the last reboot is kept too.
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
make_pins 2 24 64 16
"$PYTHON" - "$WORK/state" "$U1" <<'PY'
import sys, zlib
path, uid = sys.argv[1], int(sys.argv[2])
z8 = " ".join(["0"] * 8)
text = ("pdtt-state 1\n# written by a layout-2 pdttd\nlayout 2\n"
        "instance 000000000000004d\naccounting_start 1600000000\nsaved_at 1700000000\n"
        "retired_map 0\nbuckets 2\nusers 1\n"
        f"bucket unattributed {z8} {z8}\nbucket overflow {z8} {z8}\n"
        f"user {uid} 0 0 0 0 5000 50 0 0 {z8}\n")
with open(path, "w") as f:
    f.write(text + "crc32 %08x\n" % zlib.crc32(text.encode()))
PY
start_daemon
grep -q "layout version 2; migrating their counts" "$WORK/stderr" || fail "no layout 2 migration message"
udp_transfer $U1 $U2 127.0.0.1 5502 2 100       # 2 x 128
wait_counted
expect_counts $U1 "$((1300 * NCPUS + 256 + 5000)) $((13 * NCPUS + 2 + 50)) $((2000 * NCPUS)) $((20 * NCPUS))"
expect_counts $U2 "0 0 256 2"
[ "$(state_field accounting_start)" = 1600000000 ] || fail "accounting_start of the state file not kept"
stop_daemon
echo "ok: layout 2 pins migrated, counts kept"
expect_history_sums $U1 $U2

# -- layout 4 (one lane) -> layout 5 (two lanes and a guard): migrated, counts kept
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
rm -f "$WORK/state"
make_slot_pins 4 64
start_daemon
grep -q "layout version 4; migrating their counts" "$WORK/stderr" || fail "no layout 4 migration message"
bpftool map show pinned "$PIN_PATH/pdtt_counters" | grep -q "value 136" ||
	fail "counters not recreated with two lanes of two classes and a guard (136 bytes)"
udp_transfer $U1 $U2 127.0.0.1 5504 3 100       # 3 x 128
wait_counted
expect_counts $U1 "$((1300 * NCPUS + 384)) $((13 * NCPUS + 3)) $((2000 * NCPUS)) $((20 * NCPUS))"
expect_counts $U2 "0 0 384 3"
read -r ub up _ _ < <(bucket_counts unattributed)
[ "$ub" -ge $((40 * NCPUS)) ] && [ "$up" -ge "$NCPUS" ] ||
	fail "unattributed bucket $ub bytes $up packets lost the migrated $((40 * NCPUS)) bytes"
stop_daemon
echo "ok: layout 4 pins migrated to two lanes, counts kept"

# -- an unknown (newer) layout: refused, left alone
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
rm -f "$WORK/state"
make_pins 99 24 64 16
expect_start_failure 1 "layout version 99, which this pdttd \(layout 5\) does not know"
[ "$(meta_of)" = 99 ] || fail "the layout 99 pins were changed"
[ ! -e "$PIN_PATH/link_sock_egress" ] || fail "attached over unknown pins"

# -- a known version on maps of another shape: refused, never misread
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
make_pins 2 24 32 16
expect_start_failure 1 "say layout version 2 but do not have its shape"
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
# layout 3 counts in a per-CPU array: a per-CPU hash under that version is refused
make_pins 3 32 64 16
expect_start_failure 1 "say layout version 3 but do not have its shape"
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
# layout 5 values have two lanes and a guard: one lane under that version is refused
make_slot_pins 5 64
expect_start_failure 1 "say layout version 5 but do not have its shape"
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"

# -- current-layout counters whose slot names are gone: refused, never counted on unnamed
rm -f "$WORK/state"
start_daemon
udp_transfer $U1 $U2 127.0.0.1 5503 1 100
wait_counted
stop_daemon
rm "$PIN_PATH/pdtt_slots"
expect_start_failure 1 "slots in use but the map naming their UIDs \(pdtt_slots\) is gone"
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
exit 0
