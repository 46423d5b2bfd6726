/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the pinned per-CPU maps into a snapshot. */
#ifndef PDTT_COLLECT_H
#define PDTT_COLLECT_H

#include "snapshot.h"

struct collector;

/* Buffers sized once for max_entries UIDs, so a report allocates nothing. */
struct collector *collector_new(int counters_fd, int buckets_fd, size_t max_entries);
void collector_free(struct collector *col);

/* Fill snap (owned by the collector) with the current totals; 0 or -errno. */
int collector_read(struct collector *col, const struct pdtt_snapshot **snap);

#endif /* PDTT_COLLECT_H */
