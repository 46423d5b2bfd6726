#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-job accounting in tc mode (lib_jobs.sh): the same jobs and counts as
# jobs.sh, seen on the veth: egress by the packet's socket, ingress by lookup.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_jobs.sh"
setup
# tc mode finds a socket's cgroup in struct sock_cgroup_data's cgroup
# pointer, which Linux 5.15 brought (pdtt.conf(5), JOBS; pdttd warns).
bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
	awk "/STRUCT 'sock_cgroup_data'/ { s = 1; next } s && /^\t'cgroup'/ { f = 1 } /^\[/ { s = 0 } END { exit !f }" ||
	skip_kernel_lacks "a cgroup pointer in struct sock_cgroup_data (5.15+): tc mode finds no job there"
setup_veth_pair
use_own_cgroup
tc_config "cgroup_path = \"$CGROUP\";" 'jobs = "slurm";' "json_log = \"$WORK/pdtt.jsonl\";" \
	"jobs_log = \"$WORK/jobs.jsonl\";" "prometheus_textfile = \"$WORK/pdtt.prom\";"
run_jobs_test
exit 0
