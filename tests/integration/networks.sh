#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# networks: three named networks and external, reached over a veth pair from
# one user, over IPv4 and IPv6, each counted exactly (UDP) in its own line of
# the text log, in the JSON log and in pdtt show --by-network. A SIGHUP that
# renames a network and moves a CIDR to another: the traffic after it counts
# under the new names, the totals from before stay where they were.
# It starts from an old configuration, whose counts migrate to the new maps.
# NETWORKS_MODE=tc runs the same in tc mode (networks_tc.sh).
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
setup_peer
MODE=${NETWORKS_MODE:-socket}
MODE_CONF=("mode = \"$MODE\";")
if [ "$MODE" = tc ]; then
	# pdttd in the test namespace, on its end of the pair (see lib.sh's add_veth_pair).
	command -v nsenter >/dev/null 2>&1 || skip "needs nsenter"
	PDTTD_CMD=(nsenter --net="/var/run/netns/$NETNS")
	MODE_CONF+=('interfaces = [ "veth0" ];')
fi

# Two more networks on the pair, beside lib_reports.sh's 10.199.{1,2} and fd99:{1,2}.
mac_peer=$(ip -n "$PEER_NS" -br link show veth1 | awk '{print $3}')
mac_me=$(ip -n "$NETNS" -br link show veth0 | awk '{print $3}')
for n in 3 4; do
	ip -n "$NETNS" addr add "10.199.$n.1/24" dev veth0
	ip -n "$NETNS" addr add "fd99:$n::1/64" dev veth0 nodad
	ip -n "$PEER_NS" addr add "10.199.$n.2/24" dev veth1
	ip -n "$PEER_NS" addr add "fd99:$n::2/64" dev veth1 nodad
	ip -n "$NETNS" neigh replace "10.199.$n.2" lladdr "$mac_peer" dev veth0 nud permanent
	ip -n "$NETNS" neigh replace "fd99:$n::2" lladdr "$mac_peer" dev veth0 nud permanent
	ip -n "$PEER_NS" neigh replace "10.199.$n.1" lladdr "$mac_me" dev veth1 nud permanent
	ip -n "$PEER_NS" neigh replace "fd99:$n::1" lladdr "$mac_me" dev veth1 nud permanent
done
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
U4=$(test_uid 4)

U5=$(test_uid 5)

# An old configuration first (local_networks): its maps have two classes. The
# first start with networks migrates their counts to maps with five.
write_config "${MODE_CONF[@]}" "interval = 1;" 'local_networks = [ "10.199.1.0/24" ];'
start_daemon
udp_between "$NETNS" $U5 "$PEER_NS" $U2 10.199.1.2 6000 2 100    # local:     2 x 128
wait_next_report
expect_class $U5 Local "256 2 0 0"
stop_daemon

NETS_BEFORE='networks = (
  { name = "campus"; cidrs = [ "10.199.1.0/24", "fd99:1::/64" ]; },
  { name = "research"; cidrs = [ "10.199.2.0/24", "fd99:2::/64" ]; },
  { name = "partner"; cidrs = [ "10.199.3.0/24", "fd99:3::/64" ]; }
);'
write_config "${MODE_CONF[@]}" "interval = 1;" "json_log = \"$WORK/pdtt.jsonl\";" "$NETS_BEFORE"
start_daemon
grep -q "have 2 classes of networks; migrating their counts to new maps with 5" "$WORK/stderr" ||
	fail "no migration to maps with networks: $(cat "$WORK/stderr")"
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.1.2 6001 10 1000  # campus:   10 x 1028
udp_between "$NETNS" $U1 "$PEER_NS" $U2 fd99:1::2 6002 2 100     # campus:    2 x 148
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.2.2 6003 5 500    # research:  5 x 528
udp_between "$NETNS" $U1 "$PEER_NS" $U2 fd99:2::2 6004 3 52      # research:  3 x 100
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.3.2 6005 4 200    # partner:   4 x 228
udp_between "$NETNS" $U1 "$PEER_NS" $U2 fd99:3::2 6006 1 100     # partner:   1 x 148
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.4.2 6007 3 100    # external:  3 x 128
udp_between "$NETNS" $U1 "$PEER_NS" $U2 fd99:4::2 6008 2 10      # external:  2 x 58
# And back: received, classified by the source address.
udp_between "$PEER_NS" $U2 "$NETNS" $U1 10.199.3.1 6009 2 100    # partner:   2 x 128
udp_between "$PEER_NS" $U2 "$NETNS" $U1 fd99:4::1 6010 1 100     # external:  1 x 148
wait_next_report

