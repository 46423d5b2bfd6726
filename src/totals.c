// SPDX-License-Identifier: GPL-2.0-or-later
/* Totals = baseline + kernel counters: see totals.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "collect.h"
#include "totals.h"

struct totals {
	struct collector *col;              /* the maps in use; NULL: none */
	struct pdtt_snapshot none;          /* the kernel counters when there are no maps */
	const struct pdtt_snapshot *kernel; /* the kernel counters at the last read */
	struct pdtt_snapshot baseline;
	struct pdtt_snapshot totals; /* baseline + kernel counters */
	uint64_t instance_id;        /* of the maps in use (0: none) */
	uint32_t retired_map_id;     /* retired maps the baseline holds, for the state file */
	bool folded_retired;         /* ... taken in by totals_open */
	bool have_overflow;
	struct pdtt_counters overflow; /* the overflow bucket at the previous check */
};

/* baseline = the state file's baseline for the retired maps + their counters. */
static int fold_retired(struct totals *t, const struct pdtt_state *st, const struct pdtt_retired *r)
{
	struct pdtt_snapshot before = { 0 };
	const struct pdtt_snapshot *k;
	struct collector *col;
	int err;

	/* The programs have switched to the new maps: let those still running end. */
	usleep(50000);
	col = collector_new(
		&(struct collector_maps){ .counters_fd = r->counters_fd,
					  .buckets_fd = r->buckets_fd,
					  .slots_fd = r->slots_fd,
					  .meta_fd = r->meta_fd,
					  .max_entries = r->max_entries,
					  .classes = r->classes,
					  .lanes = pdtt_lanes_of_layout(r->layout_version) });
	if (!col)
		return -ENOMEM;
	err = collector_read_kernel(col, &k);
	if (!err)
		err = state_baseline_for(st, r->meta.instance_id, &before);
	if (!err)
		err = snapshot_sum(&t->baseline, &before, k);
	t->baseline.accounting_start = before.accounting_start;
	snapshot_release(&before);
	collector_free(col);
	return err;
}

int totals_open(struct totals **out, const struct totals_maps *maps, const struct pdtt_state *st,
		const struct pdtt_retired *r)
{
	struct totals *t = calloc(1, sizeof(*t));
	bool retired = r && r->present;
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->kernel = &t->none;
	if (maps && maps->counters_fd >= 0) {
		t->col = collector_new(&(struct collector_maps){ .counters_fd = maps->counters_fd,
								 .buckets_fd = maps->buckets_fd,
								 .slots_fd = maps->slots_fd,
								 .meta_fd = maps->meta_fd,
								 .max_entries = maps->max_entries,
								 .classes = maps->classes,
								 .lanes = maps->lanes });
		if (!t->col) {
			totals_free(t);
			return -ENOMEM;
		}
		t->instance_id = maps->meta.instance_id;
	}
	t->retired_map_id = st ? st->retired_map_id : 0;
	if (retired && !(st && st->retired_map_id == r->map_id)) {
		err = fold_retired(t, st, r);
		t->retired_map_id = r->map_id;
		t->folded_retired = true;
	} else {
		/* Without retired maps, or folded and saved before a crash. */
		err = state_baseline_for(st, t->instance_id, &t->baseline);
	}
	if (!st && !(retired && r->meta.accounting_start))
		t->baseline.accounting_start = maps ? (time_t)maps->meta.accounting_start : 0;
	else if (!st)
		t->baseline.accounting_start = (time_t)r->meta.accounting_start;
	/* Room for every UID once: a read allocates nothing. */
	if (!err)
		err = snapshot_reserve(&t->totals,
				       t->baseline.n_users +
					       (maps && t->col ? maps->max_entries : 0));
	if (err) {
		totals_free(t);
		return err;
	}
	*out = t;
	return 0;
}

void totals_free(struct totals *t)
{
	if (!t)
		return;
	collector_free(t->col);
	snapshot_release(&t->baseline);
	snapshot_release(&t->totals);
	free(t);
}

bool totals_folded_retired(const struct totals *t)
{
	return t->folded_retired;
}

int totals_read(struct totals *t, const struct pdtt_snapshot **totals)
{
	const struct pdtt_snapshot *k = &t->none;
	int err = 0;

	if (t->col)
		err = collector_read_kernel(t->col, &k);
	else
		t->none.taken_at = time(NULL);
	if (!err)
		err = snapshot_sum(&t->totals, &t->baseline, k);
	if (err)
		return err;
	t->kernel = k;
	if (!t->have_overflow) {
		t->overflow = value_total(&k->buckets[PDTT_BUCKET_OVERFLOW]);
		t->have_overflow = true;
	}
	t->totals.taken_at = k->taken_at;
	t->totals.accounting_start = t->baseline.accounting_start;
	*totals = &t->totals;
	return 0;
}

const struct pdtt_snapshot *totals_baseline(const struct totals *t)
{
	return &t->baseline;
}

const struct pdtt_snapshot *totals_kernel(const struct totals *t)
{
	return t->kernel;
}

bool totals_overflow_grew(struct totals *t, uint64_t *bytes)
{
	struct pdtt_counters now = value_total(&t->kernel->buckets[PDTT_BUCKET_OVERFLOW]);
	bool grew = counters_total_packets(&now) > counters_total_packets(&t->overflow);

	*bytes = counters_total_bytes(&now) - counters_total_bytes(&t->overflow);
	t->overflow = now;
	return grew;
}

int totals_save(const struct totals *t, const char *path, char *err, size_t errlen)
{
	struct pdtt_state st = {
		.layout_version = PDTT_LAYOUT_VERSION,
		.instance_id = t->instance_id,
		.accounting_start = (uint64_t)t->baseline.accounting_start,
		.saved_at = (uint64_t)time(NULL),
		.retired_map_id = t->retired_map_id,
		.baseline = t->baseline,
		.last = *t->kernel,
	};

	return state_save(path, &st, err, errlen);
}
