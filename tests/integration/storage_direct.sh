#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Socket mode's direct read of a socket's storage (pdtt_storage_cached,
# bpf/pdtt_count.bpf.h: the CAST programs read the owner and slot cached in
# pdtt_owners without the helper bpf_sk_storage_get, and take the helper's
# path when they cannot) charges exactly what the helper's path charges:
# the same traffic is sent with the direct read on, then with it forced off
# (PDTT_KERNEL_STORAGE=helper), each by UIDs of its own, and both must count
# exactly what is expected, through every case the direct read leaves to
# the helper: a socket's first packet (no storage yet), the socket's sender
# changing UID (owner tracking; the slot cached is then another UID's) and
# changing back, and a new socket. The attached egress program holds the
# direct read exactly when it is on (where the CAST way is used, 6.2+).
. "$PDTT_TESTS/integration/lib.sh"
setup
require_owner_tracking_kernel

# send_as A B PORT: on one socket root opened, 10 datagrams of 100 bytes as A,
# 10 as B, 10 as A again; then 10 as B on a socket of B's own. Owner
# tracking learns a sender after its first datagram (tests
# owner_tracking.sh), so A is charged 9 + 1 + 9 and B 9 + 1 + 10 (and root 1).
send_as() {
	ip netns exec "$NETNS" "$PYTHON" -c '
import os, socket, sys
a, b, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
os.setgroups([])
def as_uid(u):
    os.setresgid(u, u, 0)
    os.setresuid(u, u, 0)
def as_root():
    os.setresuid(0, 0, 0)
    os.setresgid(0, 0, 0)
def send(s):
    for _ in range(10):
        s.sendto(b"p" * 100, ("127.0.0.1", port))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for uid in (a, b, a):
    as_uid(uid)
    send(s)
    as_root()
as_uid(b)
send(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
' "$@" || fail "sender failed"
}

# egress_reads_directly: whether the attached egress program holds the direct read.
egress_reads_directly() {
	local ids
	ids=$(pinned_link_ids "$PIN_PATH")
	read -r _ ids <<<"$ids" # the egress link's program
	bpftool prog dump xlated id "$ids" | grep -q 'sk_bpf_storage'
}

n=0
for way in direct helper; do
	n=$((n + 1))
	A=$(test_uid $((n * 3))) B=$(test_uid $((n * 3 + 1))) R=$(test_uid $((n * 3 + 2)))
	port=$((5500 + n))
	if [ $way = helper ]; then export PDTT_KERNEL_STORAGE=helper; else unset PDTT_KERNEL_STORAGE; fi
	start_daemon
	if ! grep -q "UID as sk_uid through bpf_rdonly_cast" "$WORK/stderr"; then
		echo "ok: $way: this kernel takes another way than CAST, which has no direct read"
	elif egress_reads_directly; then
		[ $way = direct ] || fail "PDTT_KERNEL_STORAGE=helper: the egress program still reads the storage directly"
	else
		[ $way = helper ] || fail "the CAST egress program does not read the storage directly"
	fi
	in_netns_as "$NETNS" "$R" "$PYTHON" "$TRAFFIC" udp-recv --addr 127.0.0.1 --port $port \
		--count 40 --timeout 10 >"$WORK/recv.$port" &
	rpid=$!
	wait_for_ready "$WORK/recv.$port" "$rpid"
	send_as "$A" "$B" $port
	wait "$rpid" || fail "UDP receiver: $(cat "$WORK/recv.$port")"
	wait_counted
	expect_counts "$A" "2432 19 0 0" # 19 x 128
	expect_counts "$B" "2560 20 0 0"
	expect_counts "$R" "0 0 5120 40"
	echo "ok: $way: each sender charged exactly, across UID changes and a new socket"
	stop_daemon
done
unset PDTT_KERNEL_STORAGE
exit 0
