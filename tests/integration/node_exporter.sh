#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Prometheus textfile as Prometheus gets it: Debian's node exporter, run
# as an unprivileged UID inside the test's network namespace (so its port is
# reachable from nowhere else) with only the textfile collector, on the
# textfile's directory; scraped with curl, it serves pdtt's metrics with the
# exact values, reports no textfile error, and follows the next report.
. "$PDTT_TESTS/integration/lib.sh"
setup
. "$PDTT_TESTS/integration/lib_reports.sh"
EXPORTER=$(command -v prometheus-node-exporter || command -v node_exporter) ||
	skip "needs prometheus-node-exporter (Debian) or node_exporter"
command -v curl >/dev/null 2>&1 || skip "needs curl"
U1=$(test_uid 1)
U2=$(test_uid 2)
U9=$(test_uid 9)
DIR="$WORK/textfile"
mkdir "$DIR"
# The textfile is 0640 in its directory's group: the exporter reads it as that group.
chgrp "$U9" "$DIR"
ADDR=127.0.0.1:9100    # in the test's own network namespace

write_config "interval = 1;" "prometheus_textfile = \"$DIR/pdtt.prom\";"
start_daemon
udp_transfer $U1 $U2 127.0.0.1 6301 7 500                   # 7 x 528
wait_next_report

# Not through a shell function: $! must be the exporter itself (ip and setpriv exec it).
ip netns exec "$NETNS" setpriv --reuid "$U9" --regid "$U9" --clear-groups \
	"$EXPORTER" --web.listen-address=$ADDR --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$DIR" >"$WORK/exporter.log" 2>&1 &
EXPORTER_PID=$!
scrape() {
	ip netns exec "$NETNS" curl -sf --max-time 5 "http://$ADDR/metrics"
}
for _ in $(seq 100); do
	scrape >/dev/null && break
	kill -0 "$EXPORTER_PID" 2>/dev/null || fail "the node exporter exited: $(cat "$WORK/exporter.log")"
	sleep 0.1
done
metrics=$(scrape) || fail "cannot scrape the node exporter at $ADDR: $(cat "$WORK/exporter.log")"
samples=$(prom_samples <<<"$metrics")
expect_sample "$samples" "node_textfile_scrape_error 0"
expect_user_samples "$samples" $U1 local "3696 7 0 0"
expect_user_samples "$samples" $U1 external "0 0 0 0"
expect_user_samples "$samples" $U2 local "0 0 3696 7"
expect_sample "$samples" "pdtt_max_users 1024"
expect_sample "$samples" "pdtt_bucket_transmit_bytes_total{bucket=\"overflow\",class=\"external\"} 0"
grep -q '^# TYPE pdtt_transmit_bytes_total counter$' <<<"$metrics" || fail "no counter TYPE in the scrape"

# The next report reaches the next scrape.
udp_transfer $U1 $U2 ::1 6302 3 52                         # 3 x 100
wait_next_report
samples=$(scrape | prom_samples)
expect_user_samples "$samples" $U1 local "3996 10 0 0"
stop_daemon
exit 0
