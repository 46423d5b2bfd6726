#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, end to end, on this machine:
#  - build it from the `make dist` tarball (dpkg-buildpackage -us -uc -b, whose
#    dh_auto_test runs make check-unit), lintian --fail-on error,warning;
#  - install it with service actions forbidden (policy-rc.d, as on these
#    machines), point /etc/pdtt.conf at a pin_path of this test, then start
#    pdttd through the init script (service actions are allowed in a private
#    mount namespace); systemd-analyze verify of the installed unit;
#  - the init script's actions, with start-stop-daemon and without it (as on
#    RHEL); traffic of a test UID is in /var/log/pdtt_stats.log, the JSON
#    log and the Prometheus file (the test makes all the traffic its checks
#    need: on a quiet machine nothing else would); reinstalling
#    (as an upgrade does) restarts pdttd, keeps the conffile and the counts;
#  - logrotate -f with the installed configuration: pdttd reopens its log on
#    the init script's reload, no report is lost or split, totals continue;
#  - purge while pdttd runs: nothing of pdtt is left (files, pins, programs).
# Runs only with PDTT_TEST_PACKAGING containing "deb".
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/packaging/lib.sh"
want_packaging deb
require_root_and_bpf
[ ! -d /run/systemd/system ] ||
	hard_error "systemd runs this machine: this test drives the SysV init script and would fight systemd over pdtt.service; run it in a container (as CI does)"
need_tools dpkg-buildpackage dh lintian dpkg invoke-rc.d update-rc.d logrotate \
	systemd-analyze unshare flock zcat

LOG=/var/log/pdtt_stats.log
JSONL=/var/log/pdtt/pdtt.jsonl # json_log where pdtt.conf suggests it
CONF=/etc/pdtt.conf
INIT=/etc/init.d/pdtt
# The installed pdttd pins here, not in the default /sys/fs/bpf/pdtt, which a
# pdttd run by hand on this machine may use.
PINS=/sys/fs/bpf/pdtt-test-pkg-$$
DEFAULT_PINS=/sys/fs/bpf/pdtt
KEPT_PINS=/sys/fs/bpf/pdtt-kept-by-test-pkg-$$
# What the package installs or makes; all of it must be gone after the purge.
INSTALLED="/usr/sbin/pdttd /usr/sbin/pdtt /usr/share/man/man8/pdtt.8.gz $CONF /etc/logrotate.d/pdtt $INIT /lib/systemd/system/pdtt.service
	/usr/lib/systemd/system/pdtt.service /run/pdtt.pid /usr/share/doc/pdtt
	/usr/share/man/man8/pdttd.8.gz /usr/share/man/man5/pdtt.conf.5.gz
	/etc/systemd/system/multi-user.target.wants/pdtt.service"
LEFTOVERS="$INSTALLED /var/lib/pdtt /var/log/pdtt $PINS"

# This test installs and purges pdtt system-wide: never over a real one.
if dpkg-query -W -f='${Status}' pdtt 2>/dev/null | grep -qv 'not-installed'; then
	hard_error "the pdtt package is installed here: this test would purge it; remove it first"
fi
for f in $INSTALLED; do
	[ ! -e "$f" ] || hard_error "$f exists (pdtt installed by hand?): this test would replace it; remove it first"
done
# of_this_host /proc/PID: the process is in this PID namespace, not in a
# container (systemd-nspawn, as tests/packaging/systemd.sh boots), whose
# /usr/sbin/pdttd and /var/log are its own and look the same from here.
SELF_PIDNS=$(readlink /proc/self/ns/pid)
of_this_host() {
	[ "$(readlink "$1/ns/pid" 2>/dev/null)" = "$SELF_PIDNS" ]
}
for fd in $(find /proc/[0-9]*/fd -lname "$LOG*" 2>/dev/null); do
	of_this_host "${fd%/fd/*}" &&
		hard_error "a process (a pdttd run by hand?) writes $LOG: stop it first"
done

WORK=$(mktemp -d /tmp/pdtt-pkg-deb.XXXXXX)
chmod 755 "$WORK" # test UIDs run traffic.py from here (use_readable_helpers)
use_readable_helpers
NETNS="pdtt-pkg-$$"
POLICY_CREATED=""

# The pdttd the package runs, found by its command line.
package_daemon_pids() {
	local dir
	for dir in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' 2>/dev/null <"$dir/cmdline")" = "/usr/sbin/pdttd -c $CONF " ] &&
			of_this_host "$dir" && echo "${dir#/proc/}"
	done
	return 0
}

