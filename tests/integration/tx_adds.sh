#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Socket mode's egress adds TX counters one of three exact ways
# (bpf/pdtt_count.bpf.h): plain adds in two lanes where kernel code is not
# preempted, plain adds with interrupts off where the kernel has the kfuncs
# bpf_local_irq_save and bpf_local_irq_restore (6.14+), else locked adds.
# Each way this kernel can run, forced with PDTT_KERNEL_TX over the same
# pins (so each start swaps another build or setting into the links),
# counts exactly: with jobs on, a user in a Slurm-shaped job (lib_jobs.sh)
# sends and receives UDP (exact) and bulk TCP (the wire: the veth pair's
# qdiscs, lib_wire.sh) with a peer, the job's counts are the user's, and
# what pdtt prints is the sum of both lanes of the pinned counters. Then
# pdttd's own choice: lanes exactly where it read a preemption model of
# none or voluntary, else interrupts off where the kfuncs are, said at
# start, and the attached egress program calls the kfuncs exactly then:
# the faster way cannot silently disappear. (Which lane an add takes is
# tested on the programs themselves in tests/unit/test_lanes.c: under real
# traffic the second lane counts only the rare softirq that interrupts an
# add in progress, so this test prints it but cannot require it.)
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_wire.sh"
. "$PDTT_TESTS/integration/lib_jobs.sh"
setup
use_own_cgroup
wire_setup
PDTTD_CMD=() # socket mode: the daemon in the host's namespace sees both ends
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";" 'jobs = "slurm";' \
	"json_log = \"$WORK/pdtt.jsonl\";"
STEPD="$CGROUP/system.slice/node_slurmstepd.scope"
on_cleanup "find '$CGROUP' -mindepth 1 -depth -type d -exec rmdir {} +"

KFUNCS=0
bpftool btf dump file /sys/kernel/btf/vmlinux >"$WORK/btf" 2>/dev/null
grep -q "FUNC 'bpf_local_irq_save'" "$WORK/btf" &&
	grep -q "FUNC 'bpf_local_irq_restore'" "$WORK/btf" && KFUNCS=1
rm -f "$WORK/btf"

# egress_calls_irq_save: whether the attached egress program calls bpf_local_irq_save.
egress_calls_irq_save() {
	local ids
	ids=$(pinned_link_ids "$PIN_PATH")
	read -r _ ids <<<"$ids" # the egress link's program
	bpftool prog dump xlated id "$ids" | grep -c 'bpf_local_irq_save' >/dev/null
}

LANES="plain adds in two lanes"
IRQ_OFF="interrupts off around plain adds"
LOCKED="locked atomic adds"

# tx_way_said: how the last start said TX counters are added.
tx_way_said() {
	local said
	said=$(grep 'socket mode adds TX counters' "$WORK/stderr" | tail -n 1)
	echo "${said#*socket mode adds TX counters with }"
}

# expect_tx_way FORCED: the last start added TX counters the way FORCED
# (atomic, lanes, irq_off) asks for, and said so; "" for pdttd's own choice:
# lanes when the model it read is none or voluntary, else interrupts off
# where the kfuncs are, else locked adds, each with why.
expect_tx_way() {
	local said irq=0
	said=$(tx_way_said)
	case "$1" in
	atomic) [ "$said" = "$LOCKED: PDTT_KERNEL_TX=atomic" ] ;;
	lanes) [[ $said == "$LANES: PDTT_KERNEL_TX=lanes (preemption model "* ]] ;;
	irq_off) [[ $said == "$IRQ_OFF (bpf_local_irq_save, Linux 6.14+)"* ]] ;;
	"") [[ $said =~ ^"$LANES: preemption model "(none|voluntary)": " ]] ||
		[[ $said =~ ^"$IRQ_OFF".*"this one's is "(full|lazy|PREEMPT_RT|unknown) && $KFUNCS = 1 ]] ||
		[[ $said =~ ^"$LOCKED: ".*"this kernel lacks the kfuncs" && $KFUNCS = 0 ]] ;;
	esac || fail "PDTT_KERNEL_TX=$1, kfuncs in BTF: $KFUNCS; pdttd said '$said'"
	[[ $said == "$IRQ_OFF"* ]] && irq=1
	if [ $irq = 1 ]; then
		egress_calls_irq_save || fail "the attached egress program does not call bpf_local_irq_save"
	elif egress_calls_irq_save; then
		fail "PDTT_KERNEL_TX=$1: the attached egress program calls bpf_local_irq_save"
	fi
	echo "ok: ${1:-default}: TX counters added with $said"
}

# lanes_of UID: "first-lane TX bytes, packets, RX bytes, packets, then the
# second lane's TX bytes and packets" of UID's pinned counters, every class
# and CPU added up.
lanes_of() {
	bpftool -j map dump pinned "$PIN_PATH/pdtt_slots" >"$WORK/slots.json" &&
		bpftool -j map dump pinned "$PIN_PATH/pdtt_counters" >"$WORK/counters.json" ||
		fail "cannot read the pinned counters"
	"$PYTHON" - "$1" "$WORK/slots.json" "$WORK/counters.json" <<'PY'
import json, struct, sys
uid = int(sys.argv[1])
def num(b): return int.from_bytes(bytes(int(x, 16) for x in b), "little")
slot = [num(e["value"]) for e in json.load(open(sys.argv[2])) if num(e["key"]) == uid][0]
entry = [e for e in json.load(open(sys.argv[3])) if num(e["key"]) == slot][0]
sums = [0] * 6
for cpu in entry["values"]:
    v = bytes(int(x, 16) for x in cpu["value"])
    n = (len(v) - 8) // 64  # classes: two lanes of 32-byte counters, and the guard
    for c in range(2 * n):
        tb, tp, rb, rp = struct.unpack_from("<4Q", v, 32 * c)
        lane = 0 if c < n else 4
        sums[lane] += tb; sums[lane + 1] += tp
        if lane == 0:
            sums[2] += rb; sums[3] += rp
print(*sums)
PY
}

