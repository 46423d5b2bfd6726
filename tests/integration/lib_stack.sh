# SPDX-License-Identifier: GPL-2.0-or-later
# The default interfaces = [ ] of tc mode on a stack of devices (sourced
# by tc_default_*.sh after lib.sh): the test namespace holds a veth $VETH to
# the peer namespace and an upper device over it (a bridge with $VETH as its
# port, a bond with $VETH as its slave, a VLAN or a macvlan on $VETH) that
# carries the address. pdttd runs in the test namespace, so "every device"
# is the test's own: loopback, $VETH and the upper device. One UID's UDP
# traffic must be counted exactly once, and pdtt's totals must equal the
# kernel's own accounting: a pfifo qdisc on the upper device (what the host
# sends) and on the peer's device (what it receives), bytes minus the
# 14-byte Ethernet header of each packet. Socket mode, the same.

# stack_device_add NS ARGS...: `ip -n NS link add ARGS`; where this kernel
# cannot make such a device ("Unknown device type"), the test is skipped,
# even with PDTT_REQUIRE_BPF=1: what is missing is the kernel's device
# support, not BPF.
stack_device_add() {
	local ns=$1 out
	shift
	if ! out=$(ip -n "$ns" link add "$@" 2>&1); then
		case $out in
		*"Unknown device type"*)
			skip_kernel_lacks "the device type (ip link add $*: $out)"
			;;
		esac
		fail "ip link add $*: $out"
	fi
}

# setup_stack KIND: the veth pair, then the upper device $UPPER of KIND
# (bridge, bond, vlan, macvlan) over $VETH with $ADDR4, and $PEER_DEV with
# $PEER_ADDR4 in the peer namespace (a VLAN of the same id for KIND vlan).
# IPv4 only, with static neighbours: no traffic but the test's own.
UPPER=pdttup0
setup_stack() {
	local kind=$1 mac peer_mac
	add_veth_pair
	for ns in "$NETNS" "$PEER_NS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	PEER_DEV=$PEER_VETH
	case $kind in
	bridge | bond)
		stack_device_add "$NETNS" "$UPPER" type "$kind"
		ip -n "$NETNS" link set "$VETH" master "$UPPER" || fail "cannot enslave $VETH to $UPPER"
		;;
	vlan)
		stack_device_add "$NETNS" link "$VETH" name "$UPPER" type vlan id 5
		PEER_DEV=pdttup1
		stack_device_add "$PEER_NS" link "$PEER_VETH" name "$PEER_DEV" type vlan id 5
		;;
	macvlan)
		stack_device_add "$NETNS" link "$VETH" name "$UPPER" type macvlan mode bridge
		;;
	*) fail "setup_stack: unknown kind $kind" ;;
	esac
	ip -n "$NETNS" addr add "$ADDR4/24" dev "$UPPER"
	ip -n "$PEER_NS" addr add "$PEER_ADDR4/24" dev "$PEER_DEV"
	for dev in "$VETH" "$UPPER"; do ip -n "$NETNS" link set "$dev" up; done
	for dev in "$PEER_VETH" "$PEER_DEV"; do ip -n "$PEER_NS" link set "$dev" up; done
	mac=$(ip netns exec "$NETNS" cat "/sys/class/net/$UPPER/address")
	peer_mac=$(ip netns exec "$PEER_NS" cat "/sys/class/net/$PEER_DEV/address")
	ip -n "$NETNS" neigh replace "$PEER_ADDR4" lladdr "$peer_mac" dev "$UPPER" nud permanent
	ip -n "$PEER_NS" neigh replace "$ADDR4" lladdr "$mac" dev "$PEER_DEV" nud permanent
	# The reference: a qdisc's own statistics on each side.
	ip -n "$NETNS" link set "$UPPER" txqueuelen 1000
	tc -n "$NETNS" qdisc add dev "$UPPER" root pfifo limit 1000 || fail "cannot add a pfifo qdisc to $UPPER"
	tc -n "$PEER_NS" qdisc add dev "$PEER_DEV" root pfifo limit 1000 ||
		fail "cannot add a pfifo qdisc to $PEER_DEV"
	write_config "interval = 1;" 'mode = "tc";'
}

