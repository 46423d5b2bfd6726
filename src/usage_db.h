/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The usage history: an SQLite database (history_file) of what each UID
 * counted per 5 minutes, hour, day and month, written by pdttd. The schema,
 * its version and its migrations are in usage_db.c, and documented in
 * pdtt-history(5).
 *
 * The history records, at each write, the difference between the totals
 * every output reports and the totals it already holds (the sum of its
 * monthly tier and of what retention expired from it). So the sum of any
 * tier over all time is the totals `pdtt show` prints, whatever happened in
 * between: a restart, kill -9, a reboot, a failed write, a new database.
 */
#ifndef PDTT_USAGE_DB_H
#define PDTT_USAGE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sqlite3.h>
#include "snapshot.h"

/* The schema version this pdtt writes and reads (PRAGMA user_version). */
#define USAGE_DB_VERSION 1

/* The uid column of the buckets no user is charged for. */
#define USAGE_UID_UNATTRIBUTED (-1)
#define USAGE_UID_OVERFLOW (-2)

enum usage_tier {
	USAGE_5MIN,
	USAGE_HOURLY,
	USAGE_DAILY,
	USAGE_MONTHLY,
	USAGE_TIER_COUNT,
};

/* history_* keys of pdtt.conf. */
struct usage_settings {
	const char *path;
	int period;      /* seconds between writes (history_period) */
	bool background; /* write in a thread of its own, started at the first report */
	int retention[USAGE_TIER_COUNT]; /* 5min: hours; hourly, daily: days; monthly: months */
};

/* "5min", "hourly", "daily", "monthly": the tier column of usage_expired. */
const char *usage_tier_name(enum usage_tier t);

/* "usage_5min"...: the tier's table. */
const char *usage_tier_table(enum usage_tier t);

/* The start of the tier's bucket that holds when (UTC). */
time_t usage_bucket_start(enum usage_tier t, time_t when);

/* The first second (UTC) of the month of when, months_later months later (or earlier). */
time_t usage_month_start(time_t when, int months_later);

/* The start of the bucket after the one that starts at start. */
time_t usage_bucket_next(enum usage_tier t, time_t start);

struct usage_db;

/*
 * Set up the history described by s; the database itself is opened at the
 * first write. NULL with a message in err when the directory of s->path
 * cannot be written (said at start, like the other outputs).
 */
struct usage_db *usage_db_open(const struct usage_settings *s, char *err, size_t errlen);
void usage_db_close(struct usage_db *h);

/* SIGHUP: the retention and the period may change; the path needs a restart. */
void usage_db_configure(struct usage_db *h, const struct usage_settings *s);

enum usage_when {
	USAGE_AT_START,  /* the first reading: what was counted while pdttd was down */
	USAGE_AT_REPORT, /* a report: written when a new period has begun */
	USAGE_AT_STOP,   /* the final report */
};

/*
 * Record the totals snap (the reading every output reports; taken_at is its
 * time) in the history. Errors are logged; a write that fails is kept in
 * memory and written with the next one. With s->background, from the first
 * USAGE_AT_REPORT on, the caller only hands a copy of snap to a writer
 * thread, so that writing never delays a report; usage_db_close waits for
 * the thread to write what it was handed. The write at start is the
 * caller's: before the first report, and before pdttd forks.
 */
void usage_db_record(struct usage_db *h, const struct pdtt_snapshot *snap, enum usage_when when);

/*
 * Before pdttd forks to leave the terminal: close the database (it is
 * opened again at the next write). SQLite's locks are POSIX record locks,
 * which a child does not inherit: a connection carried across fork() would
 * believe it holds locks it does not, and another process (pdtt history)
 * could then checkpoint and remove the WAL under it.
 */
void usage_db_before_fork(struct usage_db *h);

/*
 * Open path read-only for queries and check its schema version: 0, or -1
 * with a message in err (no such file, not a history, a newer version).
 */
int usage_db_open_readonly(const char *path, sqlite3 **db, char *err, size_t errlen);

#endif /* PDTT_USAGE_DB_H */
