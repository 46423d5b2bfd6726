#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package under a real systemd, as users run it: a minimal Debian
# 12 tree (debootstrap from the archive the machine's apt uses, cached in
# /var/cache/pdtt-nspawn) booted with systemd-nspawn, its systemd as PID 1.
#  - dpkg -i the .deb built from `make dist`, systemctl start, is-active;
#    systemd-analyze security of the installed unit;
#  - a test UID's traffic on the container's loopback, in the log;
#  - systemctl reload, and logrotate through it;
#  - systemctl restart: counts continue;
#  - kill -9 of the main process: systemd restarts it, nothing is lost;
#  - a broken configuration: start fails with exit status 2 and stays
#    failed, no restart loop;
#  - upgrade to a rebuilt package (the version bumped in a copy);
#  - apt-get purge: no pin, link, program, file, user or process of pdtt left.
# When a step fails, the journal of pdtt.service since that step began is
# shown. The container, its cgroups and mounts go in the trap: its mounts
# (the tree's overlay, its own bpffs) live in a private mount namespace and
# die with it, so its pins and programs go too.
#
# The .deb is the one deb.sh built from the same files, or built here without
# dh_auto_test. Runs only with PDTT_TEST_PACKAGING containing "systemd"; where it
# cannot run (no systemd-nspawn, no archive to debootstrap from) it says why
# and skips, except under CI=true, where that is an error.
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/packaging/lib.sh"
. "$PDTT_TESTS/packaging/lib_nspawn.sh"
want_packaging systemd

need_nspawn dpkg-buildpackage dpkg-deb

# What the tree holds besides minbase: systemd as init, and pdtt's run-time
# dependencies (libsystemd0 comes with systemd).
TREE_KIND=bookworm
TREE_PACKAGES=systemd,systemd-sysv,dbus,libbpf1,libconfig9,libsqlite3-0,logrotate
NAME="pdtt-test-nspawn-$$"
CG="$CGROOT/$NAME"
LOG=/var/log/pdtt_stats.log
CONF=/etc/pdtt.conf
PINS=/sys/fs/bpf/pdtt
STEP=""
STEP_SINCE=""

# step WHAT: say it; a failure from now on shows the journal since then.
step() {
	STEP=$1
	STEP_SINCE=$(in_ct date '+%Y-%m-%d %H:%M:%S')
	echo "--- $STEP"
}

cleanup_ct() {
	local rc=$?
	trap - EXIT
	set +e
	if [ $rc -ne 0 ] && [ -n "$CT_PID" ] && kill -0 "$CT_PID" 2>/dev/null; then
		{
			echo "--- journalctl -u pdtt since the step '$STEP' began ($STEP_SINCE)"
			in_ct journalctl -u pdtt --no-pager --since "$STEP_SINCE" | tail -n 60
			echo "--- systemctl status pdtt"
			in_ct systemctl status --no-pager pdtt 2>&1 | head -n 20
		} >&2
	fi
	end_ct $rc
}

new_work systemd cleanup_ct
make_tree

### Two packages: this tree's, from `make dist` (the one deb.sh built from
### the same files, or built here without make check-unit, which deb.sh's
### build runs), and, for the upgrade, the same one repacked with a higher
### version: the upgrade runs the maintainer scripts of both.
tarball=$(make_dist "$WORK")
mkdir "$WORK/debs"
tar -C "$WORK" -xzf "$tarball"
src=$(ls -d "$WORK"/pdtt-*/)
if deb_cache_get "$(source_digest "$src")" "$WORK/debs/pdtt-1.deb"; then
	echo "the .deb deb.sh built from the same files"
else
	echo "dpkg-buildpackage -b (nocheck) ..."
	(
		nested_build_env
		export DEB_BUILD_OPTIONS=nocheck
		cd "$src" && flock -o "$PKG_LOCK" dpkg-buildpackage -us -uc -b -Pnocheck
	) >"$WORK/build.log" 2>&1 || {
		tail -n 60 "$WORK/build.log" >&2
		fail "dpkg-buildpackage failed"
	}
	cp "$WORK"/pdtt_*.deb "$WORK/debs/pdtt-1.deb"
fi
version=$(dpkg-deb -f "$WORK/debs/pdtt-1.deb" Version)
version2="$version+upgradetest1"
dpkg-deb -R "$WORK/debs/pdtt-1.deb" "$WORK/repack" || fail "dpkg-deb -R failed"
sed -i "s/^Version: .*/Version: $version2/" "$WORK/repack/DEBIAN/control"
run_logged "$WORK/repack.log" dpkg-deb --root-owner-group -b "$WORK/repack" "$WORK/debs/pdtt-2.deb"
echo "ok: built pdtt $version and $version2"

### Boot. The boot script runs in a mount namespace of its own (unshare -m):
### the overlay over the cached tree and the bpffs it mounts there are seen
### by the container only, and go when it stops.
boot_ct --bind-ro="$WORK/debs:/root/pdtt-debs"
CT_ROOT=/proc/$CT_PID/root
echo "ok: container $NAME booted (systemd $(in_ct systemctl --version | awk 'NR == 1 { print $2 }'), PID 1 is $CT_PID here)"
in_ct cat /etc/passwd /etc/group >"$WORK/accounts.before"

