#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Traffic that no local socket owns lands in the [unattributed] bucket: the
# ICMP "port unreachable" and the TCP resets the kernel sends (from its own
# control sockets, as it does for time-wait replies) when traffic hits closed
# ports. The senders get exactly their own packets. The programs are on the
# cgroup root here (the kernel's sockets are there), where other traffic of
# the machine counts too: the bucket must grow by at least what was caused.
# (uids.sh shows exactly that none of it is charged to UID 0 or 65534.)
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)

start_daemon
wait_next_report
read -r b0 p0 _ _ < <(bucket_counts unattributed)

# 20 UDP datagrams to a closed port: 20 ICMP port unreachable, each 20 + 8
# bytes of ICMP and the 128-byte datagram it quotes.
in_ns_as $U1 "$PYTHON" "$TRAFFIC" udp-send --addr 127.0.0.1 --port 5801 --count 20 --size 100 ||
	fail "UDP sender failed"
# 5 TCP connections to a closed port: 5 SYNs, 5 RSTs of 40 bytes.
in_ns_as $U2 "$PYTHON" -c '
import socket
for _ in range(5):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 5802))
        raise SystemExit("connected to a closed port?")
    except ConnectionRefusedError:
        pass
    s.close()' || fail "TCP connect attempts failed"
wait_next_report

expect_counts $U1 "2560 20 0 0"
read -r tb tp rb rp < <(counts_of $U2)
[ "$tp" = 5 ] && [ "$rb $rp" = "200 5" ] && [ "$tb" -ge 200 ] && [ "$tb" -le 400 ] ||
	fail "UID $U2 counted '$tb $tp $rb $rp', expected 5 SYNs sent and 5 RSTs (200 bytes) received"
echo "ok: UID $U2 counted its 5 SYNs ($tb bytes) and the 5 RSTs it received"
read -r b1 p1 _ _ < <(bucket_counts unattributed)
want=$((20 * 156 + 5 * 40))
[ $((b1 - b0)) -ge $want ] && [ $((p1 - p0)) -ge 25 ] ||
	fail "unattributed grew by $((b1 - b0)) bytes $((p1 - p0)) packets, expected at least $want bytes 25 packets"
echo "ok: unattributed grew by $((b1 - b0)) bytes $((p1 - p0)) packets (at least $want bytes 25 packets caused)"
stop_daemon
exit 0
