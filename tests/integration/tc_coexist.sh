#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdtt shares the tc hooks: a filter another tool put on the interface (a
# counting BPF program on its clsact ingress and egress) still sees every
# packet while pdtt runs, through tcx links and through classic filters, and
# is still there and still counting after 'pdttd --unload', its qdisc too.
# A second pdttd with its own pin_path counts the same traffic as the first,
# and unloading one leaves the other counting. When pdtt made the clsact
# qdisc itself, --unload removes it only if no other filter is left on it.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
OTHER_OBJ="$PDTT_TESTS_BUILD/integration/tc_other.bpf.o"
[ -f "$OTHER_OBJ" ] || fail "$OTHER_OBJ is missing (make check builds it)"
PEER=$(test_uid 1)

# other_prog HOOK: the id of the other tool's program on $VETH's HOOK, or nothing.
other_prog() {
	tc -n "$NETNS" -j filter show dev "$VETH" "$1" | "$PYTHON" -c '
import json, sys
for f in json.load(sys.stdin):
    prog = f.get("options", {}).get("prog", {})
    if prog.get("name") == "other_tool":
        print(prog["id"])'
}

# other_seen ID: the packets the other tool's program ID has counted.
other_seen() {
	local map
	map=$(bpftool -j prog show id "$1" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])')
	bpftool -j map lookup id "$map" key 0 0 0 0 | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["formatted"]["value"])'
}

# expect_other_sees N: both of the other tool's programs still run, and have
# seen at least N more packets than when last asked.
declare -A SEEN
expect_other_sees() {
	local hook id now
	for hook in ingress egress; do
		id=${OTHER[$hook]}
		[ "$(other_prog "$hook")" = "$id" ] || fail "the other tool's $hook filter (program $id) is gone"
		now=$(other_seen "$id")
		[ "$now" -ge $((${SEEN[$hook]:-0} + $1)) ] ||
			fail "the other tool's $hook program saw $now packets, expected at least $((${SEEN[$hook]:-0} + $1))"
		SEEN[$hook]=$now
	done
	echo "ok: the other tool's programs still run: ${SEEN[ingress]} in, ${SEEN[egress]} out"
}

# traffic UID PORT: 10 datagrams out to the peer, 10 in from it (128 bytes each).
traffic() {
	TO_NS=$PEER_NS udp_transfer "$1" "$PEER" "$PEER_ADDR4" "$2" 10 100
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$1" "$ADDR4" $(($2 + 1)) 10 100
}

tc -n "$NETNS" qdisc add dev "$VETH" clsact || fail "cannot add a clsact qdisc"
declare -A OTHER
for hook in ingress egress; do
	tc -n "$NETNS" filter add dev "$VETH" "$hook" bpf da obj "$OTHER_OBJ" sec tc ||
		fail "cannot attach the other tool's $hook filter"
	OTHER[$hook]=$(other_prog "$hook")
done
U=$(test_uid 2)
traffic "$U" 5400
expect_other_sees 10

for attach in tcx classic; do
	[ $attach = classic ] && export PDTT_TC_ATTACH=classic
	U=$(test_uid $([ $attach = tcx ] && echo 3 || echo 4))
	start_daemon
	traffic "$U" 5410
	wait_next_report
	expect_counts "$U" "1280 10 1280 10"
	expect_other_sees 10
	stop_daemon
	pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
	tc -n "$NETNS" qdisc show dev "$VETH" | grep -q clsact || fail "--unload removed the other tool's clsact qdisc"
	tc -n "$NETNS" filter show dev "$VETH" ingress | grep -q pdtt && fail "pdtt's filter left after --unload"
	traffic "$U" 5420
	expect_other_sees 10
	echo "ok: $attach: pdtt counted beside the other tool, which outlived --unload"
done
unset PDTT_TC_ATTACH

# Two pdttd, each with its own pin_path, on the same hooks (tcx).
start_daemon
SECOND="$WORK/second"
mkdir -p "$SECOND"
sed -e "s|$PIN_PATH|$PIN_PATH-second|" -e "s|$WORK/pdtt.log|$SECOND/pdtt.log|" \
	-e "s|$WORK/state|$SECOND/state|" "$WORK/pdtt.conf" >"$SECOND/pdtt.conf"
"${PDTTD_CMD[@]}" "$PDTTD" -f -c "$SECOND/pdtt.conf" >"$SECOND/stdout" 2>"$SECOND/stderr" &
SECOND_PID=$!
stop_second() {
	[ -n "$SECOND_PID" ] && kill "$SECOND_PID" && wait "$SECOND_PID"
	pdttd_cmd --unload -c "$SECOND/pdtt.conf" >/dev/null 2>&1
}
on_cleanup stop_second
for _ in $(seq 100); do
	grep -q '^=== Network Statistics Report' "$SECOND/pdtt.log" 2>/dev/null && break
	sleep 0.1
done
U=$(test_uid 5)
traffic "$U" 5430
wait_next_report
sleep 1.1 # the second daemon's report too
expect_counts "$U" "1280 10 1280 10"
expect_counts "$U" "1280 10 1280 10" "$SECOND/pdtt.log"
kill -TERM $SECOND_PID && wait $SECOND_PID || fail "the second pdttd did not stop cleanly"
SECOND_PID=""
pdttd_cmd --unload -c "$SECOND/pdtt.conf" || fail "--unload of the second pdttd failed"
traffic "$U" 5440
wait_next_report
expect_counts "$U" "2560 20 2560 20"
expect_other_sees 20
stop_daemon
echo "ok: two pdttd counted the same traffic; unloading one left the other counting"

# pdtt's own clsact qdisc: removed by --unload when it is empty, kept while
# another tool's filter is on it.
export PDTT_TC_ATTACH=classic
pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
for hook in ingress egress; do
	tc -n "$NETNS" filter del dev "$VETH" "$hook"
done
tc -n "$NETNS" qdisc del dev "$VETH" clsact || fail "cannot remove the clsact qdisc"
start_daemon
stop_daemon
pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
tc -n "$NETNS" qdisc show dev "$VETH" | grep -q clsact && fail "--unload left the clsact qdisc pdtt made"
start_daemon
tc -n "$NETNS" filter add dev "$VETH" ingress bpf da obj "$OTHER_OBJ" sec tc ||
	fail "cannot attach the other tool's filter"
stop_daemon
pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
tc -n "$NETNS" qdisc show dev "$VETH" | grep -q clsact ||
	fail "--unload removed the clsact qdisc pdtt made although another filter uses it"
[ -n "$(other_prog ingress)" ] || fail "--unload removed the other tool's filter"
echo "ok: pdtt's own clsact qdisc: removed when empty, kept while another filter uses it"
exit 0
