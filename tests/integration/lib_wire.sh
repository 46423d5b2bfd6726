# SPDX-License-Identifier: GPL-2.0-or-later
# The wire cross-check (sourced by wire_*.sh after lib.sh): pdtt's totals
# against the kernel's own accounting of what crosses a veth pair.
#
# A pfifo root qdisc on each end counts every buffer it sends the way a NIC
# puts it on the wire: a GSO buffer as its gso_segs segments, each with its
# own copy of the headers (qdisc_pkt_len_init), Ethernet header included.
# So for a UID whose sockets are the only traffic on the pair:
#   its TX = the qdisc of the end it sends from: bytes - 14 x packets, packets
#   its RX = the qdisc of the other end (what the peer sent), the same way
# within 0.1%, over every packet of its sockets: data, ACKs, handshake, FIN.
#
# The test UID U runs in $NETNS (where pdttd runs in tc mode), its peer P in
# $PEER_NS; each case takes two fresh UIDs. The namespaces are made quiet
# first: no router solicitations, and the one-off IPv6 link-local DAD and
# MLD reports over before the first case (ARP and neighbour discovery have
# static entries, see setup_veth_pair), so the qdiscs count the test's
# sockets and nothing else.
#
# Two topologies (wire_setup): the plain veth pair, and a bridge in $NETNS
# with the veth as its one port, which carries the addresses and whose qdisc
# counts what the host sends. Both modes run with the defaults, in tc mode
# interfaces = [ ]: pdttd must pick the veth, or the bridge and not its
# port, and count each packet once.

ETH_HLEN=14
WIRE_DEV=$VETH           # $NETNS's device with the addresses and the reference qdisc
WIRE_BRIDGE=pdttbr0
WIRE_CASE=0
WIRE_FAILED=0            # comparisons off: all cases run, then the test fails
WIRE_CHECK_PEER=0        # socket mode: the peer's sockets are counted too
WIRE_WITH_UNATTRIBUTED=0 # tc mode: [unattributed] is part of the wire total

# qdisc_stats NS DEV: "bytes packets" of DEV's root qdisc.
qdisc_stats() {
	ip netns exec "$1" tc -s -j qdisc show dev "$2" | "$PYTHON" -c '
import json, sys
root = [q for q in json.load(sys.stdin) if q.get("root")][0]
print(root["bytes"], root["packets"])'
}

# tx_buffers NS DEV: buffers DEV sent (a veth counts a GSO buffer once).
tx_buffers() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets"
}

# both_qdiscs: "bytes packets" of $WIRE_DEV's qdisc, then of $PEER_VETH's.
both_qdiscs() {
	echo "$(qdisc_stats "$NETNS" "$WIRE_DEV") $(qdisc_stats "$PEER_NS" "$PEER_VETH")"
}

# both_buffers: buffers sent by $WIRE_DEV, then by $PEER_VETH.
both_buffers() {
	echo "$(tx_buffers "$NETNS" "$WIRE_DEV") $(tx_buffers "$PEER_NS" "$PEER_VETH")"
}

# wire_bridge_pair: the veth pair of setup_veth_pair, but with $VETH a port
# of the bridge $WIRE_BRIDGE, which has the addresses. The port has none of
# its own (no IPv6 either: no link-local address, no packets of its own).
wire_bridge_pair() {
	add_veth_pair
	ip -n "$NETNS" link add "$WIRE_BRIDGE" type bridge || fail "cannot create the bridge $WIRE_BRIDGE"
	ip netns exec "$NETNS" sysctl -qw "net.ipv6.conf.$VETH.disable_ipv6=1" ||
		fail "cannot turn IPv6 off on $VETH"
	ip -n "$NETNS" link set "$VETH" master "$WIRE_BRIDGE" ||
		fail "cannot make $VETH a port of $WIRE_BRIDGE"
	# A bridge has no queue length: pfifo's limit would be 1 packet.
	ip -n "$NETNS" link set "$WIRE_BRIDGE" txqueuelen 1000
	WIRE_DEV=$WIRE_BRIDGE
	configure_veth_pair "$WIRE_BRIDGE"
}

