# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the tests of the usage history (sourced after lib.sh).

# history_sql SQL: one query on the test's history, read-only.
history_sql() {
	"$PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for row in db.execute(sys.argv[2]):
    print(*row)' "${HISTORY_FILE:-$WORK/history.db}" "$1"
}

# expect_history_sums UID...: every tier of the history sums, per class and
# counter, to the totals pdtt show prints (pdttd stopped, so both are still).
expect_history_sums() {
	pdtt_cmd -c "$WORK/pdtt.conf" show --json >"$WORK/show.json" || fail "pdtt show --json failed"
	"$PYTHON" "$PDTT_TESTS/integration/history_check.py" "${HISTORY_FILE:-$WORK/history.db}" \
		"$WORK/show.json" "$@" || fail "the history does not sum to pdtt show's totals"
}
