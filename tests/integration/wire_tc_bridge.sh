#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wire cross-check, tc mode, over a bridge whose one port is the veth, with
# the default interfaces = [ ]: pdttd counts on the bridge and not on its
# port, so each packet is counted once, and its UID's TX and RX (with
# [unattributed]) equal what the bridge's and the peer's qdiscs put on the
# wire, within 0.1%, minus the Ethernet header. See lib_wire.sh.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
wire_tc_mode bridge
exit 0
