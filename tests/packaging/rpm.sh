#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the RPMs from the `make dist` tarball with the spec it ships (rpmbuild
# -bb, whose %check runs make check-unit), check what they install, and lint spec
# and packages with rpmlint and rpm/pdtt.rpmlintrc: no error, no warning.
# Runs only with PDTT_TEST_PACKAGING containing "rpm".
. "$PDTT_TESTS/integration/lib.sh"
. "$PDTT_TESTS/packaging/lib.sh"
want_packaging rpm
need_tools rpmbuild rpmlint rpm flock

WORK=$(mktemp -d /tmp/pdtt-pkg-rpm.XXXXXX)
cleanup_rpm() {
	local rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || ls -R "$WORK/rpm/RPMS" >&2 2>/dev/null
	rm -rf "$WORK"
	exit $rc
}
trap cleanup_rpm EXIT
trap 'exit 1' INT TERM

tarball=$(make_dist "$WORK")
version=$(basename "$tarball" .tar.gz)
version=${version#pdtt-}
mkdir -p "$WORK/rpm/SOURCES" "$WORK/rpm/SPECS"
cp "$tarball" "$WORK/rpm/SOURCES/"
# The spec the tarball ships, as rpmbuild -tb would take it.
tar -xzf "$tarball" -O "pdtt-$version/rpm/pdtt.spec" >"$WORK/rpm/SPECS/pdtt.spec" ||
	fail "the tarball has no rpm/pdtt.spec"
grep -q "^Version: *$version\$" "$WORK/rpm/SPECS/pdtt.spec" ||
	fail "the spec's Version is not $version: $(grep '^Version' "$WORK/rpm/SPECS/pdtt.spec")"

echo "rpmbuild -bb (with %check: make check-unit) ..."
(
	nested_build_env
	flock -o "$PKG_LOCK" rpmbuild -bb --nodeps --define "_topdir $WORK/rpm" "$WORK/rpm/SPECS/pdtt.spec"
) >"$WORK/rpmbuild.log" 2>&1 || {
	tail -n 80 "$WORK/rpmbuild.log" >&2
	fail "rpmbuild -bb failed"
}
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$WORK/rpmbuild.log" | sed 's/^/  %check /'

main=$(ls "$WORK"/rpm/RPMS/*/pdtt-"$version"-*.rpm)
sysv=$(ls "$WORK"/rpm/RPMS/*/pdtt-sysvinit-"$version"-*.rpm)
[ -f "$main" ] && [ -f "$sysv" ] || fail "rpmbuild made no pdtt and pdtt-sysvinit packages"
echo "ok: built $(basename "$main") $(basename "$sysv")"

# What they install: the FHS paths, conffiles kept on upgrade, scriptlets.
unitdir=$(rpm --eval '%{?_unitdir}%{!?_unitdir:/usr/lib/systemd/system}')
initddir=$(rpm --eval '%{_initddir}')
files=$(rpm -qlp "$main")
for f in /usr/sbin/pdttd /etc/pdtt.conf /etc/logrotate.d/pdtt "$unitdir/pdtt.service" \
	/var/lib/pdtt /var/log/pdtt /usr/share/man/man8/pdttd.8 /usr/share/man/man5/pdtt.conf.5; do
	# man pages: compressed where rpm's brp-compress runs (Fedora), not on Debian
	grep -Eqx "$f(\.gz|\.xz|\.bz2)?" <<<"$files" || fail "pdtt rpm lacks $f: $files"
done
rpm -qlp "$sysv" | grep -qx "$initddir/pdtt" || fail "pdtt-sysvinit lacks $initddir/pdtt"
[ "$(rpm -qcp "$main" | sort | tr '\n' ' ')" = "/etc/logrotate.d/pdtt /etc/pdtt.conf " ] ||
	fail "conffiles are not pdtt.conf and logrotate.d/pdtt: $(rpm -qcp "$main")"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$main" | grep -q '^cn /etc/pdtt.conf$' ||
	fail "/etc/pdtt.conf is not %config(noreplace)"
scripts=$(rpm -qp --scripts "$main")
grep -q 'pdttd --unload' <<<"$scripts" || fail "no pdttd --unload in the scriptlets: $scripts"
grep -q 'systemctl.* pdtt.service' <<<"$scripts" || fail "no systemd scriptlets for pdtt.service: $scripts"
echo "ok: paths, %config(noreplace) conffiles and scriptlets"

echo "rpmlint ..."
rpmlint -r "$PDTT_TESTS/../rpm/pdtt.rpmlintrc" "$WORK/rpm/SPECS/pdtt.spec" "$main" "$sysv" \
	>"$WORK/rpmlint.log" 2>&1
lint_rc=$?
cat "$WORK/rpmlint.log"
[ $lint_rc -eq 0 ] || fail "rpmlint exited with $lint_rc"
grep -Eq '(^| )0 errors, 0 warnings' "$WORK/rpmlint.log" ||
	fail "rpmlint reported errors or warnings"
echo "ok: rpmlint: no error, no warning"
exit 0
