#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Socket mode: transfers through a real, root-owned OpenSSH server are charged
# to the user who logged in (owner tracking), not to root: scp upload and
# download of 100 MB, an sftp and an rsync -e ssh transfer, each at least 99%
# to the user on the server side and at most 1% to root.
#
# sshd runs in a cgroup of its own and pdttd counts that cgroup only
# (cgroup_path), so the client's side of each transfer is not mixed in.
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_ssh.sh"

cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
start_ssh_server 127.0.0.1 "$cgroot/pdtt-test-ssh-$$"
write_config "interval = 1;" "cgroup_path = \"$SSHD_CGROUP\";"
start_daemon
grep -q 'owner tracking on' "$WORK/stderr" || fail "owner tracking is not on: $(cat "$WORK/stderr")"
wait_ssh_login "$NETNS" 127.0.0.1
run_ssh_transfers "$NETNS" 127.0.0.1
stop_daemon
exit 0
