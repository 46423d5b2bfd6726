#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The golden outputs are what real consumers accept: every line of the JSON
# lines goldens passes a JSON parser, so does each JSON document (pdtt show),
# and the Prometheus goldens pass promtool (when installed; quickstart check
# installs it on Debian).
set -u
GOLDEN="${PDTT_TESTS:-$(dirname "$0")/..}/golden"
PYTHON=/usr/bin/python3
rc=0

[ -x "$PYTHON" ] || { echo "SKIP: needs $PYTHON" >&2; exit 77; }
for f in "$GOLDEN"/*.jsonl; do
	"$PYTHON" -c '
import json, sys
with open(sys.argv[1], "rb") as f:
    for n, line in enumerate(f, 1):
        obj = json.loads(line.decode("utf-8", errors="strict"))
        assert isinstance(obj, dict), f"line {n} is not an object"
print(f"ok: {sys.argv[1]}: {n} JSON lines")
' "$f" || { echo "FAIL: $f does not parse as JSON lines" >&2; rc=1; }
done
# pdtt show --json: one document, its integers exact.
for f in "$GOLDEN"/show*.json; do
	"$PYTHON" -c '
import json, sys
with open(sys.argv[1], "rb") as f:
    doc = json.loads(f.read().decode("utf-8", errors="strict"))
assert isinstance(doc, dict) and isinstance(doc["users"], list), "not a pdtt show document"
for u in doc["users"] + doc["buckets"]:
    assert all(isinstance(v, int) for k, v in u["cumulative"].items() if k.endswith(("bytes", "packets")))
n = len(doc["users"])
print(f"ok: {sys.argv[1]}: one JSON document, {n} users")
' "$f" || { echo "FAIL: $f does not parse as a JSON document" >&2; rc=1; }
done
# pdtt history --json: one document, its integers exact.
for f in "$GOLDEN"/history*.json; do
	"$PYTHON" -c '
import json, sys
with open(sys.argv[1], "rb") as f:
    doc = json.loads(f.read().decode("utf-8", errors="strict"))
assert isinstance(doc, dict) and isinstance(doc["rows"], list), "not a pdtt history document"
for r in doc["rows"]:
    assert all(isinstance(v, int) for k, v in r.items() if k.endswith(("bytes", "packets")))
n = len(doc["rows"])
print(f"ok: {sys.argv[1]}: one JSON document, {n} rows")
' "$f" || { echo "FAIL: $f does not parse as a JSON document" >&2; rc=1; }
done
if command -v promtool >/dev/null 2>&1; then
	for f in "$GOLDEN"/*.prom; do
		if out=$(promtool check metrics <"$f" 2>&1); then
			echo "ok: $f passes promtool check metrics"
		else
			echo "FAIL: promtool check metrics $f: $out" >&2
			rc=1
		fi
	done
else
	echo "note: promtool not installed: the .prom goldens were not linted"
fi
exit $rc