cleanup_deb() {
	local rc=$? pid
	trap - EXIT
	set +e
	[ -z "$POLICY_CREATED" ] || rm -f /usr/sbin/policy-rc.d
	if dpkg-query -W -f='${Status}' pdtt 2>/dev/null | grep -qv 'not-installed'; then
		allowed dpkg --purge pdtt >>"$WORK/cleanup.log" 2>&1 ||
			allowed dpkg --purge --force-all pdtt >>"$WORK/cleanup.log" 2>&1
	fi
	# Whatever the purge could not stop or remove: this test made it.
	# (Removing the pins of the links detaches the programs.)
	for pid in $(package_daemon_pids); do kill -KILL "$pid"; done
	rm -rf "$PINS" /var/lib/pdtt
	rm -f "$LOG" "$LOG".* /run/pdtt.pid
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	rm -rf /var/log/pdtt
	# Back what was kept aside.
	for f in "$WORK"/saved/var/log/* "$WORK"/saved/var/lib/*; do
		[ ! -e "$f" ] || mv "$f" "${f#"$WORK/saved"}"
	done
	[ ! -e "$KEPT_PINS" ] || [ -e "$DEFAULT_PINS" ] || mv "$KEPT_PINS" "$DEFAULT_PINS"
	if [ $rc -ne 0 ]; then
		for f in "$WORK"/*.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
		done >&2
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup_deb EXIT
trap 'exit 1' INT TERM

# The default log and state of a pdttd run by hand: kept aside meanwhile.
mkdir -p "$WORK/saved/var/log" "$WORK/saved/var/lib"
for f in "$LOG" "$LOG".* /var/lib/pdtt /var/log/pdtt; do
	[ ! -e "$f" ] || mv "$f" "$WORK/saved$f" || fail "cannot move $f aside"
done
# Its pins too (renamed within the bpffs, where they keep counting): a purge
# after a failure before /etc/pdtt.conf is edited unloads the default
# pin_path, which must then hold nothing but this test's.
[ ! -e "$DEFAULT_PINS" ] || mv "$DEFAULT_PINS" "$KEPT_PINS" || fail "cannot move $DEFAULT_PINS aside"

# allowed CMD...: CMD where policy-rc.d allows service actions: the
# machine's own one covered by this test's in a private mount namespace (a
# daemon started there keeps that namespace; the pins and the log are on file
# systems it shares with the host), or, on a machine without one, this
# test's for the time of CMD. It must be there: without it and without a
# runlevel (no init of the SysV kind runs these machines), invoke-rc.d
# silently runs nothing.
printf '#!/bin/sh\nexit 0\n' >"$WORK/policy-rc.d"
chmod 755 "$WORK/policy-rc.d"
allowed() {
	local rc=0

	if [ -e /usr/sbin/policy-rc.d ] && [ -z "$POLICY_CREATED" ]; then
		unshare --mount --propagation private /bin/sh -c '
			mount --bind "$0" /usr/sbin/policy-rc.d || exit 99
			exec "$@"' "$WORK/policy-rc.d" "$@"
		return
	fi
	cp "$WORK/policy-rc.d" /usr/sbin/policy-rc.d && POLICY_CREATED=1 || return 99
	"$@" || rc=$?
	rm -f /usr/sbin/policy-rc.d && POLICY_CREATED=""
	return $rc
}

# rhel_like CMD...: CMD where start-stop-daemon and the LSB functions are
# missing, as on the RHEL family.
rhel_like() {
	unshare --mount --propagation private /bin/sh -c '
		for f in /usr/sbin/start-stop-daemon /sbin/start-stop-daemon /lib/lsb/init-functions; do
			[ ! -e "$f" ] || mount --bind /dev/null "$f" || exit 99
		done
		exec "$@"' rhel_like "$@"
}

# well_formed FILE: whole reports only (header, then 5-line UID blocks).
well_formed() {
	awk -v f="$1" '
		function bad(why) { printf "%s:%d: %s: %s\n", f, FNR, why, $0; err = 1; exit 1 }
		FNR == 1 && !/^=== Network Statistics Report \[.*\] ===$/ { bad("does not start with a report header") }
		/^=== Network Statistics Report \[.*\] ===$/ { if (want) bad("report cut before"); next }
		!want && /^UID: / { want = "  TX: "; next }
		want && index($0, want) == 1 {
			want = want == "  TX: " ? "  RX: " : want == "  RX: " ? "  Total: " : want == "  Total: " ? "---" : ""
			next
		}
		{ bad("unexpected line") }
		END { if (!err && want) { printf "%s: ends inside a report\n", f; exit 1 } }
	' "$1" >&2 || fail "$1 holds a cut or garbled report"
}

# set_interval N: in /etc/pdtt.conf (a conffile the admin edits).
set_interval() {
	sed -i '/^interval = /d' "$CONF"
	echo "interval = $1;" >>"$CONF"
}

### Build and lint.
tarball=$(make_dist "$WORK")
tar -C "$WORK" -xzf "$tarball"
src=$(ls -d "$WORK"/pdtt-*/)
digest=$(source_digest "$src")
echo "dpkg-buildpackage -us -uc -b (with dh_auto_test: make check-unit) ..."
(
	nested_build_env
	cd "$src" && flock -o "$PKG_LOCK" dpkg-buildpackage -us -uc -b
) >"$WORK/build.log" 2>&1 || {
	tail -n 80 "$WORK/build.log" >&2
	fail "dpkg-buildpackage failed"
}
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$WORK/build.log" | sed 's/^/  dh_auto_test /'
deb=$(ls "$WORK"/pdtt_*.deb)
changes=$(ls "$WORK"/pdtt_*.changes)
echo "ok: built $(basename "$deb")"
deb_cache_put "$digest" "$deb" || fail "cannot keep $deb in $DEB_CACHE"
lintian --fail-on error,warning --display-info "$changes" >"$WORK/lintian.log" 2>&1 || {
	cat "$WORK/lintian.log" >&2
	fail "lintian found errors or warnings"
}
grep -v 'running with root privileges' "$WORK/lintian.log"
echo "ok: lintian --fail-on error,warning"

