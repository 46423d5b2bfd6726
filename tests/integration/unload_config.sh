#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdttd --unload detaches whatever state the configuration is in (package
# removal depends on it), and says which pin_path it took:
#  - a valid configuration: its pin_path;
#  - a broken one with --pin-path: that pin_path;
#  - a broken one without: the default /sys/fs/bpf/pdtt. That part runs in a
#    private mount namespace over a bpffs of its own, so that it can never
#    touch the real default pin_path of this machine.
. "$PDTT_TESTS/integration/lib.sh"
setup
command -v unshare >/dev/null || skip "needs unshare"
CONF="$WORK/pdtt.conf"

# A valid configuration names the pin_path.
start_daemon
stop_daemon
"$PDTTD" --unload -c "$CONF" 2>"$WORK/unload.err" || fail "--unload failed: $(cat "$WORK/unload.err")"
grep -qx "pdttd: unloading pin_path $PIN_PATH (from $CONF)" "$WORK/unload.err" ||
	fail "--unload did not say where pin_path came from: $(cat "$WORK/unload.err")"
[ ! -e "$PIN_PATH" ] || fail "$PIN_PATH is left"
echo "ok: $(head -n 1 "$WORK/unload.err")"

# A broken configuration (as sighup.sh leaves one): --pin-path.
start_daemon
stop_daemon
ids=$(pinned_link_ids "$PIN_PATH")
write_config "interval = 0;"
rc=0
"$PDTTD" --unload -c "$CONF" --pin-path "$PIN_PATH" 2>"$WORK/unload.err" || rc=$?
[ $rc = 0 ] || fail "--unload --pin-path with a broken configuration: status $rc: $(cat "$WORK/unload.err")"
grep -qx "pdttd: unloading pin_path $PIN_PATH (from --pin-path)" "$WORK/unload.err" ||
	fail "--unload did not say it took --pin-path: $(cat "$WORK/unload.err")"
[ ! -e "$PIN_PATH" ] || fail "$PIN_PATH is left: $(ls "$PIN_PATH")"
expect_detached "$ids"
echo "ok: broken configuration, --pin-path: links and programs $(echo $ids) gone"

# A broken configuration and no --pin-path: the default pin_path, on a bpffs
# private to this part (it dies with the namespace, whatever happens).
{
	echo "log_file = \"$WORK/default.log\";"
	echo "state_file = \"$WORK/default.state\";"
	echo "interval = 1;"
} >"$WORK/default.conf"
unshare --mount --propagation private /bin/bash -c '
	PDTTD=$1 WORK=$2 PYTHON=$3
	mount -t bpf bpf /sys/fs/bpf || exit 90
	"$PDTTD" -f -c "$WORK/default.conf" >/dev/null 2>"$WORK/default.err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q "counting in" "$WORK/default.err" && break
		sleep 0.1
	done
	kill -TERM $pid
	wait $pid || exit 91
	for hook in egress ingress; do
		bpftool -j link show pinned /sys/fs/bpf/pdtt/link_sock_$hook | "$PYTHON" -c \
			"import json,sys; l = json.load(sys.stdin); print(l[\"id\"], l[\"prog_id\"])" || exit 92
	done >"$WORK/default.ids"
	echo "max_users = ;" >>"$WORK/default.conf"
	"$PDTTD" --unload -c "$WORK/default.conf" 2>"$WORK/unload.err" || exit 93
	[ ! -e /sys/fs/bpf/pdtt ] || exit 94
' unload "$PDTTD" "$WORK" "$PYTHON"
rc=$?
case $rc in
0) ;;
90) fail "cannot mount a private bpffs" ;;
91) fail "pdttd with the default pin_path: $(cat "$WORK/default.err")" ;;
92) fail "no links pinned in the default pin_path: $(cat "$WORK/default.err")" ;;
93) fail "--unload with a broken configuration failed: $(cat "$WORK/unload.err")" ;;
94) fail "--unload left the default pin_path: $(cat "$WORK/unload.err")" ;;
*) fail "the private bpffs part failed with status $rc" ;;
esac
grep -q "^pdttd: $WORK/default.conf:4: syntax error" "$WORK/unload.err" ||
	fail "--unload did not say what is wrong with the configuration: $(cat "$WORK/unload.err")"
grep -qx "pdttd: unloading pin_path /sys/fs/bpf/pdtt (the default: $WORK/default.conf is invalid; use --pin-path if pdttd used another one)" \
	"$WORK/unload.err" || fail "--unload did not say it took the default: $(cat "$WORK/unload.err")"
expect_detached "$(cat "$WORK/default.ids")"
echo "ok: broken configuration, no --pin-path: the default pin_path unloaded ($(cat "$WORK/default.ids" | tr '\n' ' '))"
exit 0
