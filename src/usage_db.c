// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The usage history database: schema and migrations, opening (a corrupt
 * file is moved aside), writing a period with its rollups in one
 * transaction, retention, and periods kept in memory while the disk is full.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "usage_db.h"
#include "usage_delta.h"

/*
 * The schema, in one place: SCHEMA[v] takes a database from version v to
 * v + 1 (version 0 is an empty file). A new version appends its migration
 * here and raises USAGE_DB_VERSION; pdtt-history(5) documents the result.
 */
/* The schema reads as SQL: */
/* clang-format off */
#define TIER_TABLE(name)                                                                    \
	"CREATE TABLE " name " (\n"                                                         \
	"  start INTEGER NOT NULL,\n"                                                       \
	"  uid INTEGER NOT NULL,\n"                                                         \
	"  class INTEGER NOT NULL REFERENCES classes(id),\n"                                \
	"  catch_up INTEGER NOT NULL,\n"                                                    \
	"  tx_bytes INTEGER NOT NULL, tx_packets INTEGER NOT NULL,\n"                       \
	"  rx_bytes INTEGER NOT NULL, rx_packets INTEGER NOT NULL,\n"                       \
	"  PRIMARY KEY (start, uid, class, catch_up)) WITHOUT ROWID;\n"

static const char *const SCHEMA[USAGE_DB_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE classes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
	"INSERT INTO classes VALUES (0, 'local'), (1, 'external');\n"
	"CREATE TABLE periods (\n"
	"  time INTEGER NOT NULL, bucket INTEGER NOT NULL,\n"
	"  catch_up INTEGER NOT NULL, rows INTEGER NOT NULL);\n"
	"CREATE INDEX periods_bucket ON periods (bucket);\n"
	TIER_TABLE("usage_5min")
	TIER_TABLE("usage_hourly")
	TIER_TABLE("usage_daily")
	TIER_TABLE("usage_monthly")
	"CREATE TABLE usage_expired (\n"
	"  tier TEXT NOT NULL, uid INTEGER NOT NULL, class INTEGER NOT NULL,\n"
	"  tx_bytes INTEGER NOT NULL, tx_packets INTEGER NOT NULL,\n"
	"  rx_bytes INTEGER NOT NULL, rx_packets INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tier, uid, class)) WITHOUT ROWID;\n"
	"CREATE TABLE usage_offsets (\n"
	"  uid INTEGER NOT NULL, class INTEGER NOT NULL,\n"
	"  tx_bytes INTEGER NOT NULL, tx_packets INTEGER NOT NULL,\n"
	"  rx_bytes INTEGER NOT NULL, rx_packets INTEGER NOT NULL,\n"
	"  PRIMARY KEY (uid, class)) WITHOUT ROWID;\n"
	"CREATE VIEW usage AS\n"
	"  SELECT '5min' AS tier, * FROM usage_5min UNION ALL\n"
	"  SELECT 'hourly', * FROM usage_hourly UNION ALL\n"
	"  SELECT 'daily', * FROM usage_daily UNION ALL\n"
	"  SELECT 'monthly', * FROM usage_monthly;\n",
};
/* clang-format on */

/* A full disk can last: beyond this, the oldest kept periods merge into the next. */
#define PENDING_MAX_BYTES (32u << 20)
/*
 * Readings wait for the writer thread only while a write runs (about a
 * second for 100,000 UIDs, every 5 minutes): beyond this, a writer further
 * behind finds them merged likewise (the latest one is always kept).
 */
#define INBOX_MAX_BYTES (8u << 20)

/* A reading that could not be written yet: its totals, and where they go. */
struct pending {
	struct pdtt_snapshot snap;
	time_t bucket;
	bool catch_up;
};

/* Readings in time order, waiting to be written. */
struct periods {
	struct pending *items;
	size_t n;
};

struct usage_db {
	char path[4096];
	int period;
	int retention[USAGE_TIER_COUNT];
	bool background; /* write in a thread of its own, from the first report on */
	sqlite3 *db;     /* NULL: not open (yet) */
	sqlite3_stmt *upsert[USAGE_TIER_COUNT], *add_period, *add_offset;
	struct usage_delta delta;      /* the period pdtt_delta reads, while one is written */
	struct pdtt_snapshot recorded; /* the totals the database holds */
	bool fresh;                    /* the database was just created */
	bool off;                      /* a newer pdtt's database: left alone */
	bool failing;                  /* the last write failed, and was said */
	struct periods pending;        /* kept while the database cannot be written */
	time_t last_seen;              /* the time of the last reading */
	/*
	 * Once the writer thread runs, the database, recorded, fresh, off,
	 * failing and pending are the thread's; the reports hand their readings
	 * over in inbox, and retention changes, under lock.
	 */
	bool threaded;
	pthread_t writer;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct periods inbox;
	struct pdtt_snapshot spare; /* a written reading's memory, for the next copy */
	bool stopping;
};

