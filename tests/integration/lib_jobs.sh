# SPDX-License-Identifier: GPL-2.0-or-later
# Per-job accounting with synthetic cgroups shaped like Slurm's (sourced by
# jobs.sh and jobs_tc.sh after their mode's setup): two jobs of one user and
# one of another, each in .../slurmstepd.scope/job_N/step_0/user/task_0,
# exchange UDP with a peer outside any job; one job ends mid-interval. The
# JSON log and jobs_log must have each job's exact bytes and packets, with
# its user, and nothing of the peer or of slurmstepd's own cgroup; so must
# pdtt show --jobs and the jobs' Prometheus textfile (running jobs only), and
# a restart of pdttd keeps the running jobs' counts.

STEPD=""

# require_tc_jobs_kernel: skips where tc mode cannot find a socket's job: it
# reads struct sock_cgroup_data's cgroup pointer, which Linux 5.15 brought,
# and some stable kernels took (Debian 11's 5.10; pdtt.conf(5), JOBS).
require_tc_jobs_kernel() {
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
		awk "/STRUCT 'sock_cgroup_data'/ { s = 1; next } s && /^\t'cgroup'/ { f = 1 } /^\[/ { s = 0 } END { exit !f }" ||
		skip_kernel_lacks "a cgroup pointer in struct sock_cgroup_data (5.15+): tc mode finds no job there"
}

# task_dir JOB: where the job's task runs.
task_dir() { echo "$STEPD/job_$1/step_0/user/task_0"; }

# make_job JOB: the cgroups Slurm makes for a job (slurmstepd's own too).
make_job() {
	mkdir -p "$(task_dir "$1")" "$STEPD/job_$1/step_0/slurm" || fail "cannot create job $1"
}

# end_job JOB: its cgroups removed, as slurmstepd does when the job ends.
end_job() {
	find "$STEPD/job_$1" -depth -type d -exec rmdir {} + || fail "cannot remove job $1"
}

# job_send JOB UID PORT COUNT SIZE [TO]: UID, in JOB, sends COUNT datagrams of
# SIZE to the peer (at TO, $PEER_ADDR4 by default); the peer receives outside
# any job.
job_send() {
	local out="$WORK/recv.$3" rpid to=${6:-$PEER_ADDR4}
	in_netns_as "$PEER_NS" "$PEER" "$PYTHON" "$TRAFFIC" udp-recv --addr "$to" \
		--port "$3" --count "$4" --timeout 10 >"$out" &
	rpid=$!
	wait_for_ready "$out" "$rpid"
	(echo "$BASHPID" >"$(task_dir "$1")/cgroup.procs" &&
		in_netns_as "$NETNS" "$2" "$PYTHON" "$TRAFFIC" udp-send --addr "$to" \
			--port "$3" --count "$4" --size "$5") || fail "job $1: UDP send failed"
	wait "$rpid" || fail "peer receiver: $(cat "$out")"
}

# job_recv JOB UID PORT COUNT SIZE [AT]: UID, in JOB, receives COUNT datagrams
# of SIZE from the peer, at AT ($ADDR4 by default).
job_recv() {
	local out="$WORK/recv.$3" rpid at=${6:-$ADDR4}
	(echo "$BASHPID" >"$(task_dir "$1")/cgroup.procs" &&
		exec ip netns exec "$NETNS" setpriv --reuid "$2" --regid "$2" --clear-groups \
			"$PYTHON" "$TRAFFIC" udp-recv --addr "$at" --port "$3" --count "$4" \
			--timeout 10) >"$out" &
	rpid=$!
	wait_for_ready "$out" "$rpid"
	in_netns_as "$PEER_NS" "$PEER" "$PYTHON" "$TRAFFIC" udp-send --addr "$at" --port "$3" \
		--count "$4" --size "$5" || fail "peer: UDP send failed"
	wait "$rpid" || fail "job $1: receiver: $(cat "$out")"
}

# job_figures FILE TYPE JOB: "uid tx_bytes tx_packets rx_bytes rx_packets" of
# the last line of TYPE ("job" or "job_end") for JOB in FILE; "none" when
# there is none (or no FILE yet).
job_figures() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import json, sys
path, kind, job = sys.argv[1:]
last = None
try:
    for line in open(path):
        r = json.loads(line)
        if r.get("type") == kind and r.get("job") == job:
            last = r
except FileNotFoundError:
    pass
if last is None:
    print("none")
else:
    c = last["cumulative" if kind == "job" else "totals"]
    print(last["uid"], c["tx_bytes"], c["tx_packets"], c["rx_bytes"], c["rx_packets"])
PY
}

expect_job() {
	local got
	got=$(job_figures "$@")
	[ "$got" = "$4" ] || fail "$2 record of job $3 in $(basename "$1"): '$got', expected '$4'"
}

