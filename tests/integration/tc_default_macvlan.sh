#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode with the default interfaces = [ ] over a macvlan on a veth
# (lib_stack.sh): pdttd attaches to the veth only, whose hooks see the
# macvlan's frames, and one UID's traffic is counted exactly once, as the
# kernel's qdiscs count it; in socket mode too.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_stack.sh"
setup
setup_stack macvlan
check_stack "$VETH" "$UPPER"
exit 0
