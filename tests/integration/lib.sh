# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for pdtt's integration tests (sourced, not run).
#
# Each test: its own work directory, pin_path, network namespace and UIDs;
# a trap that stops the daemon, unloads, and deletes all of it, even on failure.
# Exit statuses follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

set -u
PYTHON=/usr/bin/python3      # not a user's shim: the test UIDs must be able to run it
TRAFFIC="$PDTT_TESTS/integration/traffic.py"
TEST_NAME=$(basename "$0" .sh)
WORK=""
NETNS=""
DAEMON_PID=""

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# Without root or BPF a test is skipped, unless CI demands that it runs.
skip() {
	if [ "${PDTT_REQUIRE_BPF:-0}" = 1 ]; then
		echo "ERROR: $TEST_NAME cannot run ($*) and PDTT_REQUIRE_BPF=1" >&2
		exit 99
	fi
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

require_root_and_bpf() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	grep -q ' cgroup2 ' /proc/mounts || skip "no cgroup v2 mounted"
	for tool in ip setpriv bpftool "$PYTHON"; do
		command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
	done
}

cleanup() {
	local rc=$?
	stop_daemon 2>/dev/null
	[ -n "$WORK" ] && [ -f "$WORK/pdtt.conf" ] && "$PDTTD" --unload -c "$WORK/pdtt.conf" >/dev/null 2>&1
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	if [ $rc -ne 0 ] && [ -n "$WORK" ]; then
		for f in "$WORK"/stderr "$WORK"/pdtt.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
		done >&2
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	exit $rc
}

# setup: work dir, config (interval 1 s), a network namespace with lo up.
setup() {
	require_root_and_bpf
	WORK=$(mktemp -d "/tmp/pdtt-$TEST_NAME.XXXXXX")
	chmod 755 "$WORK"
	PIN_PATH="/sys/fs/bpf/pdtt-test-$TEST_NAME-$$"
	NETNS="pdtt-$TEST_NAME-$$"
	trap cleanup EXIT
	trap 'exit 1' INT TERM
	write_config "interval = 1;"
	ip netns add "$NETNS" || fail "cannot create network namespace $NETNS"
	ip -n "$NETNS" link set lo up
}

# write_config EXTRA...: the test's pdtt.conf, with extra lines appended.
write_config() {
	{
		echo "log_file = \"$WORK/pdtt.log\";"
		echo "pin_path = \"$PIN_PATH\";"
		echo "state_file = \"$WORK/state\";"
		printf '%s\n' "$@"
	} >"$WORK/pdtt.conf"
}

# start_daemon: pdttd in the foreground, in the background; waits for its pins.
start_daemon() {
	"$PDTTD" -f -c "$WORK/pdtt.conf" >>"$WORK/stdout" 2>>"$WORK/stderr" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		[ -e "$PIN_PATH/link_sock_ingress" ] && [ -s "$WORK/pdtt.log" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "pdttd exited at start: $(cat "$WORK/stderr")"
		sleep 0.1
	done
	fail "pdttd did not attach and report within 10 s"
}

# stop_daemon: SIGTERM, and the exit status must be 0.
stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	local pid=$DAEMON_PID rc=0
	DAEMON_PID=""
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	[ $rc -eq 0 ] || fail "pdttd exited with status $rc on SIGTERM"
}

report_count() {
	grep -c '^=== Network Statistics Report' "$WORK/pdtt.log" 2>/dev/null || echo 0
}

# wait_next_report: until a report newer than the ones already in the log.
wait_next_report() {
	local before
	before=$(report_count)
	for _ in $(seq 100); do
		[ "$(report_count)" -gt "$before" ] && return 0
		sleep 0.1
	done
	fail "no new report within 10 s"
}

