#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdtt status: the running pdttd's PID (also once it has detached), the mode,
# the hooks, owner tracking, the map fill, the state file; the same once
# pdttd stopped, and after a reboot. pdtt changes nothing: no pin, no lock,
# no state file. Clear errors, with their exit statuses: pdttd never ran
# (66), a caller that may not read the pins (77), a damaged state file (1
# for show; status reports it).
. "$PDTT_TESTS/integration/lib.sh"
setup
use_own_cgroup
U1=$(test_uid 1)
U2=$(test_uid 2)
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";" "max_users = 16;"

# expect_error STATUS MESSAGE ARGS...: pdtt ARGS exits STATUS, says MESSAGE (one line), prints nothing.
expect_error() {
	local want=$1 message=$2 rc=0
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ $rc = "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$WORK/err")"
	[ "$(cat "$WORK/err")" = "$message" ] || fail "'$*' said '$(cat "$WORK/err")', expected '$message'"
	[ ! -s "$WORK/out" ] || fail "'$*' printed: $(cat "$WORK/out")"
	echo "ok: exit $rc: $message"
}

# status_line KEY: the value of a line of pdtt status ("KEY:  value").
status_line() {
	awk -v key="$1:" 'index($0, key) == 1 { sub(/^[^:]*: +/, ""); print; exit }' "$WORK/status"
}

# expect_status KEY VALUE: that line of the last status says exactly VALUE.
expect_status() {
	local got
	got=$(status_line "$1")
	[ "$got" = "$2" ] || fail "pdtt status: $1: '$got', expected '$2'; $(cat "$WORK/status")"
	echo "ok: status: $1: $got"
}

run_status() {
	pdtt_cmd -c "$WORK/pdtt.conf" status >"$WORK/status" 2>"$WORK/status.err" ||
		fail "pdtt status exited $?: $(cat "$WORK/status.err")"
}

# pdttd never ran with this pin_path and state file: an error, and nothing made.
for cmd in show status; do
	expect_error 66 "pdtt: pdttd has never run with pin_path $PIN_PATH (no pins there, no state file at $WORK/state)" \
		"$PDTT_CLI" -c "$WORK/pdtt.conf" $cmd
done
[ ! -e "$PIN_PATH" ] || fail "pdtt created $PIN_PATH"
[ ! -e "$WORK/state" ] || fail "pdtt created $WORK/state"

start_daemon
udp_transfer $U1 $U2 127.0.0.1 6301 10 100      # 10 x 128
wait_next_report
run_status
cat "$WORK/status"
expect_status pdttd "running (PID $DAEMON_PID)"
expect_status mode socket
grep -qx "hooks: *cgroup_skb ingress on cgroup $CGROUP" "$WORK/status" || fail "no ingress hook: $(cat "$WORK/status")"
grep -qx " *cgroup_skb egress on cgroup $CGROUP" "$WORK/status" || fail "no egress hook: $(cat "$WORK/status")"
if grep -q 'owner tracking on' "$WORK/stderr"; then
	# tp_btf's tracepoints (6.3+) come after bpf_rdonly_cast (6.2).
	expect_status "owner tracking" "on, the socket's storage read directly (Linux 6.2+)"
	grep -qx " *tp_btf sock_send_length (owner tracking)" "$WORK/status" || fail "no owner tracking hook"
else
	expect_status "owner tracking" off
fi
expect_status interfaces "all (socket mode counts at the sockets)"
expect_status "counter map" "2 of 16 UIDs (12.5%)"
expect_status "accounting start" "$(date -d @"$(state_field accounting_start)" '+%Y-%m-%d %H:%M:%S %Z')"
status_line pin_path | grep -q "^$PIN_PATH (map layout 5, instance $(state_field instance))$" ||
	fail "pdtt status: pin_path: $(status_line pin_path)"
status_line "state file" | grep -Eq "^$WORK/state, saved [0-9]+ s ago \(" ||
	fail "pdtt status: state file: $(status_line "state file")"
