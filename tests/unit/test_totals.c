// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The accounting rule without maps (what pdtt shows after a reboot, before
 * pdttd starts): the state file's baseline plus its last reading, since the
 * maps it was read from are gone, and its accounting start. The rule with
 * maps is tested by the integration tests (restart, reboot, upgrade, pdtt_show).
 */
#include <stdlib.h>
#include "check.h"
#include "totals.h"
#include "usage.h"

static struct pdtt_usage base_users[] = {
	USAGE(0, COUNTS(1, 2, 3, 4), COUNTS(5, 6, 7, 8)),
	USAGE(1000, COUNTS(10, 1, 20, 2), NO_COUNTS),
};

static struct pdtt_usage last_users[] = {
	USAGE(1000, COUNTS(5, 1, 5, 1), COUNTS(100, 1, 0, 0)),
	USAGE(2000, NO_COUNTS, COUNTS(7, 1, 0, 0)),
};

static struct pdtt_state state(void)
{
	struct pdtt_state st = {
		.layout_version = PDTT_LAYOUT_VERSION,
		.instance_id = 0x1234,
		.accounting_start = 1761575400,
		.saved_at = 1761579000,
		.baseline = { .users = base_users, .n_users = 2, .capacity = 2 },
		.last = { .users = last_users, .n_users = 2, .capacity = 2 },
	};

	st.baseline.buckets[PDTT_BUCKET_UNATTRIBUTED].by_class[PDTT_CLASS_LOCAL].tx_bytes = 40;
	st.last.buckets[PDTT_BUCKET_UNATTRIBUTED].by_class[PDTT_CLASS_LOCAL].tx_bytes = 2;
	st.last.buckets[PDTT_BUCKET_OVERFLOW].by_class[PDTT_CLASS_EXTERNAL].rx_bytes = 9;
	return st;
}

static void test_state_only(void)
{
	struct pdtt_state st = state();
	const struct pdtt_snapshot *t;
	struct totals *tot;

	CHECK(totals_open(&tot, NULL, &st, NULL) == 0);
	CHECK(!totals_folded_retired(tot));
	CHECK(totals_read(tot, &t) == 0);
	CHECK(t->accounting_start == 1761575400);
	CHECK(t->taken_at > 0);
	CHECK(t->n_users == 3);
	CHECK(t->users[0].uid == 0 && t->users[0].by_class[PDTT_CLASS_EXTERNAL].rx_packets == 8);
	CHECK(t->users[1].uid == 1000);
	CHECK(t->users[1].by_class[PDTT_CLASS_LOCAL].tx_bytes == 15 &&
	      t->users[1].by_class[PDTT_CLASS_LOCAL].rx_bytes == 25);
	CHECK(t->users[1].by_class[PDTT_CLASS_EXTERNAL].tx_bytes == 100);
	CHECK(t->users[2].uid == 2000 && t->users[2].by_class[PDTT_CLASS_EXTERNAL].tx_bytes == 7);
	CHECK(t->buckets[PDTT_BUCKET_UNATTRIBUTED].by_class[PDTT_CLASS_LOCAL].tx_bytes == 42);
	CHECK(t->buckets[PDTT_BUCKET_OVERFLOW].by_class[PDTT_CLASS_EXTERNAL].rx_bytes == 9);
	CHECK(totals_kernel(tot)->n_users == 0);
	CHECK(totals_baseline(tot)->n_users == 3);
	totals_free(tot);
}

/* No state file: nothing before the maps; the accounting start is the maps'. */
static void test_nothing_saved(void)
{
	struct totals_maps maps = { .counters_fd = -1, .buckets_fd = -1,
				    .meta = { .accounting_start = 1700000000 } };
	const struct pdtt_snapshot *t;
	struct pdtt_retired none = { .present = false };
	struct totals *tot;

	CHECK(totals_open(&tot, &maps, NULL, &none) == 0);
	CHECK(totals_read(tot, &t) == 0);
	CHECK(t->n_users == 0);
	CHECK(t->accounting_start == 1700000000);
	totals_free(tot);
	CHECK(totals_open(&tot, NULL, NULL, NULL) == 0);
	CHECK(totals_read(tot, &t) == 0);
	CHECK(t->n_users == 0 && t->accounting_start == 0);
	totals_free(tot);
}

int main(void)
{
	test_state_only();
	test_nothing_saved();
	return check_summary("test_totals");
}
