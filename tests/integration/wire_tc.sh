#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wire cross-check, tc mode: the cases of wire_socket.sh with pdttd on one
# end of the veth pair; its UID's TX and RX (with [unattributed], which is
# what else the hooks saw) equal what the pair's qdiscs put on the wire,
# within 0.1%, minus the Ethernet header. See lib_wire.sh.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
setup
wire_setup
tc_config
WIRE_WITH_UNATTRIBUTED=1
start_daemon
wire_cases
stop_daemon
exit 0
