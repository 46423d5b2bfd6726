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
exit 0
