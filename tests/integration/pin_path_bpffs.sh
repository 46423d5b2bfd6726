#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdttd mounts a bpffs only at /sys/fs/bpf. A pin_path elsewhere that is not
# on a bpffs is a configuration error (exit 2) that says why, and nothing is
# mounted over its parent (pin_path "/run/pdtt" once hid all of /run). A
# pin_path on a bpffs the administrator mounted elsewhere works.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

# -- not on a bpffs: refused, /run left as it was.
[ -d /run ] || skip "no /run"
BAD="/run/pdtt-test-bpffs-$$"
run_type=$(stat -f -c %T /run)
run_entries=$(ls -A /run | wc -l)
sed -i "s|^pin_path = .*|pin_path = \"$BAD\";|" "$WORK/pdtt.conf"
expect_start_failure 2 "pin_path $BAD is not on a bpffs: /run is not a bpf filesystem; pdttd mounts one only at /sys/fs/bpf"
[ "$(stat -f -c %T /run)" = "$run_type" ] || fail "/run is now $(stat -f -c %T /run), was $run_type"
[ "$(ls -A /run | wc -l)" = "$run_entries" ] || fail "/run's entries changed"
[ ! -e "$BAD" ] || fail "$BAD was created"
echo "ok: /run not hidden, $BAD not created"

# A missing parent too: its nearest existing directory is what is checked.
sed -i "s|^pin_path = .*|pin_path = \"$WORK/no/such/pins\";|" "$WORK/pdtt.conf"
expect_start_failure 2 "pin_path $WORK/no/such/pins is not on a bpffs: $WORK is not a bpf filesystem"

# -- a bpffs mounted elsewhere by the administrator: used as it is.
mkdir "$WORK/bpffs"
mount -t bpf bpf "$WORK/bpffs" || skip "cannot mount a bpffs"
on_cleanup "umount '$WORK/bpffs'"
sed -i "s|^pin_path = .*|pin_path = \"$WORK/bpffs/pdtt\";|" "$WORK/pdtt.conf"
start_daemon
udp_transfer $U1 $U2 127.0.0.1 6501 2 100                  # 2 x 128
wait_next_report
wait_next_report
expect_counts $U1 "256 2 0 0"
[ -d "$WORK/bpffs/pdtt" ] || fail "no pins in $WORK/bpffs/pdtt"
[ "$(grep -c " $WORK/bpffs " /proc/mounts)" = 1 ] || fail "a second bpffs was mounted on $WORK/bpffs"
stop_daemon
"$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null || fail "--unload"
echo "ok: pin_path on the administrator's bpffs at $WORK/bpffs"
exit 0
