#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-job accounting under a real Slurm: Debian 12's slurmctld and slurmd on
# one node in a systemd-nspawn container (lib_nspawn.sh; the tree with Slurm
# and munge cached in /var/cache/pdtt-nspawn), cgroup/v2 with
# proctrack/cgroup and task/cgroup, so that each job runs in the cgroups
# Slurm makes: .../NAME_slurmstepd.scope/job_N/step_M/user/task_special.
# pdttd runs on the host (the build tree's), socket mode on the container's
# cgroup, jobs = "slurm". A test user's sbatch job and srun job each send
# known UDP once pdttd has found them; each job's totals, in the JSON log
# while it runs and in jobs_log once it ended, are exact and carry the user.
#
# Runs only with PDTT_TEST_PACKAGING containing "slurm" (./quickstart check
# sets it); where it cannot run it says why and skips, except under CI=true.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/packaging/lib.sh"
. "$PDTT_TESTS/packaging/lib_nspawn.sh"
. "$PDTT_TESTS/integration/lib_jobs.sh"
want_packaging slurm
need_nspawn gcc

TREE_KIND=slurm-bookworm
TREE_PACKAGES=systemd,systemd-sysv,dbus,munge,slurmctld,slurmd,slurm-client
NAME="pdtt-slurm-$$"
CG="$CGROOT/$NAME"
PIN_PATH="/sys/fs/bpf/pdtt-test-slurm-$$"
JOB_USER=pdttjob
U1=$(test_uid 1)

cleanup_slurm() {
	local rc=$?
	trap - EXIT
	set +e
	if [ $rc -ne 0 ] && [ -n "$CT_PID" ] && kill -0 "$CT_PID" 2>/dev/null; then
		{
			echo "--- squeue, sinfo, slurmd's journal"
			in_ct timeout 5 squeue </dev/null
			in_ct timeout 5 sinfo </dev/null
			in_ct journalctl -u slurmd -u slurmctld --no-pager </dev/null | tail -n 30
		} >&2
	fi
	# Cancelled jobs do not hold the container's poweroff up (about 90 s).
	[ -n "$CT_PID" ] && in_ct timeout 5 scancel -u "$JOB_USER" </dev/null >/dev/null 2>&1
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	"$PDTTD" --unload --pin-path "$PIN_PATH" >/dev/null 2>&1
	end_ct $rc "$WORK/stderr"
}

new_work slurm cleanup_slurm
make_tree

### The node's configuration, in the overlay's upper layer.
up=$WORK/upper
mkdir -p "$up/etc/slurm" "$up/etc/systemd/system/slurmd.service.d" "$up/usr/local/lib"
# Slurm resolves the node's name with AI_ADDRCONFIG, which finds nothing on a
# network with only loopback: the name goes to an address of a veth pair
# inside the container (the daemons, started at boot, are restarted then).
NODE_ADDR=10.254.254.1
{ cat "$TREE/etc/hosts" 2>/dev/null; echo "$NODE_ADDR $NAME"; } >"$up/etc/hosts"
cat >"$up/etc/slurm/slurm.conf" <<CONF
ClusterName=pdtt
SlurmctldHost=$NAME
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
SelectType=select/cons_tres
ReturnToService=2
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
NodeName=$NAME CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$NAME Default=YES MaxTime=INFINITE State=UP
CONF
# No controllers are enabled in the host's v2 tree: nothing can be constrained.
cat >"$up/etc/slurm/cgroup.conf" <<CONF
CgroupPlugin=cgroup/v2
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
CONF
gcc -shared -fPIC -O2 -o "$up/usr/local/lib/pdtt-cgroup0.so" \
	"$PDTT_TESTS/packaging/cgroup0_preload.c" -ldl || fail "cannot build the preload library"
printf '[Service]\nEnvironment=LD_PRELOAD=/usr/local/lib/pdtt-cgroup0.so\n' \
	>"$up/etc/systemd/system/slurmd.service.d/pdtt-test.conf"

boot_ct
for args in "link add pdtt-node type veth peer name pdtt-node-peer" \
	"addr add $NODE_ADDR/32 dev pdtt-node" "link set pdtt-node up" "link set pdtt-node-peer up"; do
	# shellcheck disable=SC2086 # the words of each command
	nsenter -t "$CT_PID" -n ip $args || fail "ip $args in the container failed"
