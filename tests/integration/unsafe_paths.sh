#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every file pdttd writes (log_file, json_log, prometheus_textfile,
# state_file) must be a regular file. A symbolic link, a FIFO or a directory
# planted at one of those paths is never followed, never blocks pdttd, and is
# named in the error; the link's target is unchanged. At start a bad log,
# JSON log or state file stops pdttd; while running, the other outputs keep
# the counts. Also: the modes (log, JSON log, textfile 0640, the textfile in
# its directory's group, a new state directory 0750), and the order of a
# report: the state file is saved before any output is published.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
GROUP=$(test_uid 9)            # node_exporter's group, as a bare GID
LOG="$WORK/pdtt.log"
JSON="$WORK/pdtt.jsonl"
PROMDIR="$WORK/textfile"
PROM="$PROMDIR/pdtt.prom"
STATE="$WORK/statedir/state"
VICTIM="$WORK/victim"
mkdir "$PROMDIR"
chgrp "$GROUP" "$PROMDIR"
echo "nothing may write here" >"$VICTIM"

# write_config names $WORK/state: the state file here is in a directory pdttd creates.
write_config "interval = 1;" "json_log = \"$JSON\";" "prometheus_textfile = \"$PROM\";"
sed -i "s|^state_file = .*|state_file = \"$STATE\";|" "$WORK/pdtt.conf"

# plant KIND PATH: a symlink to the victim, a FIFO or a directory at PATH,
# made aside and renamed there: pdttd may write PATH again at any moment.
plant() {
	local made="$WORK/planted"
	rm -rf "$made"
	case $1 in
	symlink) ln -s "$VICTIM" "$made" ;;
	fifo) mkfifo "$made" ;;
	directory) mkdir "$made" ;;
	esac
	for _ in 1 2 3 4 5; do
		rm -rf "$2"
		mv -T "$made" "$2" 2>/dev/null && return 0
	done
	fail "cannot plant a $1 at $2"
}
# What pdttd must say it found.
said() {
	case $1 in
	symlink) echo "it is a symbolic link, not a regular file" ;;
	fifo) echo "it is a FIFO, not a regular file" ;;
	directory) echo "it is a directory, not a regular file" ;;
	esac
}
victim_unchanged() {
	[ "$(cat "$VICTIM")" = "nothing may write here" ] || fail "the link's target was written: $(head -c 200 "$VICTIM")"
}

# -- the modes, with good paths.
start_daemon
udp_transfer $U1 $U2 127.0.0.1 6401 3 100                  # 3 x 128
wait_next_report
wait_next_report
[ "$(stat -c %a "$WORK/statedir")" = 750 ] || fail "state directory mode $(stat -c %a "$WORK/statedir"), expected 750"
for f in "$LOG" "$JSON" "$PROM" "$STATE"; do
	[ "$(stat -c %a "$f")" = 640 ] || fail "$f has mode $(stat -c %a "$f"), expected 640"
done
[ "$(stat -c %g "$PROM")" = "$GROUP" ] || fail "$PROM has group $(stat -c %g "$PROM"), expected its directory's, $GROUP"
echo "ok: state directory 750; log, JSON log, textfile and state file 640; textfile group $GROUP (its directory's)"
expect_counts $U1 "384 3 0 0"

# -- the order of a report: from the timer's tick (T), the state file is
# renamed into place (S) before the log (L), the JSON log (J) or the textfile
# (P) is written.
if command -v strace >/dev/null 2>&1; then
	strace -f -qq -y -s 0 -o "$WORK/trace" -e trace=read,write,rename,renameat,renameat2 \
		-p "$DAEMON_PID" 2>/dev/null &
	STRACE_PID=$!
	on_cleanup "kill $STRACE_PID"
	sleep 0.5
	wait_next_report
	wait_next_report
	wait_next_report
	kill "$STRACE_PID"
	wait "$STRACE_PID" 2>/dev/null
	"$PYTHON" - "$WORK/trace" "$STATE" "$LOG" "$JSON" "$PROM" <<'PY' || fail "outputs published before the state file was saved"
import re, sys
trace, state, log, json, prom = sys.argv[1:]
events = []
for line in open(trace):
    if re.search(r"\bread\(\d+<anon_inode:\[timerfd\]>", line):
        events.append("T")
    elif re.search(r'rename(at2?)?\(.*"%s"' % re.escape(state), line):
        events.append("S")
    elif re.search(r'rename(at2?)?\(.*"%s"' % re.escape(prom), line):
        events.append("P")
    elif "write(" in line and "<%s>" % log in line:
        events.append("L")
    elif "write(" in line and "<%s>" % json in line:
        events.append("J")
