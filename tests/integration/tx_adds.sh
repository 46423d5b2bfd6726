#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Socket mode's egress adds TX counters with interrupts off where the kernel
# has the kfuncs bpf_local_irq_save and bpf_local_irq_restore (6.14+), else
# with locked adds (bpf/pdtt_count.bpf.h). Both ways count exactly: with jobs
# on, a user in a Slurm-shaped job (lib_jobs.sh) sends and receives UDP
# (exact) and bulk TCP (the wire: the veth pair's qdiscs, lib_wire.sh) with
# a peer, and the job's counts are the user's. Run once with
# PDTT_KERNEL_TX=atomic, once as pdttd chooses, over the same pins (so each
# start swaps the other build into the links). Where the kernel's BTF has
# the kfuncs, pdttd must choose interrupts off, say so at start, and the
# attached egress program must call them: the faster way cannot silently
# disappear.
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

# expect_tx_way FORCED: the last start said how TX counters are added, the
# way FORCED ("atomic", or "" for pdttd's own choice) asks for.
expect_tx_way() {
	local said
	said=$(grep 'socket mode adds TX counters' "$WORK/stderr" | tail -n 1)
	said=${said#*socket mode adds TX counters with }
	case "$1:$KFUNCS" in
	atomic:*) [ "$said" = "locked atomic adds: PDTT_KERNEL_TX=atomic" ] ;;
	:1) [[ $said == "interrupts off around plain adds"* ]] ;;
	:0) [[ $said == "locked atomic adds: this kernel lacks the kfuncs"* ]] ;;
	esac || fail "PDTT_KERNEL_TX=$1, kfuncs in BTF: $KFUNCS; pdttd said '$said'"
	if [ "$1:$KFUNCS" = ":1" ]; then
		egress_calls_irq_save || fail "the attached egress program does not call bpf_local_irq_save"
	elif egress_calls_irq_save; then
		fail "PDTT_KERNEL_TX=$1: the attached egress program calls bpf_local_irq_save"
	fi
	echo "ok: ${1:-default}: TX counters added with $said"
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

n=0
for way in atomic ""; do
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
	stop_daemon
	end_job $JOB
done
exit 0