### Install with service actions forbidden (policy-rc.d), as on these
### machines: nothing starts. Then this test's pin_path, and a start through
### the init script where service actions are allowed.
printf '#!/bin/sh\nexit 101\n' >"$WORK/policy-deny"
chmod 755 "$WORK/policy-deny"
if [ -e /usr/sbin/policy-rc.d ]; then
	run_logged "$WORK/install.log" unshare --mount --propagation private /bin/sh -c '
		mount --bind "$0" /usr/sbin/policy-rc.d && exec dpkg -i "$1"' "$WORK/policy-deny" "$deb"
else # a machine without one: this test's, for the time of the install
	cp "$WORK/policy-deny" /usr/sbin/policy-rc.d && POLICY_CREATED=1
	run_logged "$WORK/install.log" dpkg -i "$deb"
	rm -f /usr/sbin/policy-rc.d && POLICY_CREATED=""
fi
[ -z "$(package_daemon_pids)" ] || fail "the postinst started pdttd although policy-rc.d forbids it"
for f in /usr/sbin/pdttd /usr/sbin/pdtt $CONF /etc/logrotate.d/pdtt $INIT /var/lib/pdtt \
	/usr/share/man/man8/pdttd.8.gz /usr/share/man/man8/pdtt.8.gz /usr/share/man/man5/pdtt.conf.5.gz; do
	[ -e "$f" ] || fail "the package did not install $f"
done
unit=$(dpkg -L pdtt | grep '/systemd/system/pdtt.service$') || fail "no pdtt.service in the package"
[ "$(stat -c %a /var/lib/pdtt)" = 750 ] || fail "/var/lib/pdtt is not mode 0750"
grep -qx "$CONF" /var/lib/dpkg/info/pdtt.conffiles || fail "$CONF is not a conffile"
ls /etc/rc2.d/S*pdtt >/dev/null 2>&1 || fail "update-rc.d did not enable the init script"
systemd-analyze verify "$unit" >"$WORK/verify.log" 2>&1 || {
	cat "$WORK/verify.log" >&2
	fail "systemd-analyze verify $unit"
}
echo "ok: installed, not started (policy-rc.d); systemd-analyze verify $unit passes;" \
	"$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | tail -n 1 | sed 's/^→ //')"

# The admin's changes to the conffile: this test's pin_path, reports every
# second, the JSON log (in /var/log/pdtt, from the package) and the
# Prometheus file (its directory must exist).
[ -d /var/log/pdtt ] || fail "the package did not make /var/log/pdtt"
mkdir "$WORK/prom"
PROM="$WORK/prom/pdtt.prom"
{
	echo "pin_path = \"$PINS\";"
	echo "json_log = \"$JSONL\";"
	echo "prometheus_textfile = \"$PROM\";"
} >>"$CONF"
set_interval 1
run_logged "$WORK/start.log" allowed invoke-rc.d pdtt start
"$INIT" status || fail "status after start: $?"
pid=$(cat /run/pdtt.pid)
[ -e "$PINS/link_sock_ingress" ] || fail "pdttd runs but $PINS/link_sock_ingress is missing"
# Traffic of this test's own, so that the outputs have a user to show
# whether or not anything else on the machine talks.
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
U4=$(test_uid 4)
ip netns add "$NETNS" || fail "cannot create network namespace $NETNS"
ip -n "$NETNS" link set lo up
udp_transfer "$U3" "$U4" 127.0.0.1 5100 10 1000 # 10 x 1028 bytes
# The JSON log and the Prometheus file are written after the text report:
# the first report may have read the counters before the traffic ended, the
# second one surely after, and once a third has begun, the second one's are
# surely there.
wait_report "$LOG" 3
expect_counts "$U3" "10280 10 0 0" "$LOG"
json=$("$PYTHON" "$PDTT_TESTS/integration/jsonl_check.py" --host "$(hostname)" \
	--max-interval 60 --nameless "$U3" --show "$U3" "$JSONL") || fail "$JSONL: $json"
