#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-job accounting in tc mode (lib_jobs.sh): the same jobs and counts as
# jobs.sh, seen on the veth: egress by the packet's socket, ingress by lookup.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_jobs.sh"
setup
require_tc_jobs_kernel
setup_veth_pair
use_own_cgroup
tc_config "cgroup_path = \"$CGROUP\";" 'jobs = "slurm";' "json_log = \"$WORK/pdtt.jsonl\";" \
	"jobs_log = \"$WORK/jobs.jsonl\";" "prometheus_textfile = \"$WORK/pdtt.prom\";"
run_jobs_test
exit 0
