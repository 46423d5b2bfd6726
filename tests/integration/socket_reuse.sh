#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Counts stay exact per UID when sockets come and go fast and change hands,
# on one CPU, where anything that remembers a socket's owner per CPU (a
# cache of owners, as tried for issue 19: see doc/BENCHMARKS.md) would meet
# its own entries again:
# - 300 short-lived UDP sockets, of two UIDs in turn (a new process each,
#   3 datagrams, close): a freed socket's memory goes to the next socket
#   at once, often the other UID's. Each UID's datagrams have their own
#   size.
# - One socket that two UIDs send on in turn (inherited by each process):
#   owner tracking hands it over 100 times. The first datagram after a
#   hand-over went out before the send that records the new owner
#   returned, and is the previous owner's; every other is its sender's.
. "$PDTT_TESTS/integration/lib.sh"
setup
use_own_cgroup
command -v taskset >/dev/null 2>&1 || skip "needs taskset"
UA=$(test_uid 1)
UB=$(test_uid 2)
UR=$(test_uid 3)
ROUNDS=150
write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
start_daemon

# receive N PORT: UR receives N datagrams on PORT, on CPU 0.
receive() {
	in_netns_as "$NETNS" "$UR" taskset -c 0 "$PYTHON" "$TRAFFIC" udp-recv --addr 127.0.0.1 \
		--port "$2" --count "$1" --timeout 20 >"$WORK/recv.$2" &
	RPID=$!
	wait_for_ready "$WORK/recv.$2" "$RPID"
}

# Each round: a process of UID A, then one of UID B, each with a new socket
# (or the inherited one with --shared) sending 3 datagrams of its size.
SENDER='
import os, socket, sys
ua, ub, port, rounds = (int(x) for x in sys.argv[1:5])
shared = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) if sys.argv[5] == "shared" else None
for _ in range(rounds):
    for uid, size in ((ua, 100), (ub, 200)):
        pid = os.fork()
        if pid == 0:
            os.setgroups([]); os.setgid(uid); os.setuid(uid)
            s = shared or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(3):
                s.sendto(b"p" * size, ("127.0.0.1", port))
            os._exit(0)
        if os.waitpid(pid, 0)[1]:
            sys.exit("a sender failed")
'

receive $((ROUNDS * 6)) 5901
ip netns exec "$NETNS" taskset -c 0 "$PYTHON" -c "$SENDER" "$UA" "$UB" 5901 "$ROUNDS" own ||
	fail "senders failed"
wait "$RPID" || fail "UDP receiver: $(cat "$WORK/recv.5901")"
wait_next_report
expect_counts "$UA" "$((ROUNDS * 3 * 128)) $((ROUNDS * 3)) 0 0"
expect_counts "$UB" "$((ROUNDS * 3 * 228)) $((ROUNDS * 3)) 0 0"
expect_counts "$UR" "0 0 $((ROUNDS * 3 * (128 + 228))) $((ROUNDS * 6))"
echo "ok: $((ROUNDS * 2)) short-lived sockets of two UIDs on one CPU: exact per UID"

if ! grep -q 'owner tracking on' "$WORK/stderr"; then
	echo "SKIP: owner tracking is off here: the hand-overs are not tested" >&2
	stop_daemon
	exit 0
fi
ROUNDS=50
receive $((ROUNDS * 6)) 5902
before_a=$(counts_of "$UA")
before_b=$(counts_of "$UB")
ip netns exec "$NETNS" taskset -c 0 "$PYTHON" -c "$SENDER" "$UA" "$UB" 5902 "$ROUNDS" shared ||
	fail "senders failed"
wait "$RPID" || fail "UDP receiver: $(cat "$WORK/recv.5902")"
wait_next_report
# A: its 2nd and 3rd datagrams of each round, and B's first of each round.
# B: its 2nd and 3rd, and A's first of every round but the first (root's).
a_tx=$((ROUNDS * (2 * 128 + 228)))
b_tx=$((ROUNDS * 2 * 228 + (ROUNDS - 1) * 128))
read -r ab ap _ _ <<<"$before_a"
read -r bb bp _ _ <<<"$before_b"
expect_counts "$UA" "$((ab + a_tx)) $((ap + ROUNDS * 3)) 0 0"
expect_counts "$UB" "$((bb + b_tx)) $((bp + ROUNDS * 3 - 1)) 0 0"
expect_counts 0 "128 1 0 0"
echo "ok: one socket handed over $((ROUNDS * 2)) times between two UIDs on one CPU: exact per UID"
stop_daemon
exit 0