[ "$json" = "$U3 10280 10 0 0" ] || fail "UID $U3 in $JSONL: $json"
grep -qx "pdtt_transmit_bytes_total{uid=\"$U3\",user=\"\",class=\"local\"} 10280" "$PROM" ||
	fail "UID $U3's 10280 bytes are not in $PROM: $(grep "uid=\"$U3\"" "$PROM")"
echo "ok: pdttd (PID $pid) started through the init script reports UID $U3 in $LOG, $JSONL and $PROM"

### Init script actions.
run_logged "$WORK/reload.log" allowed invoke-rc.d pdtt reload
[ "$(cat /run/pdtt.pid)" = "$pid" ] || fail "reload replaced the daemon"
run_logged "$WORK/restart.log" allowed invoke-rc.d pdtt restart
newpid=$(cat /run/pdtt.pid)
[ "$newpid" != "$pid" ] && kill -0 "$newpid" || fail "restart did not start a new pdttd"
kill -0 "$pid" 2>/dev/null && fail "restart left the old pdttd $pid running"
run_logged "$WORK/start.log" "$INIT" start # already running: success, no second one
[ "$(package_daemon_pids | wc -l)" = 1 ] || fail "start while running made another pdttd"
"$INIT" force-reload >/dev/null || fail "force-reload failed"
# Without start-stop-daemon and LSB functions (RHEL family).
run_logged "$WORK/rhel.log" rhel_like "$INIT" restart
rhel_like "$INIT" status >/dev/null || fail "status (RHEL-like) of a running pdttd: $?"
rhel_like "$INIT" reload >/dev/null || fail "reload (RHEL-like) failed"
run_logged "$WORK/rhel.log" rhel_like "$INIT" stop
rc=0
"$INIT" status >/dev/null || rc=$?
[ $rc = 3 ] || fail "status of a stopped pdttd is $rc, not 3"
rc=0
"$INIT" reload >/dev/null || rc=$?
[ $rc = 7 ] || fail "reload of a stopped pdttd is $rc, not 7"
[ -e "$PINS/link_sock_ingress" ] || fail "stopping pdttd removed its pins (counting must go on)"
run_logged "$WORK/start.log" rhel_like "$INIT" start
"$INIT" status >/dev/null || fail "status after the RHEL-like start"
echo "ok: reload, restart, start, force-reload, stop, status, with and without start-stop-daemon"

### Traffic of a test UID, counted exactly.
udp_transfer "$U1" "$U2" 127.0.0.1 5101 100 1000 # 100 x 1028 bytes
wait_report "$LOG" 2
expect_counts "$U1" "102800 100 0 0" "$LOG"
expect_counts "$U2" "0 0 102800 100" "$LOG"
# The installed pdtt command reads the same totals from the installed pins.
/usr/sbin/pdtt show --json --user "$U1" | "$PYTHON" -c '
import json, sys
doc = json.load(sys.stdin)
u = [x for x in doc["users"] if x["uid"] == int(sys.argv[1])][0]["cumulative"]
assert (u["tx_bytes"], u["tx_packets"]) == (102800, 100), u' "$U1" ||
	fail "the installed pdtt show does not give the log's totals"
/usr/sbin/pdtt status | grep -q "mode" || fail "the installed pdtt status says no mode"
echo "ok: the installed pdtt show and status read the installed daemon's pins"

