#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdttd loads and attaches its socket-mode programs to the cgroup v2 root,
# pins maps and links, writes reports to the log (0640) and to stdout, and on
# SIGTERM writes a final report, exits 0 and leaves the pins counting.
. "$PDTT_TESTS/integration/lib.sh"
setup

start_daemon
for pin in pdtt_counters pdtt_buckets pdtt_meta link_sock_egress link_sock_ingress; do
	[ -e "$PIN_PATH/$pin" ] || fail "missing pin $PIN_PATH/$pin"
done
echo "ok: pins exist"

cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
for hook in egress ingress; do
	# From the link itself: Debian 12's 'bpftool cgroup show' lists nothing on 5.10.
	read -r prog_id cgroup_id attach_type < <(bpftool -j link show pinned "$PIN_PATH/link_sock_$hook" |
		"$PYTHON" -c 'import json,sys; l = json.load(sys.stdin); print(l["prog_id"], l["cgroup_id"], l["attach_type"])')
	[ "$cgroup_id" = "$(stat -c %i "$cgroot")" ] && [ "$attach_type" = "cgroup_inet_$hook" ] ||
		fail "program $prog_id is not attached to $cgroot $hook (cgroup id $cgroup_id, $attach_type)"
	# pdtt_sock_*, or before Linux 6.2 pdtt_sockr_* (bpf_probe_read_kernel).
	bpftool prog show id "$prog_id" | grep -Eq "name pdtt_sockr?_$hook" ||
		fail "link_sock_$hook does not hold pdtt_sock_$hook or pdtt_sockr_$hook"
done
echo "ok: programs attached to the cgroup v2 root ($cgroot)"

[ "$(stat -c %a "$WORK/pdtt.log")" = 640 ] || fail "log mode is $(stat -c %a "$WORK/pdtt.log"), not 640"
wait_next_report
grep -q '^=== Network Statistics Report \[[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\}\] ===$' "$WORK/pdtt.log" ||
	fail "no report header in the log"
grep -q '^=== Network Statistics Report' "$WORK/stdout" || fail "no report on stdout in the foreground"
echo "ok: reports in the log and on stdout"

before=$(report_count)
stop_daemon
[ "$(report_count)" -gt "$before" ] || fail "no final report on SIGTERM"
[ -e "$PIN_PATH/link_sock_egress" ] || fail "pins removed on SIGTERM; they must stay"
bpftool link show pinned "$PIN_PATH/link_sock_egress" >/dev/null || fail "link not alive after exit"
echo "ok: final report on SIGTERM, pins stay"

# A second start reuses the pinned link (swapping in its new program) instead
# of attaching a second copy.
link_id() {
	bpftool -j link show pinned "$PIN_PATH/link_sock_egress" |
		"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
first=$(link_id)
start_daemon
second=$(link_id)
stop_daemon
[ "$first" = "$second" ] || fail "restart made link $second instead of reusing link $first"
echo "ok: restart reused link $first"
exit 0
