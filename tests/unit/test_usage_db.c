// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The usage history database: every tier sums to the totals, across
 * restarts, retention and a new database; catch-up marking; a corrupt file
 * moved aside; a newer schema left alone.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "usage_db.h"

static char dir[] = "/tmp/pdtt-test-usage-XXXXXX";
static char path[256];

/* A reading at t: UIDs 1000 and 1001, local and external, scaled by k. */
static void reading(struct pdtt_snapshot *s, struct pdtt_usage users[2], time_t t, uint64_t k)
{
	memset(s, 0, sizeof(*s));
	memset(users, 0, 2 * sizeof(users[0]));
	users[0].uid = 1000;
	users[0].by_class[PDTT_CLASS_LOCAL] = (struct pdtt_counters){ 10 * k, k, 20 * k, 2 * k };
	users[0].by_class[PDTT_CLASS_EXTERNAL] = (struct pdtt_counters){ 1000 * k, k, 0, 0 };
	users[1].uid = 1001;
	users[1].by_class[PDTT_CLASS_EXTERNAL] = (struct pdtt_counters){ 0, 0, 7 * k, k };
	s->users = users;
	s->n_users = 2;
	s->buckets[PDTT_BUCKET_UNATTRIBUTED].by_class[PDTT_CLASS_LOCAL].rx_bytes = 3 * k;
	s->taken_at = t;
}

/* The reading s with networks campus and nren: the users' named classes in named, zero. */
static void with_networks(struct pdtt_snapshot *s, struct pdtt_counters named[2 * 2])
{
	s->classes = (struct pdtt_classes){ .n = 4, .name = { [2] = "campus", [3] = "nren" } };
	memset(named, 0, 2 * 2 * sizeof(named[0]));
	s->named = named;
	s->named_width = 2;
	for (size_t i = 0; i < s->n_users; i++)
		s->users[i].named = (uint32_t)i;
}

static long long query(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	} else {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return v;
}

/* The sum of a tier and what expired from it, for UID 1000's external TX bytes. */
static long long tier_sum(const char *tier)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT (SELECT coalesce(sum(tx_bytes), 0) FROM usage_%s WHERE uid = 1000 AND "
		 "class = 1) + (SELECT coalesce(sum(tx_bytes), 0) FROM usage_expired WHERE "
		 "tier = '%s' AND uid = 1000 AND class = 1)",
		 tier, tier);
	return query(sql);
}

/* From first_tier on (the finer ones may have expired rows), every tier sums to the totals. */
static void check_sums_from(int first_tier, uint64_t k)
{
	static const char *const tiers[] = { "5min", "hourly", "daily", "monthly" };

	for (int t = first_tier; t < 4; t++) {
		long long got = tier_sum(tiers[t]);

		CHECK(got == (long long)(1000 * k));
		if (got != (long long)(1000 * k))
			fprintf(stderr, "tier %s: %lld, want %llu\n", tiers[t], got,
				(unsigned long long)(1000 * k));
	}
	CHECK(query("SELECT sum(rx_bytes) FROM usage_monthly WHERE uid = -1") ==
	      (long long)(3 * k));
}

static void check_sums(uint64_t k)
{
	check_sums_from(USAGE_5MIN, k);
}

static struct usage_db *open_history_as(int period, bool background)
{
	struct usage_settings s = { .path = path,
				    .period = period,
				    .background = background,
				    .retention = { 48, 4, 62, 25 } };
	char err[512];
	struct usage_db *h = usage_db_open(&s, err, sizeof(err));

	CHECK(h != NULL);
	if (!h)
		fprintf(stderr, "%s\n", err);
	return h;
}

static struct usage_db *open_history(int period)
{
	return open_history_as(period, false);
}

