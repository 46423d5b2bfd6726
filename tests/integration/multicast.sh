#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Multicast and broadcast senders are charged once per datagram, in socket
# mode and in tc mode: not again for the copy the kernel loops back to
# local receivers. A UID in pdttd's namespace sends 10 datagrams to a
# multicast group and 10 to the subnet's broadcast address over the veth;
# a receiver there (the looped-back copies) and one in the peer namespace
# (the copies that crossed the veth) get all of them. Socket mode charges
# each receiving socket as it does on loopback; tc mode counts what crosses
# the interface, so the looped-back copies, which never do, not at all.
#
# In tc mode a looped-back copy runs the veth's ingress hook starting with
# its IP header, where a frame's Ethernet header would be. There the sender
# has an address in 8.0.64.0/24: its bytes 8.0 and 64 make the copy's bytes
# 12 to 14 read as the IPv4 EtherType and an IPv4 version nibble, so that
# only pdtt's check of the copy (PACKET_LOOPBACK) keeps it from being
# counted, and all pdtt receives on the veth must be what the peer's qdisc
# sent.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_stack.sh"
setup
setup_veth_pair
SENDER=$(test_uid 1)
LOCAL=$(test_uid 2)
REMOTE=$(test_uid 3)
GROUP=239.199.0.1
BROADCAST=10.199.0.255

# receive NS UID PORT ARGS...: a receiver of 20 datagrams, in the background.
RECEIVERS=()
receive() {
	local ns=$1 uid=$2 port=$3 out="$WORK/recv.$1.$3"
	shift 3
	in_netns_as "$ns" "$uid" "$PYTHON" "$TRAFFIC" udp-recv --port "$port" --count 10 \
		--timeout 10 "$@" >"$out" &
	RECEIVERS+=($!)
	wait_for_ready "$out" $!
}

# one_round PORT [ADDR PEER_ADDR BROADCAST]: 10 datagrams of 100 bytes to
# the group and 10 to the broadcast address, sent from ADDR, each received
# here and in the peer namespace (by default $ADDR4 and $PEER_ADDR4's).
one_round() {
	local mport=$1 bport=$(($1 + 1)) addr=${2:-$ADDR4} peer_addr=${3:-$PEER_ADDR4}
	local broadcast=${4:-$BROADCAST} pid
	RECEIVERS=()
	receive "$NETNS" "$LOCAL" "$mport" --addr 0.0.0.0 --group "$GROUP" --group-if "$addr"
	receive "$PEER_NS" "$REMOTE" "$mport" --addr 0.0.0.0 --group "$GROUP" --group-if "$peer_addr"
	receive "$NETNS" "$LOCAL" "$bport" --addr 0.0.0.0
	receive "$PEER_NS" "$REMOTE" "$bport" --addr 0.0.0.0
	in_ns_as "$SENDER" "$PYTHON" "$TRAFFIC" udp-send --addr "$GROUP" --port "$mport" --count 10 \
		--size 100 --group-if "$addr" || fail "multicast sender failed"
	in_ns_as "$SENDER" "$PYTHON" "$TRAFFIC" udp-send --addr "$broadcast" --port "$bport" \
		--count 10 --size 100 --broadcast || fail "broadcast sender failed"
	for pid in "${RECEIVERS[@]}"; do
		wait "$pid" || fail "a receiver missed datagrams: $(cat "$WORK"/recv.*)"
	done
	wait_next_report
}

ip -n "$NETNS" addr add "$BROADCAST" dev "$VETH" 2>/dev/null # already the /24's broadcast
ip -n "$NETNS" route add 224.0.0.0/4 dev "$VETH"
ip -n "$PEER_NS" route add 224.0.0.0/4 dev "$PEER_VETH"

# Socket mode: 20 x 128 sent, once; each receiver charged for its 20.
write_config "interval = 1;"
start_daemon
one_round 7001
expect_counts "$SENDER" "2560 20 0 0"
expect_counts "$LOCAL" "0 0 2560 20"
expect_counts "$REMOTE" "0 0 2560 20"
stop_daemon
pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
rm -f "$WORK/state" # tc mode's totals start from zero

# rx_and_wire: pdtt's RX, every UID and bucket together, then what the
# peer's qdisc sent over the veth less the Ethernet header of each packet:
# "BYTES PACKETS BYTES PACKETS".
rx_and_wire() {
	local rb rp
	read -r _ _ rb rp <<<"$(grand_total)"
	echo "$rb $rp $(qdisc_ip "$PEER_NS" "$PEER_VETH")"
}

# quiet_rx_and_wire: rx_and_wire once it no longer moves from one report to
# the next (the receivers' IGMP reports are over).
quiet_rx_and_wire() {
	local before now
	wait_next_report
	now=$(rx_and_wire)
	for _ in $(seq 20); do
		before=$now
		wait_next_report
		now=$(rx_and_wire)
		[ "$now" = "$before" ] && { echo "$now"; return 0; }
	done
	fail "the veth is never quiet: $now"
}

# tc mode on the veth, from 8.0.64.1 (see above): 20 x 128 sent, once; the
# looped-back copies are not received from the wire, and what pdtt received
# is what the peer sent, its receivers' IGMP reports included.
MC_ADDR4=8.0.64.1
MC_PEER_ADDR4=8.0.64.2
ip -n "$NETNS" addr add "$MC_ADDR4/24" dev "$VETH"
ip -n "$PEER_NS" addr add "$MC_PEER_ADDR4/24" dev "$PEER_VETH"
tc -n "$PEER_NS" qdisc replace dev "$PEER_VETH" root pfifo || fail "cannot add a pfifo qdisc on $PEER_VETH"
tc_config
start_daemon
base=$(quiet_rx_and_wire)
one_round 7003 "$MC_ADDR4" "$MC_PEER_ADDR4" 8.0.64.255
expect_counts "$SENDER" "2560 20 0 0"
expect_counts "$LOCAL" "0 0 0 0"
now=$(quiet_rx_and_wire)
read -r rx_b rx_p wire_b wire_p <<<"$(echo "$base $now" | awk '{ printf "%.0f %.0f %.0f %.0f", $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')"
[ "$rx_b $rx_p" = "$wire_b $wire_p" ] ||
	fail "tc mode received $rx_b bytes $rx_p packets meanwhile, the peer sent $wire_b bytes $wire_p packets: the looped-back copies were counted"
echo "ok: tc mode received what the peer sent, $rx_b bytes $rx_p packets, and no looped-back copy"
stop_daemon
exit 0
