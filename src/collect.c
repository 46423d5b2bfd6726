// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sums the per-CPU values of the counter maps, read in batches (one syscall
 * per batch instead of two per UID), which keeps a report of 100,000 UIDs
 * cheap. The baseline is added to these counters in totals.c.
 *
 * Layout 3 counts in slots of a per-CPU array; pdtt_slots names each slot's
 * UID. A slot's UID never changes, so the names are read again only when
 * the programs have handed out new slots.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect.h"

#define BATCH_MAX 4096

struct collector {
	struct collector_maps maps;
	int ncpus;
	size_t batch;                /* entries per batch syscall */
	uint32_t *keys;              /* one batch of keys */
	uint32_t *slots;             /* one batch of pdtt_slots values */
	unsigned int n_classes;      /* in each lane of the maps' values */
	unsigned int lanes;          /* in each value: pdtt_lanes_of_layout */
	size_t value_size;           /* of the maps' values: lanes of classes' counters */
	char *percpu;                /* one batch of per-CPU values */
	uint32_t *slot_uid;          /* layout 3: each slot's UID ... */
	uint8_t *slot_named;         /* ... where known */
	uint32_t slots_named;        /* slots_used when the names were read */
	uint64_t *order, *order_tmp; /* sort keys: uid << 32 | position */
	struct pdtt_snapshot snap;   /* the kernel counters */
};

struct collector *collector_new(const struct collector_maps *maps)
{
	struct collector *col = calloc(1, sizeof(*col));
	size_t max = maps->max_entries;

	if (!col)
		return NULL;
	col->maps = *maps;
	col->snap.classes = maps->classes;
	col->n_classes = classes_count(&maps->classes);
	col->lanes = maps->lanes;
	col->value_size = pdtt_value_size_of(col->n_classes, col->lanes);
	col->ncpus = libbpf_num_possible_cpus();
	col->batch = max < BATCH_MAX ? max : BATCH_MAX;
	col->keys = calloc(col->batch, sizeof(*col->keys));
	col->slots = calloc(col->batch, sizeof(*col->slots));
	col->percpu = calloc(col->batch * col->ncpus, col->value_size);
	col->slot_uid = calloc(max, sizeof(*col->slot_uid));
	col->slot_named = calloc(max, sizeof(*col->slot_named));
	col->order = calloc(max, sizeof(*col->order));
	col->order_tmp = calloc(max, sizeof(*col->order_tmp));
	if (col->ncpus <= 0 || !col->lanes || !col->keys || !col->slots || !col->percpu ||
	    !col->slot_uid || !col->slot_named || snapshot_reserve(&col->snap, max) ||
	    !col->order || !col->order_tmp) {
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
	free(col->slots);
	free(col->percpu);
	free(col->slot_uid);
	free(col->slot_named);
	snapshot_release(&col->snap);
	free(col->order);
	free(col->order_tmp);
	free(col);
}

/* Entry i of a batch of per-CPU values: its first CPU's value. */
static char *percpu_entry(const struct collector *col, size_t i)
{
	return col->percpu + i * col->ncpus * col->value_size;
}

/* The per-CPU values at percpu (value_size bytes each), summed, lanes added up. */
static void sum_cpus(const struct collector *col, const char *percpu, struct pdtt_value *sum)
{
	memset(sum, 0, sizeof(*sum));
	value_add_percpu(sum, percpu, col->ncpus, col->n_classes, col->lanes);
}

/* Add uid's counters (the per-CPU values at percpu) to the snapshot unless they are zero. */
static void add_user(struct collector *col, uint32_t uid, const char *percpu)
{
	struct pdtt_snapshot *snap = &col->snap;
	struct pdtt_value sum;

	if (snap->n_users >= snap->capacity)
		return;
	sum_cpus(col, percpu, &sum);
	if (!value_is_zero(&sum))
		snapshot_append(snap, uid, &sum);
}

/*
 * Read a whole map in batches, from the start: each batch's keys to
 * col->keys and values to values, then done(col, count). 0 or -errno.
 */
static int read_batches(struct collector *col, int fd, void *values,
			void (*done)(struct collector *col, uint32_t count))
{
	uint32_t token = 0, count;
	void *in = NULL;
	int err;

	do {
		count = col->batch;
		err = bpf_map_lookup_batch(fd, in, &token, col->keys, values, &count, NULL);
		if (err && errno != ENOENT)
			return -errno;
		done(col, count);
		in = &token;
	} while (!err);
	return 0;
}

/* Layouts 1 and 2: a per-CPU hash keyed by UID. */
static void add_uid_batch(struct collector *col, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		add_user(col, col->keys[i], percpu_entry(col, i));
}

static void name_slot_batch(struct collector *col, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		uint32_t slot = col->slots[i];

		if (slot < col->maps.max_entries) {
			col->slot_uid[slot] = col->keys[i];
			col->slot_named[slot] = 1;
		}
	}
}

