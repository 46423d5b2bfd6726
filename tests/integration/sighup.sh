#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP with a broken configuration: pdttd logs the error with file and line,
# keeps running with the configuration it had (its interval, its log), and
# keeps counting; a fixed file is then taken at the next SIGHUP.
. "$PDTT_TESTS/integration/lib.sh"
setup
U1=$(test_uid 1)
U2=$(test_uid 2)
CONF="$WORK/pdtt.conf"

start_daemon

# broken_reload LINES... : write a config with these lines appended, SIGHUP,
# wait for pdttd's answer.
broken_reload() {
	local before
	before=$(grep -c 'keeping the running configuration' "$WORK/stderr")
	write_config "$@"
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'keeping the running configuration' "$WORK/stderr")" -gt "$before" ] &&
			return 0
		sleep 0.1
	done
	fail "no answer to SIGHUP: $(tail -n 3 "$WORK/stderr")"
}

# Line 4 (after log_file, pin_path, state_file): out of range.
broken_reload "interval = 0;"
grep -q "^pdttd: $CONF:4: interval = 0 is out of range: expected an integer from 1 to 86400$" \
	"$WORK/stderr" || fail "no error with file and line: $(tail -n 3 "$WORK/stderr")"
echo "ok: $(grep "$CONF:4:" "$WORK/stderr")"
# Line 5: a syntax error; also a log_file change that must not be taken.
broken_reload "log_file2 = 1;" "interval = ;"
grep -q "^pdttd: $CONF:5: syntax error$" "$WORK/stderr" ||
	fail "no error with file and line: $(tail -n 3 "$WORK/stderr")"
echo "ok: $(grep "$CONF:5:" "$WORK/stderr")"
# An @include of a directory (libconfig 1.5 would exit the process).
broken_reload "@include \"/\""
grep -q "^pdttd: $CONF:4: @include \"/\" is not a regular file" "$WORK/stderr" ||
	fail "no error with file and line: $(tail -n 3 "$WORK/stderr")"
echo "ok: $(grep "$CONF:4: @include" "$WORK/stderr")"

kill -0 "$DAEMON_PID" || fail "pdttd died on a broken configuration"
udp_transfer $U1 $U2 127.0.0.1 6101 6 100       # 6 x 128
# Still reporting every second, to the same log.
before=$(report_count)
sleep 3.5
[ "$(report_count)" -ge $((before + 2)) ] || fail "reports stopped or slowed after the broken reload"
expect_counts $U1 "768 6 0 0"
echo "ok: still running with the old configuration, counting"

# Fixed: taken.
write_config "interval = 2;"
kill -HUP "$DAEMON_PID"
for _ in $(seq 50); do
	grep -q "reloaded $CONF" "$WORK/stderr" && break
	sleep 0.1
done
grep -q "reloaded $CONF" "$WORK/stderr" || fail "the fixed configuration was not reloaded"
stop_daemon
exit 0
