// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON lines log against golden files (goldens_parse.sh parses them with a JSON parser). */
#include <stdlib.h>
#include "check.h"
#include "fixture.h"
#include "golden.h"
#include "report_json.h"

/* Every case of the fixture: escaping, null user, deltas, buckets. */
static void test_full(void)
{
	struct pdtt_report r = fixture_report();

	CHECK_OUTPUT_GOLDEN(report_json_write, &r, "report.jsonl");
}

/* The JSON log carries the split whether or not local_networks is set. */
static void test_split_flag_ignored(void)
{
	struct pdtt_report r = fixture_report();

	r.split = true;
	CHECK_OUTPUT_GOLDEN(report_json_write, &r, "report.jsonl");
}

/* No previous reading: the interval figures are null, not zeros that would look real. */
static void test_no_previous(void)
{
	struct pdtt_report r = fixture_report();

	r.prev = NULL;
	r.interval = 0;
	r.host = "a\"host";
	CHECK_OUTPUT_GOLDEN(report_json_write, &r, "report_noprev.jsonl");
}

/*
 * Nothing counted: the report line alone, so that a log shipper can tell an
 * idle daemon from a stopped one.
 */
static void test_empty(void)
{
	struct pdtt_snapshot snap = { .taken_at = FIXTURE_TIME };
	struct pdtt_report r = { .now = &snap, .prev = &snap, .interval = 1, .host = "h" };

	CHECK_OUTPUT_GOLDEN(report_json_write, &r, "report_empty.jsonl");
}

/* With networks: a "networks" object beside local and external. */
static void test_networks(void)
{
	struct pdtt_report r = fixture_networks_report();

	CHECK_OUTPUT_GOLDEN(report_json_write, &r, "report_networks.jsonl");
}

int main(void)
{
	/* The JSON time is UTC whatever the local time zone. */
	setenv("TZ", "XST-05:45", 1); /* POSIX form: no tzdata needed */
	test_full();
	test_split_flag_ignored();
	test_no_previous();
	test_empty();
	test_networks();
	return check_summary("test_report_json");
}
