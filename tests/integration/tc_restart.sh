#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode across restarts: the pinned tcx links keep counting while pdttd is
# stopped, and a restart swaps its program into the same links instead of
# adding a second copy (every count stays exact). The same with classic tc
# filters: they stay while pdttd is stopped, a restart replaces the filter
# at the same priority and handle, and --unload removes them with the clsact
# qdisc pdtt made. Switching between the two keeps the counts.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
U1=$(test_uid 1)
PEER=$(test_uid 2)

link_id() {
	bpftool -j link show pinned "$PIN_PATH/link_tc_${VETH}_$1" |
		"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

out4() { TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR4" "$@"; }
out6() { TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR6" "$@"; }
in4() { FROM_NS=$PEER_NS udp_transfer "$PEER" "$U1" "$ADDR4" "$@"; }

start_daemon
for hook in ingress egress; do
	[ -e "$PIN_PATH/link_tc_${VETH}_$hook" ] || fail "missing pin link_tc_${VETH}_$hook"
done
out4 5501 10 100                               # 10 x 128
wait_next_report
expect_counts "$U1" "1280 10 0 0"
ingress=$(link_id ingress)
egress=$(link_id egress)
stop_daemon

out6 5502 5 200                                # 5 x 248, while stopped
in4 5503 4 100                                 # 4 x 128, while stopped
start_daemon
[ "$(link_id ingress) $(link_id egress)" = "$ingress $egress" ] ||
	fail "restart made links $(link_id ingress) $(link_id egress) instead of reusing $ingress $egress"
[ "$(ls "$PIN_PATH" | grep -c '^link_tc_')" = 2 ] || fail "pins: $(ls "$PIN_PATH")"
out4 5504 3 50                                 # 3 x 78
wait_next_report
expect_counts "$U1" "2754 18 512 4"
stop_daemon
echo "ok: tcx links $ingress and $egress kept counting and were reused"

export PDTT_TC_ATTACH=classic
start_daemon
ls "$PIN_PATH" | grep -q '^link_tc_' && fail "tcx links left beside the classic filters: $(ls "$PIN_PATH")"
ingress=$(pdtt_filters ingress)
egress=$(pdtt_filters egress)
[ "$(echo "$ingress" | wc -l) $(echo "$egress" | wc -l)" = "1 1" ] && [ -n "$ingress" ] &&
	[ -n "$egress" ] || fail "expected one pdtt filter per hook, got ingress '$ingress', egress '$egress'"
out4 5505 10 100                               # 10 x 128
wait_next_report
expect_counts "$U1" "4034 28 512 4"
stop_daemon

in4 5506 6 100                                 # 6 x 128, while stopped
start_daemon
[ "$(pdtt_filters ingress)" = "$ingress" ] && [ "$(pdtt_filters egress)" = "$egress" ] ||
	fail "restart left filters ingress '$(pdtt_filters ingress)', egress '$(pdtt_filters egress)' instead of '$ingress', '$egress'"
out6 5507 2 100                                # 2 x 148
wait_next_report
expect_counts "$U1" "4330 30 1280 10"
stop_daemon
echo "ok: classic filters (pref handle: $ingress / $egress) kept counting and were replaced in place"

pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
[ -z "$(pdtt_filters ingress)$(pdtt_filters egress)" ] || fail "pdtt filters left after --unload"
tc -n "$NETNS" qdisc show dev "$VETH" | grep -q clsact && fail "--unload left the clsact qdisc pdtt made"
[ ! -e "$PIN_PATH" ] || fail "$PIN_PATH still exists: $(ls "$PIN_PATH")"
echo "ok: --unload removed the filters, the qdisc and the pins"
exit 0