const char *usage_tier_name(enum usage_tier t)
{
	static const char *const names[USAGE_TIER_COUNT] = { "5min", "hourly", "daily", "monthly" };

	return names[t];
}

const char *usage_tier_table(enum usage_tier t)
{
	static const char *const tables[USAGE_TIER_COUNT] = { "usage_5min", "usage_hourly",
							      "usage_daily", "usage_monthly" };

	return tables[t];
}

time_t usage_month_start(time_t when, int months_later)
{
	struct tm tm;

	gmtime_r(&when, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon += months_later;
	return timegm(&tm);
}

time_t usage_bucket_start(enum usage_tier t, time_t when)
{
	static const time_t seconds[USAGE_TIER_COUNT] = { 300, 3600, 86400, 0 };

	if (t == USAGE_MONTHLY)
		return usage_month_start(when, 0);
	return when - ((when % seconds[t]) + seconds[t]) % seconds[t];
}

time_t usage_bucket_next(enum usage_tier t, time_t start)
{
	static const time_t seconds[USAGE_TIER_COUNT] = { 300, 3600, 86400, 0 };

	return t == USAGE_MONTHLY ? usage_month_start(start, 1) : start + seconds[t];
}

/* The first bucket of tier t that retention keeps (keep), when bucket is being written. */
static time_t retention_cutoff(int keep, enum usage_tier t, time_t bucket)
{
	switch (t) {
	case USAGE_5MIN:
		return usage_bucket_start(t, bucket) - (time_t)keep * 3600 + 300;
	case USAGE_HOURLY:
		return usage_bucket_start(t, bucket) - (time_t)keep * 86400 + 3600;
	case USAGE_DAILY:
		return usage_bucket_start(t, bucket) - (time_t)(keep - 1) * 86400;
	default:
		return usage_month_start(bucket, 1 - keep);
	}
}

void usage_db_configure(struct usage_db *h, const struct usage_settings *s)
{
	h->period = s->period > 0 ? s->period : 300;
	if (h->threaded)
		pthread_mutex_lock(&h->lock);
	memcpy(h->retention, s->retention, sizeof(h->retention));
	if (h->threaded)
		pthread_mutex_unlock(&h->lock);
}

/* The retention now (SIGHUP may change it while the writer thread writes). */
static void current_retention(struct usage_db *h, int retention[USAGE_TIER_COUNT])
{
	if (h->threaded)
		pthread_mutex_lock(&h->lock);
	memcpy(retention, h->retention, sizeof(h->retention));
	if (h->threaded)
		pthread_mutex_unlock(&h->lock);
}

struct usage_db *usage_db_open(const struct usage_settings *s, char *err, size_t errlen)
{
	struct usage_db *h;
	char *copy = strdup(s->path), *dir;

	if (!copy) {
		snprintf(err, errlen, "cannot set up the history: %s", strerror(ENOMEM));
		return NULL;
	}
	dir = dirname(copy);
	/* Like the state file's: its directory is made at the first start (0750: personal data). */
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s, the directory of history_file %s: %s", dir,
			 s->path, strerror(errno));
		free(copy);
		return NULL;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "cannot write history_file %s: its directory %s: %s", s->path,
			 dir, strerror(errno));
		free(copy);
		return NULL;
	}
	free(copy);
	h = calloc(1, sizeof(*h));
	if (!h || strlen(s->path) >= sizeof(h->path)) {
		snprintf(err, errlen, "cannot set up the history: %s", strerror(ENOMEM));
		free(h);
		return NULL;
	}
	snprintf(h->path, sizeof(h->path), "%s", s->path);
	h->background = s->background;
	usage_db_configure(h, s);
	return h;
}

static void free_periods(struct periods *list)
{
	for (size_t i = 0; i < list->n; i++)
		snapshot_release(&list->items[i].snap);
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

static void close_db(struct usage_db *h)
{
	sqlite3_finalize(h->add_period);
	sqlite3_finalize(h->add_offset);
	for (int t = 0; t < USAGE_TIER_COUNT; t++)
		sqlite3_finalize(h->upsert[t]);
	h->add_period = h->add_offset = NULL;
	memset(h->upsert, 0, sizeof(h->upsert));
	sqlite3_close(h->db);
	h->db = NULL;
}

static void stop_writer(struct usage_db *h);

void usage_db_before_fork(struct usage_db *h)
{
	/* The writer thread starts at the first report, after the fork. */
	if (h && !h->threaded)
		close_db(h);
}

void usage_db_close(struct usage_db *h)
{
	if (!h)
		return;
	stop_writer(h);
	close_db(h);
	free_periods(&h->pending);
	free_periods(&h->inbox);
	snapshot_release(&h->spare);
	snapshot_release(&h->recorded);
	free(h);
}

/* ---- opening ------------------------------------------------------------ */

static bool is_corrupt(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* An error of the database, as SQLite says it; rc for the caller. */
static int db_error(struct usage_db *h, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
	return rc;
}

static int exec(struct usage_db *h, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(h, rc, err, errlen);
}

/* One integer from sql (a PRAGMA): SQLITE_OK, or the error. */
static int query_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The file is made here, not by SQLite: mode 0640 (per-user traffic is
 * personal data; SQLite gives its -wal and -shm files the same mode), no
 * symlink followed, and it must be a regular file.
 */
static int make_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s", fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return SQLITE_CANTOPEN;
	}
	close(fd);
	return 0;
}

