/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rows a history write adds: what a reading counted beyond the totals
 * the database holds (the delta rule every output uses), one row per UID (or
 * special bucket) and class that counted something. Walked in C, and read by
 * SQLite as the virtual table pdtt_delta, so that each tier's
 * INSERT ... SELECT reads the readings in memory directly.
 */
#ifndef PDTT_USAGE_DELTA_H
#define PDTT_USAGE_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "snapshot.h"

/* The period being written: set before each statement that reads pdtt_delta. */
struct usage_delta {
	const struct pdtt_snapshot *base; /* the totals the database holds */
	const struct pdtt_snapshot *now;  /* the reading */
};

/* A walk over the period's rows, in UID order, then the special buckets. */
struct usage_delta_iter {
	const struct usage_delta *d;
	/*
	 * The position: a user of now (i; j is the first user of base not
	 * below it) or a special bucket, and a class.
	 */
	size_t i, j;
	int bucket; /* -1 while on users */
	unsigned int cls;
	bool eof;
	/* The row there: uid (negative for the buckets), class, what it counted. */
	long long uid;
	unsigned int row_class;
	struct pdtt_counters c;
};

/* Start a walk at the first row (eof when there is none). */
void usage_delta_first(struct usage_delta_iter *it, const struct usage_delta *d);

/* Go to the next row. */
void usage_delta_next(struct usage_delta_iter *it);

/*
 * Make pdtt_delta, an eponymous read-only virtual table over *d (uid, class,
 * tx_bytes, tx_packets, rx_bytes, rx_packets), on db. SQLITE_OK or the error.
 */
int usage_delta_register(sqlite3 *db, const struct usage_delta *d);

#endif /* PDTT_USAGE_DELTA_H */
