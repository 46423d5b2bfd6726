#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tc mode with interfaces that come and go: a listed interface missing at
# start is waited for and attached when it is created; deleted and created
# again with the same name, it is attached again; through tcx links and
# classic filters alike. With the default interfaces = [ ], a veth created
# while pdttd runs is counted too. The log says when each is attached.
. "$PDTT_TESTS/integration/lib.sh"
setup
setup_veth_pair
ip -n "$NETNS" link del "$VETH" || fail "cannot delete $VETH"
PEER=$(test_uid 1)

# wait_log TEXT [N]: until the daemon's log says TEXT N times (default 1).
wait_log() {
	for _ in $(seq 100); do
		[ "$(grep -cF -- "$1" "$WORK/stderr")" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	fail "pdttd never said '$1' (${2:-1} times): $(tail -n 20 "$WORK/stderr")"
}

# udp_out UID PORT: 5 x 100 bytes from UID to the peer over $VETH: 5 x 128 on the wire.
udp_out() {
	TO_NS=$PEER_NS udp_transfer "$1" "$PEER" "$PEER_ADDR4" "$2" 5 100
}

port=6000
for attach in tcx classic; do
	[ $attach = classic ] && export PDTT_TC_ATTACH=classic
	: >"$WORK/stderr"
	tc_config
	start_daemon
	grep -qF "interface $VETH does not exist in pdttd's network namespace (see 'ip link'): waiting for it" \
		"$WORK/stderr" || fail "pdttd did not say it waits for $VETH: $(cat "$WORK/stderr")"
	add_veth
	configure_veth_pair
	wait_log "tc mode: $VETH appeared: counting on it"
	U=$(test_uid $((port % 100 + 10)))
	udp_out "$U" $((port++))
	wait_next_report
	expect_counts "$U" "640 5 0 0"
	echo "ok: $VETH, missing at start, counted once created ($attach)"

	ip -n "$NETNS" link del "$VETH" || fail "cannot delete $VETH"
	wait_log "tc mode: $VETH is gone"
	add_veth
	configure_veth_pair
	wait_log "tc mode: $VETH appeared: counting on it" 2
	U=$(test_uid $((port % 100 + 10)))
	udp_out "$U" $((port++))
	wait_next_report
	expect_counts "$U" "640 5 0 0"
	echo "ok: $VETH deleted and created again, counted again ($attach)"
	stop_daemon
	ip -n "$NETNS" link del "$VETH" || fail "cannot delete $VETH"
done
unset PDTT_TC_ATTACH

# interfaces = [ ]: a second veth pair, created while pdttd runs, is counted.
add_veth
configure_veth_pair
write_config "interval = 1;" 'mode = "tc";'
: >"$WORK/stderr"
start_daemon
ip -n "$NETNS" link add pdtt2 type veth peer name pdtt3 netns "$PEER_NS" ||
	fail "cannot create pdtt2"
ip -n "$NETNS" addr add 10.198.0.1/24 dev pdtt2
ip -n "$PEER_NS" addr add 10.198.0.2/24 dev pdtt3
ip -n "$NETNS" link set pdtt2 up
ip -n "$PEER_NS" link set pdtt3 up
wait_log "tc mode: pdtt2 appeared: counting on it"
U=$(test_uid 40)
TO_NS=$PEER_NS udp_transfer "$U" "$PEER" 10.198.0.2 6100 5 100
wait_counted
expect_counts "$U" "640 5 0 0"
echo "ok: interfaces = [ ] attached to pdtt2, created while pdttd ran"
stop_daemon
exit 0
