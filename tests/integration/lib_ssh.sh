# SPDX-License-Identifier: GPL-2.0-or-later
# A private OpenSSH server and transfers through it, for the owner-tracking
# tests (sourced after lib.sh). The server has its own config, host key, port
# and test user with key authentication; it never touches the system's sshd.

for tool in /usr/sbin/sshd ssh scp sftp rsync ssh-keygen useradd userdel; do
	command -v "$tool" >/dev/null || skip "needs $tool (openssh-server, openssh-client, rsync)"
done
require_owner_tracking_kernel

SSH_USER="pdtt-ssh-$$"
SSH_UID=$(test_uid 90)
SSH_PORT=$((20000 + $$ % 20000))
SSHD_PID=""
SSHD_CGROUP=""
MB=$((1024 * 1024))
SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
	-o BatchMode=yes)

stop_ssh_server() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" && wait "$SSHD_PID"
	pkill -u "$SSH_UID"
	getent passwd "$SSH_USER" >/dev/null && userdel -r "$SSH_USER" >/dev/null 2>&1
	[ -n "$SSHD_CGROUP" ] && [ -d "$SSHD_CGROUP" ] && { sleep 0.2; rmdir "$SSHD_CGROUP"; }
}

# start_ssh_server ADDR [CGROUP]: sshd in $NETNS listening on ADDR:$SSH_PORT,
# inside CGROUP (created here) when given, so that all its children are in it.
start_ssh_server() {
	local addr=$1
	SSHD_CGROUP=${2:-}
	on_cleanup stop_ssh_server
	useradd -m -d "$WORK/home" -u "$SSH_UID" -s /bin/sh "$SSH_USER" 2>/dev/null ||
		fail "useradd $SSH_USER failed"
	usermod -p '*' "$SSH_USER" # no password, yet not a locked account
	mkdir -p "$WORK/keys"
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/keys/host" || fail "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/keys/client" || fail "ssh-keygen failed"
	cp "$WORK/keys/client.pub" "$WORK/keys/authorized"
	chmod 644 "$WORK/keys/authorized"
	SSH_OPTS+=(-i "$WORK/keys/client")
	cat >"$WORK/sshd_config" <<CONF
ListenAddress $addr:$SSH_PORT
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
	# sshd's privilege separation directory, which openssh-server's tmpfiles.d
	# entry makes at boot (not on machines without systemd). It stays: another
	# test's sshd may be using it, and it is the package's, not the test's.
	mkdir -p /run/sshd
	local enter=""
	if [ -n "$SSHD_CGROUP" ]; then
		mkdir "$SSHD_CGROUP" || fail "cannot create cgroup $SSHD_CGROUP"
		# Before 'ip netns exec', which mounts the namespace's own /sys.
		enter="echo \$\$ >'$SSHD_CGROUP/cgroup.procs' &&"
	fi
	bash -c "$enter exec ip netns exec '$NETNS' /usr/sbin/sshd -D -e -f '$WORK/sshd_config'" \
		2>"$WORK/sshd.log" &
	SSHD_PID=$!
}

# wait_ssh_login CLIENT_NS ADDR: until the server takes a login from CLIENT_NS.
wait_ssh_login() {
	for _ in $(seq 50); do
		ip netns exec "$1" ssh "${SSH_OPTS[@]}" -p "$SSH_PORT" "$SSH_USER@$2" true 2>/dev/null &&
			return 0
		sleep 0.1
	done
	fail "cannot log in to the test sshd: $(cat "$WORK/sshd.log")"
}

# check_transfer NAME DIRECTION BYTES CLIENT_NS CMD...: run CMD in CLIENT_NS;
# then the server-side user must have DIRECTION (tx|rx) grown by at least 99%
# of BYTES, and root (tx+rx) by at most 1%.
check_transfer() {
	local name=$1 dir=$2 bytes=$3 ns=$4 before_user before_root after_user after_root
	shift 4
	wait_next_report
	before_user=$(counts_of "$SSH_UID")
	before_root=$(counts_of 0)
	ip netns exec "$ns" "$@" >/dev/null || fail "$name failed"
	wait_next_report
	after_user=$(counts_of "$SSH_UID")
	after_root=$(counts_of 0)
	"$PYTHON" - "$name" "$dir" "$bytes" "$before_user" "$after_user" "$before_root" \
		"$after_root" <<'PY' || exit 1
import sys
name, direction, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
bu, au, br, ar = ([int(x) for x in a.split()] for a in sys.argv[4:8])
col = 0 if direction == "tx" else 2   # tx_bytes or rx_bytes
user = au[col] - bu[col]
root = (ar[0] - br[0]) + (ar[2] - br[2])
print(f"ok: {name}: {size} bytes moved; user {direction} {user} "
      f"({100 * user / size:.2f}%), root {root} ({100 * root / size:.3f}%)")
if user < 0.99 * size:
    sys.exit(f"FAIL: {name}: only {user} of {size} bytes charged to the user")
if root > 0.01 * size:
    sys.exit(f"FAIL: {name}: {root} bytes charged to root")
PY
}

# run_ssh_transfers CLIENT_NS SERVER_ADDR: scp up and down 100 MB, an sftp
# download and an rsync upload of 20 MB, each checked with check_transfer.
run_ssh_transfers() {
	local ns=$1 server="$SSH_USER@$2"
	head -c $((100 * MB)) /dev/urandom >"$WORK/up.bin"
	head -c $((100 * MB)) /dev/urandom >"$WORK/home/down.bin"
	head -c $((20 * MB)) /dev/urandom >"$WORK/home/sftp.bin"
	head -c $((20 * MB)) /dev/urandom >"$WORK/rsync.bin"
	chown "$SSH_USER" "$WORK/home"/*.bin
	check_transfer "scp upload" rx $((100 * MB)) "$ns" \
		scp -q "${SSH_OPTS[@]}" -P "$SSH_PORT" "$WORK/up.bin" "$server:$WORK/home/up.bin"
	check_transfer "scp download" tx $((100 * MB)) "$ns" \
		scp -q "${SSH_OPTS[@]}" -P "$SSH_PORT" "$server:$WORK/home/down.bin" "$WORK/down.bin"
	echo "get $WORK/home/sftp.bin $WORK/sftp.bin" >"$WORK/sftp.batch"
	check_transfer "sftp download" tx $((20 * MB)) "$ns" \
		sftp -q "${SSH_OPTS[@]}" -P "$SSH_PORT" -b "$WORK/sftp.batch" "$server"
	check_transfer "rsync upload" rx $((20 * MB)) "$ns" \
		rsync -a -e "ssh ${SSH_OPTS[*]} -p $SSH_PORT" "$WORK/rsync.bin" \
		"$server:$WORK/home/rsync.bin"
	cmp -s "$WORK/up.bin" "$WORK/home/up.bin" && cmp -s "$WORK/home/down.bin" "$WORK/down.bin" &&
		cmp -s "$WORK/home/sftp.bin" "$WORK/sftp.bin" &&
		cmp -s "$WORK/rsync.bin" "$WORK/home/rsync.bin" || fail "transferred files differ"
}
