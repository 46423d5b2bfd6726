/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pdtt history: the dates of --since and --until, and the query of the usage
 * history (usage_db.h) into rows per bucket and user, or per user over the
 * whole range (--top).
 */
#ifndef PDTT_HISTORY_QUERY_H
#define PDTT_HISTORY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sqlite3.h>
#include "pdtt_shared.h"
#include "usage_db.h"

/*
 * arg as a date (UTC): YYYY-MM-DD, YYYY-MM, today, yesterday, this-month or
 * last-month, each a range of days; *out is its first second, or with end
 * the first second after it. 0, or -1 with a message in err naming arg and
 * the accepted forms.
 */
int history_parse_date(const char *arg, time_t now, bool end, time_t *out, char *err,
		       size_t errlen);

struct history_request {
	enum usage_tier tier;
	time_t since, until; /* the buckets that start in [since, until) */
	bool one_user;
	uint32_t uid; /* with one_user */
	size_t top;   /* > 0: the top users over the whole range, biggest first */
};

/* The range a tier shows by default, ending with the current bucket's day or month. */
void history_default_range(enum usage_tier tier, time_t now, time_t *since, time_t *until);

/*
 * 64 bytes, a cache line: a month of 10,000 users is 310,000 rows, and
 * the memory they take is most of what the query costs besides SQLite.
 */
struct history_row {
	time_t start, end; /* the bucket, or the whole range for --top */
	uint32_t uid;
	uint32_t values;            /* its classes: res->values from values * n_classes on */
	uint64_t catch_up_bytes;    /* of it, counted while pdttd was not running */
	struct pdtt_counters total; /* all classes */
};

struct history_result {
	enum usage_tier tier;
	time_t since, until;
	size_t top;
	char **class_names; /* from the classes table, by id */
	size_t n_classes;
	struct history_row *rows;
	size_t n_rows;
	struct pdtt_counters *values;    /* the rows' by_class arrays */
	size_t rows_bytes, values_bytes; /* rows and values are mappings this long */
};

/* Row r's classes (n_classes entries). */
static inline const struct pdtt_counters *history_row_classes(const struct history_result *res,
							      const struct history_row *r)
{
	return &res->values[(size_t)r->values * res->n_classes];
}

/* Run req on db into *res; 0, or -1 with a message in err. */
int history_query(sqlite3 *db, const struct history_request *req, struct history_result *res,
		  char *err, size_t errlen);
void history_result_free(struct history_result *res);

/* The most users in one bucket (for --top: the rows): as many need a name at least. */
size_t history_users_max(const struct history_result *res);

#endif /* PDTT_HISTORY_QUERY_H */