# make_jobs: the users (U1, U2 and the peer's), and jobs 11 and 12 of U1 and
# 21 of U2 below slurmstepd's cgroup, removed at the end.
make_jobs() {
	U1=$(test_uid 1)
	U2=$(test_uid 2)
	PEER=$(test_uid 3)
	STEPD="$CGROUP/system.slice/node_slurmstepd.scope"
	on_cleanup "find '$CGROUP' -mindepth 1 -depth -type d -exec rmdir {} +"
	make_job 11
	make_job 12
	make_job 21
}

# run_jobs_test: the whole test, the daemon configured by the caller's config.
run_jobs_test() {
	make_jobs
	start_daemon
	# The jobs are found at the next report: their traffic counts from then on.
	wait_next_report
	wait_next_report
	grep -q '"type":"job"' "$WORK/pdtt.jsonl" || fail "no job records in the JSON log"
	job_send 11 "$U1" 7101 3 100          # 3 x 128
	job_recv 11 "$U1" 7102 2 300          # 2 x 328
	job_send 12 "$U1" 7103 5 200          # 5 x 228
	job_recv 12 "$U1" 7104 1 50           # 1 x 78
	job_send 21 "$U2" 7105 4 10           # 4 x 38
	# Job 12 ends between two reports.
	end_job 12
	wait_next_report
	wait_next_report
	expect_job "$WORK/jobs.jsonl" job_end 12 "$U1 1140 5 78 1"
	expect_job "$WORK/pdtt.jsonl" job 11 "$U1 384 3 656 2"
	expect_job "$WORK/pdtt.jsonl" job 21 "$U2 152 4 0 0"
	[ "$(job_figures "$WORK/jobs.jsonl" job_end 11)" = none ] || fail "job 11 reported as ended"
	pdtt_cmd -c "$WORK/pdtt.conf" show --jobs --json >"$WORK/show.json" ||
		fail "pdtt show --jobs exited $?"
	got=$("$PYTHON" -c '
import json, sys
jobs = {j["job"]: j for j in json.load(open(sys.argv[1]))["jobs"]}
for name in ("11", "12", "21"):
    j = jobs.get(name)
    if j is None or j["end"] is not None:
        continue  # a finished job leaves the list once its slot is reclaimed
    t = j["totals"]
    print(name, j["uid"], "running" if j["end"] is None else "ended", t["tx_bytes"], t["tx_packets"], t["rx_bytes"], t["rx_packets"])
' "$WORK/show.json" | tr '\n' ' ')
	[ "$got" = "11 $U1 running 384 3 656 2 21 $U2 running 152 4 0 0 " ] ||
		fail "pdtt show --jobs --json: $got"
	pdtt_cmd -c "$WORK/pdtt.conf" show --jobs --user "$U2" >"$WORK/show.txt" ||
		fail "pdtt show --jobs --user exited $?"
	[ "$(awk 'NR > 1 { print $1, $3, $(NF-3), $(NF-2) }' "$WORK/show.txt")" = "21 running 152 4" ] ||
		fail "pdtt show --jobs --user $U2: $(cat "$WORK/show.txt")"
	echo "ok: pdtt show --jobs has the running jobs, exact"
	# Prometheus: the running jobs only, in a textfile of their own.
	got=$("$PYTHON" -c '
import re, sys
tx = {}
for line in open(sys.argv[1]):
    m = re.match(r"pdtt_job_transmit_bytes_total\{job=\"([^\"]*)\",user=\"[^\"]*\",class=\"[a-z]+\"\} (\d+)$", line)
    if m:
        tx[m.group(1)] = tx.get(m.group(1), 0) + int(m.group(2))
print(" ".join(f"{k}:{v}" for k, v in sorted(tx.items())))
' "$WORK/pdtt_jobs.prom")
	[ "$got" = "11:384 21:152" ] || fail "pdtt_jobs.prom: transmitted bytes '$got', expected 11:384 21:152"
	echo "ok: pdtt_jobs.prom has the running jobs 11 and 21, not the ended 12"
	# A restart keeps the running jobs and their counts.
	stop_daemon
	start_daemon
	job_send 11 "$U1" 7106 1 100          # 1 x 128 more
	wait_next_report
	wait_next_report
	expect_job "$WORK/pdtt.jsonl" job 11 "$U1 512 4 656 2"
	echo "ok: after a restart job 11 goes on from its totals"
	# The user's counts have all of it (the peer is another user).
	expect_counts "$U1" "1652 9 734 3"
	end_job 11
	end_job 21
	wait_next_report
	wait_next_report
	expect_job "$WORK/jobs.jsonl" job_end 11 "$U1 512 4 656 2"
	expect_job "$WORK/jobs.jsonl" job_end 21 "$U2 152 4 0 0"
	[ "$(grep -c '"type":"job_end"' "$WORK/jobs.jsonl")" = 3 ] ||
		fail "jobs_log has $(grep -c '"type":"job_end"' "$WORK/jobs.jsonl") lines, expected 3"
	echo "ok: jobs 11 and 12 of $U1 and 21 of $U2 exact, job 12 ended mid-interval"
	stop_daemon
}
