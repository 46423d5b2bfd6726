#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode's direct read of a socket's storage (pdtt_bsock_owner_direct,
# bpf/pdtt_count.bpf.h; pdtt_tc_socket_owner, bpf/pdtt_tc.bpf.c: egress for
# skb->sk, ingress for the socket its lookup found) charges exactly what
# the helper's path charges: the same traffic is sent with the direct read
# on, then with it forced off (PDTT_KERNEL_STORAGE=helper), each by UIDs of
# its own, and both must count exactly what is expected. Each socket's first
# packet takes the helper's path (no storage yet), the others the direct
# read; over IPv4 and IPv6, both ways, and a sender changing UID on one
# socket (owner tracking; the slot cached is then another UID's). The peer's
# UIDs are never counted: their sockets are in another namespace, which the
# direct read checks as the helper's path does. The attached programs hold
# the direct read exactly when it is on (where the CAST way is used, 6.2+).
. "$PDTT_TESTS/integration/lib.sh"
setup
require_owner_tracking_kernel
setup_veth_pair
tc_config
PEER=$(test_uid 1)

# reads_directly HOOK: whether the program of the tcx link pdttd pinned for
# $VETH's HOOK (egress or ingress) holds the direct read.
reads_directly() {
	link_reads_directly "link_tc_${VETH}_$1"
}

# send_as A B ADDR PORT: on one socket root opened in $NETNS, 10 datagrams
# of 100 bytes as A, 10 as B, 10 as A again to the peer. Owner tracking
# learns a sender after its first datagram (tests owner_tracking.sh), so A
# is charged 9 + 1 + 9 and B 9 + 1 (and root 1).
send_as() {
	ip netns exec "$NETNS" "$PYTHON" -c '
import os, socket, sys
a, b, addr, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
os.setgroups([])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
for uid in (a, b, a):
    os.setresgid(uid, uid, 0)
    os.setresuid(uid, uid, 0)
    for _ in range(10):
        s.sendto(b"p" * 100, (addr, port))
    os.setresuid(0, 0, 0)
    os.setresgid(0, 0, 0)
' "$@" || fail "sender failed"
}

n=0
for way in direct helper; do
	n=$((n + 1))
	U1=$(test_uid $((n * 4))) U2=$(test_uid $((n * 4 + 1)))
	A=$(test_uid $((n * 4 + 2))) B=$(test_uid $((n * 4 + 3)))
	port=$((5600 + n * 10))
	if [ $way = helper ]; then export PDTT_KERNEL_STORAGE=helper; else unset PDTT_KERNEL_STORAGE; fi
	start_daemon
	if ! grep -q "through bpf_rdonly_cast" "$WORK/stderr"; then
		echo "ok: $way: this kernel takes another way than CAST, which has no direct read"
	else
		for hook in egress ingress; do
			if [ ! -e "$PIN_PATH/link_tc_${VETH}_$hook" ]; then
				echo "ok: $way: classic filters (no tcx before 6.6), $hook program not checked"
			elif reads_directly $hook; then
				[ $way = direct ] ||
					fail "PDTT_KERNEL_STORAGE=helper: the $hook program still reads the storage directly"
			else
				[ $way = helper ] || fail "the CAST $hook program does not read the storage directly"
			fi
		done
		echo "ok: $way: the programs read the storage directly exactly when it is on"
	fi
	TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR4" $port 100 1000       # 100 x 1028
	TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR6" $((port + 1)) 50 500 # 50 x 548
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$U2" "$ADDR4" $((port + 2)) 30 700    # 30 x 728
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$U2" "$ADDR6" $((port + 3)) 20 1200   # 20 x 1248
	in_netns_as "$PEER_NS" "$PEER" "$PYTHON" "$TRAFFIC" udp-recv --addr "$PEER_ADDR4" \
		--port $((port + 4)) --count 30 --timeout 10 >"$WORK/recv.$port" &
	rpid=$!
	wait_for_ready "$WORK/recv.$port" "$rpid"
	send_as "$A" "$B" "$PEER_ADDR4" $((port + 4))
	wait "$rpid" || fail "UDP receiver: $(cat "$WORK/recv.$port")"
	wait_counted
	expect_counts "$U1" "130200 150 0 0"
	expect_counts "$U2" "0 0 46800 50"
	expect_counts "$A" "2432 19 0 0" # 19 x 128
	expect_counts "$B" "1280 10 0 0"
	expect_counts "$PEER" "0 0 0 0"
	echo "ok: $way: each UID charged exactly, both ways, IPv4 and IPv6, across UID changes"
	stop_daemon
done
unset PDTT_KERNEL_STORAGE
exit 0