# Reinstalling, as an upgrade does: the postinst restarts pdttd, the edited
# conffile stays, counting goes on from the same pins.
pid=$(cat /run/pdtt.pid)
run_logged "$WORK/upgrade.log" allowed dpkg -i "$deb"
grep -q '^Restarting pdtt' "$WORK/upgrade.log" || fail "the postinst did not restart pdtt: $(cat "$WORK/upgrade.log")"
[ "$(cat /run/pdtt.pid)" != "$pid" ] || fail "the upgrade did not restart pdttd"
grep -qx "pin_path = \"$PINS\";" "$CONF" || fail "the upgrade lost the change to $CONF"
wait_report "$LOG" 2
expect_counts "$U1" "102800 100 0 0" "$LOG"
echo "ok: reinstall restarted pdttd, kept $CONF, counts continue"

### Rotation with the installed configuration, at full speed (1 s reports):
### no report may be lost or cut.
run_logged "$WORK/logrotate.log" allowed logrotate -f -s "$WORK/logrotate.state" /etc/logrotate.d/pdtt
[ -s "$LOG.1" ] || fail "logrotate did not rotate $LOG"
wait_report "$LOG" 2
well_formed "$LOG.1"
well_formed "$LOG"
expect_counts "$U1" "102800 100 0 0" "$LOG"
# The JSON log rotated with it (one postrotate for both), whole lines only.
[ -s "$JSONL.1" ] || fail "logrotate did not rotate $JSONL"
for _ in $(seq 50); do
	[ -s "$JSONL" ] && break
	sleep 0.1
done
[ -s "$JSONL" ] || fail "no report in the new $JSONL after the rotation"
"$PYTHON" -c '
import json, sys
for name in sys.argv[1:]:
    for n, line in enumerate(open(name), 1):
        json.loads(line)
' "$JSONL.1" "$JSONL" || fail "a JSON line is cut across the rotation"
echo "ok: rotated at full speed; both files hold whole reports; totals go on in the new log"

# The reopening comes from the init script's reload (SIGHUP), not from pdttd
# noticing the moved file at its next report: with reports 30 s apart, the
# new (empty) log appears at once.
set_interval 30
"$INIT" reload >/dev/null || fail "reload failed"
sleep 1
before=$(reports_in "$LOG")
run_logged "$WORK/logrotate.log" allowed logrotate -f -s "$WORK/logrotate.state" /etc/logrotate.d/pdtt
[ -s "$LOG.2.gz" ] || fail "the second rotation did not compress $LOG.1 into $LOG.2.gz"
for _ in $(seq 50); do
	[ -e "$LOG" ] && break
	sleep 0.1
done
[ -e "$LOG" ] || fail "pdttd did not reopen $LOG on the postrotate reload"
[ ! -s "$LOG" ] || fail "$LOG was written before the next report was due"
[ "$(reports_in "$LOG.1")" = "$before" ] || fail "a report went to the rotated file"
zcat "$LOG.2.gz" >"$WORK/log.2" && well_formed "$WORK/log.2"
[ "$(stat -c %a "$LOG")" = 640 ] || fail "the new log is not mode 0640"
# More traffic, then a report: in the new file, totals continued.
udp_transfer "$U1" "$U2" 127.0.0.1 5102 50 1000 # 50 x 1028 bytes
set_interval 1
"$INIT" reload >/dev/null || fail "reload failed"
wait_report "$LOG"
well_formed "$LOG"
expect_counts "$U1" "154200 150 0 0" "$LOG"
expect_counts "$U2" "0 0 154200 150" "$LOG"
echo "ok: postrotate reloads pdttd through the init script; totals continue across rotations"

### Purge while pdttd runs: it is stopped, its programs unloaded, all removed.
[ -n "$(package_daemon_pids)" ] || fail "pdttd is not running before the purge"
ids=$(pinned_link_ids "$PINS")
run_logged "$WORK/purge.log" allowed dpkg --purge pdtt
grep -q '^Stopping pdtt' "$WORK/purge.log" || fail "the prerm did not stop pdtt: $(cat "$WORK/purge.log")"
[ -z "$(package_daemon_pids)" ] || fail "pdttd still runs after the purge"
dpkg-query -W -f='${Status}' pdtt 2>/dev/null | grep -qv 'not-installed' &&
	fail "dpkg still knows pdtt: $(dpkg-query -W -f='${Status}' pdtt)"
for f in $LEFTOVERS $LOG; do
	[ ! -e "$f" ] || fail "$f is left after the purge"
done
ls "$LOG".* >/dev/null 2>&1 && fail "rotated logs are left: $(ls "$LOG".*)"
[ ! -e "$PROM" ] || fail "the Prometheus file $PROM is left after the removal"
ls /etc/rc?.d/*pdtt >/dev/null 2>&1 && fail "init links are left: $(ls /etc/rc?.d/*pdtt)"
expect_detached "$ids"
echo "ok: purged: no pdtt file, pin, link, program or process left (links and programs" $ids "gone)"
exit 0
