#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Wire cross-check, socket mode, the cases of wire_socket.sh over a bridge
# whose one port is the veth: the bridge's qdisc is the reference for what
# the host sends. See lib_wire.sh.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
wire_socket_mode bridge
exit 0
