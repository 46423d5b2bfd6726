#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pdttd --unload detaches every program pdtt attached and removes its pins:
# no pdtt link, program or pin remains (checked with bpftool).
. "$PDTT_TESTS/integration/lib.sh"
setup

start_daemon
link_ids=""
prog_ids=""
for hook in egress ingress; do
	info=$(bpftool -j link show pinned "$PIN_PATH/link_sock_$hook")
	link_ids="$link_ids $(echo "$info" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
	prog_ids="$prog_ids $(echo "$info" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["prog_id"])')"
done

# --unload refuses while the daemon holds the pins.
if "$PDTTD" --unload -c "$WORK/pdtt.conf" 2>"$WORK/unload.err"; then
	fail "--unload succeeded while pdttd was running"
fi
grep -q 'another pdttd (PID [0-9]*) is running' "$WORK/unload.err" ||
	fail "--unload did not name the running pdttd: $(cat "$WORK/unload.err")"
stop_daemon

"$PDTTD" --unload -c "$WORK/pdtt.conf" || fail "--unload failed"
[ ! -e "$PIN_PATH" ] || fail "$PIN_PATH still exists: $(ls "$PIN_PATH")"
for id in $link_ids; do
	bpftool link show id "$id" >/dev/null 2>&1 && fail "link $id still exists"
done
for id in $prog_ids; do
	bpftool prog show id "$id" >/dev/null 2>&1 && fail "program $id still loaded"
done
echo "ok: links$link_ids and programs$prog_ids are gone, $PIN_PATH removed"

# Unloading again is harmless.
"$PDTTD" --unload -c "$WORK/pdtt.conf" || fail "second --unload failed"
exit 0