/* Bring the schema to USAGE_DB_VERSION, in one transaction. */
static int migrate(struct usage_db *h, char *err, size_t errlen)
{
	long long version = 0, tables = 0;
	int rc = query_int(h->db, "PRAGMA user_version", &version);

	if (rc == SQLITE_OK)
		rc = query_int(h->db, "SELECT count(*) FROM sqlite_schema", &tables);
	if (rc != SQLITE_OK)
		return db_error(h, rc, err, errlen);
	if (version > USAGE_DB_VERSION) {
		snprintf(err, errlen,
			 "has schema version %lld, which this pdttd (version %d) does "
			 "not know: it was written by a newer pdtt",
			 version, USAGE_DB_VERSION);
		h->off = true;
		return SQLITE_ERROR;
	}
	if (version == 0 && tables > 0) {
		snprintf(err, errlen, "is not a pdtt history: it has tables but no schema version");
		return SQLITE_NOTADB;
	}
	if (version == USAGE_DB_VERSION)
		return 0;
	h->fresh = version == 0;
	rc = exec(h, "BEGIN IMMEDIATE", err, errlen);
	for (long long v = version; !rc && v < USAGE_DB_VERSION; v++)
		rc = exec(h, SCHEMA[v], err, errlen);
	if (!rc) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", USAGE_DB_VERSION);
		rc = exec(h, sql, err, errlen);
	}
	if (!rc)
		rc = exec(h, "COMMIT", err, errlen);
	if (rc)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The statements of a write, prepared once. */
static int prepare(struct usage_db *h, char *err, size_t errlen)
{
	char sql[768];
	int rc = usage_delta_register(h->db, &h->delta);

	if (!rc)
		rc = sqlite3_prepare_v3(h->db, "INSERT INTO periods VALUES (?, ?, ?, ?)", -1,
					SQLITE_PREPARE_PERSISTENT, &h->add_period, NULL);
	if (!rc)
		rc = sqlite3_prepare_v3(h->db,
					"INSERT INTO usage_offsets VALUES (?, ?, ?, ?, ?, ?) "
					"ON CONFLICT DO UPDATE SET "
					"tx_bytes = tx_bytes + excluded.tx_bytes, "
					"tx_packets = tx_packets + excluded.tx_packets, "
					"rx_bytes = rx_bytes + excluded.rx_bytes, "
					"rx_packets = rx_packets + excluded.rx_packets",
					-1, SQLITE_PREPARE_PERSISTENT, &h->add_offset, NULL);
	for (int t = 0; !rc && t < USAGE_TIER_COUNT; t++) {
		/*
		 * One statement per tier for every row of the period, read from
		 * the readings in memory: no per-row round trip, and no table of
		 * the period's rows built first (an INSERT step per row was an
		 * eighth of a write).
		 */
		snprintf(sql, sizeof(sql),
			 "INSERT INTO %s SELECT ?1, uid, class, ?2, tx_bytes, tx_packets, rx_bytes, "
			 "rx_packets FROM pdtt_delta WHERE true ON CONFLICT DO UPDATE SET "
			 "tx_bytes = tx_bytes + excluded.tx_bytes, "
			 "tx_packets = tx_packets + excluded.tx_packets, "
			 "rx_bytes = rx_bytes + excluded.rx_bytes, "
			 "rx_packets = rx_packets + excluded.rx_packets",
			 usage_tier_table(t));
		rc = sqlite3_prepare_v3(h->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &h->upsert[t],
					NULL);
	}
	return rc ? db_error(h, rc, err, errlen) : 0;
}

