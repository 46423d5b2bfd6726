#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Jobs and named networks at once (lib_jobs.sh's Slurm-shaped cgroups): two
# jobs of one user and one of another exchange UDP with addresses in two
# named networks and outside them; each job's counts per network are exact
# in the JSON log's job lines, jobs_log's completion records, pdtt show
# --jobs (--json, and --by-network's columns) and the jobs' Prometheus
# textfile. A SIGHUP that adds a network (new maps with more classes) keeps
# every job's totals and counts the new network from then on; after a
# reboot, pdtt show --jobs still has each job's networks, and the jobs end
# with them when pdttd starts again.
# JOBS_MODE=tc runs the same in tc mode (jobs_networks_tc.sh).
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/integration/lib_jobs.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
MODE=${JOBS_MODE:-socket}
[ "$MODE" = socket ] || require_tc_jobs_kernel
setup_veth_pair
use_own_cgroup

# Networks 5, 6 and 7 on the pair, beside its own 10.199.0 (external here).
mac=$(ip netns exec "$NETNS" cat "/sys/class/net/$VETH/address")
peer_mac=$(ip netns exec "$PEER_NS" cat "/sys/class/net/$PEER_VETH/address")
for n in 5 6 7; do
	ip -n "$NETNS" addr add "10.199.$n.1/24" dev "$VETH"
	ip -n "$PEER_NS" addr add "10.199.$n.2/24" dev "$PEER_VETH"
	ip -n "$NETNS" neigh replace "10.199.$n.2" lladdr "$peer_mac" dev "$VETH" nud permanent
	ip -n "$PEER_NS" neigh replace "10.199.$n.1" lladdr "$mac" dev "$PEER_VETH" nud permanent
done
CAMPUS=10.199.5 HPC=10.199.6 PARTNER=10.199.7

NETS='{ name = "campus"; cidrs = [ "10.199.5.0/24" ]; }, { name = "hpc"; cidrs = [ "10.199.6.0/24" ]; }'
conf() {
	local mode=("interval = 1;")
	[ "$MODE" = tc ] && mode+=('mode = "tc";' "interfaces = [ \"$VETH\" ];")
	echo "${mode[@]}" "cgroup_path = \"$CGROUP\";" 'jobs = "slurm";' \
		"json_log = \"$WORK/pdtt.jsonl\";" "jobs_log = \"$WORK/jobs.jsonl\";" \
		"prometheus_textfile = \"$WORK/pdtt.prom\";" "networks = ( $1 );"
}

# classes_of FILE TYPE JOB: the classes of JOB's last TYPE record in FILE
# ("job" or "job_end" lines, or "show" for pdtt show --jobs --json), each
# "name=TXB/TXP/RXB/RXP", local and external first; "none" when there is
# none; "bad sum" when the classes do not add up to the totals.
classes_of() {
	"$PYTHON" - "$@" <<'PY'
import json, sys
path, kind, job = sys.argv[1:]
if kind == "show":
    records = [dict(r, type="show") for r in json.load(open(path))["jobs"]]
else:
    records = [json.loads(line) for line in open(path)]
last = None
for r in records:
    if r.get("type") == kind and r.get("job") == job:
        last = r
if last is None:
    sys.exit(print("none"))
c = last.get("cumulative") or last["totals"]
keys = ("tx_bytes", "tx_packets", "rx_bytes", "rx_packets")
classes = {"local": c["local"], "external": c["external"], **c.get("networks", {})}
if any(sum(v[k] for v in classes.values()) != c[k] for k in keys):
    sys.exit(print("bad sum"))
print(" ".join(f"{n}=" + "/".join(str(v[k]) for k in keys) for n, v in classes.items()))
PY
}

