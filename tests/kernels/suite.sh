#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# suite.sh OUTDIR TEST...: run integration tests (tests/integration/TEST.sh)
# on the running kernel, one after the other, as run.sh does in each guest
# and on the host. Each test's output goes to OUTDIR/TEST.log, and one line
# to OUTDIR/results:
#   TEST PASS|FAIL|SKIP SECONDS [why: a skip's reason, a failure's first line]
# Needs PDTTD, PDTT_CLI, PDTT_TESTS and PDTT_TESTS_BUILD, as make check sets them.
set -u
out=$1
shift
: >"$out/results"
for test in "$@"; do
	start=$(date +%s)
	rc=0
	bash "$PDTT_TESTS/integration/$test.sh" >"$out/$test.log" 2>&1 </dev/null || rc=$?
	seconds=$(($(date +%s) - start))
	case $rc in
	0)
		status=PASS
		why=""
		;;
	77)
		status=SKIP
		why=$(sed -n "s/^SKIP: $test: //p" "$out/$test.log" | head -n 1)
		;;
	*)
		status=FAIL
		why=$(grep -m 1 -E '^(FAIL|ERROR)' "$out/$test.log" ||
			grep -m 1 -E ': line [0-9]+: ' "$out/$test.log")
		why=${why:-exit status $rc}
		# pdttd's own message says more than libbpf's lines before it.
		own=$(grep -E '^pdttd: ' "$out/$test.log" | grep -v '^pdttd: libbpf: ' | head -n 1)
		case $why in
		*"pdttd exited at start"*)
			[ -z "$own" ] || why="${why%%pdttd exited at start*}pdttd exited at start: ${own#pdttd: }"
			;;
		esac
		;;
	esac
	echo "$test $status $seconds $why" >>"$out/results"
done