expect_status version "pdtt $("$PDTTD" --version | awk '{ print $2 }')"

# Not allowed to read the pins: a user without privileges, exit 77.
cp "$PDTT_CLI" "$WORK/pdtt"
chmod 755 "$WORK/pdtt"
chmod 644 "$WORK/pdtt.conf"
for cmd in show status; do
	expect_error 77 "pdtt: not allowed to read the pins in $PIN_PATH: run as root (or as a user with CAP_BPF who may read that directory)" \
		setpriv --reuid "$U1" --regid "$U1" --clear-groups "$WORK/pdtt" -c "$WORK/pdtt.conf" $cmd
done

# pdtt changes nothing: the state file, the pins and the lock are untouched.
stop_daemon
# -A, not -a: '..' (/sys/fs/bpf) changes as other tests add their pin directories.
ls -lAi --time-style=full-iso "$PIN_PATH" >"$WORK/pins.before"
cp -p "$WORK/state" "$WORK/state.before"
run_status
pdtt_cmd -c "$WORK/pdtt.conf" show --json >/dev/null || fail "pdtt show exited $?"
ls -lAi --time-style=full-iso "$PIN_PATH" | diff "$WORK/pins.before" - ||
	fail "pdtt changed $PIN_PATH"
cmp "$WORK/state" "$WORK/state.before" && [ ! "$WORK/state" -nt "$WORK/state.before" ] ||
	fail "pdtt changed the state file"
ls -A "$WORK" | grep -q '^\.state\.' && fail "pdtt wrote a temporary state file"
expect_status pdttd "not running; the pinned programs keep counting"
expect_status "counter map" "2 of 16 UIDs (12.5%)"
echo "ok: pdtt status and show changed no pin and no file"

# pdttd detached (no -f): its lock was taken by the process that forked;
# pdtt status names the daemon that holds it now.
start_detached
run_status
expect_status pdttd "running (PID $DAEMON_PID)"
stop_detached

# A damaged state file: show refuses (exit 1), status says what is wrong.
cp -p "$WORK/state" "$WORK/state.good"
sed -i 's/^users /users 9/' "$WORK/state"
rc=0
"$PDTT_CLI" -c "$WORK/pdtt.conf" show >"$WORK/out" 2>"$WORK/err" || rc=$?
[ $rc = 1 ] || fail "pdtt show with a damaged state file exited $rc, expected 1: $(cat "$WORK/err")"
grep -Eqx "pdtt: state file $WORK/state is corrupt: checksum mismatch \(stored [0-9a-f]{8}, content gives [0-9a-f]{8}\); pdttd refuses to start with it too: restore a good copy, or remove it to accept losing the totals from before the last reboot" \
	"$WORK/err" || fail "pdtt show with a damaged state file said: $(cat "$WORK/err")"
[ ! -s "$WORK/out" ] || fail "pdtt show printed totals without the damaged state file"
run_status
status_line "state file" | grep -q "is corrupt: checksum mismatch .*; pdttd refuses to start with it$" ||
	fail "pdtt status: state file: $(status_line "state file")"
mv "$WORK/state.good" "$WORK/state"
echo "ok: a damaged state file: show refuses, status says: $(status_line "state file")"

# After a reboot: no pins, the state file.
simulate_reboot
run_status
expect_status pdttd "not running; no maps pinned in $PIN_PATH (not started since the last reboot, or unloaded)"
expect_status hooks none
expect_status "counter map" "not pinned"
expect_status "accounting start" "$(date -d @"$(state_field accounting_start)" '+%Y-%m-%d %H:%M:%S %Z')"
[ ! -e "$PIN_PATH" ] || fail "pdtt status created $PIN_PATH"

# Neither pins nor state file: never ran, as at the start.
rm "$WORK/state"
expect_error 66 "pdtt: pdttd has never run with pin_path $PIN_PATH (no pins there, no state file at $WORK/state)" \
	"$PDTT_CLI" -c "$WORK/pdtt.conf" status
exit 0
