#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wire cross-check, tc mode: the cases of wire_socket.sh with pdttd on one
# end of the veth pair and the default interfaces = [ ], which must pick
# the veth alone; its UID's TX and RX (with [unattributed], which is what
# else the hooks saw) equal what the pair's qdiscs put on the wire, within
# 0.1%, minus the Ethernet header. See lib_wire.sh.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
wire_tc_mode veth
exit 0
