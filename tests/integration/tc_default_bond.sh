#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode with the default interfaces = [ ] over a bond with one veth slave
# (lib_stack.sh): pdttd attaches to the bond only, not its slave (where the
# kernel has bonds), and one UID's traffic is counted exactly once, as the
# kernel's qdiscs count it; in socket mode too.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_stack.sh"
setup
setup_stack bond
check_stack "$UPPER" "$VETH"
exit 0
