#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdtt in tc mode, on one end of a veth pair: status says tc mode and lists
# the interface and its two hooks (tcx links where the kernel has them, then
# classic tc filters), while pdttd runs and once it stopped; show has the
# exact counts of traffic across the pair.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
U1=$(test_uid 1)
PEER=$(test_uid 2)

run_status() {
	pdtt_cmd -c "$WORK/pdtt.conf" status >"$WORK/status" 2>"$WORK/status.err" ||
		fail "pdtt status exited $?: $(cat "$WORK/status.err")"
}

expect_line() {
	grep -Eqx "$1" "$WORK/status" || fail "pdtt status has no line /$1/: $(cat "$WORK/status")"
}

# expect_hooks KIND: "tcx" or "tc filter", on ingress and egress of $VETH, attached.
expect_hooks() {
	local kind=$1
	[ "$kind" = tcx ] || kind="tc filter"
	expect_line "mode: +tc"
	expect_line "(hooks:)? +$kind ingress on $VETH(, handle 0x[0-9a-f]+, priority [0-9]+)?"
	expect_line " +$kind egress on $VETH(, handle 0x[0-9a-f]+, priority [0-9]+)?"
	expect_line "interfaces: +$VETH"
	echo "ok: pdtt status: tc mode, $kind on $VETH ingress and egress"
}

start_daemon
run_status
cat "$WORK/status"
expect_line "pdttd: +running \\(PID $DAEMON_PID\\)"
# tcx from Linux 6.6; before, pdttd falls back to classic filters.
if grep -q "counting on $VETH (tcx links)" "$WORK/stderr"; then
	expect_hooks tcx
else
	expect_hooks classic
fi
TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR4" 6401 20 100     # 20 x 128
FROM_NS=$PEER_NS udp_transfer "$PEER" "$U1" "$ADDR6" 6402 10 200        # 10 x 248
wait_counted
expect_counts "$U1" "2560 20 2480 10"
pdtt_cmd -c "$WORK/pdtt.conf" show --json --user "$U1" >"$WORK/show.json" || fail "pdtt show exited $?"
got=$("$PYTHON" -c '
import json, sys
c = json.load(open(sys.argv[1]))["users"][0]["cumulative"]
print(c["tx_bytes"], c["tx_packets"], c["rx_bytes"], c["rx_packets"])' "$WORK/show.json")
[ "$got" = "2560 20 2480 10" ] || fail "pdtt show --user $U1: '$got', expected '2560 20 2480 10'"
echo "ok: pdtt show: UID $U1 $got"

# Stopped: the hooks stay and keep counting.
stop_daemon
run_status
expect_line "pdttd: +not running; the pinned programs keep counting"
expect_line "interfaces: +$VETH"

# Classic filters.
export PDTT_TC_ATTACH=classic
start_daemon
run_status
cat "$WORK/status"
expect_hooks classic
grep -q "gone" "$WORK/status" && fail "pdtt status says a hook is gone: $(cat "$WORK/status")"
stop_daemon
exit 0