# qdisc_ip NS DEV: "bytes packets" of DEV's root qdisc, bytes less the
# 14-byte Ethernet header of each packet (what pdtt counts of a frame).
qdisc_ip() {
	tc -n "$1" -s -j qdisc show dev "$2" root | "$PYTHON" -c '
import json, sys
q = [q for q in json.load(sys.stdin) if q.get("root")][0]
print(q["bytes"] - 14 * q["packets"], q["packets"])'
}

# both_totals WHAT: pdtt's figures (WHAT: grand_total, or counts_of UID)
# and the two qdiscs', one line of 8 numbers.
both_totals() {
	echo "$("$@") $(qdisc_ip "$NETNS" "$UPPER") $(qdisc_ip "$PEER_NS" "$PEER_DEV")"
}

# quiet_baseline WHAT: both_totals WHAT once they no longer move from one
# report to the next. A device that comes up sends a few packets of its own
# (IGMP reports) before pdttd attaches, which its qdisc counts and pdtt
# cannot.
quiet_baseline() {
	local before now
	wait_next_report
	now=$(both_totals "$@")
	for _ in $(seq 20); do
		before=$now
		wait_next_report
		now=$(both_totals "$@")
		[ "$now" = "$before" ] && { echo "$now"; return 0; }
	done
	fail "the devices are never quiet: $now"
}

# counted_once U1 PEER PORT WHAT...: U1 sends 10 UDP datagrams of 100 bytes
# to PEER across the stack and receives as many; it must be charged exactly
# that, and what pdtt counted meanwhile (WHAT: grand_total, or counts_of UID)
# must equal what the qdiscs counted.
counted_once() {
	local u1=$1 peer=$2 port=$3 base now delta
	shift 3
	base=$(quiet_baseline "$@")
	TO_NS=$PEER_NS udp_transfer "$u1" "$peer" "$PEER_ADDR4" "$port" 10 100          # 10 x 128
	FROM_NS=$PEER_NS udp_transfer "$peer" "$u1" "$ADDR4" $((port + 1)) 10 100       # 10 x 128
	wait_counted
	expect_counts "$u1" "1280 10 1280 10"
	now=$(both_totals "$@")
	# pdtt's tx_bytes tx_packets rx_bytes rx_packets, then the qdiscs' same four.
	delta=$(echo "$base $now" | awk '{ for (i = 1; i <= 8; i++) printf "%.0f ", $(i + 8) - $i }')
	echo "$delta" | awk '{ exit !($1 == $5 && $2 == $6 && $3 == $7 && $4 == $8) }' ||
		fail "counted meanwhile: pdtt's $(echo "$delta" | cut -d' ' -f1-4), the qdiscs' $(echo "$delta" | cut -d' ' -f5-8)"
	echo "ok: counted once, as the qdiscs: $(echo "$delta" | cut -d' ' -f1-4)"
}

# check_stack COUNTED SKIPPED: in tc mode with the default interfaces, pdttd
# attaches to COUNTED and not to SKIPPED (nor loopback), and the traffic is
# counted once, pdtt's grand total equal to the qdiscs'. Then in socket mode
# (which sees the whole host, so only the test UID's own counts are
# compared), the same.
check_stack() {
	local counted=$1 skipped=$2 u1 peer
	u1=$(test_uid 1)
	peer=$(test_uid 2)
	start_daemon
	grep -q "counting on $counted " "$WORK/stderr" || fail "pdttd did not attach to $counted: $(cat "$WORK/stderr")"
	grep -q "counting on $skipped " "$WORK/stderr" && fail "pdttd attached to $skipped as well as $counted"
	grep -q "counting on lo " "$WORK/stderr" && fail "pdttd attached to loopback"
	grep "not attaching to $skipped" "$WORK/stderr" || fail "pdttd did not say why it left $skipped out"
	counted_once "$u1" "$peer" 6701 grand_total
	echo "ok: tc mode counted on $counted only"
	stop_daemon
	pdttd_cmd --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
	rm -f "$WORK/state" # socket mode's totals start from zero

	write_config "interval = 1;"
	start_daemon
	counted_once "$u1" "$peer" 6703 counts_of "$u1"
	echo "ok: socket mode counted once"
	stop_daemon
}
