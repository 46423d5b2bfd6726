/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the pinned per-CPU maps into a snapshot. */
#ifndef PDTT_COLLECT_H
#define PDTT_COLLECT_H

#include "snapshot.h"

struct collector;

/* Buffers sized once for max_entries UIDs, so a report allocates nothing. */
struct collector *collector_new(int counters_fd, int buckets_fd, size_t max_entries);
void collector_free(struct collector *col);

/*
 * The totals from before these maps existed (state_baseline_for), added to
 * every reading, and the accounting start they count from. Copied; 0 or -ENOMEM.
 * Without a call, the baseline is zero.
 */
int collector_set_baseline(struct collector *col, const struct pdtt_snapshot *baseline);
const struct pdtt_snapshot *collector_baseline(const struct collector *col);

/*
 * Read the maps into *totals (owned by the collector, valid until the next
 * read): baseline + kernel counters, what every output reports. 0 or -errno.
 */
int collector_read(struct collector *col, const struct pdtt_snapshot **totals);

/* The kernel counters alone at the last read: what the state file records. */
const struct pdtt_snapshot *collector_kernel(const struct collector *col);

/* The kernel counters alone (e.g. of retired maps being folded); 0 or -errno. */
int collector_read_kernel(struct collector *col, const struct pdtt_snapshot **kernel);

#endif /* PDTT_COLLECT_H */