/* The kernel's own ENOTSUPP, which it returns for a map without batch operations. */
#define KERNEL_ENOTSUPP 524

/*
 * Slots [first, first + count) of the counters, read into col->percpu and
 * added to the snapshot; *unnamed set when one with counts has no UID known
 * (its name came after the names were read). 0 or -errno.
 */
static int read_slot_batch(struct collector *col, uint32_t first, uint32_t count, bool *unnamed)
{
	uint32_t in = first - 1, out, n = count;
	struct pdtt_value sum;

	/* The batch goes on after the index in_batch: none starts at slot 0. */
	if (bpf_map_lookup_batch(col->maps.counters_fd, first ? &in : NULL, &out, col->keys,
				 col->percpu, &n, NULL) &&
	    errno != ENOENT) {
		if (errno != KERNEL_ENOTSUPP)
			return -errno;
		/* Before Linux 5.13 a per-CPU array has no batch lookup: a syscall a slot. */
		for (n = 0; n < count; n++) {
			uint32_t slot = first + n;

			if (bpf_map_lookup_elem(col->maps.counters_fd, &slot, percpu_entry(col, n)))
				return -errno;
		}
	}
	for (uint32_t i = 0; i < n && i < count; i++) {
		const char *percpu = percpu_entry(col, i);
		uint32_t slot = first + i;

		if (col->slot_named[slot]) {
			add_user(col, col->slot_uid[slot], percpu);
			continue;
		}
		/* A slot lost in a race between CPUs stays at zero; only a named slot counts. */
		sum_cpus(col, percpu, &sum);
		if (!value_is_zero(&sum))
			*unnamed = true;
	}
	return 0;
}

/* How many slots the programs have handed out. 0 or -errno. */
static int slots_used(struct collector *col, uint32_t *used)
{
	struct pdtt_meta meta = { 0 };
	__u32 zero = 0;

	if (bpf_map_lookup_elem(col->maps.meta_fd, &zero, &meta))
		return -errno;
	*used = meta.slots_used < col->maps.max_entries ? meta.slots_used
							: (uint32_t)col->maps.max_entries;
	return 0;
}

/* Layout 3: per-CPU slots, named by pdtt_slots. */
static int read_slots(struct collector *col, bool *unnamed)
{
	uint32_t used = 0, count;
	int err = slots_used(col, &used);

	*unnamed = false;
	col->snap.n_users = 0;
	if (!err && used > col->slots_named) {
		col->slots_named = used; /* before the names: a later slot is named next time */
		err = read_batches(col, col->maps.slots_fd, col->slots, name_slot_batch);
	}
	for (uint32_t first = 0; !err && first < used; first += count) {
		count = used - first < col->batch ? used - first : (uint32_t)col->batch;
		err = read_slot_batch(col, first, count, unnamed);
	}
	return err;
}

static int read_users(struct collector *col)
{
	bool unnamed;
	int err;

	if (col->maps.slots_fd < 0) {
		col->snap.n_users = 0;
		return read_batches(col, col->maps.counters_fd, col->percpu, add_uid_batch);
	}
	err = read_slots(col, &unnamed);
	if (!err && unnamed) {
		col->slots_named = 0; /* a slot was named since: read the names again */
		err = read_slots(col, &unnamed);
	}
	return err;
}

static int read_buckets(struct collector *col)
{
	for (uint32_t b = 0; b < PDTT_BUCKET_COUNT; b++) {
		if (bpf_map_lookup_elem(col->maps.buckets_fd, &b, col->percpu))
			return -errno;
		sum_cpus(col, col->percpu, &col->snap.buckets[b]);
	}
	return 0;
}

/*
 * Sort the snapshot by UID: a radix sort of 8-byte keys, then each entry
 * moved once to its place (its named classes stay where they are). qsort
 * on the 72-byte entries was 12 ms of a report of 100,000 UIDs; this is a few.
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