seq = "".join(e for i, e in enumerate(events) if i == 0 or e != events[i - 1])
reports = seq.split("T")[1:-1]   # whole reports only
if len(reports) < 2 or any(r != "SLJP" for r in reports):
    sys.exit(f"report order {seq!r}: expected after each tick (T) the state file (S), then the log (L), JSON log (J) and textfile (P)")
print(f"ok: state file saved before the outputs in {len(reports)} reports ({seq})")
PY
else
	echo "note: strace is not installed: the order is not checked here"
fi

# -- while running: the JSON log, the textfile and the state file replaced by
# each kind in turn; the text log keeps the counts, the victim is untouched.
sent=3
for kind in symlink fifo directory; do
	for f in "$JSON" "$PROM" "$STATE"; do plant $kind "$f"; done
	udp_transfer $U1 $U2 127.0.0.1 6402 1 100
	sent=$((sent + 1))
	wait_next_report
	wait_next_report
	kill -0 "$DAEMON_PID" || fail "pdttd exited"
	expect_counts $U1 "$((sent * 128)) $sent 0 0"
	for f in "$JSON" "$PROM" "$STATE"; do
		grep -F "$f: $(said $kind)" "$WORK/stderr" >/dev/null ||
			fail "no error naming $f and what is there ($kind): $(tail -n 5 "$WORK/stderr")"
	done
	victim_unchanged
	echo "ok: $kind at the JSON log, textfile and state file: said, counting goes on"
	rm -rf "$JSON" "$PROM" "$STATE"
	wait_next_report
	wait_next_report
	[ -f "$JSON" ] && [ -f "$PROM" ] && [ -f "$STATE" ] || fail "the outputs did not come back after the $kind went"
done

# The text log itself: the textfile keeps the counts.
prom_has_sent() {
	grep -qx "pdtt_transmit_bytes_total{uid=\"$U1\",user=\"\",class=\"local\"} $((sent * 128))" "$PROM"
}
for kind in symlink fifo directory; do
	plant $kind "$LOG"
	udp_transfer $U1 $U2 127.0.0.1 6403 1 100
	sent=$((sent + 1))
	for _ in $(seq 100); do prom_has_sent && break; sleep 0.1; done
	prom_has_sent || fail "the textfile lost the count while the log was a $kind: $(grep "uid=\"$U1\"" "$PROM")"
	kill -0 "$DAEMON_PID" || fail "pdttd exited"
	grep -F "$LOG: $(said $kind)" "$WORK/stderr" >/dev/null ||
		fail "no error naming $LOG and what is there ($kind): $(tail -n 5 "$WORK/stderr")"
	victim_unchanged
	echo "ok: $kind at the log: said, the textfile has the counts"
	rm -rf "$LOG"
	wait_next_report
done
stop_daemon

# -- at start: a bad log, JSON log or state file stops pdttd (exit 1, no
# hang), naming the path and what is there.
for kind in symlink fifo directory; do
	for f in "$LOG" "$JSON" "$STATE"; do
		cp "$STATE" "$WORK/state.good" 2>/dev/null
		plant $kind "$f"
		rc=0
		timeout 20 "$PDTTD" -f -c "$WORK/pdtt.conf" >/dev/null 2>"$WORK/start.err" || rc=$?
		[ $rc = 124 ] && fail "pdttd hung at start with a $kind at $f"
		[ $rc = 1 ] || fail "pdttd with a $kind at $f exited $rc, expected 1: $(cat "$WORK/start.err")"
		grep -qF "$f: $(said $kind)" "$WORK/start.err" || fail "no error naming $f: $(cat "$WORK/start.err")"
		victim_unchanged
		rm -rf "$f"
		[ "$f" = "$STATE" ] && mv "$WORK/state.good" "$STATE"
	done
	echo "ok: $kind at the log, JSON log or state file: pdttd refuses to start and says so"
done
# A bad textfile at start: said, and pdttd counts on.
plant fifo "$PROM"
start_daemon
udp_transfer $U1 $U2 127.0.0.1 6404 1 100
sent=$((sent + 1))
wait_next_report
wait_next_report
grep -qF "$PROM: $(said fifo)" "$WORK/stderr" || fail "no error for the FIFO textfile at start"
expect_counts $U1 "$((sent * 128)) $sent 0 0"
stop_daemon
victim_unchanged
exit 0
