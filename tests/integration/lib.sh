# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for pdtt's integration tests (sourced, not run).
#
# Each test: its own work directory, pin_path, network namespace and UIDs;
# a trap that stops the daemon, unloads, and deletes all of it, even on failure.
# Exit statuses follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

set -u
PYTHON=/usr/bin/python3      # not a user's shim: the test UIDs must be able to run it
# The traffic generator the test UIDs run: copied into the test's work
# directory (use_readable_helpers), since the source tree may be in a
# directory only root can enter (/root, rpmbuild's ~/rpmbuild, mktemp -d).
TRAFFIC="$PDTT_TESTS/integration/traffic.py"
TEST_NAME=$(basename "$0" .sh)
WORK=""
NETNS=""
PEER_NS=""
EXTRA_NS=""                  # more namespaces a test made, deleted on exit
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

# A feature this kernel does not have, and pdtt documents as missing there
# (its device types, owner tracking before 5.11): a skip even with
# PDTT_REQUIRE_BPF=1, since nothing pdtt could do would make the test run.
skip_kernel_lacks() {
	echo "SKIP: $TEST_NAME: kernel $(uname -r) lacks $*" >&2
	exit 77
}

# Owner tracking hooks the 6.3 tracepoints, or before them fexit programs
# with socket storage (5.11+); on older kernels pdtt has none to test.
require_owner_tracking_kernel() {
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q 'btf_trace_sock_send_length' &&
		return 0
	[ "$(printf '5.11\n%s\n' "$(uname -r)" | sort -V | head -n 1)" = 5.11 ] && return 0
	skip_kernel_lacks "both the sock_send_length tracepoint (6.3+) and fexit with socket storage (5.11+): pdtt has no owner tracking there"
}

require_root_and_bpf() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	grep -q ' cgroup2 ' /proc/mounts || skip "no cgroup v2 mounted"
	for tool in ip setpriv bpftool "$PYTHON"; do
		command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
	done
}

# on_cleanup CMD: eval CMD (a function name or a command line) when the test
# exits: after the daemon is stopped, before the pins, namespace and work
# directory go; the latest registered runs first.
CLEANUP_HOOKS=()
on_cleanup() {
	CLEANUP_HOOKS=("$1" "${CLEANUP_HOOKS[@]}")
}

cleanup() {
	local rc=$? hook
	# Not stop_daemon: its fail would exit before the rest of the cleanup.
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		# A detached pdttd is not our child: wait cannot wait for it.
		for _ in $(seq 100); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		DAEMON_PID=""
	fi
	for hook in "${CLEANUP_HOOKS[@]}"; do
		eval "$hook" 2>/dev/null
	done
	# By pin_path, not by the configuration: a test may end with a broken one.
	[ -n "${PIN_PATH:-}" ] && pdttd_cmd --unload --pin-path "$PIN_PATH" >/dev/null 2>&1
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	for ns in $PEER_NS $EXTRA_NS; do ip netns del "$ns" 2>/dev/null; done
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
	use_readable_helpers
	PIN_PATH="/sys/fs/bpf/pdtt-test-$TEST_NAME-$$"
	NETNS="pdtt-$TEST_NAME-$$"
	trap cleanup EXIT
	trap 'exit 1' INT TERM
	write_config "interval = 1;"
	ip netns add "$NETNS" || fail "cannot create network namespace $NETNS"
	ip -n "$NETNS" link set lo up
}

# use_readable_helpers: what the test UIDs run (traffic.py), copied into
# $WORK (mode 0755), which they can read wherever the source tree is.
use_readable_helpers() {
	install -m 644 "$PDTT_TESTS/integration/traffic.py" "$WORK/traffic.py" ||
		fail "cannot copy traffic.py into $WORK"
	TRAFFIC="$WORK/traffic.py"
}

# write_config EXTRA...: the test's pdtt.conf, with extra lines appended.
write_config() {
	{
		echo "log_file = \"$WORK/pdtt.log\";"
		echo "pin_path = \"$PIN_PATH\";"
		echo "state_file = \"$WORK/state\";"
		printf '%s\n' "$@"
		# Last, so that the lines given keep their numbers; never the host's history.
		echo "history_file = \"${HISTORY_FILE:-$WORK/history.db}\";"
	} >"$WORK/pdtt.conf"
}

