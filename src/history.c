// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "history.h"

struct history {
	struct pdtt_snapshot prev;
	double mono;
	bool have;
};

struct history *history_new(void)
{
	return calloc(1, sizeof(struct history));
}

void history_free(struct history *h)
{
	if (!h)
		return;
	snapshot_release(&h->prev);
	free(h);
}

void history_begin(const struct history *h, const struct pdtt_snapshot *snap, double mono,
		   struct pdtt_report *r)
{
	r->now = snap;
	r->prev = h->have ? &h->prev : NULL;
	r->interval = h->have && mono > h->mono ? mono - h->mono : 0;
}

int history_keep(struct history *h, const struct pdtt_snapshot *snap, double mono)
{
	if (snapshot_copy(&h->prev, snap)) {
		/* Better no interval than a wrong one. */
		h->have = false;
		return -ENOMEM;
	}
	h->mono = mono;
	h->have = true;
	return 0;
}

double history_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
