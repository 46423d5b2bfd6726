#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wire cross-check, socket mode: bulk TCP over IPv4 and IPv6 (GSO, also
# with an IPv6 extension header), UDP GSO bursts and many small datagrams
# over a veth pair; every UID's TX and RX equal what the pair's qdiscs put
# on the wire, within 0.1%, bytes (IP datagrams: each segment's headers
# included) and packets (segments). Socket mode counts both ends, so the
# peer's UID is checked too. See lib_wire.sh.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
wire_socket_mode veth
exit 0
