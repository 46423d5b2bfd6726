// SPDX-License-Identifier: GPL-2.0-or-later
/* The text report against golden files: the format scripts depend on. */
#include <stdlib.h>
#include "check.h"
#include "fixture.h"
#include "golden.h"
#include "report_text.h"
#include "usage.h"
#include "usercache.h"

#define UNUSED_UID 4000000123u

static const char *cache_name(void *names, uint32_t uid)
{
	return usercache_lookup(names, uid);
}

static void check_report(const struct pdtt_snapshot *snap, bool split, const char *golden)
{
	struct usercache *names = usercache_new();
	struct pdtt_report r = {
		.now = snap, .split = split, .user_name = cache_name, .names = names
	};

	CHECK_OUTPUT_GOLDEN(report_text_write, &r, golden);
	usercache_free(names);
}

/* 2025-10-27 14:30:00 in UTC; TZ is set to UTC in main. */
#define REPORT_TIME 1761575400

/* Local and external halves add up in the text report. */
static struct pdtt_usage users[] = {
	USAGE(0, COUNTS(100, 1, 0, 0), COUNTS(0, 0, 200, 2)),
	USAGE(4000000100u, COUNTS(2000, 10, 96, 19), COUNTS(48, 5, 4000, 1)),
	USAGE(UNUSED_UID, NO_COUNTS, COUNTS(0, 0, 18446744073709551615ull, 3)),
};

static const struct pdtt_snapshot full = {
	.taken_at = REPORT_TIME,
	.users = users,
	.n_users = 3,
	.buckets = {
		[PDTT_BUCKET_UNATTRIBUTED] = VALUE(COUNTS(40, 1, 60, 1), NO_COUNTS),
		[PDTT_BUCKET_OVERFLOW] = VALUE(NO_COUNTS, COUNTS(5, 1, 0, 0)),
	},
};

/* Without local_networks: the format that was there before the split, byte for byte. */
static void test_users_and_buckets(void)
{
	check_report(&full, false, "report_full.txt");
}

/* With local_networks: a Local and an External line in each block, buckets too. */
static void test_split(void)
{
	check_report(&full, true, "report_split.txt");
}

/* Zero buckets are left out; an empty map still gives the header. */
static void test_empty(void)
{
	struct pdtt_snapshot snap = { .taken_at = REPORT_TIME };

	check_report(&snap, false, "report_empty.txt");
	check_report(&snap, true, "report_empty.txt");
}

/* The shared fixture: an odd name (newline, tab, quote, bad UTF-8) stays on its line. */
static void test_odd_names(void)
{
	struct pdtt_report r = fixture_report();

	CHECK_OUTPUT_GOLDEN(report_text_write, &r, "report_fixture.txt");
}

/* With networks: a line per network, after Local and External (which come too). */
static void test_networks(void)
{
	struct pdtt_report r = fixture_networks_report();

	CHECK_OUTPUT_GOLDEN(report_text_write, &r, "report_networks.txt");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_odd_names();
	test_users_and_buckets();
	test_split();
	test_empty();
	test_networks();
	return check_summary("test_report");
}
