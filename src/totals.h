/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounting rule, in one place for pdttd and the pdtt command, so that
 * the two can never disagree on a number:
 *
 *   totals   = baseline + the kernel counters of the maps in use
 *   baseline = the totals the state file holds from before those maps
 *              existed (state_baseline_for: its saved baseline when it was
 *              saved from these very maps, its baseline + last reading when
 *              the maps were made since, after a reboot or --unload)
 *            + the counts of retired maps (a layout migration, a new
 *              max_users) that the state file does not hold yet.
 *
 * Accounting began when the state file says; without one, when the retired
 * maps began, else when the maps in use began.
 */
#ifndef PDTT_TOTALS_H
#define PDTT_TOTALS_H

#include <stdbool.h>
#include <stdint.h>
#include "pins.h"
#include "snapshot.h"
#include "state.h"

/* The maps in use, as the loader opened them. */
struct totals_maps {
	int counters_fd; /* < 0: there are none (their pins are gone: a reboot) */
	int buckets_fd;
	int slots_fd;
	int meta_fd;
	unsigned int max_entries; /* of the counters map */
	struct pdtt_meta meta;
	struct pdtt_classes classes; /* of the counters' values */
	unsigned int lanes;          /* of the counters' values: pdtt_lanes_of_layout */
};

struct totals;

/*
 * The baseline of maps (NULL: no maps) from st, the state file as loaded
 * (NULL: there is none), and r, retired maps found in pin_path (NULL or not
 * present: none), whose counters are read here, once. *out owns copies of
 * what it needs. 0 or -errno.
 */
int totals_open(struct totals **out, const struct totals_maps *maps, const struct pdtt_state *st,
		const struct pdtt_retired *r);
void totals_free(struct totals *t);

/* Whether the baseline took in the counts of the retired maps (they may go once saved). */
bool totals_folded_retired(const struct totals *t);

/*
 * Read the maps: *totals = baseline + kernel counters, what every output
 * reports (owned by t, valid until the next read). Without maps, the
 * baseline alone. 0 or -errno.
 */
int totals_read(struct totals *t, const struct pdtt_snapshot **totals);

/* The baseline, and the kernel counters alone at the last read. */
const struct pdtt_snapshot *totals_baseline(const struct totals *t);
const struct pdtt_snapshot *totals_kernel(const struct totals *t);

/*
 * Whether packets were counted in the kernel's overflow bucket (the map was
 * full) between the previous call, or the first read, and the last read;
 * *bytes gets how many bytes.
 */
bool totals_overflow_grew(struct totals *t, uint64_t *bytes);

/*
 * Write the state file for the last read (state_save: atomic): baseline,
 * kernel counters, the maps' instance id, the accounting start, the retired
 * maps folded in. 0, or -errno with a message in err.
 */
int totals_save(const struct totals *t, const char *path, char *err, size_t errlen);

#endif /* PDTT_TOTALS_H */
