# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the tests of the report outputs (sourced after lib.sh and
# `setup`): a second network namespace joined to the test's by a veth pair,
# per-class counts from the text log, and a node exporter, each removed by
# the trap even on failure.
#
# The two namespaces talk over private addresses that exist only inside them:
#   test namespace  10.199.1.1/24 10.199.2.1/24 fd99:1::1/64 fd99:2::1/64
#   peer namespace  10.199.1.2/24 10.199.2.2/24 fd99:1::2/64 fd99:2::2/64
# so that one network can be listed in local_networks and the other not.
# Nothing routes out of either namespace.

PEER_NS=""
EXPORTER_PID=""

set_status() { return "$1"; }

reports_cleanup() {
	local rc=$?
	if [ -n "$EXPORTER_PID" ]; then
		kill "$EXPORTER_PID" 2>/dev/null
		wait "$EXPORTER_PID" 2>/dev/null
	fi
	[ -n "$PEER_NS" ] && ip netns del "$PEER_NS" 2>/dev/null
	set_status $rc
	cleanup
}
trap reports_cleanup EXIT

# setup_peer: the peer namespace and the veth pair, neighbours resolved
# statically so that no datagram waits for ARP or neighbour discovery.
setup_peer() {
	PEER_NS="$NETNS-peer"
	ip netns add "$PEER_NS" || fail "cannot create network namespace $PEER_NS"
	ip -n "$PEER_NS" link set lo up
	ip -n "$NETNS" link add veth0 type veth peer name veth1 netns "$PEER_NS" ||
		fail "cannot create the veth pair"
	local ns dev me other mac_other
	for ns in "$NETNS" "$PEER_NS"; do
		if [ "$ns" = "$NETNS" ]; then dev=veth0 me=1 other=2; else dev=veth1 me=2 other=1; fi
		ip -n "$ns" addr add "10.199.1.$me/24" dev $dev
		ip -n "$ns" addr add "10.199.2.$me/24" dev $dev
		ip -n "$ns" addr add "fd99:1::$me/64" dev $dev nodad
		ip -n "$ns" addr add "fd99:2::$me/64" dev $dev nodad
		ip -n "$ns" link set $dev up
	done
	for ns in "$NETNS" "$PEER_NS"; do
		if [ "$ns" = "$NETNS" ]; then
			dev=veth0 other=2 mac_other=$(ip -n "$PEER_NS" -br link show veth1 | awk '{print $3}')
		else
			dev=veth1 other=1 mac_other=$(ip -n "$NETNS" -br link show veth0 | awk '{print $3}')
		fi
		for addr in "10.199.1.$other" "10.199.2.$other" "fd99:1::$other" "fd99:2::$other"; do
			ip -n "$ns" neigh replace "$addr" lladdr "$mac_other" dev $dev nud permanent
		done
	done
}

# udp_between FROM_NS FROM_UID TO_NS TO_UID ADDR PORT COUNT SIZE: COUNT
# datagrams from one namespace to the other, all received.
udp_between() {
	local fns=$1 from=$2 tns=$3 to=$4 addr=$5 port=$6 count=$7 size=$8 out
	out="$WORK/recv.$port"
	ip netns exec "$tns" setpriv --reuid "$to" --regid "$to" --clear-groups \
		"$PYTHON" "$TRAFFIC" udp-recv --addr "$addr" --port "$port" --count "$count" \
		--timeout 10 >"$out" &
	local rpid=$!
	wait_for_ready "$out" "$rpid"
	ip netns exec "$fns" setpriv --reuid "$from" --regid "$from" --clear-groups \
		"$PYTHON" "$TRAFFIC" udp-send --addr "$addr" --port "$port" --count "$count" \
		--size "$size" || fail "UDP sender failed"
	wait "$rpid" || fail "UDP receiver: $(cat "$out")"
}

# class_counts_of UID Local|External|"Network NAME" [FILE]: "tx_bytes
# tx_packets rx_bytes rx_packets" of that class in the last report of the text
# log ("none" when the block has no such line, "0 0 0 0" when the UID is not
# in the report).
class_counts_of() {
	awk -v uid="$1" -v label="  $2: " '
		/^=== Network Statistics Report/ { inrep = 0; got = "0 0 0 0" }
		/^UID: / { cur = ($2 == uid); if (cur) got = "none" }
		cur && index($0, label) == 1 {
			split(substr($0, length(label) + 1), f, " ")
			got = f[2] " " substr(f[4], 2) " " f[7] " " substr(f[9], 2)
		}
		END { print got }
	' "${3:-$WORK/pdtt.log}"
}

# expect_class UID Local|External|"Network NAME" "TXB TXP RXB RXP": exact equality.
expect_class() {
	local got
	got=$(class_counts_of "$1" "$2")
	[ "$got" = "$3" ] || fail "UID $1 $2: counted '$got', expected '$3' (tx_bytes tx_packets rx_bytes rx_packets)"
	echo "ok: UID $1 $2 counted $got"
}

# reload_daemon EXTRA...: rewrite the config and SIGHUP; wait until it is applied.
reload_daemon() {
	local before
	before=$(grep -c "reloaded $WORK/pdtt.conf" "$WORK/stderr" 2>/dev/null)
	write_config "$@"
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 100); do
		[ "$(grep -c "reloaded $WORK/pdtt.conf" "$WORK/stderr")" -gt "${before:-0}" ] && return 0
		sleep 0.1
	done
	fail "pdttd did not reload within 10 s"
}

# prom_samples [FILE]: the samples of a Prometheus text file (or standard
# input) in prom_parse.py's normal form.
prom_samples() {
	"$PYTHON" "$PDTT_TESTS/integration/prom_parse.py" <"${1:-/dev/stdin}" ||
		fail "cannot parse ${1:-the scrape} as the Prometheus text format"
}

# expect_sample SAMPLES LINE: LINE (normal form) is one of SAMPLES.
expect_sample() {
	grep -qxF -- "$2" <<<"$1" || fail "no sample '$2' in: $(grep -F "${2%%\{*}" <<<"$1" | head -n 20)"
	echo "ok: $2"
}

# expect_user_samples SAMPLES UID CLASS "TXB TXP RXB RXP": the four counters.
expect_user_samples() {
	local samples=$1 uid=$2 cls=$3 txb txp rxb rxp
	read -r txb txp rxb rxp <<<"$4"
	expect_sample "$samples" "pdtt_transmit_bytes_total{class=\"$cls\",uid=\"$uid\"} $txb"
	expect_sample "$samples" "pdtt_transmit_packets_total{class=\"$cls\",uid=\"$uid\"} $txp"
	expect_sample "$samples" "pdtt_receive_bytes_total{class=\"$cls\",uid=\"$uid\"} $rxb"
	expect_sample "$samples" "pdtt_receive_packets_total{class=\"$cls\",uid=\"$uid\"} $rxp"
}
