/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One reading of all counters, summed over CPUs: what every output format prints. */
#ifndef PDTT_SNAPSHOT_H
#define PDTT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "classes.h"
#include "pdtt_shared.h"

/*
 * One UID's counters. Local and external are inline; the classes of the
 * networks, when there are any, are in the snapshot's side array (named),
 * so that an entry is as large as the classes in use, not PDTT_CLASS_MAX:
 * 72 bytes without networks, where a whole struct pdtt_value is 576. Read
 * and write an entry's classes through usage_class and the usage_ helpers.
 */
struct pdtt_usage {
	uint32_t uid;
	uint32_t named; /* where its named classes start in the snapshot's named array,
			 * in entries of named_width counters */
	struct pdtt_counters by_class[PDTT_CLASS_DEFAULT_COUNT]; /* local, external */
};

struct pdtt_snapshot {
	time_t taken_at;
	struct pdtt_usage *users; /* sorted by UID */
	size_t n_users;
	size_t capacity;
	struct pdtt_counters *named; /* capacity * named_width: the users' named classes */
	unsigned int named_width;    /* named classes per user held (0: no networks) */
	struct pdtt_value buckets[PDTT_BUCKET_COUNT];
	time_t accounting_start;     /* when the totals started from zero (0: unknown) */
	struct pdtt_classes classes; /* what the values' classes are */
};

/* The classes a snapshot's values have: loops over classes stop here. */
static inline unsigned int snapshot_n_classes(const struct pdtt_snapshot *snap)
{
	return classes_count(&snap->classes);
}

/*
 * Make room for n users, each with the classes of snap->classes, keeping
 * those there unless their classes changed (snapshot_widen keeps them);
 * 0 or -ENOMEM.
 */
int snapshot_reserve(struct pdtt_snapshot *snap, size_t n);

/*
 * Make every user hold n_classes classes (the new ones zero), keeping their
 * counts; snap->classes.n grows to match (the names are the caller's).
 * 0 or -ENOMEM.
 */
int snapshot_widen(struct pdtt_snapshot *snap, unsigned int n_classes);

/* Bytes of memory a user of snap takes: its entry and its named classes. */
size_t snapshot_bytes_per_user(const struct pdtt_snapshot *snap);

/* out = a + b, UID by UID (a and b sorted; out must be neither); 0 or -ENOMEM. */
int snapshot_sum(struct pdtt_snapshot *out, const struct pdtt_snapshot *a,
		 const struct pdtt_snapshot *b);

/* dst = src (dst owns its copy); 0 or -ENOMEM, dst unchanged then. */
int snapshot_copy(struct pdtt_snapshot *dst, const struct pdtt_snapshot *src);

/*
 * Append a user of value v (in UID order; there must be room: see
 * snapshot_reserve); classes of v beyond the snapshot's are not kept.
 */
void snapshot_append(struct pdtt_snapshot *snap, uint32_t uid, const struct pdtt_value *v);

/* Free what snapshot_reserve allocated; the snapshot is empty afterwards. */
void snapshot_release(struct pdtt_snapshot *snap);

static inline uint64_t counters_total_bytes(const struct pdtt_counters *c)
{
	return c->tx_bytes + c->rx_bytes;
}

static inline uint64_t counters_total_packets(const struct pdtt_counters *c)
{
	return c->tx_packets + c->rx_packets;
}

static inline int counters_is_zero(const struct pdtt_counters *c)
{
	return !(c->tx_bytes | c->tx_packets | c->rx_bytes | c->rx_packets);
}

static inline void counters_add(struct pdtt_counters *sum, const struct pdtt_counters *c)
{
	sum->tx_bytes += c->tx_bytes;
	sum->tx_packets += c->tx_packets;
	sum->rx_bytes += c->rx_bytes;
	sum->rx_packets += c->rx_packets;
}

/*
 * Add to sum the per-CPU kernel values at percpu, as a per-CPU map lookup
 * returns them: ncpus values of lanes lanes (pdtt_lanes_of_layout) of
 * n_classes classes each (and the guard, pdtt_shared.h), every lane of a
 * class into that class.
 */
static inline void value_add_percpu(struct pdtt_value *sum, const void *percpu, int ncpus,
				    unsigned int n_classes, unsigned int lanes)
{
	size_t size = pdtt_value_size_of(n_classes, lanes);

	for (int cpu = 0; cpu < ncpus; cpu++) {
		const struct pdtt_counters *c =
			(const struct pdtt_counters *)((const char *)percpu + cpu * size);

		for (unsigned int lane = 0; lane < lanes; lane++)
			for (unsigned int cls = 0; cls < n_classes; cls++)
				counters_add(&sum->by_class[cls], c++);
	}
}

/* Every class together: what the text report prints. Unused classes are zero. */
static inline struct pdtt_counters value_total(const struct pdtt_value *v)
{
	struct pdtt_counters sum = { 0 };

	for (int cls = 0; cls < PDTT_CLASS_MAX; cls++)
		counters_add(&sum, &v->by_class[cls]);
	return sum;
}

static inline void value_add(struct pdtt_value *sum, const struct pdtt_value *v)
{
	for (int cls = 0; cls < PDTT_CLASS_MAX; cls++)
		counters_add(&sum->by_class[cls], &v->by_class[cls]);
}

static inline int value_is_zero(const struct pdtt_value *v)
{
	struct pdtt_counters sum = value_total(v);

	return counters_is_zero(&sum);
}

/* Class cls of u, a user of snap: zero beyond the classes snap holds. */
static inline const struct pdtt_counters *usage_class(const struct pdtt_snapshot *snap,
						      const struct pdtt_usage *u, unsigned int cls)
{
	static const struct pdtt_counters zero;

	if (cls < PDTT_CLASS_FIRST_NAMED)
		return &u->by_class[cls];
	cls -= PDTT_CLASS_FIRST_NAMED;
	return cls < snap->named_width ? &snap->named[(size_t)u->named * snap->named_width + cls]
				       : &zero;
}

/* The same, to write: NULL beyond the classes snap holds. */
static inline struct pdtt_counters *usage_class_mut(struct pdtt_snapshot *snap,
						    struct pdtt_usage *u, unsigned int cls)
{
	if (cls < PDTT_CLASS_FIRST_NAMED)
		return &u->by_class[cls];
	cls -= PDTT_CLASS_FIRST_NAMED;
	return cls < snap->named_width ? &snap->named[(size_t)u->named * snap->named_width + cls]
				       : NULL;
}

/* u's counters as a whole value (on the stack: a struct pdtt_value is large). */
void usage_value(const struct pdtt_snapshot *snap, const struct pdtt_usage *u,
		 struct pdtt_value *v);

/* Every class of u together. */
struct pdtt_counters usage_total(const struct pdtt_snapshot *snap, const struct pdtt_usage *u);

/* Whether u counted nothing. */
bool usage_is_zero(const struct pdtt_snapshot *snap, const struct pdtt_usage *u);

#endif /* PDTT_SNAPSHOT_H */