# expect_lanes_sum WAY UID: what pdtt printed for UID is both lanes together.
expect_lanes_sum() {
	local t1 p1 rb rp t2 p2
	read -r t1 p1 rb rp t2 p2 <<<"$(lanes_of "$2")"
	expect_counts "$2" "$((t1 + t2)) $((p1 + p2)) $rb $rp"
	echo "ok: ${1:-default}: UID $2's TX is the first lane's $t1 bytes ($p1 packets) and the second's $t2 ($p2)"
}

# as_job CMD...: CMD in the job's task cgroup.
as_job() {
	(echo "$BASHPID" >"$(task_dir "$JOB")/cgroup.procs" && "$@")
}

# transfer udp|tcp out|in ADDR PORT: U, in the job in $NETNS, sends to (out)
# or receives from (in) P in $PEER_NS, outside any job: UDP_COUNT datagrams
# of UDP_SIZE, or TCP_BYTES over one connection.
UDP_COUNT=100 UDP_SIZE=200 TCP_BYTES=$((8 * 1024 * 1024))
transfer() {
	local out="$WORK/recv.$4" rpid send recv args
	if [ "$1" = udp ]; then
		send=(udp-send --count $UDP_COUNT --size $UDP_SIZE)
		recv=(udp-recv --count $UDP_COUNT --timeout 10)
	else
		send=(tcp-send --bytes $TCP_BYTES)
		recv=(tcp-recv --bytes $TCP_BYTES)
	fi
	args=(--addr "$3" --port "$4")
	if [ "$2" = out ]; then
		in_netns_as "$PEER_NS" "$P" "$PYTHON" "$TRAFFIC" "${recv[@]}" "${args[@]}" >"$out" &
		rpid=$!
		wait_for_ready "$out" "$rpid"
		as_job in_netns_as "$NETNS" "$U" "$PYTHON" "$TRAFFIC" "${send[@]}" "${args[@]}" ||
			fail "$1 sender in job $JOB failed"
	else
		as_job in_netns_as "$NETNS" "$U" "$PYTHON" "$TRAFFIC" "${recv[@]}" "${args[@]}" >"$out" &
		rpid=$!
		wait_for_ready "$out" "$rpid"
		in_netns_as "$PEER_NS" "$P" "$PYTHON" "$TRAFFIC" "${send[@]}" "${args[@]}" ||
			fail "$1 sender failed"
	fi
	wait "$rpid" || fail "$1 receiver: $(cat "$out")"
}

WAYS=(atomic lanes)
[ $KFUNCS = 1 ] && WAYS+=(irq_off)
n=0
for way in "${WAYS[@]}"; do
	n=$((n + 1))
	U=$(test_uid $((n * 2))) P=$(test_uid $((n * 2 + 1))) JOB=$((40 + n))
	if [ -n "$way" ]; then export PDTT_KERNEL_TX=$way; else unset PDTT_KERNEL_TX; fi
	make_job $JOB
	start_daemon
	expect_tx_way "$way"
	# The job is found at the next report: its traffic counts from then on.
	wait_next_report
	wait_next_report
	transfer udp out "$PEER_ADDR4" $((5400 + n * 10))   # 100 x 228
	transfer udp in "$ADDR6" $((5401 + n * 10))         # 100 x 248
	wait_counted
	expect_counts "$U" "22800 100 24800 100"
	expect_job "$WORK/pdtt.jsonl" job $JOB "$U 22800 100 24800 100"
	echo "ok: ${way:-default}: UDP of job $JOB exact, both ways"
	WIRE_NAME="${way:-default}: TCP" before_q=$(both_qdiscs) before_u=$(counts_of "$U")
	transfer tcp out "$PEER_ADDR4" $((5402 + n * 10))
	transfer tcp in "$ADDR6" $((5403 + n * 10))
	sleep 0.5 # the last ACK
	read -r a_bytes a_pkts b_bytes b_pkts <<<"$(delta "$before_q" "$(both_qdiscs)")"
	wait_counted
	read -r tx_b tx_p rx_b rx_p <<<"$(delta "$before_u" "$(counts_of "$U")")"
	wire_compare U TX "$tx_b $tx_p" "$a_bytes $a_pkts"
	wire_compare U RX "$rx_b $rx_p" "$b_bytes $b_pkts"
	[ $WIRE_FAILED = 0 ] || fail "U's TCP counts are not what crossed the wire"
	expect_job "$WORK/pdtt.jsonl" job $JOB "$U $(counts_of "$U")"
	echo "ok: ${way:-default}: job $JOB has all of U's counts, TCP included"
	expect_lanes_sum "$way" "$U"
	stop_daemon
	end_job $JOB
done
unset PDTT_KERNEL_TX
start_daemon
expect_tx_way ""
stop_daemon
exit 0
