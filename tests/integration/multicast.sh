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
. "$PDTT_TESTS/integration/lib.sh"
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

# one_round PORT: 10 datagrams of 100 bytes to the group and 10 to the
# broadcast address, each received here and in the peer namespace.
one_round() {
	local mport=$1 bport=$(($1 + 1)) pid
	RECEIVERS=()
	receive "$NETNS" "$LOCAL" "$mport" --addr 0.0.0.0 --group "$GROUP" --group-if "$ADDR4"
	receive "$PEER_NS" "$REMOTE" "$mport" --addr 0.0.0.0 --group "$GROUP" --group-if "$PEER_ADDR4"
	receive "$NETNS" "$LOCAL" "$bport" --addr 0.0.0.0
	receive "$PEER_NS" "$REMOTE" "$bport" --addr 0.0.0.0
	in_ns_as "$SENDER" "$PYTHON" "$TRAFFIC" udp-send --addr "$GROUP" --port "$mport" --count 10 \
		--size 100 --group-if "$ADDR4" || fail "multicast sender failed"
	in_ns_as "$SENDER" "$PYTHON" "$TRAFFIC" udp-send --addr "$BROADCAST" --port "$bport" \
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

# tc mode on the veth: 20 x 128 sent, once; the looped-back copies are not
# received from the wire.
tc_config
start_daemon
one_round 7003
expect_counts "$SENDER" "2560 20 0 0"
expect_counts "$LOCAL" "0 0 0 0"
stop_daemon
exit 0
