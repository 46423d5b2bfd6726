/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One reading of all counters, summed over CPUs: what every output format prints. */
#ifndef PDTT_SNAPSHOT_H
#define PDTT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "pdtt_shared.h"

struct pdtt_usage {
	uint32_t uid;
	struct pdtt_counters c;
};

struct pdtt_snapshot {
	time_t taken_at;
	struct pdtt_usage *users; /* sorted by UID */
	size_t n_users;
	size_t capacity;
	struct pdtt_counters buckets[PDTT_BUCKET_COUNT];
};

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

#endif /* PDTT_SNAPSHOT_H */
