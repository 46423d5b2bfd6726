/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pdtt show: the totals as a table a person reads at a glance (human units,
 * biggest first, the buckets last) or as one JSON document with exact
 * counts. Only formats: the totals come from totals.c, like the daemon's.
 */
#ifndef PDTT_SHOW_H
#define PDTT_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "snapshot.h"

struct pdtt_show {
	const struct pdtt_snapshot *totals; /* baseline + kernel counters, users by UID */
	time_t as_of;     /* when they were read (or saved, from the state file) */
	const char *host; /* for the JSON document */
	bool split;       /* local_networks is set: local and external columns */
	bool by_network;  /* a column per class: local, external, each network */
	bool exact;       /* --bytes: byte counts without units */
	bool filter;      /* --user: this UID only (shown even with no traffic) */
	uint32_t uid;
	/* Non-NULL: no maps are pinned at pin_path; the totals are this state file's. */
	const char *state_file;
	const char *pin_path;
	/* The UID's user name, or NULL when it has none. */
	const char *(*user_name)(void *names, uint32_t uid);
	void *names;
};

/* bytes in the largest unit that keeps the number under 1024: "1023 B", "1.5 GiB". */
void show_human_bytes(char *buf, size_t len, uint64_t bytes);

/*
 * The rows of s in display order: indices into s->totals->users, by total
 * bytes, biggest first (ties by UID); the filtered UID only with --user.
 * Returns how many (order has room for n_users).
 */
size_t show_order(const struct pdtt_show *s, size_t *order);

/* The table; -ENOMEM, or 0. */
int show_table_write(FILE *out, const struct pdtt_show *s);

/* The JSON document, on one line; -ENOMEM, or 0. */
int show_json_write(FILE *out, const struct pdtt_show *s);

#endif /* PDTT_SHOW_H */
