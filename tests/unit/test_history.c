// SPDX-License-Identifier: GPL-2.0-or-later
/* The previous reading and the per-interval figures computed from it. */
#include <stdlib.h>
#include "check.h"
#include "fixture.h"
#include "history.h"

static bool counters_eq(const struct pdtt_counters *c, uint64_t txb, uint64_t txp, uint64_t rxb,
			uint64_t rxp)
{
	return c->tx_bytes == txb && c->tx_packets == txp && c->rx_bytes == rxb &&
	       c->rx_packets == rxp;
}

/* now minus prev per UID and class; a new UID and a counter that went back. */
static void test_deltas(void)
{
	struct pdtt_report r = fixture_report();
	struct pdtt_value d;

	d = report_user_delta(&r, 0); /* root: local TX 500 -> 100 is a reset */
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_LOCAL], 100, 0, 0, 0));
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_EXTERNAL], 0, 0, 100, 1));
	d = report_user_delta(&r, 1); /* alice */
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_LOCAL], 10000, 10, 2000, 5));
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_EXTERNAL], 4000000, 3000, 5000000, 3000));
	d = report_user_delta(&r, 2); /* UID 1001 is new: all of it */
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_LOCAL], 0, 0, 0, 0));
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_EXTERNAL], 1028, 1, 0, 0));
	d = report_user_delta(&r, 3); /* near 2^64 */
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_EXTERNAL], 0, 0, 615, 1));
	d = report_bucket_delta(&r, PDTT_BUCKET_UNATTRIBUTED);
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_LOCAL], 0, 0, 60, 1));
	d = report_bucket_delta(&r, PDTT_BUCKET_OVERFLOW);
	CHECK(value_is_zero(&d));

	r.prev = NULL;
	d = report_user_delta(&r, 1);
	CHECK(value_is_zero(&d));
	d = report_bucket_delta(&r, PDTT_BUCKET_UNATTRIBUTED);
	CHECK(value_is_zero(&d));
}

/* The history copies the reading (the collector reuses its buffer) and times intervals. */
static void test_history(void)
{
	struct history *h = history_new();
	struct pdtt_usage users[4];
	struct pdtt_snapshot snap = fixture_prev;
	struct pdtt_report r = { 0 };
	struct pdtt_value d;

	CHECK(h != NULL);
	if (!h)
		return;
	history_begin(h, &fixture_prev, 100.0, &r);
	CHECK(r.now == &fixture_prev && r.prev == NULL && r.interval == 0);

	memcpy(users, fixture_prev_users, sizeof(fixture_prev_users));
	snap.users = users;
	CHECK(history_keep(h, &snap, 100.0) == 0);
	/* The collector overwrites its buffer with the next reading. */
	memcpy(users, fixture_now_users, sizeof(fixture_now_users));
	snap = fixture_now;
	snap.users = users;
	history_begin(h, &snap, 110.5, &r);
	CHECK(r.prev != NULL && r.interval == 10.5);
	CHECK(r.prev && r.prev->n_users == 3 && r.prev->taken_at == FIXTURE_TIME - 10);
	d = report_user_delta(&r, 1);
	CHECK(counters_eq(&d.by_class[PDTT_CLASS_LOCAL], 10000, 10, 2000, 5));

	/* More users than before: the copy grows. */
	CHECK(history_keep(h, &snap, 110.5) == 0);
	history_begin(h, &snap, 120.5, &r);
	CHECK(r.prev && r.prev->n_users == 4 && r.interval == 10.0);
	d = report_user_delta(&r, 3);
	CHECK(value_is_zero(&d));
	history_free(h);
}

int main(void)
{
	test_deltas();
	test_history();
	return check_summary("test_history");
}