expect_classes() {
	local got
	got=$(classes_of "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "$2 record of job $3 in $(basename "$1"): '$got', expected '$4'"
}

make_jobs
write_config "$(conf "$NETS")"
start_daemon
wait_next_report
job_send 11 "$U1" 7201 3 100 $CAMPUS.2    # campus tx   3 x 128
job_recv 11 "$U1" 7202 2 300 $HPC.1       # hpc rx      2 x 328
job_send 11 "$U1" 7203 1 50               # external tx 1 x 78
job_send 12 "$U1" 7204 2 200 $HPC.2       # hpc tx      2 x 228
job_recv 12 "$U1" 7205 1 50 $CAMPUS.1     # campus rx   1 x 78
job_send 21 "$U2" 7206 4 10               # external tx 4 x 38
job_send 21 "$U2" 7207 1 100 $CAMPUS.2    # campus tx   1 x 128
end_job 12
wait_next_report
wait_next_report
J11="local=0/0/0/0 external=78/1/0/0 campus=384/3/0/0 hpc=0/0/656/2"
J12="local=0/0/0/0 external=0/0/0/0 campus=0/0/78/1 hpc=456/2/0/0"
J21="local=0/0/0/0 external=152/4/0/0 campus=128/1/0/0 hpc=0/0/0/0"
expect_classes "$WORK/pdtt.jsonl" job 11 "$J11"
expect_classes "$WORK/pdtt.jsonl" job 21 "$J21"
expect_classes "$WORK/jobs.jsonl" job_end 12 "$J12"
echo "ok: the JSON log and jobs_log have each job's networks, exact"

pdtt_cmd -c "$WORK/pdtt.conf" show --jobs --json >"$WORK/show.json" || fail "pdtt show --jobs --json exited $?"
expect_classes "$WORK/show.json" show 11 "$J11"
expect_classes "$WORK/show.json" show 21 "$J21"
show=$(pdtt_cmd -c "$WORK/pdtt.conf" show --jobs --by-network) || fail "pdtt show --jobs --by-network exited $?"
echo "$show"
grep -qE "RX PKTS +LOCAL +EXTERNAL +campus +hpc$" <<<"$show" || fail "show --jobs --by-network: no network columns"
grep -qE "^11 .* 0 +78 +384 +656$" <<<"$show" || fail "show --jobs --by-network: job 11"
grep -qE "^21 .* 0 +152 +128 +0$" <<<"$show" || fail "show --jobs --by-network: job 21"
echo "ok: pdtt show --jobs has each job's networks, exact"

# Prometheus: job 11's transmitted bytes per class.
got=$("$PYTHON" -c '
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r"pdtt_job_transmit_bytes_total\{job=\"11\",user=\"[^\"]*\",class=\"([a-z]+)\"\} (\d+)$", line)
    if m:
        print(f"{m.group(1)}={m.group(2)}", end=" ")
' "$WORK/pdtt_jobs.prom")
[ "$got" = "local=0 external=78 campus=384 hpc=0 " ] || fail "pdtt_jobs.prom, job 11: '$got'"
echo "ok: pdtt_jobs.prom has job 11's networks"

# SIGHUP with a new network: new maps with more classes. The jobs keep
# their totals, and count the new network from then on.
reload_daemon "$(conf "$NETS, { name = \"partner\"; cidrs = [ \"10.199.7.0/24\" ]; }")"
grep -q "counting 5 classes of networks on new maps" "$WORK/stderr" ||
	fail "the new network did not make new maps: $(cat "$WORK/stderr")"
job_send 11 "$U1" 7208 1 100 $PARTNER.2   # partner tx  1 x 128
job_send 21 "$U2" 7209 1 100 $CAMPUS.2    # campus tx   1 x 128
wait_next_report
wait_next_report
J11="local=0/0/0/0 external=78/1/0/0 campus=384/3/0/0 hpc=0/0/656/2 partner=128/1/0/0"
J21="local=0/0/0/0 external=152/4/0/0 campus=256/2/0/0 hpc=0/0/0/0 partner=0/0/0/0"
expect_classes "$WORK/pdtt.jsonl" job 11 "$J11"
expect_classes "$WORK/pdtt.jsonl" job 21 "$J21"
[ "$(grep -c '"type":"job_end"' "$WORK/jobs.jsonl")" = 1 ] ||
	fail "the reload ended jobs: $(grep '"type":"job_end"' "$WORK/jobs.jsonl")"
echo "ok: after a new network the jobs go on from their totals"

# A reboot, before pdttd starts again: pdtt show --jobs has the jobs file's
# totals under the names of the networks the state file kept.
stop_daemon
simulate_reboot
pdtt_cmd -c "$WORK/pdtt.conf" show --jobs --json >"$WORK/show.json" || fail "pdtt show --jobs --json exited $?"
expect_classes "$WORK/show.json" show 11 "$J11"
expect_classes "$WORK/show.json" show 21 "$J21"
echo "ok: after a reboot pdtt show --jobs has the jobs' networks"

# New maps: the jobs running at the reboot end with their totals, each
# network's exact; they go on as new records.
start_daemon
wait_next_report
wait_next_report
expect_classes "$WORK/jobs.jsonl" job_end 11 "$J11"
expect_classes "$WORK/jobs.jsonl" job_end 21 "$J21"
end_job 11
end_job 21
stop_daemon
echo "ok: jobs 11 and 12 of $U1 and 21 of $U2 exact per network"
exit 0
