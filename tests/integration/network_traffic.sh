#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Three UIDs exchange known UDP traffic over IPv4 and IPv6 inside a network
# namespace: every byte and packet count is exact (n payload bytes = n+28 over
# IPv4, n+48 over IPv6). Then a 24 MB TCP transfer: the sender's TX and the
# receiver's RX lie within [payload, payload x 1.06].
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
U4=$(test_uid 4)
U5=$(test_uid 5)

start_daemon
udp_transfer $U1 $U2 127.0.0.1 5001 100 1000   # 100 x 1028
udp_transfer $U2 $U3 ::1 5002 50 500           # 50 x 548
udp_transfer $U3 $U1 ::1 5003 20 1200          # 20 x 1248
udp_transfer $U3 $U1 127.0.0.1 5004 7 1        # 7 x 29
wait_next_report

expect_counts $U1 "102800 100 25163 27"
expect_counts $U2 "27400 50 102800 100"
expect_counts $U3 "25163 27 27400 50"

PAYLOAD=$((24 * 1024 * 1024))
tcp_transfer $U4 $U5 127.0.0.1 5005 $PAYLOAD
wait_counted
read -r tx_bytes _ _ _ < <(counts_of $U4)
read -r _ _ rx_bytes _ < <(counts_of $U5)
max=$((PAYLOAD * 106 / 100))
[ "$tx_bytes" -ge $PAYLOAD ] && [ "$tx_bytes" -le $max ] ||
	fail "TCP sender $U4 TX $tx_bytes bytes, expected $PAYLOAD..$max"
[ "$rx_bytes" -ge $PAYLOAD ] && [ "$rx_bytes" -le $max ] ||
	fail "TCP receiver $U5 RX $rx_bytes bytes, expected $PAYLOAD..$max"
echo "ok: TCP $PAYLOAD bytes: sender TX $tx_bytes, receiver RX $rx_bytes"
stop_daemon
exit 0