/* Add one row of the recorded totals: a user, or a bucket (uid < 0). */
static int add_recorded(struct pdtt_snapshot *rec, long long uid, int cls,
			const struct pdtt_counters *c)
{
	static const struct pdtt_value zero;

	if (cls < 0 || cls >= PDTT_CLASS_MAX)
		return 0; /* a class this pdtt does not count */
	if (uid == USAGE_UID_UNATTRIBUTED || uid == USAGE_UID_OVERFLOW) {
		int b = uid == USAGE_UID_UNATTRIBUTED ? PDTT_BUCKET_UNATTRIBUTED
						      : PDTT_BUCKET_OVERFLOW;

		counters_add(&rec->buckets[b].by_class[cls], c);
		return 0;
	}
	if (uid < 0 || uid > UINT32_MAX)
		return 0;
	/* A class no row had so far: every user gets room for it (16 times at most). */
	if (snapshot_widen(rec, (unsigned int)cls + 1))
		return -ENOMEM;
	if (!rec->n_users || rec->users[rec->n_users - 1].uid != (uint32_t)uid) {
		if (snapshot_reserve(rec, rec->n_users + 1))
			return -ENOMEM;
		snapshot_append(rec, (uint32_t)uid, &zero);
	}
	counters_add(usage_class_mut(rec, &rec->users[rec->n_users - 1], (unsigned int)cls), c);
	return 0;
}

/*
 * The totals the database holds: its monthly tier and what expired from it,
 * less what it holds from before a reset of the totals.
 */
static int load_recorded(struct usage_db *h, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT uid, class, sum(tx_bytes), sum(tx_packets), sum(rx_bytes), sum(rx_packets) "
		"FROM (SELECT uid, class, tx_bytes, tx_packets, rx_bytes, rx_packets "
		"FROM usage_monthly UNION ALL SELECT uid, class, tx_bytes, tx_packets, rx_bytes, "
		"rx_packets FROM usage_expired WHERE tier = 'monthly' UNION ALL SELECT uid, class, "
		"-tx_bytes, -tx_packets, -rx_bytes, -rx_packets FROM usage_offsets) "
		"GROUP BY uid, class ORDER BY uid, class";
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	/* Only the classes the database has rows of take memory. */
	snapshot_release(&h->recorded);
	memset(&h->recorded, 0, sizeof(h->recorded));
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pdtt_counters c = {
			.tx_bytes = (uint64_t)sqlite3_column_int64(st, 2),
			.tx_packets = (uint64_t)sqlite3_column_int64(st, 3),
			.rx_bytes = (uint64_t)sqlite3_column_int64(st, 4),
			.rx_packets = (uint64_t)sqlite3_column_int64(st, 5),
		};

		if (add_recorded(&h->recorded, sqlite3_column_int64(st, 0),
				 sqlite3_column_int(st, 1), &c))
			rc = SQLITE_NOMEM;
		else
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(h, rc, err, errlen);
}

/* PRAGMA quick_check: a damaged file is SQLITE_CORRUPT, with SQLite's first complaint. */
static int check_integrity(struct usage_db *h, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	const char *said;

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		said = (const char *)sqlite3_column_text(st, 0);
		rc = said && !strcmp(said, "ok") ? SQLITE_OK : SQLITE_CORRUPT;
		if (rc)
			snprintf(err, errlen, "%s", said ? said : "quick_check failed");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return db_error(h, rc, err, errlen);
}

/*
 * synchronous = NORMAL: in WAL mode a commit survives pdttd's own death
 * (kill -9, OOM) and the file stays consistent across a power loss, which
 * can only take back the last commits. Those are not lost either: the
 * history records the totals minus what it holds, so the next write finds
 * them again. FULL would add an fsync to every write for nothing.
 */
static int open_db(struct usage_db *h, char *err, size_t errlen)
{
	int rc = make_file(h->path, err, errlen);

	if (rc)
		return rc;
	h->fresh = false;
	rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc)
		return db_error(h, rc, err, errlen);
	sqlite3_extended_result_codes(h->db, 1);
	sqlite3_busy_timeout(h->db, 5000);
	/*
	 * A new file gets 16 KiB pages (SQLite's default is 4): a period's rows
	 * of each tier span 4 times fewer pages to find, write to the WAL and
	 * checkpoint, which took a write of 100,000 UIDs 8 % less CPU. A file
	 * made before keeps its pages: changing them rewrites the whole file
	 * (VACUUM), for no more than that.
	 */
	rc = exec(h,
		  "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; "
		  "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; "
		  "PRAGMA foreign_keys = OFF",
		  err, errlen);
	/* Corruption where no write goes yet would surface at a query, or never. */
	if (!rc)
		rc = check_integrity(h, err, errlen);
	if (!rc)
		rc = migrate(h, err, errlen);
	if (!rc)
		rc = prepare(h, err, errlen);
	if (!rc)
		rc = load_recorded(h, err, errlen);
	if (rc)
		close_db(h);
	return rc;
}

