#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode on one end of a veth pair, pdttd running in that namespace. UDP over
# IPv4 and IPv6 from a UID there to a UID in the peer namespace and back to
# another UID there: TX and RX bytes and packets exact (n payload bytes =
# n+28 over IPv4, n+48 over IPv6, the Ethernet header not counted), through
# tcx links and through classic tc filters alike. The peer's UIDs are never
# counted: their sockets are in another namespace. Then 24 MB of TCP each way
# within [payload, payload x 1.12], and UDP on loopback when it is listed.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
PEER=$(test_uid 1)

# udp_both_ways SENDER RECEIVER PORT: the same traffic as socket mode's test.
udp_both_ways() {
	TO_NS=$PEER_NS udp_transfer "$1" "$PEER" "$PEER_ADDR4" "$3" 100 1000   # 100 x 1028
	TO_NS=$PEER_NS udp_transfer "$1" "$PEER" "$PEER_ADDR6" $(($3 + 1)) 50 500  # 50 x 548
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$2" "$ADDR4" $(($3 + 2)) 30 700      # 30 x 728
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$2" "$ADDR6" $(($3 + 3)) 20 1200     # 20 x 1248
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$2" "$ADDR4" $(($3 + 4)) 7 1         # 7 x 29
}

for attach in tcx classic; do
	if [ $attach = classic ]; then
		export PDTT_TC_ATTACH=classic
		U1=$(test_uid 4) U2=$(test_uid 5)
	else
		U1=$(test_uid 2) U2=$(test_uid 3)
	fi
	start_daemon
	udp_both_ways "$U1" "$U2" 5200
	wait_next_report
	expect_counts "$U1" "130200 150 0 0"
	expect_counts "$U2" "0 0 47003 57"
	expect_counts "$PEER" "0 0 0 0"
	stop_daemon
	echo "ok: UDP exact through $attach"
done
unset PDTT_TC_ATTACH

# The classic filters are gone, replaced by tcx links again (where the
# kernel has tcx: 6.6+; before, pdttd keeps the classic filters).
start_daemon
if grep "counting on $VETH (" "$WORK/stderr" | tail -n 1 | grep -q "(tcx links)"; then
	tc -n "$NETNS" filter show dev "$VETH" ingress | grep -q pdtt &&
		fail "classic filter left after switching to tcx"
fi
U3=$(test_uid 6)
U4=$(test_uid 7)
PAYLOAD=$((24 * 1024 * 1024))
# Over a 1500-byte MTU the headers alone are 3.6% (IPv4) and 5.0% (IPv6) of
# the payload, and a busy machine adds retransmitted segments, which cross
# the wire and are counted: 7.0% was seen under load. wire_tc.sh checks the
# bytes exactly against the qdisc; this bound only catches gross errors.
max=$((PAYLOAD * 112 / 100))
TO_NS=$PEER_NS tcp_transfer "$U3" "$PEER" "$PEER_ADDR4" 5210 $PAYLOAD
FROM_NS=$PEER_NS tcp_transfer "$PEER" "$U4" "$ADDR6" 5211 $PAYLOAD
wait_counted
read -r tx_bytes _ _ _ < <(counts_of "$U3")
read -r _ _ rx_bytes _ < <(counts_of "$U4")
[ "$tx_bytes" -ge $PAYLOAD ] && [ "$tx_bytes" -le $max ] ||
	fail "TCP sender $U3 TX $tx_bytes bytes, expected $PAYLOAD..$max"
[ "$rx_bytes" -ge $PAYLOAD ] && [ "$rx_bytes" -le $max ] ||
	fail "TCP receiver $U4 RX $rx_bytes bytes, expected $PAYLOAD..$max"
expect_counts "$PEER" "0 0 0 0"
echo "ok: TCP $PAYLOAD bytes: sender TX $tx_bytes (IPv4), receiver RX $rx_bytes (IPv6)"
stop_daemon

# Loopback, when listed: not Ethernet to the kernel (its header is found
# from the kernel's network header offset), and the same figures.
write_config "interval = 1;" 'mode = "tc";' 'interfaces = [ "lo" ];'
U5=$(test_uid 8)
U6=$(test_uid 9)
start_daemon
udp_transfer "$U5" "$U6" 127.0.0.1 5220 10 100    # 10 x 128
udp_transfer "$U5" "$U6" ::1 5221 10 100          # 10 x 148
wait_counted
expect_counts "$U5" "2760 20 0 0"
expect_counts "$U6" "0 0 2760 20"
stop_daemon
echo "ok: UDP exact on loopback"
exit 0
