/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One report as every output format sees it: the cumulative totals, the
 * reading before them (for per-interval figures), and the context (host,
 * user names, whether local_networks is set). The formats only print; what an
 * interval counted is computed here, once, for all of them.
 */
#ifndef PDTT_REPORT_H
#define PDTT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "snapshot.h"

struct pdtt_report {
	const struct pdtt_snapshot *now; /* the cumulative totals reported */
	/*
	 * The kernel counters alone, for the gauges of the map (now also holds
	 * UIDs known only from the state file); NULL: now is them.
	 */
	const struct pdtt_snapshot *kernel;
	const struct pdtt_snapshot *prev; /* the reading the interval starts from; NULL: none */
	double interval;                  /* seconds from prev to now (monotonic clock) */
	bool final;                       /* the last report before pdttd stops */
	const char *host;                 /* host name, for the JSON log */
	bool split;                       /* local_networks is not empty */
	/* The UID's user name, or NULL when it has none. */
	const char *(*user_name)(void *names, uint32_t uid);
	void *names;
};

/* The user name of uid, or NULL when it has none (or no lookup is set). */
const char *report_user_name(const struct pdtt_report *r, uint32_t uid);

/*
 * What now->users[i] counted during the interval: now minus prev. A UID that
 * prev does not have counted all of it in the interval; a counter that went
 * back (counts reset) counted its whole new value. All zero without prev.
 */
struct pdtt_value report_user_delta(const struct pdtt_report *r, size_t i);

/* The same rule for one class: now - before, or all of now when it went back (a reset). */
struct pdtt_counters report_counters_delta(const struct pdtt_counters *now,
					   const struct pdtt_counters *before);

/* snap's entry for uid (users are sorted by UID), or NULL. */
const struct pdtt_usage *report_find_user(const struct pdtt_snapshot *snap, uint32_t uid);

/* The same for a special bucket. */
struct pdtt_value report_bucket_delta(const struct pdtt_report *r, enum pdtt_bucket b);

/* Bucket names as the machine-read formats spell them. */
const char *report_bucket_name(enum pdtt_bucket b);

/* Class names as the machine-read formats spell them: "local", "external", a network's. */
const char *report_class_name(const struct pdtt_report *r, unsigned int cls);

/* How many classes the values of r have (2 without networks). */
unsigned int report_n_classes(const struct pdtt_report *r);

/* Whether the counts are split by named networks (networks is set, or was). */
bool report_by_network(const struct pdtt_report *r);

#endif /* PDTT_REPORT_H */