# unit PROPERTY: its value for pdtt.service.
unit() {
	in_ct systemctl show -p "$1" --value pdtt.service
}

# wait_active: until pdtt.service is active with a main process.
wait_active() {
	for _ in $(seq 300); do
		[ "$(unit ActiveState)" = active ] && [ "$(unit MainPID)" != 0 ] && return 0
		sleep 0.1
	done
	fail "pdtt.service is not active within 30 s: $(unit ActiveState)/$(unit SubState)"
}

# expect_sent UID "BYTES PACKETS" WHEN: two reports on, UID's sent totals in
# the log are these.
expect_sent() {
	local got
	wait_report "$CT_ROOT$LOG" 2
	got=$(counts_of "$1" "$CT_ROOT$LOG")
	[ "${got% * *}" = "$2" ] || fail "$3: UID $1 sent '${got% * *}', expected '$2' (bytes packets)"
}

# ct_traffic UID COUNT SIZE: COUNT datagrams of SIZE bytes from UID to the
# container's loopback (discard port, nobody listens: only the sent bytes are
# UID's), run by the container's systemd so that they are in its cgroups,
# which pdttd counts.
ct_traffic() {
	in_ct systemd-run --quiet --wait --pipe setpriv --reuid "$1" --regid "$1" --clear-groups \
		/bin/bash -c '
		for _ in $(seq "$1"); do printf "%*s" "$2" "" >/dev/udp/127.0.0.1/9 || exit 1; done' \
		traffic "$2" "$3" </dev/null || fail "traffic of UID $1 in the container failed"
}

### Install: the postinst enables and starts pdtt.service.
step "dpkg -i, systemctl start"
run_logged "$WORK/install.log" in_ct dpkg -i /root/pdtt-debs/pdtt-1.deb
wait_active
[ "$(in_ct systemctl is-enabled pdtt)" = enabled ] || fail "the postinst did not enable pdtt.service"
[ "$(unit Type)" = notify ] || fail "pdtt.service is not Type=notify: $(unit Type)"
# The admin's changes to the conffile: reports every second.
in_ct systemctl stop pdtt || fail "systemctl stop"
echo "interval = 1;" >>"$CT_ROOT$CONF"
in_ct systemctl start pdtt || fail "systemctl start"
in_ct systemctl is-active -q pdtt || fail "systemctl is-active: $(unit ActiveState)"
[ -e "$CT_ROOT$PINS/link_sock_ingress" ] || fail "pdtt runs but $PINS/link_sock_ingress is missing"
pid=$(unit MainPID)
echo "ok: installed, started (main PID $pid), is-active"
security=$(in_ct systemd-analyze security pdtt.service 2>&1 | sed -n 's/.*Overall exposure level for pdtt.service: \([0-9.]*\).*/\1/p')
[ -n "$security" ] || fail "systemd-analyze security gave no exposure level"
awk -v s="$security" 'BEGIN { exit !(s <= 2.0) }' ||
	fail "systemd-analyze security pdtt.service: exposure $security, above 2.0"
echo "ok: systemd-analyze security pdtt.service: $security"

step "traffic of a test UID"
U1=$(test_uid 1)
ct_traffic "$U1" 100 1000 # 100 x 1028 bytes
expect_sent "$U1" "102800 100" "after the traffic"
echo "ok: UID $U1 counted: 102800 bytes in 100 packets sent"

step "systemctl reload, logrotate"
in_ct systemctl reload pdtt || fail "systemctl reload"
[ "$(unit MainPID)" = "$pid" ] || fail "reload replaced the main process"
for _ in $(seq 50); do
	in_ct journalctl -u pdtt --since "$STEP_SINCE" -q | grep -q "reloaded $CONF" && break
	sleep 0.1
done
in_ct journalctl -u pdtt --since "$STEP_SINCE" -q | grep -q "reloaded $CONF" ||
	fail "pdttd did not say it reloaded $CONF"
run_logged "$WORK/logrotate.log" in_ct logrotate -f /etc/logrotate.d/pdtt
[ -s "$CT_ROOT$LOG.1" ] || fail "logrotate did not rotate $LOG"
[ "$(in_ct journalctl -u pdtt --since "$STEP_SINCE" -q | grep -c "reloaded $CONF")" -ge 2 ] ||
	fail "logrotate's postrotate did not reload pdtt.service"
expect_sent "$U1" "102800 100" "after the rotation"
[ "$(unit MainPID)" = "$pid" ] || fail "the rotation restarted pdttd"
echo "ok: reload (same PID $pid), logrotate reloaded it, totals go on in the new log"

step "systemctl restart"
in_ct systemctl restart pdtt || fail "systemctl restart"
wait_active
[ "$(unit MainPID)" != "$pid" ] || fail "restart kept the old main process"
pid=$(unit MainPID)
ct_traffic "$U1" 10 1000 # 10 x 1028 more
expect_sent "$U1" "113080 110" "after the restart"
echo "ok: restarted (main PID $pid), counts continue"

