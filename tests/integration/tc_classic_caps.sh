#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Classic tc filters with exactly the systemd unit's capabilities (its
# CapabilityBoundingSet, read from etc/pdtt.service.in: CAP_BPF,
# CAP_PERFMON, CAP_NET_ADMIN, CAP_CHOWN; no CAP_SYS_ADMIN, so no program can
# be opened by its id): pdttd still knows its own filters, so three restarts
# leave one filter per hook (each counting once), and --unload, with the
# same capabilities, removes them and the clsact qdisc pdtt made.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
tc_config
U1=$(test_uid 1)
PEER=$(test_uid 2)
export PDTT_TC_ATTACH=classic

# The unit's CapabilityBoundingSet, nothing more: as setpriv's list
# (+bpf,+perfmon,...), and as the CapEff mask pdttd must run with (bit N for
# the Nth name of setpriv --list-caps, which lists them in number order).
UNIT_FILE="$PDTT_TESTS/../etc/pdtt.service.in"
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT_FILE")
[ -n "$unit_caps" ] || fail "no CapabilityBoundingSet= in $UNIT_FILE"
UNIT_CAPS=""
UNIT_CAPEFF=0
for cap in $unit_caps; do
	name=$(echo "${cap#CAP_}" | tr '[:upper:]' '[:lower:]')
	bit=$(setpriv --list-caps | grep -nx "$name" | cut -d: -f1)
	[ -n "$bit" ] || fail "setpriv does not know $cap of $UNIT_FILE"
	UNIT_CAPS="$UNIT_CAPS${UNIT_CAPS:+,}+$name"
	UNIT_CAPEFF=$((UNIT_CAPEFF | 1 << (bit - 1)))
done
UNIT_CAPEFF=$(printf '%016x' "$UNIT_CAPEFF")
echo "the unit's capabilities: $UNIT_CAPS (CapEff $UNIT_CAPEFF)"
PDTTD_CMD+=(setpriv --inh-caps="-all,$UNIT_CAPS" --ambient-caps="-all,$UNIT_CAPS"
	--bounding-set="-all,$UNIT_CAPS")

expect_one_filter_per_hook() {
	local hook n
	for hook in ingress egress; do
		n=$(pdtt_filters "$hook" | wc -l)
		[ "$n" = 1 ] || fail "$1: $n pdtt filters on $VETH $hook: $(pdtt_filters "$hook" | tr '\n' ',')"
	done
}

start_daemon
capeff=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$DAEMON_PID/status")
[ "$capeff" = "$UNIT_CAPEFF" ] || fail "pdttd runs with capabilities $capeff, not the unit's $UNIT_CAPEFF"
grep -q "counting on $VETH (classic clsact filters)" "$WORK/stderr" || fail "not on classic filters: $(cat "$WORK/stderr")"
expect_one_filter_per_hook "first start"
first="$(pdtt_filters ingress) / $(pdtt_filters egress)"
for restart in 1 2 3; do
	stop_daemon
	start_daemon
	expect_one_filter_per_hook "restart $restart"
done
[ "$(pdtt_filters ingress) / $(pdtt_filters egress)" = "$first" ] ||
	fail "the filters moved from $first to $(pdtt_filters ingress) / $(pdtt_filters egress)"
echo "ok: three restarts with the unit's capabilities: one filter per hook ($first)"

TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR4" 6801 10 100       # 10 x 128
FROM_NS=$PEER_NS udp_transfer "$PEER" "$U1" "$ADDR4" 6802 5 100          # 5 x 128
wait_counted
expect_counts "$U1" "1280 10 640 5"
stop_daemon

pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload with the unit's capabilities failed"
[ -z "$(pdtt_filters ingress)$(pdtt_filters egress)" ] ||
	fail "pdtt filters left after --unload: $(pdtt_filters ingress) / $(pdtt_filters egress)"
tc -n "$NETNS" qdisc show dev "$VETH" | grep -q clsact && fail "--unload left the clsact qdisc pdtt made"
[ ! -e "$PIN_PATH" ] || fail "$PIN_PATH still exists: $(ls "$PIN_PATH")"
echo "ok: --unload with the unit's capabilities removed the filters, the qdisc and the pins"
exit 0