/* Start, reports, stop, start again: catch-up rows, and every tier sums to the totals. */
static void test_sums(void)
{
	time_t t0 = 1764547200; /* 2025-12-01 00:00:00 UTC */
	struct pdtt_usage users[2];
	struct pdtt_snapshot s;
	struct usage_db *h = open_history(300);

	if (!h)
		return;
	reading(&s, users, t0 + 5, 1);
	usage_db_record(h, &s, USAGE_AT_START);
	CHECK(query("SELECT catch_up FROM periods") == 1); /* a new history: totals so far */
	CHECK(query("PRAGMA user_version") == USAGE_DB_VERSION);
	check_sums(1);
	/* Reports in the same 5 minutes are not written; the next 5 minutes' first is. */
	reading(&s, users, t0 + 100, 2);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	CHECK(query("SELECT count(*) FROM periods") == 1);
	reading(&s, users, t0 + 301, 3);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	CHECK(query("SELECT count(*) FROM periods") == 2);
	/* What the last reading added went to the bucket of the reading before it. */
	CHECK(query("SELECT max(start) FROM usage_5min") == t0);
	check_sums(3);
	reading(&s, users, t0 + 3 * 3600, 4);
	usage_db_record(h, &s, USAGE_AT_STOP);
	check_sums(4);
	usage_db_close(h);

	/* Counted while stopped: at the next start, marked catch_up. */
	h = open_history(300);
	if (!h)
		return;
	reading(&s, users, t0 + 4 * 3600, 9);
	usage_db_record(h, &s, USAGE_AT_START);
	CHECK(query("SELECT sum(tx_bytes) FROM usage_5min WHERE catch_up = 1 AND uid = 1000 AND "
		    "class = 1 AND start = 1764561600") == 5000);
	check_sums(9);
	/* Three days later: the 5-minute and hourly tiers expire rows, the others sum on. */
	reading(&s, users, t0 + 3 * 86400, 10);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	reading(&s, users, t0 + 3 * 86400 + 301, 11);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	CHECK(query("SELECT min(start) FROM usage_5min") > t0 + 86400);
	CHECK(query("SELECT count(*) FROM usage_5min WHERE start < 1764720000") == 0);
	check_sums_from(USAGE_DAILY, 11);
	/* Two months later: the daily tier expires rows into usage_expired. */
	reading(&s, users, t0 + 70 * 86400, 12);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	reading(&s, users, t0 + 70 * 86400 + 301, 13);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	CHECK(query("SELECT count(*) FROM usage_expired WHERE tier = 'daily'") > 0);
	CHECK(query("SELECT count(*) FROM usage_daily WHERE start < 1764547200 + 5 * 86400") == 0);
	check_sums_from(USAGE_DAILY, 13);
	usage_db_close(h);
}

/* Totals that went back (reset): the whole new value counts, and a restart does not count it again. */
static void test_reset(void)
{
	time_t t0 = 1767225600; /* 2026-01-01 */
	struct pdtt_usage users[2];
	struct pdtt_snapshot s;
	struct usage_db *h = open_history(300);

	if (!h)
		return;
	reading(&s, users, t0 + 5, 50);
	usage_db_record(h, &s, USAGE_AT_START);
	reading(&s, users, t0 + 305, 2);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	usage_db_close(h);
	h = open_history(300);
	if (!h)
		return;
	reading(&s, users, t0 + 605, 3);
	usage_db_record(h, &s, USAGE_AT_START);
	usage_db_close(h);
	CHECK(query("SELECT sum(tx_bytes) FROM usage_monthly WHERE uid = 1000 AND class = 1 AND "
		    "start = 1767225600") == 40000); /* 37000 at start, then 2000 and 1000 */
	CHECK(query("SELECT tx_bytes FROM usage_offsets WHERE uid = 1000 AND class = 1") > 0);
	CHECK(tier_sum("monthly") - query("SELECT tx_bytes FROM usage_offsets WHERE uid = 1000 "
					  "AND class = 1") ==
	      3000);
}

