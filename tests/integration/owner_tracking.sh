#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Owner tracking without sshd, through whichever hooks the kernel has (the
# 6.3 tracepoints, or fexit before them): a UDP socket that root opened but
# that a process of UID U1 then sends on is charged to U1 from the datagram
# after its first send (the first went out before the send returned, while
# the socket's owner was still the only one known). The sender's effective
# UID is U3's: a process is charged by its real UID (a setuid program, to
# the user who ran it). pdtt status names the hooks pdttd said it uses.
. "$PDTT_TESTS/integration/lib.sh"
setup
require_owner_tracking_kernel
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)

start_daemon
grep -q 'owner tracking on' "$WORK/stderr" || fail "owner tracking is not on: $(cat "$WORK/stderr")"
if grep -q 'owner tracking on (fexit' "$WORK/stderr"; then hooks="fexit inet_sendmsg"; else hooks="tp_btf sock_send_length"; fi
pdtt_cmd status -c "$WORK/pdtt.conf" | grep -q "^ *$hooks (owner tracking)$" ||
	fail "pdtt status does not list $hooks: $(pdtt_cmd status -c "$WORK/pdtt.conf")"
echo "ok: owner tracking on, through $hooks"

in_netns_as "$NETNS" "$U2" "$PYTHON" "$TRAFFIC" udp-recv --addr 127.0.0.1 --port 5401 \
	--count 10 --timeout 10 >"$WORK/recv" &
rpid=$!
wait_for_ready "$WORK/recv" "$rpid"
ip netns exec "$NETNS" "$PYTHON" -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # owned by root
os.setgroups([]); os.setgid(int(sys.argv[1]))
os.setresuid(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[2]))  # real U1, effective U3
for _ in range(10):
    s.sendto(b"p" * 100, ("127.0.0.1", 5401))
' "$U1" "$U3" || fail "sender failed"
wait "$rpid" || fail "UDP receiver: $(cat "$WORK/recv")"
wait_next_report
expect_counts "$U1" "1152 9 0 0"     # 9 x 128: all but the first datagram
expect_counts "$U2" "0 0 1280 10"
expect_counts "$U3" "0 0 0 0"
stop_daemon
exit 0
