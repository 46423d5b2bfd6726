/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The previous reading, kept so that a report can say what each user counted
 * during the interval, not only since accounting began. The collector reuses
 * its snapshot buffer at each reading, so the history keeps a copy.
 */
#ifndef PDTT_HISTORY_H
#define PDTT_HISTORY_H

#include "report.h"

struct history;

struct history *history_new(void);
void history_free(struct history *h);

/*
 * Point r at snap, read at mono (seconds on the monotonic clock), and at the
 * kept reading (r->prev, r->interval), if any; the rest of r is untouched.
 */
void history_begin(const struct history *h, const struct pdtt_snapshot *snap, double mono,
		   struct pdtt_report *r);

/* Keep snap, read at mono, as the start of the next interval; 0 or -ENOMEM. */
int history_keep(struct history *h, const struct pdtt_snapshot *snap, double mono);

/* Seconds on the monotonic clock: intervals do not jump with the wall clock. */
double history_clock(void);

#endif /* PDTT_HISTORY_H */
