// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The accounting rule without maps (what pdtt shows after a reboot, before
 * pdttd starts): the state file's baseline plus its last reading, since the
 * maps it was read from are gone, and its accounting start. The rule with
 * maps is tested by the integration tests (restart, reboot, upgrade, pdtt_show).
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	struct totals_maps maps = { .counters_fd = -1,
				    .buckets_fd = -1,
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

/* A state file's snapshot of n users (UIDs 1 to n), of classes c. */
static void many_users(struct pdtt_snapshot *snap, size_t n, const struct pdtt_classes *c)
{
	struct pdtt_value v = VALUE(COUNTS(1, 1, 0, 0), COUNTS(0, 0, 5, 1));

	if (c)
		snap->classes = *c;
	for (unsigned int cls = PDTT_CLASS_FIRST_NAMED; c && cls < c->n; cls++)
		v.by_class[cls] = (struct pdtt_counters)COUNTS(cls, 1, 0, 0);
	CHECK(snapshot_reserve(snap, n) == 0);
	for (size_t i = 0; i < n; i++)
		snapshot_append(snap, (uint32_t)i + 1, &v);
}

/* Bytes malloc has handed out, large blocks (mmap) too. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Whether mallinfo2 sees what malloc hands out (not under valgrind or ASan). */
static bool mallinfo_counts(void)
{
	size_t before = heap_in_use();
	char *block = malloc(1 << 20);
	bool counts;

	if (block)
		memset(block, 1, 1 << 20);
	counts = block && heap_in_use() - before >= 1 << 20;
	free(block);
	if (!counts)
		fprintf(stderr,
			"test_totals: mallinfo2 does not count this malloc: heap checks skipped\n");
	return counts;
}

/* Bytes the totals of a state of n users take: its baseline and the totals. */
static size_t totals_heap(size_t n, const struct pdtt_classes *c)
{
	struct pdtt_state st = state();
	const struct pdtt_snapshot *t;
	struct totals *tot;
	size_t before;

	st.baseline = (struct pdtt_snapshot){ 0 };
	st.last = (struct pdtt_snapshot){ 0 };
	many_users(&st.baseline, n, c);
	st.last.classes = st.baseline.classes;
	before = heap_in_use();
	CHECK(totals_open(&tot, NULL, &st, NULL) == 0);
	CHECK(totals_read(tot, &t) == 0);
	CHECK(t->n_users == n && usage_class(t, &t->users[n - 1], 1)->rx_bytes == 5);
	before = heap_in_use() - before;
	totals_free(tot);
	state_free(&st);
	return before;
}

/*
 * Memory a user takes grows with the classes in use, not with
 * PDTT_CLASS_MAX: 72 bytes without networks (uid, local, external), 32 more
 * a network. At 584 bytes (every class a user could have), the totals of
 * 100,000 UIDs went from 7 MB to 58 MB a copy.
 */
static void test_memory_per_user(void)
{
	const struct pdtt_classes nets = { .n = 4, .name = { [2] = "campus", [3] = "nren" } };
	const size_t per_user = sizeof(uint32_t) * 2 +
				PDTT_CLASS_DEFAULT_COUNT * sizeof(struct pdtt_counters);
	struct pdtt_snapshot plain = { 0 }, wide = { 0 }, sum = { 0 };
	struct pdtt_value v;
	size_t heap;

	CHECK(sizeof(struct pdtt_usage) == per_user);
	many_users(&plain, 3, NULL);
	CHECK(snapshot_bytes_per_user(&plain) == per_user && plain.named == NULL);
	many_users(&wide, 2, &nets);
	CHECK(snapshot_bytes_per_user(&wide) == per_user + 2 * sizeof(struct pdtt_counters));

	/* Totals of 10,000 users without networks: two copies of 72 bytes a user. */
	if (mallinfo_counts()) {
		heap = totals_heap(10000, NULL);
		CHECK(heap >= 10000 * 2 * per_user && heap < 10000 * 2 * (per_user + 16));
		heap = totals_heap(10000, &nets);
		CHECK(heap >= 10000 * 2 * (per_user + 64) &&
		      heap < 10000 * 2 * (per_user + 64 + 16));
	}

	/* A sum of snapshots of fewer and more classes has the more, each in place. */
	CHECK(snapshot_sum(&sum, &plain, &wide) == 0);
	CHECK(sum.n_users == 3 && snapshot_n_classes(&sum) == 4);
	usage_value(&sum, &sum.users[1], &v);
	CHECK(v.by_class[PDTT_CLASS_LOCAL].tx_bytes == 2 && v.by_class[3].tx_bytes == 3 &&
	      v.by_class[2].tx_bytes == 2 && v.by_class[4].tx_bytes == 0);
	usage_value(&sum, &sum.users[2], &v);
	CHECK(v.by_class[2].tx_bytes == 0 && v.by_class[PDTT_CLASS_EXTERNAL].rx_bytes == 5);

	/* Widening keeps what each user had; the new classes start at zero. */
	CHECK(snapshot_widen(&plain, 4) == 0 && snapshot_n_classes(&plain) == 4);
	usage_value(&plain, &plain.users[2], &v);
	CHECK(v.by_class[PDTT_CLASS_LOCAL].tx_bytes == 1 && v.by_class[3].tx_bytes == 0);
	CHECK(usage_class_mut(&plain, &plain.users[2], 4) == NULL);
	snapshot_release(&plain);
	snapshot_release(&wide);
	snapshot_release(&sum);
}

int main(void)
{
	test_state_only();
	test_nothing_saved();
	test_memory_per_user();
	return check_summary("test_totals");
}
