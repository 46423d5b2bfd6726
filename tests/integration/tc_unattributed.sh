#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode sees what never reaches a local socket, in the unattributed bucket:
# UDP and TCP from the peer namespace to ports with no listener (and the
# kernel's ICMP errors and resets in reply), and packets this namespace
# forwards to a third one, even to a port a local socket listens on with a
# wildcard address. None of it is charged to a UID.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
PEER=$(test_uid 1)
LOCAL=$(test_uid 2)
FAR=$(test_uid 3)

# A third namespace behind this one: 10.199.2.2, routed through 10.199.2.1.
FAR_NS="pdtt-$TEST_NAME-far-$$"
EXTRA_NS="$EXTRA_NS $FAR_NS"
ip netns add "$FAR_NS" || fail "cannot create network namespace $FAR_NS"
ip -n "$FAR_NS" link set lo up
ip -n "$NETNS" link add pdtt2 type veth peer name pdtt3 netns "$FAR_NS" || fail "cannot create the second veth pair"
ip -n "$NETNS" addr add 10.199.2.1/24 dev pdtt2
ip -n "$FAR_NS" addr add 10.199.2.2/24 dev pdtt3
ip -n "$NETNS" link set pdtt2 up
ip -n "$FAR_NS" link set pdtt3 up
ip -n "$FAR_NS" route add default via 10.199.2.1
ip -n "$PEER_NS" route add 10.199.2.0/24 via "$ADDR4"
ip netns exec "$NETNS" sysctl -qw net.ipv4.ip_forward=1

start_daemon
before=$(bucket_counts unattributed)

# Closed ports: 40 + 40 datagrams, and connections refused with a reset.
in_netns_as "$PEER_NS" "$PEER" "$PYTHON" "$TRAFFIC" udp-send --addr "$ADDR4" --port 5301 \
	--count 40 --size 300 || fail "UDP sender failed"   # 40 x 328
in_netns_as "$PEER_NS" "$PEER" "$PYTHON" "$TRAFFIC" udp-send --addr "$ADDR6" --port 5302 \
	--count 40 --size 300 || fail "UDP sender failed"   # 40 x 348
for addr in "$ADDR4" "$ADDR6"; do
	in_netns_as "$PEER_NS" "$PEER" "$PYTHON" -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], 5303), timeout=5)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$addr" || fail "a connection to a closed port on $addr was not refused"
done

# Forwarded: 25 datagrams to the far namespace, on a port that a socket of
# this namespace holds on the wildcard address.
in_netns_as "$NETNS" "$LOCAL" "$PYTHON" "$TRAFFIC" udp-bind --addr 0.0.0.0 --port 5304 \
	--timeout 15 >"$WORK/bind.out" &
wait_for_ready "$WORK/bind.out" $!
FROM_NS=$PEER_NS TO_NS=$FAR_NS udp_transfer "$PEER" "$FAR" 10.199.2.2 5304 25 400   # 25 x 428
wait_next_report

uids=$(uids_in_report)
[ -z "$uids" ] || fail "charged to UIDs: $uids (expected none)"
read -r _ _ rx0 rxp0 <<<"$before"
read -r tx tx_packets rx rx_packets < <(bucket_counts unattributed)
# RX: the datagrams, two SYNs (60 bytes over IPv4, 80 over IPv6), the forwarded
# datagrams; and nothing else but the kernel's own neighbour chatter.
min=$((40 * 328 + 40 * 348 + 60 + 80 + 25 * 428))
max=$((min + 4096))
got=$((rx - rx0))
[ $got -ge $min ] && [ $got -le $max ] ||
	fail "unattributed RX grew by $got bytes, expected $min..$max"
[ $((rx_packets - rxp0)) -ge $((40 + 40 + 2 + 25)) ] ||
	fail "unattributed RX grew by $((rx_packets - rxp0)) packets, expected at least 107"
# TX: the resets (40 and 60 bytes) and some ICMP errors (rate-limited).
[ "$tx" -ge 100 ] || fail "unattributed TX is $tx bytes: the resets and ICMP errors are missing"
echo "ok: unattributed RX +$got bytes (closed ports and forwarded), TX $tx bytes ($tx_packets packets), no UID charged"
stop_daemon
exit 0