step "kill -9 of the main process"
restarts=$(unit NRestarts)
ct_traffic "$U1" 5 1000 # counted by the kernel while pdttd is dead
in_ct /bin/sh -c "kill -KILL $pid" || fail "cannot kill $pid"
for _ in $(seq 200); do
	new=$(unit MainPID)
	[ "$new" != 0 ] && [ "$new" != "$pid" ] && [ "$(unit ActiveState)" = active ] && break
	sleep 0.1
done
[ "$new" != 0 ] && [ "$new" != "$pid" ] || fail "systemd did not restart pdttd within 20 s"
[ "$(unit NRestarts)" = $((restarts + 1)) ] || fail "NRestarts is $(unit NRestarts), expected $((restarts + 1))"
pid=$new
expect_sent "$U1" "118220 115" "after kill -9"
echo "ok: systemd restarted pdttd (main PID $pid) after kill -9; nothing lost"

step "a broken configuration"
cp "$CT_ROOT$CONF" "$WORK/pdtt.conf.good"
in_ct systemctl stop pdtt || fail "systemctl stop"
sed -i 's/^interval = 1;$/interval = 0;/' "$CT_ROOT$CONF"
in_ct systemctl start pdtt 2>"$WORK/start.err" && fail "systemctl start succeeded with a broken configuration"
[ "$(unit ExecMainStatus)" = 2 ] || fail "pdttd exited with $(unit ExecMainStatus), expected 2"
[ "$(unit ActiveState)" = failed ] || fail "pdtt.service is $(unit ActiveState), not failed"
restarts=$(unit NRestarts)
sleep 7 # longer than RestartSec=5: a restart would have come
[ "$(unit ActiveState)" = failed ] && [ "$(unit NRestarts)" = "$restarts" ] ||
	fail "pdtt.service did not stay failed: $(unit ActiveState), $(unit NRestarts) restarts"
in_ct journalctl -u pdtt --since "$STEP_SINCE" -q | grep -q "pdtt.conf:[0-9]*: interval = 0 is out of range" ||
	fail "the journal does not say what is wrong with $CONF"
echo "ok: start failed with status 2 and stayed failed: $(in_ct journalctl -u pdtt --since "$STEP_SINCE" -q -o cat | grep -m 1 'out of range')"
cp "$WORK/pdtt.conf.good" "$CT_ROOT$CONF"
in_ct systemctl start pdtt || fail "systemctl start with the configuration fixed"
wait_active
pid=$(unit MainPID)

step "upgrade to $version2"
run_logged "$WORK/upgrade.log" in_ct dpkg -i /root/pdtt-debs/pdtt-2.deb
[ "$(in_ct dpkg-query -W -f='${Version}' pdtt)" = "$version2" ] || fail "pdtt is not at $version2 after the upgrade"
wait_active
[ "$(unit MainPID)" != "$pid" ] || fail "the upgrade did not restart pdttd"
grep -qx "interval = 1;" "$CT_ROOT$CONF" || fail "the upgrade lost the change to $CONF"
expect_sent "$U1" "118220 115" "after the upgrade"
echo "ok: upgraded to $version2, restarted (main PID $(unit MainPID)), $CONF kept, counts continue"

step "apt-get purge"
ids=$(pinned_link_ids "$CT_ROOT$PINS")
run_logged "$WORK/purge.log" in_ct apt-get purge -y pdtt
in_ct dpkg-query -W -f='${Status}' pdtt 2>/dev/null | grep -qv 'not-installed' &&
	fail "dpkg still knows pdtt: $(in_ct dpkg-query -W -f='${Status}' pdtt)"
for f in /usr/sbin/pdttd /usr/sbin/pdtt $CONF /etc/logrotate.d/pdtt /etc/init.d/pdtt \
	/lib/systemd/system/pdtt.service /usr/lib/systemd/system/pdtt.service \
	/etc/systemd/system/multi-user.target.wants/pdtt.service /usr/share/doc/pdtt \
	/usr/share/man/man8/pdttd.8.gz /usr/share/man/man8/pdtt.8.gz /usr/share/man/man5/pdtt.conf.5.gz \
	/var/lib/pdtt /var/log/pdtt $LOG $LOG.1 $PINS /run/pdtt.pid; do
	[ ! -e "$CT_ROOT$f" ] || fail "$f is left after the purge"
done
ls "$CT_ROOT"/etc/rc?.d/*pdtt >/dev/null 2>&1 && fail "init links are left"
[ "$(unit LoadState)" = not-found ] || fail "systemd still knows pdtt.service: $(unit LoadState)"
in_ct /bin/sh -c 'cat /proc/[0-9]*/comm' | grep -qx pdttd && fail "a pdttd still runs in the container"
in_ct cat /etc/passwd /etc/group >"$WORK/accounts.after"
diff "$WORK/accounts.before" "$WORK/accounts.after" >&2 || fail "users or groups changed"
expect_detached "$ids"
echo "ok: purged: no pdtt file, pin, link, program, process, user or unit left (links and programs" $ids "gone)"
exit 0
