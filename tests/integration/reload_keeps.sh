#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP while the configuration file is missing, unreadable or invalid keeps
# the running configuration, and says why: the JSON log and the textfile go
# on (the textfile is not removed) and local_networks still classifies as
# before. Only a valid file changes anything. (A missing file at start still
# means the built-in defaults.)
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
setup_peer
U1=$(test_uid 1)
U2=$(test_uid 2)
CONF="$WORK/pdtt.conf"
JSON="$WORK/pdtt.jsonl"
PROM="$WORK/pdtt.prom"
sent_local=0
sent_external=0

write_config "interval = 1;" "json_log = \"$JSON\";" "prometheus_textfile = \"$PROM\";" \
	'local_networks = [ "10.199.1.0/24" ];'
start_daemon

# hup_refused WHY: SIGHUP; wait until pdttd says WHY and that it keeps its configuration.
hup_refused() {
	local before
	before=$(grep -c 'reload: keeping the running configuration' "$WORK/stderr")
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'reload: keeping the running configuration' "$WORK/stderr")" -gt "$before" ] &&
			break
		sleep 0.1
	done
	[ "$(grep -c 'reload: keeping the running configuration' "$WORK/stderr")" -gt "$before" ] ||
		fail "no answer to SIGHUP: $(tail -n 3 "$WORK/stderr")"
	grep -qF -- "$1" "$WORK/stderr" || fail "pdttd did not say '$1': $(tail -n 3 "$WORK/stderr")"
	echo "ok: said: $(grep -F -- "$1" "$WORK/stderr" | tail -n 1)"
}

# still_running: the outputs all go on, split by the old local_networks.
still_running() {
	local json_before
	json_before=$(wc -l <"$JSON")
	udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.1.2 6601 2 100    # local:    2 x 128
	udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.2.2 6602 1 100    # external: 1 x 128
	sent_local=$((sent_local + 2))
	sent_external=$((sent_external + 1))
	wait_next_report
	wait_next_report
	expect_class $U1 Local "$((sent_local * 128)) $sent_local 0 0"
	expect_class $U1 External "$((sent_external * 128)) $sent_external 0 0"
	[ "$(wc -l <"$JSON")" -gt "$json_before" ] || fail "the JSON log stopped"
	[ -f "$PROM" ] || fail "the textfile was removed"
	grep -qx "pdtt_transmit_bytes_total{uid=\"$U1\",user=\"\",class=\"local\"} $((sent_local * 128))" "$PROM" ||
		fail "the textfile stopped: $(grep "uid=\"$U1\"" "$PROM")"
	kill -0 "$DAEMON_PID" || fail "pdttd exited"
}

still_running
rm "$CONF"
hup_refused "$CONF does not exist"
still_running
echo "ok: a missing file changed nothing"

# root reads any file whatever its mode: unreadable, to root, is a directory.
mkdir "$CONF"
hup_refused "$CONF: cannot read"
still_running
rmdir "$CONF"
echo "ok: an unreadable file changed nothing"

write_config "interval = 1;" "local_networks = [ \"10.199.2.0/24\" ];" "json_log = 7;"
hup_refused "$CONF:6: json_log = 7 has the wrong type"
still_running
echo "ok: an invalid file changed nothing"

# A valid one is taken: no JSON log, no textfile, the other network local.
reload_daemon "interval = 1;" 'local_networks = [ "10.199.2.0/24" ];'
wait_next_report
[ ! -e "$PROM" ] || fail "the textfile stayed after prometheus_textfile was removed"
udp_between "$NETNS" $U1 "$PEER_NS" $U2 10.199.2.2 6603 1 100
sent_local=$((sent_local + 1))
wait_next_report
wait_next_report
expect_class $U1 Local "$((sent_local * 128)) $sent_local 0 0"
echo "ok: a valid file is taken"
stop_daemon
exit 0
