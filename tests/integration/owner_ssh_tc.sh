#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode: the same transfers through a private root-owned sshd as in
# owner_ssh.sh, from a client in the peer namespace across a veth pair, with
# pdttd in tc mode on the server's interface: at least 99% of each transfer's
# bytes are charged to the user who logged in, at most 1% to root.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
. "$PDTT_TESTS/integration/lib_ssh.sh"

start_ssh_server "$ADDR4"
tc_config
start_daemon
grep -q 'owner tracking on' "$WORK/stderr" || fail "owner tracking is not on: $(cat "$WORK/stderr")"
wait_ssh_login "$PEER_NS" "$ADDR4"
run_ssh_transfers "$PEER_NS" "$ADDR4"
stop_daemon
exit 0