/* Keep a corrupt file (and its WAL) for inspection; a new one takes its place. */
static void move_aside(struct usage_db *h, const char *why)
{
	char aside[4200], from[4200], to[4300], when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	snprintf(aside, sizeof(aside), "%s.corrupt-%s", h->path, when);
	if (rename(h->path, aside) < 0) {
		log_err("history_file %s is corrupt (%s), and cannot be moved aside: %s; the "
			"history is off until it is removed",
			h->path, why, strerror(errno));
		h->off = true;
		return;
	}
	snprintf(from, sizeof(from), "%s-wal", h->path);
	snprintf(to, sizeof(to), "%s-wal", aside);
	if (rename(from, to) < 0 && errno != ENOENT)
		unlink(from);
	snprintf(from, sizeof(from), "%s-shm", h->path);
	unlink(from);
	log_err("history_file %s is corrupt (%s): kept as %s; counting goes on in a new "
		"history, whose first period holds the totals so far (marked catch_up)",
		h->path, why, aside);
}

/* Open the database if it is not; a corrupt one is replaced. SQLITE_OK or the error. */
static int ensure_open(struct usage_db *h, char *err, size_t errlen)
{
	int rc;

	if (h->db)
		return 0;
	rc = open_db(h, err, errlen);
	if (is_corrupt(rc)) {
		move_aside(h, err);
		if (h->off)
			return rc;
		free_periods(&h->pending);
		rc = open_db(h, err, errlen);
	}
	if (rc && h->off)
		log_err("history_file %s %s; the history is off (counting goes on)", h->path, err);
	return rc;
}

/* ---- writing ------------------------------------------------------------ */

