#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A slow NSS never holds up a report or a stop. pdttd runs with slow_nss.so,
# whose getpwuid_r blocks (for the test's UIDs) until the test opens a gate
# and answers ERANGE to small buffers. Ordering, not timing: reports go on
# while a lookup is blocked, the name comes in a report after it returns, and
# SIGTERM ends pdttd while another lookup is still blocked. A lookup that
# fails is not cached: the name comes from the next one.
. "$PDTT_TESTS/integration/lib.sh"
SHIM="$PDTT_TESTS_BUILD/integration/slow_nss.so"
setup
[ -f "$SHIM" ] || fail "$SHIM was not built (make check builds it)"
use_own_cgroup
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
U1=$(test_uid 1)
U2=$(test_uid 2)
U3=$(test_uid 3)
NSS_LOG="$WORK/nss.log"
GATE="$WORK/gate"
# ASAN_OPTIONS: the sanitizer build accepts a preloaded library before it.
PDTTD_CMD=(env LD_PRELOAD="$SHIM" SLOW_NSS_UIDS="$U1,$U2,$U3" SLOW_NSS_FAIL_UIDS="$U3" SLOW_NSS_GATE="$GATE"
	SLOW_NSS_SECONDS=120 SLOW_NSS_MIN_BUFFER=100000 SLOW_NSS_LOG="$NSS_LOG"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")

# wait_nss LINE: until the shim has logged LINE.
wait_nss() {
	for _ in $(seq 250); do
		grep -qx "$1" "$NSS_LOG" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the shim never logged '$1': $(cat "$NSS_LOG" 2>/dev/null)"
}

# name_of UID: the username of UID in the last report.
name_of() {
	awk -v uid="$1" '/^UID: / && $2 == uid { name = $5 } END { print name }' "$WORK/pdtt.log"
}

start_daemon
udp_transfer "$U1" "$U1" 127.0.0.1 5801 3 100
wait_nss "begin $U1"
wait_next_report
wait_report "$WORK/pdtt.log" 3
grep -q "^end $U1" "$NSS_LOG" && fail "the lookup of $U1 returned while its gate was closed"
[ "$(name_of "$U1")" = "(unknown)" ] ||
	fail "UID $U1 is '$(name_of "$U1")' while its lookup is blocked, expected (unknown)"
grep -q "^erange $U1 " "$NSS_LOG" || fail "the shim never answered ERANGE: $(cat "$NSS_LOG")"
expect_counts "$U1" "384 3 384 3"
echo "ok: 3 reports while the lookup of $U1 was blocked, UID shown by number"

touch "$GATE"
wait_nss "end $U1"
wait_next_report
wait_next_report
[ "$(name_of "$U1")" = "slow_$U1" ] ||
	fail "UID $U1 is '$(name_of "$U1")' after its lookup returned, expected slow_$U1"
echo "ok: named in a later report, after ERANGE was retried with a bigger buffer"

udp_transfer "$U3" "$U3" 127.0.0.1 5803 1 100
wait_nss "fail $U3"
wait_nss "end $U3"
wait_next_report
wait_next_report
[ "$(name_of "$U3")" = "slow_$U3" ] ||
	fail "UID $U3 is '$(name_of "$U3")' after a failed lookup and a good one, expected slow_$U3"
echo "ok: a failed lookup was not cached: asked again, and named"

rm -f "$GATE"
udp_transfer "$U2" "$U2" 127.0.0.1 5802 2 100
wait_nss "begin $U2"
stop_daemon
grep -q "^end $U2" "$NSS_LOG" && fail "pdttd exited only after the lookup of $U2 returned"
expect_counts "$U2" "256 2 256 2"
echo "ok: SIGTERM ended pdttd while the lookup of $U2 was still blocked"
exit 0
