#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check pdttd's JSON lines logs, given oldest first, and print the last
cumulative counts of the UIDs asked for: "uid tx_bytes tx_packets rx_bytes
rx_packets" (or "uid absent").

Every line must be a JSON object with exactly the documented keys and types,
its time RFC 3339 UTC, its host the given one, its totals the sum of its
local and external halves; and, for every UID and bucket, each interval must
be exactly the difference of two consecutive cumulative readings. Each report
starts with its report line, whose "users" and "buckets" are the numbers of
user and bucket lines that follow it with its time.
"""
import argparse
import datetime
import json
import re
import sys

FOUR = ("tx_bytes", "tx_packets", "rx_bytes", "rx_packets")
KEYS = {"time", "host", "uid", "user", "bucket", "interval_seconds", "cumulative", "interval"}
REPORT_KEYS = {"time", "host", "uid", "user", "bucket", "type", "interval_seconds", "users",
               "buckets"}
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def fail(where, why):
    sys.exit(f"{where}: {why}")


def check_four(where, c):
    if set(c) != set(FOUR) or not all(type(c[k]) is int and c[k] >= 0 for k in FOUR):
        fail(where, f"bad counters {c}")


def check_counts(where, c):
    if set(c) != set(FOUR) | {"local", "external"}:
        fail(where, f"bad keys {sorted(c)}")
    check_four(where, {k: c[k] for k in FOUR})
    check_four(where + " local", c["local"])
    check_four(where + " external", c["external"])
    for k in FOUR:
        if c[k] != c["local"][k] + c["external"][k]:
            fail(where, f"{k} {c[k]} is not local + external")


def flat(c):
    return [c[k] for k in FOUR] + [c[cls][k] for cls in ("local", "external") for k in FOUR]


def check_report_line(where, obj, max_interval):
    if set(obj) != REPORT_KEYS or obj["type"] != "report":
        fail(where, f"report line keys {sorted(obj)}")
    if obj["uid"] is not None or obj["user"] is not None or obj["bucket"] is not None:
        fail(where, "a report line has uid, user and bucket null")
    secs = obj["interval_seconds"]
    if secs is not None and (type(secs) not in (int, float) or not 0 < secs <= max_interval):
        fail(where, f"interval_seconds {secs!r}")
    if not all(type(obj[k]) is int and obj[k] >= 0 for k in ("users", "buckets")):
        fail(where, f"users {obj['users']!r}, buckets {obj['buckets']!r}")


def check_report_complete(where, report, users, buckets):
    if report is not None and (report["users"], report["buckets"]) != (users, buckets):
        fail(where, f"the report line says {report['users']} users and {report['buckets']} "
             f"buckets, {users} and {buckets} follow")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--host", required=True)
    ap.add_argument("--max-interval", type=float, required=True)
    ap.add_argument("--nameless", default="", help="comma-separated UIDs with no passwd entry")
    ap.add_argument("--show", default="", help="comma-separated UIDs to print")
    args = ap.parse_args()
    nameless = {int(u) for u in args.nameless.split(",") if u}
    last = {}     # uid or bucket -> last record
    sums = {}     # uid or bucket -> sum of the intervals, flattened
    first = {}    # uid or bucket -> first record
    lines = 0
    reports = 0
    report = None   # the report line of the lines being read
    seen = [0, 0]   # its user and bucket lines so far
    for path in args.files:
        with open(path, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            fail(path, "does not end with a newline")
        for n, raw in enumerate(data.splitlines(), 1):
            where = f"{path}:{n}"
            obj = json.loads(raw.decode("utf-8", errors="strict"))
            lines += 1
            if not isinstance(obj, dict) or not {"time", "host"} <= set(obj):
                fail(where, f"keys {sorted(obj)}")
            if not TIME.match(obj["time"]):
                fail(where, f"time {obj['time']!r} is not RFC 3339 UTC")
            datetime.datetime.strptime(obj["time"], "%Y-%m-%dT%H:%M:%SZ")
            if obj["host"] != args.host:
                fail(where, f"host {obj['host']!r}, expected {args.host!r}")
            if "type" in obj:
                check_report_line(where, obj, args.max_interval)
                check_report_complete(where, report, *seen)
                report, seen = obj, [0, 0]
                reports += 1
                continue
            if set(obj) != KEYS:
                fail(where, f"keys {sorted(obj)}")
            if report is None or obj["time"] != report["time"]:
                fail(where, "a user or bucket line without its report line")
            seen[obj["uid"] is None] += 1
            uid, user, bucket = obj["uid"], obj["user"], obj["bucket"]
            if uid is None:
                if bucket not in ("unattributed", "overflow") or user is not None:
                    fail(where, "a line without uid must be a bucket, without user")
                key = bucket
            else:
                if type(uid) is not int or bucket is not None:
                    fail(where, "a user line has an integer uid and bucket null")
                if user is not None and type(user) is not str:
                    fail(where, "user must be a string or null")
                if uid in nameless and user is not None:
                    fail(where, f"UID {uid} has no passwd entry but user {user!r}")
                key = uid
            secs = obj["interval_seconds"]
            if type(secs) not in (int, float) or not 0 < secs <= args.max_interval:
                fail(where, f"interval_seconds {secs!r}")
            check_counts(where + " cumulative", obj["cumulative"])
            check_counts(where + " interval", obj["interval"])
            cum, ivl = flat(obj["cumulative"]), flat(obj["interval"])
            if key in last:
                before = flat(last[key]["cumulative"])
                if [a - b for a, b in zip(cum, before)] != ivl:
                    fail(where, f"{key}: interval {ivl} is not {cum} - {before}")
                sums[key] = [a + b for a, b in zip(sums[key], ivl)]
            else:
                if any(i > c for i, c in zip(ivl, cum)):
                    fail(where, f"{key}: first interval {ivl} exceeds cumulative {cum}")
                first[key] = obj
                sums[key] = ivl
            last[key] = obj
    check_report_complete(args.files[-1], report, *seen)
    if reports == 0:
        fail(args.files[-1], "no report line at all")
    for u in (int(x) for x in args.show.split(",") if x):
        if u not in last:
            print(u, "absent")
            continue
        # The daemon was started before the UID's traffic: every byte is in some interval.
        if sums[u] != flat(last[u]["cumulative"]):
            fail("UID %d" % u, f"intervals add up to {sums[u]}, cumulative is "
                 f"{flat(last[u]['cumulative'])}")
        c = last[u]["cumulative"]
        print(u, *(c[k] for k in FOUR))
    print(f"checked {lines} JSON lines, {reports} reports", file=sys.stderr)


if __name__ == "__main__":
    main()
