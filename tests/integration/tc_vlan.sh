#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode does not count the link-layer header, VLAN tags included: raw
# Ethernet frames carrying the same UDP datagram untagged, with one 802.1Q
# tag and with two (802.1ad + 802.1Q) count n+28 bytes each, sent from a UID
# in pdttd's namespace (its packet socket owns them) and received there for a
# UID's socket (the kernel strips one tag before tc, the parser the other).
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
SENDER=$(test_uid 1)
RECEIVER=$(test_uid 2)
mac=$(ip netns exec "$NETNS" cat "/sys/class/net/$VETH/address")
peer_mac=$(ip netns exec "$PEER_NS" cat "/sys/class/net/$PEER_VETH/address")
TAGS=("" "--vlan 8100:5" "--vlan 88a8:5 --vlan 8100:6")

start_daemon
for tags in "${TAGS[@]}"; do
	# shellcheck disable=SC2086
	ip netns exec "$NETNS" setpriv --reuid "$SENDER" --regid "$SENDER" --clear-groups \
		--inh-caps +net_raw --ambient-caps +net_raw "$PYTHON" "$TRAFFIC" raw-send \
		--ifname "$VETH" --src-mac "$mac" --dst-mac "$peer_mac" --src-addr "$ADDR4" \
		--addr "$PEER_ADDR4" --port 5601 --count 10 --size 100 $tags ||
		fail "raw sender failed (tags: ${tags:-none})"
done
in_netns_as "$NETNS" "$RECEIVER" "$PYTHON" "$TRAFFIC" udp-bind --addr 0.0.0.0 --port 5602 \
	--timeout 15 >"$WORK/bind.out" &
wait_for_ready "$WORK/bind.out" $!
for tags in "${TAGS[@]}"; do
	# shellcheck disable=SC2086
	ip netns exec "$PEER_NS" "$PYTHON" "$TRAFFIC" raw-send --ifname "$PEER_VETH" \
		--src-mac "$peer_mac" --dst-mac "$mac" --src-addr "$PEER_ADDR4" --addr "$ADDR4" \
		--port 5602 --count 7 --size 50 $tags || fail "raw sender failed (tags: ${tags:-none})"
done
wait_next_report
expect_counts "$SENDER" "3840 30 0 0"      # 3 x 10 x 128
expect_counts "$RECEIVER" "0 0 1638 21"    # 3 x 7 x 78
stop_daemon
exit 0
