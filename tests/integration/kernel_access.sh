#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every way pdttd can read the kernel (README, Requirements) counts exactly:
# the one it picks by itself, and those PDTT_KERNEL_ACCESS forces, which are
# what it picks on kernels before 6.2 (probe) or under lockdown (socket_uid).
# Socket mode: UDP over IPv4 and IPv6 on loopback; tc mode: UDP both ways
# over a veth pair. Each time the start message and pdtt status say the same
# way, and the attached programs are that way's.
. "$PDTT_TESTS/integration/lib.sh"
setup

# The text of each way, as the start message and pdtt status say it.
way_text() {
	case $1 in
	probe) echo "sk_uid through bpf_probe_read_kernel (CO-RE)" ;;
	socket_uid) echo "bpf_get_socket_uid (UIDs as the user namespace of the socket's network namespace sees them; RSTs the kernel sends count for root)" ;;
	esac
}

# expect_way FORCED: the daemon started last says which way it reads, and
# status agrees; FORCED (probe, socket_uid, or "" for pdttd's own choice).
expect_way() {
	local said status
	said=$(sed -n "s/^pdttd: .* mode reads [^(]*socket's UID as \(.*\)/\1/p" "$WORK/stderr" | tail -n 1)
	said=${said%%: this kernel*}
	said=${said%%: PDTT_KERNEL_ACCESS*}
	[ -n "$said" ] || fail "no start message says how the kernel is read: $(cat "$WORK/stderr")"
	[ -z "$1" ] || [ "$said" = "$(way_text "$1")" ] ||
		fail "PDTT_KERNEL_ACCESS=$1, but pdttd reads the kernel as '$said'"
	status=$(pdtt_cmd status -c "$WORK/pdtt.conf" | sed -n 's/^uid read: *//p')
	[ "$status" = "$said" ] || fail "pdtt status says uid read: '$status', pdttd said '$said'"
	echo "ok: ${1:-default}: $said"
}

n=0
for way in "" probe socket_uid; do
	n=$((n + 1))
	U1=$(test_uid $((n * 2))) U2=$(test_uid $((n * 2 + 1)))
	if [ -n "$way" ]; then export PDTT_KERNEL_ACCESS=$way; else unset PDTT_KERNEL_ACCESS; fi
	start_daemon
	expect_way "$way"
	udp_transfer "$U1" "$U2" 127.0.0.1 $((5300 + n * 10)) 100 1000   # 100 x 1028
	udp_transfer "$U2" "$U1" ::1 $((5301 + n * 10)) 50 500           # 50 x 548
	wait_counted
	expect_counts "$U1" "102800 100 27400 50"
	expect_counts "$U2" "27400 50 102800 100"
	stop_daemon
	echo "ok: socket mode ${way:-default}: UDP exact"
done
unset PDTT_KERNEL_ACCESS

setup_veth_pair
tc_config
PEER=$(test_uid 20)
for way in "" probe; do
	n=$((n + 1))
	U1=$(test_uid $((n * 2))) U2=$(test_uid $((n * 2 + 1)))
	if [ -n "$way" ]; then export PDTT_KERNEL_ACCESS=$way; else unset PDTT_KERNEL_ACCESS; fi
	start_daemon
	expect_way "$way"
	TO_NS=$PEER_NS udp_transfer "$U1" "$PEER" "$PEER_ADDR4" $((5300 + n * 10)) 100 1000  # 100 x 1028
	FROM_NS=$PEER_NS udp_transfer "$PEER" "$U2" "$ADDR6" $((5301 + n * 10)) 20 1200       # 20 x 1248
	wait_counted
	expect_counts "$U1" "102800 100 0 0"
	expect_counts "$U2" "0 0 24960 20"
	expect_counts "$PEER" "0 0 0 0"
	stop_daemon
	echo "ok: tc mode ${way:-default}: UDP exact"
done
exit 0
