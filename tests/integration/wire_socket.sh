#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wire cross-check, socket mode: bulk TCP over IPv4 and IPv6 (GSO), UDP GSO
# bursts and many small datagrams over a veth pair; every UID's TX and RX
# equal what the pair's qdiscs put on the wire, within 0.1%, bytes (IP
# datagrams: each segment's headers included) and packets (segments). Socket
# mode counts both ends, so the peer's UID is checked too. pdttd counts this
# test's cgroup only. See lib_wire.sh.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
setup
use_own_cgroup
wire_setup
PDTTD_CMD=() # socket mode: the daemon in the host's namespace sees both
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
WIRE_CHECK_PEER=1
start_daemon
wire_cases
stop_daemon
exit 0