# counts_of UID [FILE]: "tx_bytes tx_packets rx_bytes rx_packets" in the last
# report of the log ("0 0 0 0" when the UID is not in it).
counts_of() {
	awk -v uid="$1" '
		/^=== Network Statistics Report/ { found = 0; tb = tp = rb = rp = 0 }
		/^UID: / { cur = ($2 == uid) }
		cur && /^  TX: / { tb = $2; tp = substr($4, 2); found = 1 }
		cur && /^  RX: / { rb = $2; rp = substr($4, 2) }
		END { print tb + 0, tp + 0, rb + 0, rp + 0 }
	' "${2:-$WORK/pdtt.log}"
}

# test_uid N: the Nth UID of this run. Socket mode sees every namespace on the
# host, so runs that overlap (parallel make check, two checkouts) must never
# share a UID: derive them from the PID, above any real account.
test_uid() {
	echo $((3000000000 + ($$ % 1000000) * 100 + $1))
}

# in_ns_as UID CMD...: run a command in the test namespace as UID (and GID).
in_ns_as() {
	local uid=$1
	shift
	ip netns exec "$NETNS" setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@"
}

# udp_transfer FROM_UID TO_UID ADDR PORT COUNT SIZE: COUNT datagrams, all received.
udp_transfer() {
	local from=$1 to=$2 addr=$3 port=$4 count=$5 size=$6 out
	out="$WORK/recv.$port"
	in_ns_as "$to" "$PYTHON" "$TRAFFIC" udp-recv --addr "$addr" --port "$port" \
		--count "$count" --timeout 10 >"$out" &
	local rpid=$!
	wait_for_ready "$out" "$rpid"
	in_ns_as "$from" "$PYTHON" "$TRAFFIC" udp-send --addr "$addr" --port "$port" \
		--count "$count" --size "$size" || fail "UDP sender failed"
	wait "$rpid" || fail "UDP receiver: $(cat "$out")"
}

# tcp_transfer FROM_UID TO_UID ADDR PORT BYTES
tcp_transfer() {
	local from=$1 to=$2 addr=$3 port=$4 bytes=$5 out
	out="$WORK/recv.$port"
	in_ns_as "$to" "$PYTHON" "$TRAFFIC" tcp-recv --addr "$addr" --port "$port" \
		--bytes "$bytes" >"$out" &
	local rpid=$!
	wait_for_ready "$out" "$rpid"
	in_ns_as "$from" "$PYTHON" "$TRAFFIC" tcp-send --addr "$addr" --port "$port" \
		--bytes "$bytes" || fail "TCP sender failed"
	wait "$rpid" || fail "TCP receiver: $(cat "$out")"
}

wait_for_ready() {
	for _ in $(seq 100); do
		grep -q ready "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || fail "receiver exited before it was ready"
		sleep 0.05
	done
	fail "receiver not ready within 5 s"
}

# expect_counts UID "TXB TXP RXB RXP" [FILE]: exact equality.
expect_counts() {
	local got
	got=$(counts_of "$1" "${3:-}")
	[ "$got" = "$2" ] || fail "UID $1: counted '$got', expected '$2' (tx_bytes tx_packets rx_bytes rx_packets)"
	echo "ok: UID $1 counted $got"
}

# ---- fault tests (issue #5) ---------------------------------------------

# on_cleanup CMD: eval CMD at exit, once the daemon is stopped and before the
# cleanup above (unmount a test filesystem, remove a test cgroup...).
EXTRA_CLEANUP=()
extra_cleanup() {
	local rc=$? c
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
	fi
	for c in "${EXTRA_CLEANUP[@]}"; do
		eval "$c" 2>/dev/null
	done
	(exit $rc)
	cleanup
}
on_cleanup() {
	EXTRA_CLEANUP+=("$1")
	trap extra_cleanup EXIT
}

# use_own_cgroup: this test (and what it starts) in a cgroup of its own, which
# the daemon attaches to (cgroup_path), so that it counts this test's traffic
# and nothing else: totals can then be checked exactly, for any UID.
use_own_cgroup() {
	local root
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	CGROUP="$root/pdtt-test-$TEST_NAME-$$"
	mkdir "$CGROUP" || fail "cannot create cgroup $CGROUP"
	on_cleanup "echo $$ >'$root/cgroup.procs'; rmdir '$CGROUP'"
	echo $$ >"$CGROUP/cgroup.procs" || fail "cannot move the test into $CGROUP"
}

