#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode with the default interfaces = [ ] over a bridge with one veth port
# (lib_stack.sh): pdttd attaches to the bridge only, not its port, and one
# UID's traffic is counted exactly once, as the kernel's qdiscs count it; in
# socket mode too.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_stack.sh"
setup
setup_stack bridge
check_stack "$UPPER" "$VETH"
exit 0
