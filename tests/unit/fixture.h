/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One report with every case the output formats must get right: known,
 * unknown and oddly named users (quotes, backslash, control characters,
 * UTF-8, a byte that is not UTF-8), a UID new in the interval, a counter that
 * went back, the largest counter value, and the buckets.
 */
#ifndef PDTT_FIXTURE_H
#define PDTT_FIXTURE_H

#include <stdint.h>
#include <string.h>
#include "report.h"
#include "usage.h"

/* 2025-10-27 14:30:00 UTC */
#define FIXTURE_TIME 1761575400
#define FIXTURE_ODD_NAME "we\"ird\\ \n\t\x01 caf\xc3\xa9 \xff!"

static const char *fixture_name(void *names, uint32_t uid)
{
	(void)names;
	switch (uid) {
	case 0:
		return "root";
	case 1000:
		return "alice";
	case 1001:
		return FIXTURE_ODD_NAME;
	}
	return NULL;
}

static struct pdtt_usage fixture_now_users[] = {
	USAGE(0, COUNTS(100, 1, 0, 0), COUNTS(0, 0, 200, 2)),
	USAGE(1000, COUNTS(20000, 20, 3000, 10), COUNTS(5000000, 4000, 7000000, 5000)),
	USAGE(1001, NO_COUNTS, COUNTS(1028, 1, 0, 0)),
	USAGE(4000000123u, NO_COUNTS, COUNTS(0, 0, 18446744073709551615ull, 3)),
};

static struct pdtt_usage fixture_prev_users[] = {
	/* root's local TX went back: the interval counts its whole new value. */
	USAGE(0, COUNTS(500, 1, 0, 0), COUNTS(0, 0, 100, 1)),
	USAGE(1000, COUNTS(10000, 10, 1000, 5), COUNTS(1000000, 1000, 2000000, 2000)),
	USAGE(4000000123u, NO_COUNTS, COUNTS(0, 0, 18446744073709551000ull, 2)),
};

static struct pdtt_snapshot fixture_now = {
	.taken_at = FIXTURE_TIME,
	.users = fixture_now_users,
	.n_users = 4,
	.capacity = 1024,
	.buckets = {
		[PDTT_BUCKET_UNATTRIBUTED] = VALUE(COUNTS(40, 1, 60, 1), NO_COUNTS),
		[PDTT_BUCKET_OVERFLOW] = VALUE(NO_COUNTS, NO_COUNTS),
	},
};

static struct pdtt_snapshot fixture_prev = {
	.taken_at = FIXTURE_TIME - 10,
	.users = fixture_prev_users,
	.n_users = 3,
	.capacity = 1024,
	.buckets = {
		[PDTT_BUCKET_UNATTRIBUTED] = VALUE(COUNTS(40, 1, 0, 0), NO_COUNTS),
		[PDTT_BUCKET_OVERFLOW] = VALUE(NO_COUNTS, NO_COUNTS),
	},
};

/* The report of fixture_now after fixture_prev, 10.002 s before, on host "node01". */
static inline struct pdtt_report fixture_report(void)
{
	struct pdtt_report r;

	memset(&r, 0, sizeof(r));
	r.now = &fixture_now;
	r.prev = &fixture_prev;
	r.interval = 10.002;
	r.host = "node01";
	r.user_name = fixture_name;
	return r;
}

/*
 * With networks: "campus" and "research" besides local and external, so that
 * every format prints a line or field per network.
 */
#define FIXTURE_CLASSES                                              \
	{                                                            \
		.n = 4, .name = { [2] = "campus", [3] = "research" } \
	}

static struct pdtt_usage fixture_nets_now_users[] = {
	USAGE_NETS(0, 0, COUNTS(100, 1, 0, 0), NO_COUNTS),
	USAGE_NETS(1000, 1, COUNTS(20000, 20, 3000, 10), COUNTS(5000000, 4000, 7000000, 5000)),
};

static struct pdtt_counters fixture_nets_now_named[] = {
	NAMED(NO_COUNTS, COUNTS(0, 0, 200, 2)),
	NAMED(COUNTS(700000, 600, 900000, 800), COUNTS(64, 1, 0, 0)),
};

static struct pdtt_usage fixture_nets_prev_users[] = {
	USAGE_NETS(1000, 0, COUNTS(10000, 10, 1000, 5), COUNTS(1000000, 1000, 2000000, 2000)),
};

static struct pdtt_counters fixture_nets_prev_named[] = {
	NAMED(COUNTS(500000, 500, 800000, 700), NO_COUNTS),
};

static struct pdtt_snapshot fixture_nets_now = {
	.taken_at = FIXTURE_TIME,
	.users = fixture_nets_now_users,
	.n_users = 2,
	.capacity = 1024,
	.named = fixture_nets_now_named,
	.named_width = 2,
	.buckets = {
		[PDTT_BUCKET_UNATTRIBUTED] = VALUE(COUNTS(40, 1, 60, 1), NO_COUNTS),
		[PDTT_BUCKET_OVERFLOW] = VALUE(NO_COUNTS, NO_COUNTS),
	},
	.classes = FIXTURE_CLASSES,
};

static struct pdtt_snapshot fixture_nets_prev = {
	.taken_at = FIXTURE_TIME - 10,
	.users = fixture_nets_prev_users,
	.n_users = 1,
	.capacity = 1024,
	.named = fixture_nets_prev_named,
	.named_width = 2,
	.classes = FIXTURE_CLASSES,
};

/* The same report with networks. */
static inline struct pdtt_report fixture_networks_report(void)
{
	struct pdtt_report r = fixture_report();

	r.now = &fixture_nets_now;
	r.prev = &fixture_nets_prev;
	return r;
}

#endif /* PDTT_FIXTURE_H */
