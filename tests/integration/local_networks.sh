#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# local_networks splits every count into local and external, exactly, in the
# text log and the JSON log: UDP between two namespaces over a veth pair, to
# an address in a listed network and to one that is not, over IPv4 and IPv6,
# and loopback (always local). SIGHUP with another list classifies the
# traffic that follows by the new list; an empty list brings back the text
# report without the split lines.
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
setup_peer
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
U4=$(test_uid 4)
U5=$(test_uid 5)
U6=$(test_uid 6)
U7=$(test_uid 7)

write_config "interval = 1;" "json_log = \"$WORK/pdtt.jsonl\";" \
	'local_networks = [ "10.199.1.0/24", "fd99:1::/64" ];'
start_daemon
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.1.2 6001 10 1000   # local:    10 x 1028
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.2.2 6002 5 500     # external:  5 x 528
udp_between "$NETNS" $U1 "$PEER_NS" $U2 fd99:1::2 6003 4 200      # local:     4 x 248
udp_between "$NETNS" $U1 "$PEER_NS" $U2 fd99:2::2 6004 3 100      # external:  3 x 148
udp_transfer $U3 $U3 127.0.0.1 6005 2 10                          # loopback:  2 x 38
wait_next_report

expect_counts $U1 "14356 22 0 0"
expect_class $U1 Local "11272 14 0 0"
expect_class $U1 External "3084 8 0 0"
expect_class $U2 Local "0 0 11272 14"
expect_class $U2 External "0 0 3084 8"
expect_class $U3 Local "76 2 76 2"
expect_class $U3 External "0 0 0 0"

# The JSON log says the same.
json_counts() {
	"$PYTHON" - "$WORK/pdtt.jsonl" "$1" "$2" <<'PY'
import json, sys
last = None
with open(sys.argv[1], "rb") as f:
    for line in f:
        obj = json.loads(line.decode("utf-8"))
        if obj["uid"] == int(sys.argv[2]):
            last = obj
c = last["cumulative"][sys.argv[3]] if last else {}
print(*(c.get(k, 0) for k in ("tx_bytes", "tx_packets", "rx_bytes", "rx_packets")))
PY
}
expect_json() {
	local got
	got=$(json_counts "$1" "$2")
	[ "$got" = "$3" ] || fail "JSON UID $1 $2: '$got', expected '$3'"
	echo "ok: JSON UID $1 $2 $got"
}
expect_json $U1 local "11272 14 0 0"
expect_json $U1 external "3084 8 0 0"
expect_json $U2 local "0 0 11272 14"
expect_json $U3 local "76 2 76 2"

# SIGHUP: now the other network is the local one.
reload_daemon "interval = 1;" "json_log = \"$WORK/pdtt.jsonl\";" \
	'local_networks = [ "10.199.2.0/24" ];'
udp_between "$NETNS" $U4 "$PEER_NS" $U5 10.199.1.2 6011 6 100    # now external: 6 x 128
udp_between "$NETNS" $U4 "$PEER_NS" $U5 10.199.2.2 6012 7 100    # now local:    7 x 128
udp_between "$NETNS" $U4 "$PEER_NS" $U5 fd99:1::2 6013 1 52      # now external: 1 x 100
wait_next_report
expect_class $U4 Local "896 7 0 0"
expect_class $U4 External "868 7 0 0"
expect_class $U5 Local "0 0 896 7"
expect_class $U5 External "0 0 868 7"
# What was counted before the reload keeps its class.
expect_class $U1 Local "11272 14 0 0"
expect_json $U4 external "868 7 0 0"

# SIGHUP with an empty list: no split lines in the text log; everything off
# loopback is external, and the JSON log still carries the split.
reload_daemon "interval = 1;" "json_log = \"$WORK/pdtt.jsonl\";"
udp_between "$NETNS" $U6 "$PEER_NS" $U7 10.199.2.2 6021 2 100    # external: 2 x 128
udp_transfer $U6 $U6 ::1 6022 1 2                                # loopback: 1 x 50
wait_counted
expect_counts $U6 "306 3 50 1"
expect_class $U6 Local none
expect_class $U1 Local none
last_report=$(awk '/^=== Network Statistics Report/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$WORK/pdtt.log")
if grep -qE '^  (Local|External):' <<<"$last_report"; then
	fail "the text report has split lines with an empty local_networks"
fi
echo "ok: no split lines with an empty local_networks"
expect_json $U6 local "50 1 50 1"
expect_json $U6 external "256 2 0 0"
stop_daemon
exit 0