# wire_setup [veth|bridge]: the veth pair of setup_veth_pair, or with
# bridge that of wire_bridge_pair, quiet, with a pfifo root qdisc on
# $WIRE_DEV and on $PEER_VETH.
wire_setup() {
	local ns dev before now quiet=0
	case ${1:-veth} in
	veth) setup_veth_pair ;;
	bridge) wire_bridge_pair ;;
	*) fail "wire_setup: unknown topology $1" ;;
	esac
	for ns in "$NETNS" "$PEER_NS"; do
		dev=$WIRE_DEV
		[ "$ns" = "$PEER_NS" ] && dev=$PEER_VETH
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.router_solicitations=0" \
			"net.ipv6.conf.$dev.accept_ra=0" || fail "cannot quieten $dev"
		tc -n "$ns" qdisc replace dev "$dev" root pfifo || fail "cannot add a pfifo qdisc on $dev"
	done
	# Quiet: two seconds without a packet on either end.
	before=$(both_qdiscs)
	for _ in $(seq 40); do
		sleep 0.5
		now=$(both_qdiscs)
		if [ "$now" = "$before" ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 4 ] && return 0
		else
			quiet=0
			before=$now
		fi
	done
	fail "the veth pair is not quiet after 20 s: qdiscs $now"
}

# within_tenth COUNTED WIRE: COUNTED is WIRE within 0.1%.
within_tenth() {
	local diff=$(($1 - $2))
	[ ${diff#-} -le $(($2 / 1000)) ]
}

# wire_compare WHO DIR "BYTES PACKETS" "QDISC_BYTES QDISC_PACKETS": counted
# as the qdisc saw it, or WIRE_FAILED goes up.
wire_compare() {
	local who=$1 dir=$2 bytes packets qbytes qpackets wire
	read -r bytes packets <<<"$3"
	read -r qbytes qpackets <<<"$4"
	wire=$((qbytes - ETH_HLEN * qpackets))
	if within_tenth "$bytes" "$wire" && within_tenth "$packets" "$qpackets"; then
		echo "ok: $WIRE_NAME: $who $dir $bytes bytes $packets packets = wire $wire bytes $qpackets packets"
		return
	fi
	echo "FAIL: $WIRE_NAME: $who $dir counted $bytes bytes $packets packets, the wire carried" \
		"$wire bytes $qpackets packets (qdisc $qbytes bytes - $ETH_HLEN per packet):" \
		"$(awk -v c="$bytes" -v w="$wire" 'BEGIN { printf "%+.2f%%", (c - w) * 100 / w }')" >&2
	WIRE_FAILED=$((WIRE_FAILED + 1))
}

# delta "A B C D" "E F G H": E-A F-B G-C H-D.
delta() {
	echo "$1 $2" | awk '{ printf "%.0f %.0f %.0f %.0f\n", $5 - $1, $6 - $2, $7 - $3, $8 - $4 }'
}

# wire_case NAME CMD...: run CMD (a transfer between $U and $P, fresh UIDs
# set here) and compare both directions of U (and of P in socket mode) with
# the qdiscs. CMD must leave nothing in flight when it returns.
wire_case() {
	local before_q before_b before_u a_bytes a_pkts b_bytes b_pkts a_bufs b_bufs
	local tx_b tx_p rx_b rx_p
	WIRE_NAME=$1
	shift
	WIRE_CASE=$((WIRE_CASE + 1))
	U=$(test_uid $((WIRE_CASE * 2)))
	P=$(test_uid $((WIRE_CASE * 2 + 1)))
	wait_next_report
	before_u=$(bucket_counts unattributed)
	before_q=$(both_qdiscs)
	before_b=$(both_buffers)
	"$@"
	sleep 0.5 # the last ACK
	read -r a_bytes a_pkts b_bytes b_pkts <<<"$(delta "$before_q" "$(both_qdiscs)")"
	read -r a_bufs b_bufs _ _ <<<"$(delta "$before_b 0 0" "$(both_buffers) 0 0")"
	wait_next_report
	read -r tx_b tx_p rx_b rx_p <<<"$(counts_of "$U")"
	if [ $WIRE_WITH_UNATTRIBUTED = 1 ]; then
		read -r tx_b tx_p rx_b rx_p <<<"$(add_counts "$tx_b $tx_p $rx_b $rx_p" \
			"$(delta "$before_u" "$(bucket_counts unattributed)")")"
	fi
	wire_compare U TX "$tx_b $tx_p" "$a_bytes $a_pkts"
	wire_compare U RX "$rx_b $rx_p" "$b_bytes $b_pkts"
	if [ $WIRE_CHECK_PEER = 1 ]; then
		read -r tx_b tx_p rx_b rx_p <<<"$(counts_of "$P")"
		wire_compare P TX "$tx_b $tx_p" "$b_bytes $b_pkts"
		wire_compare P RX "$rx_b $rx_p" "$a_bytes $a_pkts"
	fi
	# The end that carried the data: did it send GSO buffers?
	if [ "$a_bytes" -ge "$b_bytes" ]; then
		WIRE_BUFFERS=$a_bufs WIRE_SEGMENTS=$a_pkts
	else
		WIRE_BUFFERS=$b_bufs WIRE_SEGMENTS=$b_pkts
	fi
	echo "   ($WIRE_NAME: the data went as $WIRE_SEGMENTS segments in $WIRE_BUFFERS buffers)"
}

# expect_gso: the last case's data went in GSO buffers, or it tested nothing.
expect_gso() {
	[ "$WIRE_BUFFERS" -lt "$WIRE_SEGMENTS" ] ||
		fail "$WIRE_NAME: no GSO: $WIRE_BUFFERS buffers for $WIRE_SEGMENTS segments"
}

# wire_udp FROM_NS FROM TO_NS TO ADDR PORT SENDS SIZE [GSO [PAUSE]]: SENDS
# datagrams of SIZE payload bytes, all received; with GSO, each send is one
# UDP GSO buffer cut into datagrams of GSO bytes.
wire_udp() {
	local from_ns=$1 from=$2 to_ns=$3 to=$4 addr=$5 port=$6 sends=$7 size=$8
	local gso=${9:-0} pause=${10:-0} datagrams=$7 out rpid
	[ "$gso" -gt 0 ] && datagrams=$((sends * ((size + gso - 1) / gso)))
	out="$WORK/recv.$port"
	in_netns_as "$to_ns" "$to" "$PYTHON" "$TRAFFIC" udp-recv --addr "$addr" --port "$port" \
		--count "$datagrams" --timeout 10 >"$out" &
	rpid=$!
	wait_for_ready "$out" "$rpid"
	in_netns_as "$from_ns" "$from" "$PYTHON" "$TRAFFIC" udp-send --addr "$addr" --port "$port" \
		--count "$sends" --size "$size" --gso "$gso" --pause "$pause" || fail "UDP sender failed"
	wait "$rpid" || fail "UDP receiver: $(cat "$out")"
}

# The cases, the same in every mode. "out": U in $NETNS sends to P in
# $PEER_NS; "in": P sends to U. TCP: 32 MB, GSO on (veth's default).
WIRE_TCP_BYTES=$((32 * 1024 * 1024))
tcp_out() { TO_NS=$PEER_NS tcp_transfer "$U" "$P" "$1" "$2" $WIRE_TCP_BYTES "${@:3}"; }
tcp_in() { FROM_NS=$PEER_NS tcp_transfer "$P" "$U" "$1" "$2" $WIRE_TCP_BYTES "${@:3}"; }
# IPv6 with an extension header (8 bytes) on every packet, both ways.
tcp6_ext_out() { AS_CAP=net_raw tcp_out "$1" "$2" --ipv6-dstopts; }
tcp6_ext_in() { AS_CAP=net_raw tcp_in "$1" "$2" --ipv6-dstopts; }
# 200 GSO buffers of 50 datagrams of 1200 bytes each (12 MB), paced for the
# receiver's small socket buffer.
udp_gso_out() { wire_udp "$NETNS" "$U" "$PEER_NS" "$P" "$1" "$2" 200 60000 1200 0.003; }
udp_gso_in() { wire_udp "$PEER_NS" "$P" "$NETNS" "$U" "$1" "$2" 200 60000 1200 0.003; }
# 3000 datagrams of 20 bytes: ACK-sized packets, no GSO.
udp_small_out() { wire_udp "$NETNS" "$U" "$PEER_NS" "$P" "$1" "$2" 3000 20 0 0.0002; }
udp_small_in() { wire_udp "$PEER_NS" "$P" "$NETNS" "$U" "$1" "$2" 3000 20 0 0.0002; }

wire_cases() {
	wire_case "TCP IPv4 out" tcp_out "$PEER_ADDR4" 5301
	expect_gso
	wire_case "TCP IPv4 in" tcp_in "$ADDR4" 5302
	expect_gso
	wire_case "TCP IPv6 out" tcp_out "$PEER_ADDR6" 5303
	expect_gso
	wire_case "TCP IPv6 in" tcp_in "$ADDR6" 5304
	expect_gso
	wire_case "TCP IPv6 extension header out" tcp6_ext_out "$PEER_ADDR6" 5311
	expect_gso
	wire_case "TCP IPv6 extension header in" tcp6_ext_in "$ADDR6" 5312
	expect_gso
	wire_case "UDP GSO IPv4 out" udp_gso_out "$PEER_ADDR4" 5305
	expect_gso
	wire_case "UDP GSO IPv6 in" udp_gso_in "$ADDR6" 5306
	expect_gso
	wire_case "UDP GSO IPv6 out" udp_gso_out "$PEER_ADDR6" 5307
	expect_gso
	wire_case "UDP GSO IPv4 in" udp_gso_in "$ADDR4" 5308
	expect_gso
	wire_case "UDP small IPv4 out" udp_small_out "$PEER_ADDR4" 5309
	wire_case "UDP small IPv6 in" udp_small_in "$ADDR6" 5310
	[ $WIRE_FAILED = 0 ] || fail "$WIRE_FAILED of the counts above are not what crossed the wire"
}

# wire_socket_mode TOPOLOGY: the cases in socket mode (wire_socket*.sh), the
# daemon in the host's namespace, which sees both ends: the peer's UID is
# checked too. pdttd counts this test's cgroup only.
wire_socket_mode() {
	setup
	use_own_cgroup
	wire_setup "$1"
	PDTTD_CMD=() # socket mode: the daemon in the host's namespace sees both
	write_config "interval = 1;" "cgroup_path = \"$CGROUP\";"
	WIRE_CHECK_PEER=1
	start_daemon
	wire_cases
	stop_daemon
}

# wire_tc_mode TOPOLOGY: the cases in tc mode (wire_tc*.sh), pdttd in $NETNS
# with the default interfaces = [ ]: it must count on $WIRE_DEV alone (not
# loopback, not the bridge's port); [unattributed] is part of the totals.
wire_tc_mode() {
	local other
	setup
	wire_setup "$1"
	write_config "interval = 1;" 'mode = "tc";'
	WIRE_WITH_UNATTRIBUTED=1
	start_daemon
	grep -q "counting on $WIRE_DEV " "$WORK/stderr" ||
		fail "pdttd did not attach to $WIRE_DEV: $(cat "$WORK/stderr")"
	other=$(grep "counting on " "$WORK/stderr" | grep -v "counting on $WIRE_DEV ")
	[ -z "$other" ] || fail "pdttd attached to more than $WIRE_DEV: $other"
	echo "ok: with interfaces = [ ], pdttd counts on $WIRE_DEV alone"
	wire_cases
	stop_daemon
}
