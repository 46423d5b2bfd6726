// SPDX-License-Identifier: GPL-2.0-or-later
/* pdtt history: see history_query.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "history_query.h"
#include "snapshot.h"

#define DATE_FORMS "YYYY-MM-DD, YYYY-MM, today, yesterday, this-month or last-month"

static time_t day_start(time_t t)
{
	return usage_bucket_start(USAGE_DAILY, t);
}

/* The number in arg[from, from + n), all digits; -1 otherwise. */
static int digits(const char *arg, size_t from, size_t n)
{
	int v = 0;

	for (size_t i = from; i < from + n; i++) {
		if (arg[i] < '0' || arg[i] > '9')
			return -1;
		v = v * 10 + (arg[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD or YYYY-MM, strictly: the day must exist. */
static bool parse_calendar(const char *arg, time_t *first, time_t *after)
{
	size_t len = strlen(arg);
	bool with_day = len == 10;
	int year = digits(arg, 0, 4), month, day = 1;
	struct tm tm = { 0 }, back;

	if ((len != 7 && len != 10) || arg[4] != '-' || (with_day && arg[7] != '-'))
		return false;
	month = digits(arg, 5, 2);
	if (with_day)
		day = digits(arg, 8, 2);
	if (year < 1970 || month < 1 || month > 12 || day < 1)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	*first = timegm(&tm);
	gmtime_r(first, &back);
	if (back.tm_mday != day)
		return false; /* 2026-02-30 */
	*after = with_day ? *first + 86400 : usage_month_start(*first, 1);
	return true;
}

int history_parse_date(const char *arg, time_t now, bool end, time_t *out, char *err, size_t errlen)
{
	time_t first, after;

	if (!strcmp(arg, "today")) {
		first = day_start(now);
		after = first + 86400;
	} else if (!strcmp(arg, "yesterday")) {
		after = day_start(now);
		first = after - 86400;
	} else if (!strcmp(arg, "this-month")) {
		first = usage_month_start(now, 0);
		after = usage_month_start(now, 1);
	} else if (!strcmp(arg, "last-month")) {
		first = usage_month_start(now, -1);
		after = usage_month_start(now, 0);
	} else if (!parse_calendar(arg, &first, &after)) {
		snprintf(err, errlen, "%s '%s' is not a date: expected %s (UTC)",
			 end ? "--until" : "--since", arg, DATE_FORMS);
		return -1;
	}
	*out = end ? after : first;
	return 0;
}

void history_default_range(enum usage_tier tier, time_t now, time_t *since, time_t *until)
{
	switch (tier) {
	case USAGE_5MIN:
	case USAGE_HOURLY:
		*since = day_start(now);
		*until = *since + 86400;
		break;
	case USAGE_DAILY:
		*since = usage_month_start(now, 0);
		*until = day_start(now) + 86400;
		break;
	default:
		*since = usage_month_start(now, -11);
		*until = usage_month_start(now, 1);
		break;
	}
}

void history_result_free(struct history_result *res)
{
	for (size_t i = 0; i < res->n_classes; i++)
		free(res->class_names[i]);
	free(res->class_names);
	if (res->rows)
		munmap(res->rows, res->rows_bytes);
	if (res->values)
		munmap(res->values, res->values_bytes);
	memset(res, 0, sizeof(*res));
}

size_t history_users_max(const struct history_result *res)
{
	size_t most = 0;

	/* The rows are in bucket order; --top's all start at since. */
	for (size_t first = 0, end; first < res->n_rows; first = end) {
		for (end = first + 1;
		     end < res->n_rows && res->rows[end].start == res->rows[first].start; end++)
			;
		if (end - first > most)
			most = end - first;
	}
	return most;
}

static int fail(sqlite3 *db, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot query the history: %s",
		 rc == SQLITE_NOMEM ? strerror(ENOMEM) : sqlite3_errmsg(db));
	return -1;
}

/* The classes table: names by position; ids are looked up in class_ids. */
static int load_classes(sqlite3 *db, struct history_result *res, long long **ids)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT id, name FROM classes ORDER BY id", -1, &st, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = res->n_classes + 1;
		char **names = realloc(res->class_names, n * sizeof(*names));
		long long *grown = names ? realloc(*ids, n * sizeof(**ids)) : NULL;
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (names)
			res->class_names = names;
		if (grown)
			*ids = grown;
		if (!names || !grown || !(names[n - 1] = strdup(name ? name : ""))) {
			rc = SQLITE_NOMEM;
			break;
		}
		grown[n - 1] = sqlite3_column_int64(st, 0);
		res->n_classes = n;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static long class_index(const struct history_result *res, const long long *ids, long long id)
{
	for (size_t i = 0; i < res->n_classes; i++)
		if (ids[i] == id)
			return (long)i;
	return -1;
}

/*
 * Grow the mapping at *at (*bytes long; none yet: NULL) to want bytes, keeping
 * its contents; SQLITE_NOMEM leaves it as it was. A month of 10,000 users
 * is 40 MB of rows: mappings grow without a copy, come zeroed, and in huge
 * pages take 512 times fewer page faults, which were most of the query's time.
 */
static int grow_mapping(void **at, size_t *bytes, size_t want)
{
	void *p = *at ? mremap(*at, *bytes, want, MREMAP_MAYMOVE)
		      : mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			     0);

	if (p == MAP_FAILED)
		return SQLITE_NOMEM;
	madvise(p, want, MADV_HUGEPAGE); /* a hint: without it, the same in small pages */
	*at = p;
	*bytes = want;
	return SQLITE_OK;
}

/* A new row for (start, uid), its classes zero (the mappings come zeroed); SQLITE_NOMEM when memory ran out. */
static int new_row(struct history_result *res, size_t *cap, time_t start, time_t end, uint32_t uid)
{
	if (res->n_rows == *cap) {
		size_t n = *cap ? *cap * 2 : 4096;
		void *rows = res->rows, *values = res->values;
		int rc;

		if (n > UINT32_MAX)
			return SQLITE_NOMEM; /* a row's values index is 32 bits: 256 GiB of rows */
		rc = grow_mapping(&rows, &res->rows_bytes, n * sizeof(*res->rows));

		res->rows = rows;
		if (rc == SQLITE_OK && res->n_classes)
			rc = grow_mapping(&values, &res->values_bytes,
					  n * res->n_classes * sizeof(*res->values));
		res->values = values;
		if (rc != SQLITE_OK)
			return rc;
		*cap = n;
	}
	res->rows[res->n_rows].start = start;
	res->rows[res->n_rows].end = end;
	res->rows[res->n_rows].uid = uid;
	/* Sorting moves the rows, not their values: each carries their index. */
	res->rows[res->n_rows].values = (uint32_t)res->n_rows;
	res->n_rows++;
	return SQLITE_OK;
}

/*
 * The rows in (start, uid, class) order, as the tier's primary key has them:
 * read in that order, they need no sort and no GROUP BY in SQLite (a row per
 * catch_up flag is summed here). Each row goes to pdtt_history_row (below)
 * inside SQLite's scan. --top sums the range per UID in SQLite.
 */
static void build_sql(const struct history_request *req, char *sql, size_t len)
{
	const char *user = req->one_user ? " AND uid = ?3" : "";

	if (req->top)
		snprintf(sql, len,
			 "SELECT ?1, uid, class, catch_up, sum(tx_bytes), sum(tx_packets), "
			 "sum(rx_bytes), sum(rx_packets) FROM %s WHERE start >= ?1 AND start < ?2 "
			 "AND uid >= 0%s GROUP BY uid, class, catch_up ORDER BY uid, class",
			 usage_tier_table(req->tier), user);
	else
		snprintf(sql, len,
			 "SELECT pdtt_history_row(start, uid, class, catch_up, tx_bytes, "
			 "tx_packets, rx_bytes, rx_packets) FROM %s WHERE start >= ?1 AND "
			 "start < ?2%s",
			 usage_tier_table(req->tier), user);
}

static int by_total(const struct history_row *a, const struct history_row *b)
{
	uint64_t ta = counters_total_bytes(&a->total), tb = counters_total_bytes(&b->total);

	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a->uid < b->uid ? -1 : a->uid > b->uid;
}

static int by_total_only(const void *a, const void *b)
{
	return by_total(a, b);
}

/* Where the rows of a query go, one by one. */
struct row_reader {
	const struct history_request *req;
	struct history_result *res;
	const long long *ids;
	size_t cap;
	size_t bucket_first; /* the first row of the bucket being read */
};

/*
 * Buckets in time order (as the query reads them), users in a bucket
 * biggest first (--top's rows are all one bucket). Each bucket is sorted as
 * soon as it is whole, while its rows are still in the CPU's cache: a month
 * of 10,000 users is 22 MB of rows, and a pass over them afterwards cost
 * more than the sorts.
 */
static void sort_bucket(struct row_reader *rd)
{
	size_t n = rd->res->n_rows - rd->bucket_first;

	if (n > 1) /* one row needs no sort; none may have no memory, which qsort refuses */
		qsort(rd->res->rows + rd->bucket_first, n, sizeof(rd->res->rows[0]), by_total_only);
	rd->bucket_first = rd->res->n_rows;
}

/* One row of a tier (or of --top's sums) into the result: SQLITE_OK, or the error. */
static int add_row(struct row_reader *rd, time_t start, long long signed_uid, long long class_id,
		   bool catch_up, const struct pdtt_counters *c)
{
	struct history_result *res = rd->res;
	struct history_row *row = res->n_rows ? &res->rows[res->n_rows - 1] : NULL;
	uint32_t uid = (uint32_t)signed_uid;
	long cls;
	int rc;

	/* The buckets (unattributed, overflow) come first in each bucket: not users. */
	if (signed_uid < 0)
		return SQLITE_OK;
	if (!row || row->start != start || row->uid != uid) {
		/* A (start, uid) seen before would get a second row: the scan must keep key order. */
		if (row && (start < row->start || (start == row->start && uid < row->uid)))
			return SQLITE_INTERNAL;
		if (row && start != row->start)
			sort_bucket(rd);
		rc = new_row(res, &rd->cap, start,
			     rd->req->top ? rd->req->until
					  : usage_bucket_next(rd->req->tier, start),
			     uid);

		if (rc != SQLITE_OK)
			return rc;
		row = &res->rows[res->n_rows - 1];
	}
	cls = class_index(res, rd->ids, class_id);
	if (cls >= 0)
		counters_add(&res->values[(size_t)row->values * res->n_classes + cls], c);
	counters_add(&row->total, c);
	if (catch_up)
		row->catch_up_bytes += c->tx_bytes + c->rx_bytes;
	return SQLITE_OK;
}

/*
 * pdtt_history_row(start, uid, class, catch_up, tx_bytes, tx_packets,
 * rx_bytes, rx_packets), an aggregate: each row of the scan is added where
 * SQLite reads it. A month of 10,000 users is 620,000 rows: handing each
 * back through sqlite3_step and 8 sqlite3_column calls cost a third more.
 */
static void history_row_step(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	const struct pdtt_counters c = {
		.tx_bytes = (uint64_t)sqlite3_value_int64(v[4]),
		.tx_packets = (uint64_t)sqlite3_value_int64(v[5]),
		.rx_bytes = (uint64_t)sqlite3_value_int64(v[6]),
		.rx_packets = (uint64_t)sqlite3_value_int64(v[7]),
	};
	int rc = add_row(sqlite3_user_data(ctx), (time_t)sqlite3_value_int64(v[0]),
			 sqlite3_value_int64(v[1]), sqlite3_value_int64(v[2]),
			 sqlite3_value_int64(v[3]) != 0, &c);

	(void)argc;
	if (rc == SQLITE_NOMEM)
		sqlite3_result_error_nomem(ctx);
	else if (rc != SQLITE_OK)
		sqlite3_result_error(ctx, "the history's rows were not read in key order", -1);
}

static void history_row_final(sqlite3_context *ctx)
{
	sqlite3_result_null(ctx);
}

/* --top's sums, stepped: one row per UID and class. */
static int step_rows(sqlite3_stmt *st, struct row_reader *rd)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct pdtt_counters c = {
			.tx_bytes = (uint64_t)sqlite3_column_int64(st, 4),
			.tx_packets = (uint64_t)sqlite3_column_int64(st, 5),
			.rx_bytes = (uint64_t)sqlite3_column_int64(st, 6),
			.rx_packets = (uint64_t)sqlite3_column_int64(st, 7),
		};

		rc = add_row(rd, (time_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			     sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3) != 0, &c);
		if (rc != SQLITE_OK)
			return rc;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The rows of the query, one per (bucket, uid), or per uid for --top. */
static int load_rows(sqlite3 *db, const struct history_request *req, struct history_result *res,
		     const long long *ids)
{
	struct row_reader rd = { .req = req, .res = res, .ids = ids };
	sqlite3_stmt *st;
	char sql[512];
	int rc = sqlite3_create_function_v2(db, "pdtt_history_row", 8,
					    SQLITE_UTF8 | SQLITE_DIRECTONLY, &rd, NULL,
					    history_row_step, history_row_final, NULL);

	build_sql(req, sql, sizeof(sql));
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, req->since);
	sqlite3_bind_int64(st, 2, req->until);
	if (req->one_user)
		sqlite3_bind_int64(st, 3, req->uid);
	if (req->top)
		rc = step_rows(st, &rd);
	else
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			; /* the one row of the aggregate: the rows are in res */
	sqlite3_finalize(st);
	sort_bucket(&rd);
	/* rd lives on this stack: the function goes with it. */
	sqlite3_create_function_v2(db, "pdtt_history_row", 8, SQLITE_UTF8, NULL, NULL, NULL, NULL,
				   NULL);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Keep the top ones; each row's values stay where they were read. */
static void finish_rows(struct history_result *res, const struct history_request *req)
{
	if (req->top && res->n_rows > req->top)
		res->n_rows = req->top;
}

int history_query(sqlite3 *db, const struct history_request *req, struct history_result *res,
		  char *err, size_t errlen)
{
	long long *ids = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->tier = req->tier;
	res->since = req->since;
	res->until = req->until;
	res->top = req->top;
	rc = load_classes(db, res, &ids);
	if (rc == SQLITE_OK)
		rc = load_rows(db, req, res, ids);
	if (rc == SQLITE_OK)
		finish_rows(res, req);
	free(ids);
	if (rc != SQLITE_OK) {
		history_result_free(res);
		return fail(db, rc, err, errlen);
	}
	return 0;
}
