#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode's interface list: a listed interface that does not exist, or an
# empty list with no interface up but loopback, does not stop pdttd: it says
# so, attaches nothing there, and waits (tc_iface_appears.sh: what it does
# when they appear). An empty list means every interface that is up,
# loopback excepted, and ports and stacked devices too (tc_devices.h; the
# tc_default_*.sh tests).
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair

# expect_waiting TEXT: pdttd starts, says TEXT, attaches nothing.
expect_waiting() {
	: >"$WORK/stderr"
	start_daemon
	stop_daemon
	grep -qF -- "$1" "$WORK/stderr" || fail "pdttd does not say '$1': $(cat "$WORK/stderr")"
	ls "$PIN_PATH" 2>/dev/null | grep -q '^link_tc' && fail "links pinned: $(ls "$PIN_PATH")"
	tc -n "$NETNS" qdisc show dev "$VETH" | grep -q clsact && fail "a clsact qdisc was added"
	pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
	echo "ok: started and waiting: $1"
}

write_config "interval = 1;" 'mode = "tc";' 'interfaces = [ "nosuch0" ];'
expect_waiting 'interface nosuch0 does not exist'
write_config "interval = 1;" 'mode = "tc";' 'interfaces = [ "nosuch1" ];'
PDTT_TC_ATTACH=classic expect_waiting 'interface nosuch1 does not exist'

# interfaces = [ ]: every interface that is up, not lo. A second veth pair
# inside the namespace has a '.' in its names, which bpffs refuses in a pin
# name: it is written %2e.
ip -n "$NETNS" link add pdtt.8 type veth peer name pdtt.9 || fail "cannot create pdtt.8"
ip -n "$NETNS" link set pdtt.8 up
ip -n "$NETNS" link set pdtt.9 up
tc_pins() {
	LC_ALL=C ls "$PIN_PATH" | grep '^link_tc_' | tr '\n' ' '
}
write_config "interval = 1;" 'mode = "tc";'
start_daemon
expected="link_tc_pdtt%2e8_egress link_tc_pdtt%2e8_ingress link_tc_pdtt%2e9_egress link_tc_pdtt%2e9_ingress link_tc_${VETH}_egress link_tc_${VETH}_ingress "
[ "$(tc_pins)" = "$expected" ] || fail "with interfaces = [ ], pins are: $(tc_pins)"
stop_daemon
echo "ok: interfaces = [ ] attached to $VETH, pdtt.8 and pdtt.9"

# A restart with fewer interfaces detaches pdtt from the others.
write_config "interval = 1;" 'mode = "tc";' 'interfaces = [ "pdtt.9" ];'
start_daemon
[ "$(tc_pins)" = "link_tc_pdtt%2e9_egress link_tc_pdtt%2e9_ingress " ] ||
	fail "after dropping interfaces, pins are: $(tc_pins)"
stop_daemon
pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
echo "ok: a restart with interfaces = [ \"pdtt.9\" ] left pdtt on pdtt.9 only"

ip -n "$NETNS" link del pdtt.8
ip -n "$NETNS" link set "$VETH" down
write_config "interval = 1;" 'mode = "tc";'
expect_waiting 'there is none yet: waiting for one'
exit 0
