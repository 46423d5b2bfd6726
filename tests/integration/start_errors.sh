#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdttd refuses to start with one clear message, the documented exit status
# and nothing attached or pinned: as non-root, with an invalid configuration,
# with a cgroup that cannot be opened, and with a log directory that is missing.
# Also mistakes in networks (every one is in tests/unit/test_config.c).
. "$PDTT_TESTS/integration/lib.sh"
setup

# expect_refusal STATUS PATTERN CMD...: exit status, message, and no pins.
expect_refusal() {
	local want=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ $rc -eq "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$WORK/err")"
	grep -q -- "$pattern" "$WORK/err" || fail "'$*' said '$(cat "$WORK/err")', expected /$pattern/"
	[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "'$*' printed more than one line: $(cat "$WORK/err")"
	[ ! -e "$PIN_PATH/link_sock_egress" ] || fail "'$*' attached programs although it failed"
	echo "ok: exit $rc: $(cat "$WORK/err")"
}

# Not root: the test UID runs a copy of pdttd it can read.
cp "$PDTTD" "$WORK/pdttd"
chmod 755 "$WORK/pdttd"
chmod 644 "$WORK/pdtt.conf"
expect_refusal 77 'pdttd: must run as root' \
	setpriv --reuid "$(test_uid 1)" --regid "$(test_uid 1)" --clear-groups \
	"$WORK/pdttd" -f -c "$WORK/pdtt.conf"

# An invalid configuration: exit 2, file and line named.
write_config "interval = 0;"
expect_refusal 2 "pdttd: $WORK/pdtt.conf:4: interval = 0 is out of range" \
	"$PDTTD" -f -c "$WORK/pdtt.conf"

# networks: each mistake named with its line, as for every key.
write_config "interval = 1;" 'networks = ( { name = "campus"; cidrs = [ "10.0.0.0/8" ]; },' \
	'  { name = "external"; cidrs = [ "11.0.0.0/8" ]; } );'
expect_refusal 2 "pdttd: $WORK/pdtt.conf:6: networks\[1\].name = \"external\" is reserved" \
	"$PDTTD" -f -c "$WORK/pdtt.conf"
write_config "interval = 1;" 'networks = ( { name = "campus"; cidrs = [ "10.0.0.0/8" ]; },' \
	'  { name = "campus"; cidrs = [ "11.0.0.0/8" ]; } );'
expect_refusal 2 "pdttd: $WORK/pdtt.conf:6: networks\[1\].name = \"campus\" is given twice" \
	"$PDTTD" -f -c "$WORK/pdtt.conf"
write_config "interval = 1;" 'networks = ( { name = "campus";' '  cidrs = [ "10.0.0.1/8" ]; } );'
expect_refusal 2 "pdttd: $WORK/pdtt.conf:6: networks\[0\].cidrs\[0\] = \"10.0.0.1/8\" has host bits set" \
	"$PDTTD" -f -c "$WORK/pdtt.conf"
write_config 'local_networks = [ "10.0.0.0/8" ];' \
	'networks = ( { name = "local"; cidrs = [ "11.0.0.0/8" ]; } );'
expect_refusal 2 "pdttd: $WORK/pdtt.conf:5: networks\[0\].name = \"local\" and local_networks" \
	"$PDTTD" -f -c "$WORK/pdtt.conf"

# A cgroup that does not exist (stands for a machine without cgroup v2).
write_config "interval = 1;" "cgroup_path = \"$WORK/no-such-cgroup\";"
expect_refusal 69 "cannot open cgroup $WORK/no-such-cgroup" "$PDTTD" -f -c "$WORK/pdtt.conf"

# A log directory that does not exist.
{
	echo "log_file = \"$WORK/missing/pdtt.log\";"
	echo "pin_path = \"$PIN_PATH\";"
} >"$WORK/pdtt.conf"
expect_refusal 1 "cannot open log_file $WORK/missing/pdtt.log: its directory $WORK/missing does not exist" \
	"$PDTTD" -f -c "$WORK/pdtt.conf"
exit 0
