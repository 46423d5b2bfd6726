#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc ingress runs before the firewall: SYNs at a UID's listening port, which
# an nftables rule then drops, are not charged to the UID but to
# [unattributed] (a packet only a listener matches is never charged). A real
# connection to the UID's listener on another port is charged to it, all
# but its first SYN.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
command -v nft >/dev/null 2>&1 || skip "needs nft (nftables)"
tc_config
LISTENER=$(test_uid 1)
PEER=$(test_uid 2)

ip netns exec "$NETNS" nft -f - <<NFT || fail "cannot add the nftables rule"
table inet pdtt_test {
	chain input {
		type filter hook input priority 0;
		tcp dport 6901 counter drop
	}
}
NFT
in_netns_as "$NETNS" "$LISTENER" "$PYTHON" "$TRAFFIC" tcp-listen --addr 0.0.0.0 --port 6901 \
	--timeout 30 >"$WORK/listen.out" &
LISTEN_PID=$!
on_cleanup "kill $LISTEN_PID"
wait_for_ready "$WORK/listen.out" "$LISTEN_PID"

start_daemon
wait_next_report
before=$(bucket_counts unattributed)
ip netns exec "$PEER_NS" "$PYTHON" "$TRAFFIC" syn-send --src-addr "$PEER_ADDR4" --addr "$ADDR4" \
	--port 6901 --count 20 || fail "SYN sender failed"     # 20 x 40
wait_next_report
dropped=$(ip netns exec "$NETNS" nft -j list ruleset | "$PYTHON" -c '
import json, sys
for item in json.load(sys.stdin)["nftables"]:
    for e in item.get("rule", {}).get("expr", []):
        if "counter" in e:
            print(e["counter"]["packets"])')
[ "$dropped" = 20 ] || fail "the firewall dropped $dropped SYNs, not 20"
expect_counts "$LISTENER" "0 0 0 0"
after=$(bucket_counts unattributed)
read -r _ _ rx_before rxp_before <<<"$before"
read -r _ _ rx_after rxp_after <<<"$after"
[ $((rx_after - rx_before)) -ge 800 ] && [ $((rxp_after - rxp_before)) -ge 20 ] ||
	fail "[unattributed] received $((rx_after - rx_before)) bytes, $((rxp_after - rxp_before)) packets, expected at least 800 and 20"
echo "ok: 20 SYNs the firewall dropped went to [unattributed], not to UID $LISTENER"

# A connection the firewall lets through: the UID is charged for it.
FROM_NS=$PEER_NS tcp_transfer "$PEER" "$LISTENER" "$ADDR4" 6902 100000
wait_counted
read -r tx txp rx rxp <<<"$(counts_of "$LISTENER")"
[ "$rx" -gt 100000 ] && [ "$tx" -gt 0 ] ||
	fail "UID $LISTENER's accepted connection counted tx $tx, rx $rx (rx must exceed 100000)"
echo "ok: the accepted connection was charged to UID $LISTENER: tx $tx ($txp), rx $rx ($rxp)"
stop_daemon
exit 0
