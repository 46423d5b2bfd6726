// SPDX-License-Identifier: GPL-2.0-or-later
/* The rows a history write adds, walked in C and read by SQLite: see usage_delta.h. */
#include <stdlib.h>
#include "report.h"
#include "usage_db.h"
#include "usage_delta.h"

/* ---- the walk ------------------------------------------------------------ */

/* Classes beyond these hold zero in s: so does the delta of a reading s. */
static unsigned int classes_held(const struct pdtt_snapshot *s)
{
	return PDTT_CLASS_FIRST_NAMED + s->named_width;
}

/* base's users are sorted too: j follows i, so each user's totals are found in one pass. */
static void seek_base(struct usage_delta_iter *it)
{
	const struct pdtt_snapshot *base = it->d->base;
	uint32_t uid = it->d->now->users[it->i].uid;

	while (it->j < base->n_users && base->users[it->j].uid < uid)
		it->j++;
}

/* The totals' entry of the current user, or NULL when the database holds none. */
static const struct pdtt_usage *base_user(const struct usage_delta_iter *it)
{
	const struct pdtt_snapshot *base = it->d->base;

	if (it->j < base->n_users && base->users[it->j].uid == it->d->now->users[it->i].uid)
		return &base->users[it->j];
	return NULL;
}

/* The delta at the current position into the row; whether it counted anything. */
static bool load(struct usage_delta_iter *it)
{
	static const struct pdtt_counters zero;
	const struct usage_delta *d = it->d;
	const struct pdtt_counters *n, *b;

	if (it->bucket < 0) {
		const struct pdtt_usage *u = &d->now->users[it->i];
		const struct pdtt_usage *before = base_user(it);

		n = usage_class(d->now, u, it->cls);
		b = before ? usage_class(d->base, before, it->cls) : &zero;
		it->uid = u->uid;
	} else {
		n = &d->now->buckets[it->bucket].by_class[it->cls];
		b = &d->base->buckets[it->bucket].by_class[it->cls];
		it->uid = it->bucket == PDTT_BUCKET_UNATTRIBUTED ? USAGE_UID_UNATTRIBUTED
								 : USAGE_UID_OVERFLOW;
	}
	it->row_class = it->cls;
	it->c = report_counters_delta(n, b);
	return !counters_is_zero(&it->c);
}

/* The position after the current one: users' classes, then the buckets'; false past the end. */
static bool step(struct usage_delta_iter *it)
{
	const struct pdtt_snapshot *now = it->d->now;

	if (it->bucket < 0) {
		if (++it->cls < classes_held(now))
			return true;
		it->cls = 0;
		if (++it->i < now->n_users) {
			seek_base(it);
			return true;
		}
		it->bucket = 0;
		return true;
	}
	if (++it->cls < PDTT_CLASS_MAX)
		return true;
	it->cls = 0;
	return ++it->bucket < PDTT_BUCKET_COUNT;
}

/* From the current position on, the first that counted something. */
static void settle(struct usage_delta_iter *it)
{
	while (!load(it))
		if (!step(it)) {
			it->eof = true;
			return;
		}
}

void usage_delta_first(struct usage_delta_iter *it, const struct usage_delta *d)
{
	*it = (struct usage_delta_iter){ .d = d, .bucket = d->now->n_users ? -1 : 0 };
	if (d->now->n_users)
		seek_base(it);
	settle(it);
}

void usage_delta_next(struct usage_delta_iter *it)
{
	if (it->eof)
		return;
	if (!step(it))
		it->eof = true;
	else
		settle(it);
}

/* ---- the virtual table ---------------------------------------------------- */

struct delta_vtab {
	sqlite3_vtab base; /* first: SQLite's view of it */
	const struct usage_delta *d;
};

struct delta_cursor {
	sqlite3_vtab_cursor base; /* first: SQLite's view of it */
	struct usage_delta_iter it;
	sqlite3_int64 rowid;
};

static int delta_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			 sqlite3_vtab **vtab, char **err)
{
	int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(uid INTEGER, class INTEGER, "
					  "tx_bytes INTEGER, tx_packets INTEGER, "
					  "rx_bytes INTEGER, rx_packets INTEGER)");

	struct delta_vtab *t;

	(void)argc;
	(void)argv;
	(void)err;
	if (rc != SQLITE_OK)
		return rc;
	t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	*t = (struct delta_vtab){ .d = aux };
	*vtab = &t->base;
	return SQLITE_OK;
}

static int delta_disconnect(sqlite3_vtab *vtab)
{
	sqlite3_free(vtab);
	return SQLITE_OK;
}

/* Every statement reads all of it: no constraint is used, no order promised. */
static int delta_best_index(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
	(void)vtab;
	info->estimatedCost = 1e6;
	return SQLITE_OK;
}

static int delta_open(sqlite3_vtab *vtab, sqlite3_vtab_cursor **cur)
{
	struct delta_cursor *c = sqlite3_malloc(sizeof(*c));

	(void)vtab;
	if (!c)
		return SQLITE_NOMEM;
	*c = (struct delta_cursor){ 0 };
	*cur = &c->base;
	return SQLITE_OK;
}

static int delta_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int delta_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_str, int argc,
			sqlite3_value **argv)
{
	struct delta_cursor *c = (struct delta_cursor *)cur;

	(void)idx;
	(void)idx_str;
	(void)argc;
	(void)argv;
	usage_delta_first(&c->it, ((struct delta_vtab *)cur->pVtab)->d);
	c->rowid = 0;
	return SQLITE_OK;
}

static int delta_next(sqlite3_vtab_cursor *cur)
{
	struct delta_cursor *c = (struct delta_cursor *)cur;

	usage_delta_next(&c->it);
	c->rowid++;
	return SQLITE_OK;
}

static int delta_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct delta_cursor *)cur)->it.eof;
}

static int delta_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const struct usage_delta_iter *it = &((struct delta_cursor *)cur)->it;
	const uint64_t values[] = { it->c.tx_bytes, it->c.tx_packets, it->c.rx_bytes,
				    it->c.rx_packets };

	if (col == 0)
		sqlite3_result_int64(ctx, it->uid);
	else if (col == 1)
		sqlite3_result_int(ctx, (int)it->row_class);
	else
		sqlite3_result_int64(ctx, (sqlite3_int64)values[col - 2]);
	return SQLITE_OK;
}

static int delta_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct delta_cursor *)cur)->rowid;
	return SQLITE_OK;
}

/* Eponymous only (no xCreate): it exists on this connection, never in the file. */
static const sqlite3_module delta_module = {
	.iVersion = 1,
	.xConnect = delta_connect,
	.xBestIndex = delta_best_index,
	.xDisconnect = delta_disconnect,
	.xOpen = delta_open,
	.xClose = delta_close,
	.xFilter = delta_filter,
	.xNext = delta_next,
	.xEof = delta_eof,
	.xColumn = delta_column,
	.xRowid = delta_rowid,
};

int usage_delta_register(sqlite3 *db, const struct usage_delta *d)
{
	return sqlite3_create_module_v2(db, "pdtt_delta", &delta_module, (void *)d, NULL);
}
