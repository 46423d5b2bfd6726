/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the pinned per-CPU maps into a snapshot (read only: nothing is changed). */
#ifndef PDTT_COLLECT_H
#define PDTT_COLLECT_H

#include "snapshot.h"

struct collector;

/* The maps to read, by layout (see pdtt_shared.h). */
struct collector_maps {
	int counters_fd;
	int buckets_fd;
	int slots_fd;                /* layout 3: UID -> slot; -1 for layouts 1 and 2,
				   * whose counters are a per-CPU hash by UID */
	int meta_fd;                 /* layout 3: for slots_used */
	size_t max_entries;          /* of the counters map */
	struct pdtt_classes classes; /* of the counters' values (their size) */
	unsigned int lanes;          /* of the counters' values: pdtt_lanes_of_layout */
};

/* Buffers sized once for max_entries UIDs, so a report allocates nothing. */
struct collector *collector_new(const struct collector_maps *maps);
void collector_free(struct collector *col);

/*
 * Read the maps into *kernel (owned by the collector, valid until the next
 * read): the kernel counters alone, summed over CPUs, users in UID order.
 * What is reported adds the baseline to them: see totals.h. 0 or -errno.
 */
int collector_read_kernel(struct collector *col, const struct pdtt_snapshot **kernel);

#endif /* PDTT_COLLECT_H */
