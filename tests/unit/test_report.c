// SPDX-License-Identifier: GPL-2.0-or-later
/* The text report against golden files: the format scripts depend on. */
#include <stdlib.h>
#include "check.h"
#include "report_text.h"

#define UNUSED_UID 4000000123u

/* Read a golden file whole; NULL if missing. */
static char *read_golden(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	if (buf && fread(buf, 1, len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void check_report(const struct pdtt_snapshot *snap, const char *golden)
{
	struct usercache *names = usercache_new();
	char *got = NULL, *want = read_golden(golden);
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);

	report_text_write(out, snap, names);
	fclose(out);
	CHECK(want != NULL);
	if (want)
		CHECK_STR_EQ(got, want);
	free(got);
	free(want);
	usercache_free(names);
}

/* 2025-10-27 14:30:00 in UTC; TZ is set to UTC in main. */
#define REPORT_TIME 1761575400

static void test_users_and_buckets(void)
{
	/* Local and external halves add up in the text report. */
	struct pdtt_usage users[] = {
		{ 0, { { { 100, 1, 0, 0 }, { 0, 0, 200, 2 } } } },
		{ 4000000100u, { { { 2000, 10, 96, 19 }, { 48, 5, 4000, 1 } } } },
		{ UNUSED_UID, { { { 0, 0, 0, 0 }, { 0, 0, 18446744073709551615ull, 3 } } } },
	};
	struct pdtt_snapshot snap = {
		.taken_at = REPORT_TIME,
		.users = users,
		.n_users = 3,
		.buckets = { { { { 40, 1, 60, 1 } } }, { { { 0, 0, 0, 0 }, { 5, 1, 0, 0 } } } },
	};

	check_report(&snap, "report_full.txt");
}

/* Zero buckets are left out; an empty map still gives the header. */
static void test_empty(void)
{
	struct pdtt_snapshot snap = { .taken_at = REPORT_TIME };

	check_report(&snap, "report_empty.txt");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_users_and_buckets();
	test_empty();
	return check_summary("test_report");
}
