#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Transfers through a real, root-owned OpenSSH server are charged to the user
# who logged in (owner tracking), not to root: scp upload and download of
# 100 MB, an sftp transfer and an rsync -e ssh transfer. At least 99% of each
# transfer's bytes are charged to the user on the server side, at most 1% to
# root.
#
# The server is a private sshd (own config, host key, port) in the test's
# network namespace and in a cgroup of its own; pdttd counts that cgroup only
# (cgroup_path), so the client's side of the transfer is not mixed in.
. "$PDTT_TESTS/integration/lib.sh"
setup
for tool in /usr/sbin/sshd ssh scp sftp rsync ssh-keygen useradd userdel; do
	command -v "$tool" >/dev/null || skip "needs $tool (openssh-server, openssh-client, rsync)"
done
[ -r /sys/kernel/btf/vmlinux ] && bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -q 'btf_trace_sock_send_length' ||
	fail "kernel lacks the sock_send_length tracepoint: owner tracking cannot be tested"

SSH_USER="pdtt-ssh-$$"
SSH_UID=$(test_uid 1)
PORT=$((20000 + $$ % 20000))
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CGROUP="$CGROOT/pdtt-test-ssh-$$"
SSHD_PID=""
MADE_RUN_SSHD=""
MB=$((1024 * 1024))

stop_ssh_server() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" && wait "$SSHD_PID"
	pkill -u "$SSH_UID"
	getent passwd "$SSH_USER" >/dev/null && userdel -r "$SSH_USER" >/dev/null 2>&1
	[ -d "$CGROUP" ] && { sleep 0.2; rmdir "$CGROUP"; }
	[ -n "$MADE_RUN_SSHD" ] && rmdir /run/sshd
}
on_cleanup stop_ssh_server

# The user, with key authentication only.
useradd -m -d "$WORK/home" -u "$SSH_UID" -s /bin/sh "$SSH_USER" || fail "useradd failed"
usermod -p '*' "$SSH_USER" # no password, but not a locked account
mkdir -p "$WORK/keys"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/keys/host" || fail "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/keys/client" || fail "ssh-keygen failed"
cp "$WORK/keys/client.pub" "$WORK/keys/authorized"
chmod 644 "$WORK/keys/authorized"

cat >"$WORK/sshd_config" <<CONF
ListenAddress 127.0.0.1:$PORT
HostKey $WORK/keys/host
AuthorizedKeysFile $WORK/keys/authorized
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
PidFile none
Subsystem sftp internal-sftp
CONF
[ -d /run/sshd ] || { mkdir -p /run/sshd && MADE_RUN_SSHD=1; }
mkdir "$CGROUP" || fail "cannot create cgroup $CGROUP"

# sshd enters its cgroup before it starts, so all its children are counted
# (before 'ip netns exec', which mounts a sysfs of the namespace over /sys).
bash -c "echo \$\$ >'$CGROUP/cgroup.procs' && exec ip netns exec '$NETNS' \
	/usr/sbin/sshd -D -e -f '$WORK/sshd_config'" 2>"$WORK/sshd.log" &
SSHD_PID=$!

write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
start_daemon
grep -q 'owner tracking on' "$WORK/stderr" || fail "owner tracking is not on: $(cat "$WORK/stderr")"

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
	-o BatchMode=yes -i "$WORK/keys/client")
for _ in $(seq 50); do
	ip netns exec "$NETNS" ssh "${SSH_OPTS[@]}" -p "$PORT" "$SSH_USER@127.0.0.1" true 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NETNS" ssh "${SSH_OPTS[@]}" -p "$PORT" "$SSH_USER@127.0.0.1" true ||
	fail "cannot log in to the test sshd: $(cat "$WORK/sshd.log")"

head -c $((100 * MB)) /dev/urandom >"$WORK/up.bin"
head -c $((100 * MB)) /dev/urandom >"$WORK/home/down.bin"
head -c $((20 * MB)) /dev/urandom >"$WORK/home/sftp.bin"
head -c $((20 * MB)) /dev/urandom >"$WORK/rsync.bin"
chown "$SSH_USER" "$WORK/home"/*.bin

# check_transfer NAME DIRECTION BYTES CMD...: run CMD, then the server-side
# user must have DIRECTION (tx|rx) grown by 99%+ of BYTES, root by at most 1%.
check_transfer() {
	local name=$1 dir=$2 bytes=$3 before_user before_root after_user after_root
	shift 3
	wait_next_report
	before_user=$(counts_of "$SSH_UID")
	before_root=$(counts_of 0)
	ip netns exec "$NETNS" "$@" >/dev/null || fail "$name failed"
	wait_next_report
	after_user=$(counts_of "$SSH_UID")
	after_root=$(counts_of 0)
	"$PYTHON" - "$name" "$dir" "$bytes" "$before_user" "$after_user" "$before_root" "$after_root" <<'PY' || exit 1
import sys
name, direction, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
bu, au, br, ar = ([int(x) for x in a.split()] for a in sys.argv[4:8])
col = 0 if direction == "tx" else 2   # tx_bytes or rx_bytes
user = au[col] - bu[col]
root = (ar[0] - br[0]) + (ar[2] - br[2])
print(f"{name}: {size} bytes moved; user {direction} {user} ({100 * user / size:.2f}%), root {root} ({100 * root / size:.3f}%)")
if user < 0.99 * size:
    sys.exit(f"FAIL: {name}: only {user} of {size} bytes charged to the user")
if root > 0.01 * size:
    sys.exit(f"FAIL: {name}: {root} bytes charged to root")
PY
}

SERVER="$SSH_USER@127.0.0.1"
check_transfer "scp upload" rx $((100 * MB)) \
	scp -q "${SSH_OPTS[@]}" -P "$PORT" "$WORK/up.bin" "$SERVER:$WORK/home/up.bin"
check_transfer "scp download" tx $((100 * MB)) \
	scp -q "${SSH_OPTS[@]}" -P "$PORT" "$SERVER:$WORK/home/down.bin" "$WORK/down.bin"
echo "get $WORK/home/sftp.bin $WORK/sftp.bin" >"$WORK/sftp.batch"
check_transfer "sftp download" tx $((20 * MB)) \
	sftp -q "${SSH_OPTS[@]}" -P "$PORT" -b "$WORK/sftp.batch" "$SERVER"
check_transfer "rsync upload" rx $((20 * MB)) \
	rsync -a -e "ssh ${SSH_OPTS[*]} -p $PORT" "$WORK/rsync.bin" "$SERVER:$WORK/home/rsync.bin"
cmp -s "$WORK/up.bin" "$WORK/home/up.bin" && cmp -s "$WORK/home/down.bin" "$WORK/down.bin" ||
	fail "transferred files differ"
stop_daemon
exit 0