# expect_network UID NAME "TXB TXP RXB RXP": its "  Network NAME:" line.
expect_network() {
	expect_class "$1" "Network $2" "$3"
}
expect_counts $U1 "15076 30 404 3"
expect_network $U1 campus "10576 12 0 0"
expect_network $U1 research "2940 8 0 0"
expect_network $U1 partner "1060 5 256 2"
expect_class $U1 External "500 5 148 1"
expect_class $U1 Local "0 0 0 0"
expect_class $U5 Local "256 2 0 0"     # carried over from the old maps
# In tc mode the peer's sockets are in another namespace: only routed past.
if [ "$MODE" = socket ]; then
	expect_network $U2 campus "0 0 10576 12"
	expect_network $U2 research "0 0 2940 8"
	expect_network $U2 partner "256 2 1060 5"
	expect_class $U2 External "148 1 500 5"
fi

# The JSON log: the named ones under "networks".
got=$("$PYTHON" - "$WORK/pdtt.jsonl" "$U1" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1], encoding="utf-8"):
    obj = json.loads(line)
    if obj["uid"] == int(sys.argv[2]):
        last = obj["cumulative"]
print(last["networks"]["campus"]["tx_bytes"], last["networks"]["research"]["tx_bytes"],
      last["networks"]["partner"]["tx_bytes"], last["external"]["tx_bytes"])
PY
)
[ "$got" = "10576 2940 1060 500" ] || fail "JSON log: '$got'"
echo "ok: JSON log per network $got"

# pdtt show --by-network: a column per network.
show=$(pdtt_cmd -c "$WORK/pdtt.conf" show --by-network --bytes --user "$U1") ||
	fail "pdtt show --by-network failed"
echo "$show"
grep -q "EXTERNAL *campus *research *partner" <<<"$show" || fail "show: no network columns"
grep -qE "^$U1 .* 648 +10576 +2940 +1316 *$" <<<"$show" || fail "show: wrong counts"

# SIGHUP: research is renamed nren (a new name: new maps), and partner's
# IPv4 network moves to campus (a trie refill).
reload_daemon "${MODE_CONF[@]}" "interval = 1;" "json_log = \"$WORK/pdtt.jsonl\";" 'networks = (
  { name = "campus"; cidrs = [ "10.199.1.0/24", "fd99:1::/64", "10.199.3.0/24" ]; },
  { name = "nren"; cidrs = [ "10.199.2.0/24", "fd99:2::/64" ]; },
  { name = "partner"; cidrs = [ "fd99:3::/64" ]; }
);'
udp_between "$NETNS" $U3 "$PEER_NS" $U4 10.199.2.2 6011 2 100    # nren:      2 x 128
udp_between "$NETNS" $U3 "$PEER_NS" $U4 10.199.3.2 6012 3 100    # campus:    3 x 128
udp_between "$NETNS" $U3 "$PEER_NS" $U4 fd99:3::2 6013 1 52      # partner:   1 x 100
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.2.2 6014 1 100    # nren:      1 x 128
wait_next_report
expect_network $U3 nren "256 2 0 0"
expect_network $U3 campus "384 3 0 0"
expect_network $U3 partner "100 1 0 0"
expect_network $U3 research "0 0 0 0"
# What was counted before keeps its name, the totals go on.
expect_network $U1 research "2940 8 0 0"
expect_network $U1 nren "128 1 0 0"
expect_network $U1 campus "10576 12 0 0"
expect_counts $U1 "15204 31 404 3"
grep -q "counting 6 classes of networks on new maps" "$WORK/stderr" ||
	fail "the rename did not make new maps: $(cat "$WORK/stderr")"

# A restart keeps the names and their totals (pinned names, state file).
stop_daemon
start_daemon
sleep 1.5
wait_next_report
expect_network $U1 research "2940 8 0 0"
expect_network $U3 nren "256 2 0 0"
stop_daemon

# The history: a class per name, adding up to the same totals.
got=$("$PYTHON" - "$WORK/history.db" "$U1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT c.name, sum(u.tx_bytes) FROM usage_monthly u JOIN classes c "
                  "ON c.id = u.class WHERE u.uid = ? GROUP BY c.name ORDER BY c.name",
                  (int(sys.argv[2]),))
print(" ".join(f"{n}={b}" for n, b in rows))
PY
)
[ "$got" = "campus=10576 external=500 nren=128 partner=1060 research=2940" ] ||
	fail "history per network: '$got'"
echo "ok: history per network: $got"

# The counters have 4 names (research kept with its totals): 13 new ones make
# 17, which cannot be counted. Refused at start, with why.
names=$(for i in $(seq 13); do printf '{ name = "n%d"; cidrs = [ "10.250.%d.0/24" ]; }, ' "$i" "$i"; done)
write_config "${MODE_CONF[@]}" "networks = ( $names"' { name = "campus"; cidrs = [ "10.199.1.0/24" ]; } );'
rc=0
"${PDTTD_CMD[@]}" "$PDTTD" -f -c "$WORK/pdtt.conf" >"$WORK/out17" 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "17 names: exit $rc, expected 2: $(cat "$WORK/out17")"
grep -q 'network "n13" does not fit: the counters already have 16 network names' "$WORK/out17" ||
	fail "17 names: $(cat "$WORK/out17")"
echo "ok: 17 names refused: $(cat "$WORK/out17")"
exit 0
