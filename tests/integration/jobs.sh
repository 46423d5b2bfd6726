#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-job accounting in socket mode (lib_jobs.sh): Slurm-shaped cgroups,
# three jobs of two users, exact per job; the history has the finished jobs.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_jobs.sh"
setup
setup_veth_pair
use_own_cgroup
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";" 'jobs = "slurm";' \
	"json_log = \"$WORK/pdtt.jsonl\";" "jobs_log = \"$WORK/jobs.jsonl\";" \
	"prometheus_textfile = \"$WORK/pdtt.prom\";"
run_jobs_test
rows=$(sqlite3 "$WORK/history.db" "SELECT job, uid, tx_bytes, tx_packets, rx_bytes, rx_packets FROM jobs ORDER BY job" | tr '\n' ' ')
[ "$rows" = "11|$U1|512|4|656|2 12|$U1|1140|5|78|1 21|$U2|152|4|0|0 " ] ||
	fail "history jobs table: $rows"
echo "ok: the history has the three finished jobs"

# A job shorter than a report interval: found by the scans between reports,
# reported (exactly) at the next report, here the final one at SIGTERM.
# mapped DIR: whether the programs know DIR's cgroup as a job's.
mapped() {
	bpftool -j map dump pinned "$PIN_PATH/pdtt_job_cgroups" | "$PYTHON" -c '
import json, sys
ids = {int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little") for e in json.load(sys.stdin)}
sys.exit(0 if int(sys.argv[1]) in ids else 1)' "$(stat -c %i "$1")"
}
write_config "interval = 3600;" "cgroup_path = \"$CGROUP\";" 'jobs = "slurm";' \
	"json_log = \"$WORK/pdtt.jsonl\";" "jobs_log = \"$WORK/jobs.jsonl\";"
start_daemon
make_job 31
for _ in $(seq 100); do mapped "$(task_dir 31)" && break; sleep 0.1; done
mapped "$(task_dir 31)" || fail "job 31's cgroup not found by the scans between reports"
job_send 31 "$U2" 7107 2 100          # 2 x 128
end_job 31
stop_daemon
expect_job "$WORK/jobs.jsonl" job_end 31 "$U2 256 2 0 0"
echo "ok: job 31, shorter than the report interval, exact"
exit 0
