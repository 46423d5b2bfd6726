/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One reading of all counters, summed over CPUs: what every output format prints. */
#ifndef PDTT_SNAPSHOT_H
#define PDTT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "classes.h"
#include "pdtt_shared.h"

struct pdtt_usage {
	uint32_t uid;
	struct pdtt_value v;
};

struct pdtt_snapshot {
	time_t taken_at;
	struct pdtt_usage *users; /* sorted by UID */
	size_t n_users;
	size_t capacity;
	struct pdtt_value buckets[PDTT_BUCKET_COUNT];
	time_t accounting_start;  /* when the totals started from zero (0: unknown) */
	struct pdtt_classes classes; /* what the values' classes are */
};

/* Make room for n users (keeping those there); 0 or -ENOMEM. */
int snapshot_reserve(struct pdtt_snapshot *snap, size_t n);

/* out = a + b, UID by UID (a and b sorted; out must be neither); 0 or -ENOMEM. */
int snapshot_sum(struct pdtt_snapshot *out, const struct pdtt_snapshot *a,
		 const struct pdtt_snapshot *b);

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

#endif /* PDTT_SNAPSHOT_H */