/* Networks: a class row per name, its id the network's number; a restart adds nothing twice. */
static void test_networks(void)
{
	time_t t0 = 1769904000; /* 2026-02-01 */
	struct pdtt_usage users[2];
	struct pdtt_counters named[2 * 2];
	struct pdtt_snapshot s;
	struct usage_db *h;
	char db_path[300];

	snprintf(db_path, sizeof(db_path), "%s", path);
	snprintf(path, sizeof(path), "%s/networks.db", dir);
	h = open_history(300);
	if (!h)
		goto out;
	reading(&s, users, t0 + 5, 1);
	with_networks(&s, named);
	named[1 * 2 + 1] = (struct pdtt_counters){ 500, 5, 0, 0 }; /* UID 1001's nren */
	usage_db_record(h, &s, USAGE_AT_START);
	reading(&s, users, t0 + 305, 1);
	with_networks(&s, named);
	named[1 * 2 + 1] = (struct pdtt_counters){ 800, 8, 0, 0 };
	usage_db_record(h, &s, USAGE_AT_REPORT);
	usage_db_close(h);
	CHECK(query("SELECT count(*) FROM classes") == 4);
	CHECK(query("SELECT id FROM classes WHERE name = 'nren'") == 3);
	CHECK(query("SELECT sum(tx_bytes) FROM usage_monthly WHERE uid = 1001 AND class = 3") ==
	      800);
	/* Read back at the next start: nothing counted twice. */
	h = open_history(300);
	if (!h)
		goto out;
	usage_db_record(h, &s, USAGE_AT_START);
	usage_db_close(h);
	CHECK(query("SELECT sum(tx_bytes) FROM usage_monthly WHERE uid = 1001 AND class = 3") ==
	      800);
out:
	snprintf(path, sizeof(path), "%s", db_path);
}

