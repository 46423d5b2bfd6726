// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sums the per-CPU values of the counter maps. The UID map is read in batches
 * (one syscall per batch instead of two per UID), which keeps a report of
 * 100,000 UIDs cheap. The baseline is added to these counters in totals.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect.h"

#define BATCH_MAX 4096

struct collector {
	int counters_fd;
	int buckets_fd;
	int ncpus;
	size_t batch;                  /* entries per batch syscall */
	uint32_t *keys;                /* one batch of keys */
	struct pdtt_value *percpu;     /* one batch of per-CPU values */
	uint64_t *order, *order_tmp;   /* sort keys: uid << 32 | position */
	struct pdtt_snapshot snap;     /* the kernel counters */
};

struct collector *collector_new(int counters_fd, int buckets_fd, size_t max_entries)
{
	struct collector *col = calloc(1, sizeof(*col));

	if (!col)
		return NULL;
	col->counters_fd = counters_fd;
	col->buckets_fd = buckets_fd;
	col->ncpus = libbpf_num_possible_cpus();
	col->batch = max_entries < BATCH_MAX ? max_entries : BATCH_MAX;
	col->keys = calloc(col->batch, sizeof(*col->keys));
	col->percpu = calloc(col->batch * col->ncpus, sizeof(*col->percpu));
	col->snap.capacity = max_entries;
	col->snap.users = calloc(max_entries, sizeof(*col->snap.users));
	col->order = calloc(max_entries, sizeof(*col->order));
	col->order_tmp = calloc(max_entries, sizeof(*col->order_tmp));
	if (col->ncpus <= 0 || !col->keys || !col->percpu || !col->snap.users || !col->order ||
	    !col->order_tmp) {
		collector_free(col);
		return NULL;
	}
	return col;
}

void collector_free(struct collector *col)
{
	if (!col)
		return;
	free(col->keys);
	free(col->percpu);
	free(col->snap.users);
	free(col->order);
	free(col->order_tmp);
	free(col);
}

static void sum_cpus(const struct pdtt_value *percpu, int ncpus, struct pdtt_value *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (int cpu = 0; cpu < ncpus; cpu++)
		for (int cls = 0; cls < PDTT_CLASS_COUNT; cls++)
			counters_add(&sum->by_class[cls], &percpu[cpu].by_class[cls]);
}

static void add_batch(struct collector *col, uint32_t count)
{
	struct pdtt_snapshot *snap = &col->snap;

	for (uint32_t i = 0; i < count && snap->n_users < snap->capacity; i++) {
		struct pdtt_usage *u = &snap->users[snap->n_users];

		u->uid = col->keys[i];
		sum_cpus(&col->percpu[(size_t)i * col->ncpus], col->ncpus, &u->v);
		if (!value_is_zero(&u->v))
			snap->n_users++;
	}
}

static int read_users(struct collector *col)
{
	uint32_t token = 0, count;
	void *in = NULL;
	int err;

	col->snap.n_users = 0;
	do {
		count = col->batch;
		err = bpf_map_lookup_batch(col->counters_fd, in, &token, col->keys,
					   col->percpu, &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		add_batch(col, count);
		in = &token;
	} while (!err);
	return 0;
}

static int read_buckets(struct collector *col)
{
	for (uint32_t b = 0; b < PDTT_BUCKET_COUNT; b++) {
		if (bpf_map_lookup_elem(col->buckets_fd, &b, col->percpu))
			return -errno;
		sum_cpus(col->percpu, col->ncpus, &col->snap.buckets[b]);
	}
	return 0;
}

/*
 * Sort the snapshot by UID: a radix sort of 8-byte keys, then each entry
 * moved once to its place. qsort on the 72-byte entries was 12 ms of a
 * report of 100,000 UIDs; this is a few.
 */
static void sort_by_uid(struct collector *col)
{
	struct pdtt_usage *users = col->snap.users;
	size_t n = col->snap.n_users;
	uint64_t *keys = col->order, *tmp = col->order_tmp, *swap;
	const uint64_t placed = UINT64_MAX;

	for (size_t i = 0; i < n; i++)
		keys[i] = (uint64_t)users[i].uid << 32 | i;
	/* Least significant UID byte first; a byte all keys share is skipped. */
	for (int shift = 32; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, pos = 0;

		for (size_t i = 0; i < n; i++)
			count[keys[i] >> shift & 0xff]++;
		if (n && count[keys[0] >> shift & 0xff] == n)
			continue;
		for (int d = 0; d < 256; d++) {
			size_t c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[keys[i] >> shift & 0xff]++] = keys[i];
		swap = keys;
		keys = tmp;
		tmp = swap;
	}
	/* Entry i goes where its key sorted: follow each cycle of the permutation. */
	for (size_t i = 0; i < n; i++) {
		struct pdtt_usage held;
		size_t j = i;

		if (keys[i] == placed)
			continue;
		held = users[i];
		for (;;) {
			size_t from = (uint32_t)keys[j];

			keys[j] = placed;
			if (from == i) {
				users[j] = held;
				break;
			}
			users[j] = users[from];
			j = from;
		}
	}
}

int collector_read_kernel(struct collector *col, const struct pdtt_snapshot **kernel)
{
	int err = read_users(col);

	if (!err)
		err = read_buckets(col);
	if (err)
		return err;
	sort_by_uid(col);
	col->snap.taken_at = time(NULL);
	*kernel = &col->snap;
	return 0;
}
