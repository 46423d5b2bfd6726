#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""history_check.py DB SHOW_JSON UID...

For each UID, every tier of the usage history (its rows plus what retention
expired from it, less what it holds from before a reset of the totals) sums
to the cumulative totals of `pdtt show --json`,
exactly, per class and counter; and the file passes PRAGMA integrity_check.
Exit 0 when all match, 1 with one line per mismatch."""
import json
import sqlite3
import sys

COUNTERS = ("tx_bytes", "tx_packets", "rx_bytes", "rx_packets")
TIERS = ("5min", "hourly", "daily", "monthly")


def main():
    db_path, show_path, uids = sys.argv[1], sys.argv[2], [int(u) for u in sys.argv[3:]]
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    check = db.execute("PRAGMA integrity_check").fetchone()[0]
    bad = [] if check == "ok" else [f"integrity_check: {check}"]
    classes = dict(db.execute("SELECT id, name FROM classes"))
    with open(show_path) as f:
        show = {u["uid"]: u["cumulative"] for u in json.load(f)["users"]}
    for uid in uids:
        want = show.get(uid)
        if want is None:
            bad.append(f"UID {uid}: not in pdtt show")
            continue
        for tier in TIERS:
            sums = {}
            for cls, *vals in db.execute(
                    f"SELECT class, {', '.join(f'sum({c})' for c in COUNTERS)} FROM "
                    f"(SELECT class, {', '.join(COUNTERS)} FROM usage_{tier} WHERE uid = ?1 "
                    f"UNION ALL SELECT class, {', '.join(COUNTERS)} FROM usage_expired "
                    f"WHERE tier = ?2 AND uid = ?1 UNION ALL SELECT class, "
                    f"{', '.join('-' + c for c in COUNTERS)} FROM usage_offsets "
                    f"WHERE uid = ?1) GROUP BY class", (uid, tier)):
                sums[classes[cls]] = dict(zip(COUNTERS, vals))
            for cls in ("local", "external"):
                got = sums.get(cls, dict.fromkeys(COUNTERS, 0))
                exp = {c: want[cls][c] for c in COUNTERS}
                if got != exp:
                    bad.append(f"UID {uid} {tier} {cls}: history {got}, pdtt show {exp}")
    for line in bad:
        print(line)
    if not bad:
        print(f"ok: every tier of {db_path} sums to pdtt show's totals for {len(uids)} UIDs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