# start_daemon: pdttd in the foreground, in the background; returns once it
# has attached and handles signals (it says "counting in ... mode" then).
start_daemon() {
	local started
	started=$(grep -c 'counting in .* mode' "$WORK/stderr" 2>/dev/null)
	started=${started:-0}
	"${PDTTD_CMD[@]}" "$PDTTD" -f -c "$WORK/pdtt.conf" >>"$WORK/stdout" 2>>"$WORK/stderr" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		[ "$(grep -c 'counting in .* mode' "$WORK/stderr")" -gt "$started" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "pdttd exited at start: $(cat "$WORK/stderr")"
		sleep 0.1
	done
	fail "pdttd did not attach within 10 s"
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

# reports_in FILE: how many reports FILE holds.
reports_in() {
	local n
	n=$(grep -c '^=== Network Statistics Report' "$1" 2>/dev/null)
	echo "${n:-0}"
}

report_count() {
	reports_in "$WORK/pdtt.log"
}

# wait_report FILE [N]: until FILE has N more reports than now (default 1), at most 25 s.
wait_report() {
	local before
	before=$(reports_in "$1")
	for _ in $(seq 250); do
		[ "$(reports_in "$1")" -ge $((before + ${2:-1})) ] && return 0
		sleep 0.1
	done
	fail "no new report in $1 within 25 s"
}

# wait_next_report: until a report newer than the ones already in the log.
wait_next_report() {
	wait_report "$WORK/pdtt.log"
}

# wait_counted: until a report that surely counted what was sent before the
# call. The first new report may have read the counters before the traffic
# ended and written them after; the one after it read them later.
wait_counted() {
	wait_report "$WORK/pdtt.log" 2
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
# share a UID: derive them from the PID, above any real account and below
# 2^31, which useradd accepts.
test_uid() {
	echo $((2000000000 + ($$ % 1000000) * 100 + $1))
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
	in_netns_as "${TO_NS:-$NETNS}" "$to" "$PYTHON" "$TRAFFIC" udp-recv --addr "$addr" --port "$port" \
		--count "$count" --timeout 10 >"$out" &
	local rpid=$!
	wait_for_ready "$out" "$rpid"
	in_netns_as "${FROM_NS:-$NETNS}" "$from" "$PYTHON" "$TRAFFIC" udp-send --addr "$addr" --port "$port" \
		--count "$count" --size "$size" || fail "UDP sender failed"
	wait "$rpid" || fail "UDP receiver: $(cat "$out")"
}

# tcp_transfer FROM_UID TO_UID ADDR PORT BYTES [OPTION...]: traffic.py's
# options for both ends after BYTES.
tcp_transfer() {
	local from=$1 to=$2 addr=$3 port=$4 bytes=$5 out
	shift 5
	out="$WORK/recv.$port"
	in_netns_as "${TO_NS:-$NETNS}" "$to" "$PYTHON" "$TRAFFIC" tcp-recv --addr "$addr" --port "$port" \
		--bytes "$bytes" "$@" >"$out" &
	local rpid=$!
	wait_for_ready "$out" "$rpid"
	in_netns_as "${FROM_NS:-$NETNS}" "$from" "$PYTHON" "$TRAFFIC" tcp-send --addr "$addr" --port "$port" \
		--bytes "$bytes" "$@" || fail "TCP sender failed"
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

# pdtt_cmd ARGS...: the pdtt command ($PDTT_CLI), in the daemon's network
# namespace (see pdttd_cmd below).
pdtt_cmd() {
	"${PDTTD_CMD[@]}" "$PDTT_CLI" "$@"
}

# --- tc mode: the daemon's namespace and a peer, joined by a veth pair ---

# pdttd_cmd ARGS...: pdttd, in $NETNS after setup_veth_pair. nsenter joins the
# network namespace only, so pdttd still sees the host's bpffs (ip netns exec
# would mount a fresh /sys). In the background, run it through
# "${PDTTD_CMD[@]}" instead, so that $! is pdttd's own PID (nsenter exec()s).
PDTTD_CMD=()
pdttd_cmd() {
	"${PDTTD_CMD[@]}" "$PDTTD" "$@"
}

# add_veth_pair: the peer namespace $PEER_NS, and the veth pair $VETH (in
# $NETNS, where pdttd runs) - $PEER_VETH (in $PEER_NS), without addresses.
add_veth_pair() {
	command -v nsenter >/dev/null 2>&1 || skip "needs nsenter"
	command -v tc >/dev/null 2>&1 || skip "needs tc"
	PEER_NS="pdtt-$TEST_NAME-peer-$$"
	PDTTD_CMD=(nsenter --net="/var/run/netns/$NETNS")
	ip netns add "$PEER_NS" || fail "cannot create network namespace $PEER_NS"
	ip -n "$PEER_NS" link set lo up
	add_veth
}

# add_veth: the veth pair $VETH - $PEER_VETH alone (again, after it was deleted).
add_veth() {
	ip -n "$NETNS" link add "$VETH" type veth peer name "$PEER_VETH" netns "$PEER_NS" ||
		fail "cannot create the veth pair"
}

# setup_veth_pair: a peer namespace $PEER_NS and a veth pair between it and
# the test namespace: $VETH (10.199.0.1/24, fd00:199::1/64) in $NETNS, where
# the daemon runs, and $PEER_VETH (.2, ::2) in $PEER_NS. These private
# addresses exist only inside the two namespaces: no traffic leaves them.
# IPv6 without DAD and static neighbours: both work at once, nothing waits
# on ARP or neighbour discovery.
VETH=pdtt0
PEER_VETH=pdtt1
ADDR4=10.199.0.1
PEER_ADDR4=10.199.0.2
ADDR6=fd00:199::1
PEER_ADDR6=fd00:199::2
setup_veth_pair() {
	add_veth_pair
	configure_veth_pair
}

# configure_veth_pair [DEV]: the addresses, neighbours and state of
# setup_veth_pair; with DEV (a bridge with $VETH as its port), DEV has the
# addresses and neighbours of $VETH, and both are brought up.
configure_veth_pair() {
	local dev=${1:-$VETH} mac peer_mac
	ip -n "$NETNS" addr add "$ADDR4/24" dev "$dev"
	ip -n "$NETNS" addr add "$ADDR6/64" dev "$dev" nodad
	ip -n "$PEER_NS" addr add "$PEER_ADDR4/24" dev "$PEER_VETH"
	ip -n "$PEER_NS" addr add "$PEER_ADDR6/64" dev "$PEER_VETH" nodad
	ip -n "$NETNS" link set "$VETH" up
	ip -n "$NETNS" link set "$dev" up
	ip -n "$PEER_NS" link set "$PEER_VETH" up
	mac=$(ip netns exec "$NETNS" cat "/sys/class/net/$dev/address")
	peer_mac=$(ip netns exec "$PEER_NS" cat "/sys/class/net/$PEER_VETH/address")
	ip -n "$NETNS" neigh replace "$PEER_ADDR4" lladdr "$peer_mac" dev "$dev" nud permanent
	ip -n "$NETNS" neigh replace "$PEER_ADDR6" lladdr "$peer_mac" dev "$dev" nud permanent
	ip -n "$PEER_NS" neigh replace "$ADDR4" lladdr "$mac" dev "$PEER_VETH" nud permanent
	ip -n "$PEER_NS" neigh replace "$ADDR6" lladdr "$mac" dev "$PEER_VETH" nud permanent
}

# pdtt_filters HOOK: the classic filters holding a pdtt program on $VETH's
# HOOK (ingress or egress), one "pref handle" a line.
pdtt_filters() {
	tc -n "$NETNS" -j filter show dev "$VETH" "$1" | "$PYTHON" -c '
import json, sys
for f in json.load(sys.stdin):
    o = f.get("options", {})
    if o.get("prog", {}).get("name", "").startswith("pdtt_tc_"):
        print(f["pref"], o["handle"])'
}

# tc_config [EXTRA...]: the test's pdtt.conf for tc mode on $VETH.
tc_config() {
	write_config "interval = 1;" 'mode = "tc";' "interfaces = [ \"$VETH\" ];" "$@"
}

# Between the namespaces: FROM_NS and TO_NS choose where each end runs
# (default: both in $NETNS), e.g. FROM_NS=$PEER_NS udp_transfer ...
# AS_CAP=net_raw (say) gives the commands that one capability.
in_netns_as() {
	local ns=$1 uid=$2 cap=()
	shift 2
	[ -n "${AS_CAP:-}" ] && cap=(--inh-caps "+$AS_CAP" --ambient-caps "+$AS_CAP")
	ip netns exec "$ns" setpriv --reuid "$uid" --regid "$uid" --clear-groups "${cap[@]}" "$@"
}

# ---- fault tests (issue #5) ---------------------------------------------

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

# start_detached: pdttd without -f, as the SysV init script runs it: it
# forks to leave the terminal; DAEMON_PID is the process that went on.
start_detached() {
	"$PDTTD" -c "$WORK/pdtt.conf" 2>>"$WORK/stderr" || fail "pdttd (detaching) exited $?"
	for _ in $(seq 50); do
		DAEMON_PID=$(pgrep -f -x "$PDTTD -c $WORK/pdtt.conf" | head -n 1)
		[ -n "$DAEMON_PID" ] && return 0
		sleep 0.1
	done
	fail "no detached pdttd found"
}

# stop_detached: SIGTERM to the detached pdttd (not our child: no wait), and
# until it is gone.
stop_detached() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$DAEMON_PID" 2>/dev/null && fail "detached pdttd $DAEMON_PID did not stop"
	DAEMON_PID=""
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

# pinned_link_ids DIR: "LINK_ID PROG_ID" of each socket-mode link pinned in
# DIR (egress, then ingress), one a line.
pinned_link_ids() {
	local hook
	for hook in egress ingress; do
		bpftool -j link show pinned "$1/link_sock_$hook" |
			"$PYTHON" -c 'import json,sys; l = json.load(sys.stdin); print(l["id"], l["prog_id"])' ||
			fail "cannot read the link pinned in $1/link_sock_$hook"
	done
}

# link_reads_directly PIN: whether the program of the link pinned as PIN in
# $PIN_PATH reads sockets' storage directly (pdtt_storage_cached, CAST only),
# as its source lines in the program's BTF say.
link_reads_directly() {
	local id
	id=$(bpftool -j link show pinned "$PIN_PATH/$1" |
		"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])') ||
		fail "cannot read the link pinned in $PIN_PATH/$1"
	bpftool prog dump xlated id "$id" | grep -q 'sk_bpf_storage'
}

# expect_detached "IDS": none of these links or programs (pinned_link_ids'
# lines) exists any more.
expect_detached() {
	local link prog
	while read -r link prog; do
		bpftool link show id "$link" >/dev/null 2>&1 && fail "BPF link $link still exists"
		bpftool prog show id "$prog" >/dev/null 2>&1 && fail "BPF program $prog is still loaded"
	done <<<"$1"
	return 0
}