static int step_once(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static uint64_t went_back(uint64_t now, uint64_t before)
{
	return now < before ? before : 0;
}

/*
 * A counter below what the history holds was reset (the state file removed,
 * the maps unloaded): its whole new value is added, as in every output, and
 * what the history held before goes to usage_offsets, so that the totals
 * read back at the next start are the new ones.
 */
static int add_offset(struct usage_db *h, long long uid, int cls, const struct pdtt_counters *n,
		      const struct pdtt_counters *b)
{
	const struct pdtt_counters o = {
		went_back(n->tx_bytes, b->tx_bytes),
		went_back(n->tx_packets, b->tx_packets),
		went_back(n->rx_bytes, b->rx_bytes),
		went_back(n->rx_packets, b->rx_packets),
	};

	if (counters_is_zero(&o))
		return SQLITE_OK;
	sqlite3_bind_int64(h->add_offset, 1, uid);
	sqlite3_bind_int(h->add_offset, 2, cls);
	sqlite3_bind_int64(h->add_offset, 3, (sqlite3_int64)o.tx_bytes);
	sqlite3_bind_int64(h->add_offset, 4, (sqlite3_int64)o.tx_packets);
	sqlite3_bind_int64(h->add_offset, 5, (sqlite3_int64)o.rx_bytes);
	sqlite3_bind_int64(h->add_offset, 6, (sqlite3_int64)o.rx_packets);
	return step_once(h->add_offset);
}

/* The offsets of a user of now (u) or of base (b), either NULL when it has none there. */
static int add_user_offsets(struct usage_db *h, const struct pdtt_snapshot *now,
			    const struct pdtt_usage *u, const struct pdtt_snapshot *base,
			    const struct pdtt_usage *b)
{
	static const struct pdtt_counters zero;
	int rc = SQLITE_OK;

	/* Beyond the classes base holds, nothing went back. */
	for (unsigned int cls = 0;
	     rc == SQLITE_OK && cls < PDTT_CLASS_FIRST_NAMED + base->named_width; cls++)
		rc = add_offset(h, b->uid, (int)cls, u ? usage_class(now, u, cls) : &zero,
				usage_class(base, b, cls));
	return rc;
}

/*
 * The offsets of every UID base holds, now's and base's users walked
 * together (both are sorted by UID); a UID now no longer has was reset to
 * zero. Then the special buckets'.
 */
static int add_offsets(struct usage_db *h, const struct pdtt_snapshot *base,
		       const struct pdtt_snapshot *now)
{
	int rc = SQLITE_OK;
	size_t i = 0;

	for (size_t j = 0; rc == SQLITE_OK && j < base->n_users; j++) {
		const struct pdtt_usage *b = &base->users[j];

		while (i < now->n_users && now->users[i].uid < b->uid)
			i++;
		rc = add_user_offsets(h, now,
				      i < now->n_users && now->users[i].uid == b->uid
					      ? &now->users[i]
					      : NULL,
				      base, b);
	}
	for (int k = 0; rc == SQLITE_OK && k < PDTT_BUCKET_COUNT; k++) {
		long long uid = k == PDTT_BUCKET_UNATTRIBUTED ? USAGE_UID_UNATTRIBUTED
							      : USAGE_UID_OVERFLOW;

		for (int cls = 0; rc == SQLITE_OK && cls < PDTT_CLASS_MAX; cls++)
			rc = add_offset(h, uid, cls, &now->buckets[k].by_class[cls],
					&base->buckets[k].by_class[cls]);
	}
	return rc;
}

/*
 * The rows of the classes table for the networks: a class's id is its index
 * in the counters (pdtt_classes), so a name is added once, when first seen.
 */
static int add_class_names(struct usage_db *h, const struct pdtt_classes *classes)
{
	sqlite3_stmt *st;
	int rc;

	if (!classes_named(classes))
		return SQLITE_OK;
	rc = sqlite3_prepare_v2(h->db, "INSERT OR IGNORE INTO classes VALUES (?, ?)", -1, &st,
				NULL);
	for (unsigned int i = PDTT_CLASS_FIRST_NAMED; !rc && i < classes_count(classes); i++) {
		sqlite3_bind_int(st, 1, (int)i);
		sqlite3_bind_text(st, 2, classes->name[i], -1, SQLITE_STATIC);
		rc = step_once(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The rows the period adds (see usage_delta.h). */
static int count_delta(const struct usage_delta *d)
{
	struct usage_delta_iter it;
	int rows = 0;

	for (usage_delta_first(&it, d); !it.eof; usage_delta_next(&it))
		rows++;
	return rows;
}

/*
 * One period: what now counted beyond base (the delta rule every output
 * uses), added to its bucket in every tier, so that the rollups are in the
 * same transaction as the rows they come from.
 */
static int write_period(struct usage_db *h, const struct pdtt_snapshot *base,
			const struct pdtt_snapshot *now, time_t bucket, bool catch_up)
{
	int rc = add_class_names(h, &now->classes), rows;

	h->delta = (struct usage_delta){ .base = base, .now = now };
	rows = count_delta(&h->delta);
	if (rc == SQLITE_OK)
		rc = add_offsets(h, base, now);
	for (int t = 0; rc == SQLITE_OK && rows && t < USAGE_TIER_COUNT; t++) {
		sqlite3_bind_int64(h->upsert[t], 1, usage_bucket_start(t, bucket));
		sqlite3_bind_int(h->upsert[t], 2, catch_up);
		rc = step_once(h->upsert[t]);
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(h->add_period, 1, now->taken_at);
		sqlite3_bind_int64(h->add_period, 2, bucket);
		sqlite3_bind_int(h->add_period, 3, catch_up);
		sqlite3_bind_int(h->add_period, 4, rows);
		rc = step_once(h->add_period);
	}
	h->delta = (struct usage_delta){ 0 };
	return rc;
}

/*
 * Rows older than a tier's retention are deleted. The daily and monthly
 * tiers keep the sums of theirs per UID in usage_expired, so that each of
 * them plus its expired rows is the totals for all time (pdttd reads its
 * totals back from the monthly one). The 5-minute and hourly tiers' rows are
 * in those already: summing 200,000 of them into usage_expired every 5
 * minutes would double the cost of a write for nothing.
 */
static int expire(struct usage_db *h, time_t bucket)
{
	int retention[USAGE_TIER_COUNT], rc = SQLITE_OK;
	char sql[1024];

	current_retention(h, retention);
	for (int t = 0; rc == SQLITE_OK && t < USAGE_TIER_COUNT; t++) {
		long long cutoff = (long long)retention_cutoff(retention[t], t, bucket);
		const char *table = usage_tier_table(t);
		size_t len = 0;

		sql[0] = '\0';
		if (t == USAGE_DAILY || t == USAGE_MONTHLY)
			len = (size_t)snprintf(
				sql, sizeof(sql),
				"INSERT INTO usage_expired SELECT '%s', uid, class, sum(tx_bytes), "
				"sum(tx_packets), sum(rx_bytes), sum(rx_packets) FROM %s WHERE start < "
				"%lld GROUP BY uid, class ON CONFLICT DO UPDATE SET "
				"tx_bytes = tx_bytes + excluded.tx_bytes, "
				"tx_packets = tx_packets + excluded.tx_packets, "
				"rx_bytes = rx_bytes + excluded.rx_bytes, "
				"rx_packets = rx_packets + excluded.rx_packets;",
				usage_tier_name(t), table, cutoff);
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
					"DELETE FROM %s WHERE start < %lld;", table, cutoff);
		if (t == USAGE_5MIN)
			snprintf(sql + len, sizeof(sql) - len,
				 "DELETE FROM periods WHERE bucket < %lld;", cutoff);
		rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
	}
	return rc;
}

/* The kept periods, then now, in one transaction: all of them or none. */
static int write_all(struct usage_db *h, const struct pdtt_snapshot *now, time_t bucket,
		     bool catch_up)
{
	const struct pdtt_snapshot *base = &h->recorded;
	int rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < h->pending.n; i++) {
		const struct pending *p = &h->pending.items[i];

		rc = write_period(h, base, &p->snap, p->bucket, p->catch_up || h->fresh);
		base = &p->snap;
	}
	if (rc == SQLITE_OK)
		rc = write_period(h, base, now, bucket, catch_up || h->fresh);
	if (rc == SQLITE_OK)
		rc = expire(h, bucket);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(h->db))
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Beyond the cap, the oldest readings merge into the next: what they counted goes there. */
static void cap_periods(struct periods *list, size_t max_bytes)
{
	size_t bytes = 0;

	for (size_t i = 0; i < list->n; i++)
		bytes += list->items[i].snap.n_users *
			 snapshot_bytes_per_user(&list->items[i].snap);
	while (list->n > 1 && bytes > max_bytes) {
		bytes -= list->items[0].snap.n_users *
			 snapshot_bytes_per_user(&list->items[0].snap);
		list->items[1].catch_up |= list->items[0].catch_up;
		snapshot_release(&list->items[0].snap);
		memmove(list->items, list->items + 1, --list->n * sizeof(*list->items));
	}
}

/* Keep a copy of now for a later write, in reuse's memory if there is any. */
static void keep_period(struct periods *list, const struct pdtt_snapshot *now, time_t bucket,
			bool catch_up, size_t max_bytes, struct pdtt_snapshot *reuse)
{
	struct pending *grown = realloc(list->items, (list->n + 1) * sizeof(*grown));

	if (!grown) {
		log_err("cannot keep a history period in memory: %s; its counts go to the next",
			strerror(ENOMEM));
		return;
	}
	list->items = grown;
	memset(&grown[list->n], 0, sizeof(*grown));
	if (reuse) {
		grown[list->n].snap = *reuse;
		*reuse = (struct pdtt_snapshot){ 0 };
	}
	if (snapshot_copy(&grown[list->n].snap, now)) {
		log_err("cannot keep a history period in memory: %s; its counts go to the next",
			strerror(ENOMEM));
		snapshot_release(&grown[list->n].snap);
		return;
	}
	grown[list->n].bucket = bucket;
	grown[list->n].catch_up = catch_up;
	list->n++;
	cap_periods(list, max_bytes);
}

static void write_or_keep(struct usage_db *h, const struct pdtt_snapshot *now, time_t bucket,
			  bool catch_up)
{
	char err[1024] = "";
	size_t kept = h->pending.n;
	int rc = ensure_open(h, err, sizeof(err));

	if (h->off)
		return;
	if (rc == SQLITE_OK) {
		rc = write_all(h, now, bucket, catch_up);
		if (rc != SQLITE_OK)
			db_error(h, rc, err, sizeof(err));
		if (is_corrupt(rc)) {
			/* A new database holds nothing: its first period is the totals so far. */
			close_db(h);
			move_aside(h, err);
			free_periods(&h->pending);
			rc = h->off ? rc : ensure_open(h, err, sizeof(err));
			if (rc == SQLITE_OK)
				rc = write_all(h, now, bucket, true);
			if (rc != SQLITE_OK && h->db)
				db_error(h, rc, err, sizeof(err));
		}
	}
	if (rc == SQLITE_OK && snapshot_copy(&h->recorded, now) == 0) {
		if (h->failing)
			log_info("wrote history_file %s again, with the %zu periods kept in memory",
				 h->path, kept);
		h->failing = false;
		h->fresh = false;
		free_periods(&h->pending);
		return;
	}
	if (rc == SQLITE_OK) {
		/* The database has it, memory does not: read the totals back from it. */
		close_db(h);
		return;
	}
	if (!h->failing && !h->off)
		log_err("cannot write history_file %s: %s; the periods are kept in memory and "
			"written once it can be",
			h->path, err);
	h->failing = true;
	keep_period(&h->pending, now, bucket, catch_up, PENDING_MAX_BYTES, NULL);
}

/* ---- the writer thread ------------------------------------------------- */

/*
 * The readings handed over while the last write ran, in time order: the
 * earlier ones join the periods kept in memory, so that all of them are
 * written with the last one, in one transaction.
 */
static void write_handed_over(struct usage_db *h, struct periods *got)
{
	struct pending last = got->items[--got->n];
	struct pending *grown = got->n ? realloc(h->pending.items,
						 (h->pending.n + got->n) * sizeof(*grown))
				       : NULL;

	if (grown) {
		memcpy(grown + h->pending.n, got->items, got->n * sizeof(*grown));
		h->pending.items = grown;
		h->pending.n += got->n;
		got->n = 0;
		cap_periods(&h->pending, PENDING_MAX_BYTES);
	}
	/* Without memory, they merge into the last: what they counted goes there. */
	for (size_t i = 0; i < got->n; i++)
		last.catch_up |= got->items[i].catch_up;
	free_periods(got);
	write_or_keep(h, &last.snap, last.bucket, last.catch_up);
	/*
	 * Its memory takes the next reading: copying into pages already
	 * there costs a report a few milliseconds for 100,000 UIDs, into new
	 * ones (a 58 MB copy is always mapped anew) about 200.
	 */
	pthread_mutex_lock(&h->lock);
	if (!h->spare.users) {
		h->spare = last.snap;
		last.snap = (struct pdtt_snapshot){ 0 };
	}
	pthread_mutex_unlock(&h->lock);
	snapshot_release(&last.snap);
}

static void *writer_main(void *arg)
{
	struct usage_db *h = arg;
	struct periods got;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->inbox.n && !h->stopping)
			pthread_cond_wait(&h->wake, &h->lock);
		if (!h->inbox.n)
			break; /* stopping, and everything handed over is written */
		got = h->inbox;
		h->inbox = (struct periods){ 0 };
		pthread_mutex_unlock(&h->lock);
		write_handed_over(h, &got);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/*
 * Started at the first report, after pdttd has forked (a thread does not
 * survive fork); the write at start is made in the caller. Without the
 * thread, every write is made in the caller.
 */
static void start_writer(struct usage_db *h)
{
	int e;

	h->background = false;
	if (pthread_mutex_init(&h->lock, NULL) || pthread_cond_init(&h->wake, NULL)) {
		log_warn("cannot start the history writer thread: %s; the history is written "
			 "in the report loop",
			 strerror(ENOMEM));
		return;
	}
	e = pthread_create(&h->writer, NULL, writer_main, h);
	if (e) {
		log_warn("cannot start the history writer thread: %s; the history is written "
			 "in the report loop",
			 strerror(e));
		pthread_cond_destroy(&h->wake);
		pthread_mutex_destroy(&h->lock);
		return;
	}
	h->threaded = true;
}

/* The thread writes what it was handed (the final report's reading too), then ends. */
static void stop_writer(struct usage_db *h)
{
	if (!h->threaded)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->writer, NULL);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	h->threaded = false;
}

/* The report's part of a write: a copy of the reading (about 70 bytes per UID). */
static void hand_over(struct usage_db *h, const struct pdtt_snapshot *now, time_t bucket,
		      bool catch_up)
{
	pthread_mutex_lock(&h->lock);
	keep_period(&h->inbox, now, bucket, catch_up, INBOX_MAX_BYTES, &h->spare);
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
}

void usage_db_record(struct usage_db *h, const struct pdtt_snapshot *snap, enum usage_when when)
{
	time_t t = snap->taken_at, bucket;
	bool due;

	/* off is the writer thread's once it runs: it drops what it is handed then. */
	if (!h || (!h->threaded && h->off))
		return;
	bucket = usage_bucket_start(USAGE_5MIN, when == USAGE_AT_START ? t : h->last_seen);
	due = when != USAGE_AT_REPORT || t / h->period != h->last_seen / h->period;
	h->last_seen = t;
	/*
	 * What the reading adds goes to the 5-minute bucket of the reading
	 * before it, where it was counted (to within one interval); at start, to
	 * the start's own bucket, marked catch_up: it was counted while pdttd
	 * was not running.
	 */
	if (!due)
		return;
	if (h->background && when == USAGE_AT_REPORT)
		start_writer(h);
	if (h->threaded)
		hand_over(h, snap, bucket, when == USAGE_AT_START);
	else
		write_or_keep(h, snap, bucket, when == USAGE_AT_START);
}

int usage_db_open_readonly(const char *path, sqlite3 **db, char *err, size_t errlen)
{
	long long version = 0;
	int rc;

	*db = NULL;
	if (access(path, F_OK) < 0) {
		snprintf(err, errlen, "cannot read history_file %s: %s", path, strerror(errno));
		return -1;
	}
	/* One thread uses it: no mutex taken at each of the query's million column reads. */
	rc = sqlite3_open_v2(path, db,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(*db, 5000);
		/*
		 * Pages read in place from the page cache, not copied by a
		 * pread each: a month of 10,000 users reads 2,000 of them.
		 */
		sqlite3_exec(*db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
		rc = query_int(*db, "PRAGMA user_version", &version);
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot read history_file %s: %s", path,
			 *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
	} else if (version != USAGE_DB_VERSION) {
		snprintf(err, errlen,
			 "history_file %s has schema version %lld; this pdtt reads "
			 "version %d%s",
			 path, version, USAGE_DB_VERSION,
			 version == 0 ? " (pdttd has not written it yet)" : "");
		rc = SQLITE_ERROR;
	}
	if (rc != SQLITE_OK) {
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}