# kill_daemon: SIGKILL, as a crash would.
kill_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
}

# simulate_reboot: what a reboot does to bpffs: every pin gone, so the links
# detach and the maps are freed (the daemon must be stopped).
simulate_reboot() {
	[ -z "$DAEMON_PID" ] || fail "simulate_reboot with pdttd running"
	rm -rf "$PIN_PATH"
	[ ! -e "$PIN_PATH" ] || fail "cannot remove $PIN_PATH"
}

# start_daemon_fresh: start_daemon, then wait until this start has saved its
# state file (start_daemon returns as soon as pins and a log exist, which an
# earlier run may have left).
start_daemon_fresh() {
	local before
	before=$(grep -c 'counting in' "$WORK/stderr" 2>/dev/null)
	start_daemon
	for _ in $(seq 100); do
		[ "$(grep -c 'counting in' "$WORK/stderr")" -gt "${before:-0}" ] && return 0
		sleep 0.1
	done
	fail "pdttd did not finish starting within 10 s"
}

# expect_start_failure STATUS PATTERN: pdttd exits with STATUS at start and
# says PATTERN (grep -E) on stderr.
expect_start_failure() {
	local rc=0
	"$PDTTD" -f -c "$WORK/pdtt.conf" >"$WORK/fail.out" 2>"$WORK/fail.err" || rc=$?
	[ "$rc" = "$1" ] || fail "pdttd exited with $rc, expected $1: $(cat "$WORK/fail.err")"
	grep -Eq "$2" "$WORK/fail.err" || fail "pdttd did not say '$2': $(cat "$WORK/fail.err")"
	echo "ok: refused with status $1: $(grep -E "$2" "$WORK/fail.err" | head -n 1)"
}

# bucket_counts NAME [FILE]: "tx_bytes tx_packets rx_bytes rx_packets" of the
# [NAME] bucket (unattributed, overflow) in the last report.
bucket_counts() {
	awk -v name="[$1]" '
		/^=== Network Statistics Report/ { tb = tp = rb = rp = 0 }
		/^UID: / { cur = ($NF == name) }
		cur && /^  TX: / { tb = $2; tp = substr($4, 2) }
		cur && /^  RX: / { rb = $2; rp = substr($4, 2) }
		END { printf "%.0f %.0f %.0f %.0f\n", tb, tp, rb, rp }
	' "${2:-$WORK/pdtt.log}"
}

# grand_total [FILE]: the sum over every UID and bucket of the last report.
grand_total() {
	awk '
		/^=== Network Statistics Report/ { tb = tp = rb = rp = 0 }
		/^  TX: / { tb += $2; tp += substr($4, 2) }
		/^  RX: / { rb += $2; rp += substr($4, 2) }
		END { printf "%.0f %.0f %.0f %.0f\n", tb, tp, rb, rp }
	' "${2:-$WORK/pdtt.log}"
}

# uids_in_report [FILE]: the UIDs of the last report, one a line.
uids_in_report() {
	awk '
		/^=== Network Statistics Report/ { n = 0 }
		/^UID: [0-9]/ { uids[n++] = $2 }
		END { for (i = 0; i < n; i++) print uids[i] }
	' "${1:-$WORK/pdtt.log}"
}

# state_field KEY: a field of the state file ("instance", "accounting_start"...).
state_field() {
	awk -v key="$1" '$1 == key { print $2 }' "$WORK/state"
}

# add_counts "A B C D" "E F G H": the sum, field by field.
add_counts() {
	echo "$1 $2" | awk '{ printf "%.0f %.0f %.0f %.0f\n", $1 + $5, $2 + $6, $3 + $7, $4 + $8 }'
}