done
echo "ok: container $NAME booted"
in_ct useradd -m -u "$U1" "$JOB_USER" </dev/null || fail "useradd"
in_ct systemctl restart munge slurmctld slurmd </dev/null || fail "cannot start munge, slurmctld, slurmd"
for _ in $(seq 60); do
	[ "$(in_ct timeout 5 sinfo -h -o %t </dev/null 2>/dev/null)" = idle ] && break
	sleep 0.5
done
[ "$(in_ct timeout 5 sinfo -h -o %t </dev/null)" = idle ] ||
	fail "the node is not idle: $(in_ct timeout 5 sinfo </dev/null 2>&1)"
echo "ok: Slurm runs, node $NAME idle"

### pdttd on the host, counting the container's cgroup, jobs on.
cat >"$WORK/pdtt.conf" <<CONF
interval = 1;
log_file = "$WORK/pdtt.log";
pin_path = "$PIN_PATH";
state_file = "$WORK/state";
history_file = "$WORK/history.db";
cgroup_path = "$CG";
jobs = "slurm";
json_log = "$WORK/pdtt.jsonl";
jobs_log = "$WORK/jobs.jsonl";
CONF
"$PDTTD" -f -c "$WORK/pdtt.conf" >"$WORK/stdout" 2>"$WORK/stderr" &
DAEMON_PID=$!
for _ in $(seq 100); do
	grep -q 'counting in .* mode' "$WORK/stderr" && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "pdttd exited at start: $(cat "$WORK/stderr")"
	sleep 0.1
done

# The job's script: it waits for the test's go (pdttd has found the job),
# then sends COUNT datagrams of SIZE bytes to the container's loopback.
cat >"$CT_ROOT/usr/local/bin/pdtt-job" <<'JOB'
#!/bin/bash
while [ ! -e "/tmp/go.$SLURM_JOB_ID" ]; do sleep 0.1; done
for _ in $(seq "$1"); do printf "%*s" "$2" "" >/dev/udp/127.0.0.1/9 || exit 1; done
JOB
chmod 755 "$CT_ROOT/usr/local/bin/pdtt-job"

# run_job JOB WHAT: once pdttd reports JOB, let it go; then until it ended
# and jobs_log has it; its totals must be WHAT.
run_job() {
	for _ in $(seq 200); do
		[ "$(job_figures "$WORK/pdtt.jsonl" job "$1")" != none ] && break
		sleep 0.1
	done
	[ "$(job_figures "$WORK/pdtt.jsonl" job "$1")" != none ] ||
		fail "pdttd did not report job $1 within 20 s"
	touch "$CT_ROOT/tmp/go.$1"
	for _ in $(seq 300); do
		[ "$(job_figures "$WORK/jobs.jsonl" job_end "$1")" != none ] && break
		sleep 0.1
	done
	got=$(job_figures "$WORK/jobs.jsonl" job_end "$1")
	[ "$got" = "$2" ] || fail "job $1: jobs_log has '$got', expected '$2' (uid tx rx)"
}

### sbatch: 20 datagrams of 100 bytes (20 x 128 on the wire).
out=$(in_ct su - "$JOB_USER" -c "sbatch --parsable /usr/local/bin/pdtt-job 20 100" </dev/null) ||
	fail "sbatch failed: $out"
batch=${out%%;*}
run_job "$batch" "$U1 2560 20 0 0"
echo "ok: sbatch job $batch of $JOB_USER: 2560 bytes in 20 datagrams, exact"

### srun: 10 datagrams of 200 bytes (10 x 228), its step in job_N/step_0.
in_ct su - "$JOB_USER" -c "srun /usr/local/bin/pdtt-job 10 200" </dev/null >"$WORK/srun.log" 2>&1 &
srun_pid=$!
for _ in $(seq 200); do
	step=$(in_ct squeue -h -u "$JOB_USER" -o %i </dev/null)
	[ -n "$step" ] && break
	sleep 0.1
done
[ -n "$step" ] || fail "srun's job did not appear in squeue"
run_job "$step" "$U1 2280 10 0 0"
wait "$srun_pid" || fail "srun failed: $(cat "$WORK/srun.log")"
echo "ok: srun job $step of $JOB_USER: 2280 bytes in 10 datagrams, exact"

[ "$(sqlite3 "$WORK/history.db" "SELECT count(*) FROM jobs WHERE uid = $U1" 2>/dev/null)" = 2 ] ||
	fail "the history's jobs table does not have both jobs"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "pdttd exited with $? on SIGTERM"
DAEMON_PID=""
echo "ok: both jobs in the history"
exit 0