/* A damaged file is kept aside and a new history starts from the totals. */
static void test_corrupt(void)
{
	struct pdtt_usage users[2];
	struct pdtt_snapshot s;
	char cmd[600];
	struct usage_db *h;
	FILE *f = fopen(path, "r+");

	CHECK(f != NULL);
	if (!f)
		return;
	/* Garbage over the header and the first pages. */
	for (int i = 0; i < 8192; i++)
		fputc('x', f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -f %s-wal %s-shm", path, path);
	CHECK(system(cmd) == 0);
	h = open_history(300);
	if (!h)
		return;
	reading(&s, users, 1764547200 + 5 * 86400, 20);
	usage_db_record(h, &s, USAGE_AT_REPORT);
	usage_db_close(h);
	snprintf(cmd, sizeof(cmd), "ls %s.corrupt-* >/dev/null", path);
	CHECK(system(cmd) == 0);
	CHECK(query("SELECT catch_up FROM periods") == 1);
	check_sums(20);
}

/* A newer pdtt's database: left as it is, and the history is off. */
static void test_newer(void)
{
	struct pdtt_usage users[2];
	struct pdtt_snapshot s;
	struct usage_db *h;
	sqlite3 *db;
	char err[512];

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	h = open_history(300);
	if (!h)
		return;
	reading(&s, users, 1764547200 + 6 * 86400, 30);
	usage_db_record(h, &s, USAGE_AT_START);
	usage_db_close(h);
	CHECK(query("PRAGMA user_version") == 99);
	check_sums(20);
	CHECK(usage_db_open_readonly(path, &db, err, sizeof(err)) == -1);
	CHECK(strstr(err, "schema version 99") != NULL);
}

#define MANY 20000

/* Writes a period of MANY UIDs after another, forever: reading k has k * (i + 1) bytes for UID i. */
static void write_forever(void)
{
	static struct pdtt_usage users[MANY];
	struct pdtt_snapshot s = { .users = users, .n_users = MANY };
	struct usage_db *h = open_history(1);

	for (uint64_t k = 1; h; k++) {
		for (int i = 0; i < MANY; i++) {
			users[i].uid = 5000 + i;
			users[i].by_class[PDTT_CLASS_EXTERNAL].tx_bytes = k * (i + 1);
		}
		s.taken_at = 1764547200 + (time_t)k;
		usage_db_record(h, &s, k == 1 ? USAGE_AT_START : USAGE_AT_REPORT);
	}
	_exit(1);
}

/* kill -9 in the middle of writes: the file is consistent, every tier at the same commit. */
static void test_kill(void)
{
	static const char *const tiers[] = { "5min", "hourly", "daily", "monthly" };
	long long unit = (long long)MANY * (MANY + 1) / 2, first = -1;
	char sql[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	pid_t child;

	unlink(path);
	child = fork();
	if (child == 0)
		write_forever();
	/* The writes take most of the child's time: this lands in one, or between two. */
	usleep(700 * 1000);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR_EQ((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
	for (int t = 0; t < 4; t++) {
		snprintf(sql, sizeof(sql),
			 "SELECT (SELECT coalesce(sum(tx_bytes), 0) FROM usage_%s) + (SELECT "
			 "coalesce(sum(tx_bytes), 0) FROM usage_expired WHERE tier = '%s')",
			 tiers[t], tiers[t]);
		long long sum = query(sql);

		CHECK(sum % unit == 0);
		if (t == 0)
			first = sum;
		CHECK(sum == first);
	}
	CHECK(query("SELECT count(*) FROM periods") == first / unit);
	fprintf(stderr, "killed after %lld whole periods of %d UIDs\n", first / unit, MANY);
}

/*
 * With the writer thread: reports only hand their readings over; closing
 * waits for the thread to write them all (the final one too), each in its
 * own 5-minute bucket, and every tier sums to the totals.
 */
static void test_background(void)
{
	time_t t0 = 1767225600 - 600; /* 10 minutes before 2026-01-01 */
	struct pdtt_usage users[2];
	struct pdtt_snapshot s;
	struct usage_db *h;
	char cmd[3 * sizeof(path) + 16];

	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", path, path, path);
	CHECK(system(cmd) == 0);
	h = open_history_as(300, true);
	if (!h)
		return;
	reading(&s, users, t0 + 5, 1);
	usage_db_record(h, &s, USAGE_AT_START);
	/* A network named after the start: the thread's copies carry its name. */
	for (int k = 1; k <= 3; k++) {
		reading(&s, users, t0 + k * 300 + 1, 1 + (uint64_t)k);
		s.classes = (struct pdtt_classes){ .n = 3, .name = { [2] = "campus" } };
		usage_db_record(h, &s, USAGE_AT_REPORT);
	}
	reading(&s, users, t0 + 3 * 300 + 50, 5);
	s.classes = (struct pdtt_classes){ .n = 3, .name = { [2] = "campus" } };
	usage_db_record(h, &s, USAGE_AT_STOP);
	usage_db_close(h);
	check_sums(5);
	CHECK(query("SELECT id FROM classes WHERE name = 'campus'") == 2);
	CHECK(query("SELECT count(DISTINCT start) FROM usage_5min") == 4);
	CHECK(query("SELECT count(DISTINCT start) FROM usage_monthly") == 2);
	CHECK(query("SELECT count(*) FROM periods") == 5);
	/* Opened again, it carries on from what the thread wrote. */
	h = open_history_as(300, true);
	if (!h)
		return;
	reading(&s, users, t0 + 3600, 6);
	usage_db_record(h, &s, USAGE_AT_START);
	usage_db_close(h);
	check_sums(6);
}

static void test_buckets(void)
{
	time_t t = 1764590400 + 1234; /* 2025-12-01 12:20:34 */

	CHECK(usage_bucket_start(USAGE_5MIN, t) == 1764590400 + 1200);
	CHECK(usage_bucket_start(USAGE_HOURLY, t) == 1764590400);
	CHECK(usage_bucket_start(USAGE_DAILY, t) == 1764547200);
	CHECK(usage_bucket_start(USAGE_MONTHLY, t) == 1764547200);
	CHECK(usage_bucket_next(USAGE_MONTHLY, 1764547200) == 1767225600); /* 2026-01-01 */
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/history.db", dir);
	test_buckets();
	test_sums();
	test_reset();
	test_networks();
	test_corrupt();
	test_newer();
	test_kill();
	test_background();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return check_summary("test_usage_db");
}
