// SPDX-License-Identifier: GPL-2.0-or-later
/* pdtt history: the dates of --since and --until, the query, and its three formats. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "golden.h"
#include "history_query.h"
#include "history_render.h"

/* 2025-12-15 13:45:00 UTC */
#define NOW 1765806300

static time_t date(const char *arg, bool end)
{
	char err[256];
	time_t t = 0;

	CHECK(history_parse_date(arg, NOW, end, &t, err, sizeof(err)) == 0);
	return t;
}

static void test_dates(void)
{
	char err[256];
	time_t t;

	CHECK(date("today", false) == 1765756800); /* 2025-12-15 */
	CHECK(date("today", true) == 1765756800 + 86400);
	CHECK(date("yesterday", false) == 1765756800 - 86400);
	CHECK(date("yesterday", true) == 1765756800);
	CHECK(date("this-month", false) == 1764547200); /* 2025-12-01 */
	CHECK(date("this-month", true) == 1767225600);  /* 2026-01-01 */
	CHECK(date("last-month", false) == 1761955200); /* 2025-11-01 */
	CHECK(date("last-month", true) == 1764547200);
	CHECK(date("2024-02-29", false) == 1709164800);
	CHECK(date("2024-02-29", true) == 1709164800 + 86400);
	CHECK(date("2024-02", true) == 1709251200); /* 2024-03-01 */
	CHECK(history_parse_date("2023-02-29", NOW, false, &t, err, sizeof(err)) == -1);
	CHECK_STR_EQ(err, "--since '2023-02-29' is not a date: expected YYYY-MM-DD, YYYY-MM, "
			  "today, yesterday, this-month or last-month (UTC)");
	CHECK(history_parse_date("2025-13-01", NOW, true, &t, err, sizeof(err)) == -1);
	CHECK(strncmp(err, "--until '2025-13-01'", 20) == 0);
	CHECK(history_parse_date("2025-1-01", NOW, false, &t, err, sizeof(err)) == -1);
	CHECK(history_parse_date("+025-01-01", NOW, false, &t, err, sizeof(err)) == -1);
	CHECK(history_parse_date("tomorrow", NOW, false, &t, err, sizeof(err)) == -1);
	CHECK(history_parse_date("", NOW, false, &t, err, sizeof(err)) == -1);
}

static const char *names(void *ctx, uint32_t uid)
{
	(void)ctx;
	return uid == 1000 ? "alice" : uid == 1002 ? "o'neil, \"bob\"" : NULL;
}

/* A history of three users over three days of December 2025. */
static void fill(const char *path)
{
	struct usage_settings s = { .path = path, .period = 300, .retention = { 48, 4, 62, 25 } };
	struct pdtt_usage users[3] = { { .uid = 1000 }, { .uid = 1001 }, { .uid = 1002 } };
	struct pdtt_snapshot snap = { .users = users, .n_users = 3 };
	char err[256];
	struct usage_db *h = usage_db_open(&s, err, sizeof(err));

	CHECK(h != NULL);
	if (!h)
		return;
	snap.taken_at = 1764547200 + 60; /* 2025-12-01 00:01 */
	users[0].by_class[PDTT_CLASS_EXTERNAL] = (struct pdtt_counters){ 5000, 5, 1000000, 700 };
	usage_db_record(h, &snap, USAGE_AT_START);
	for (int day = 0; day < 3; day++) {
		/* A report in the day, then one 5 minutes later: the day gets what it added. */
		snap.taken_at = 1764547200 + day * 86400 + 3600;
		usage_db_record(h, &snap, USAGE_AT_REPORT);
		users[0].by_class[PDTT_CLASS_EXTERNAL].rx_bytes += (day + 1) * 3000000ULL;
		users[0].by_class[PDTT_CLASS_EXTERNAL].rx_packets += 2000;
		users[0].by_class[PDTT_CLASS_LOCAL].tx_bytes += 4096;
		users[0].by_class[PDTT_CLASS_LOCAL].tx_packets += 4;
		users[1].by_class[PDTT_CLASS_LOCAL].rx_bytes += (3 - day) * 1000000ULL;
		users[1].by_class[PDTT_CLASS_LOCAL].rx_packets += 1000;
		users[2].by_class[PDTT_CLASS_EXTERNAL].tx_bytes += 123456789;
		users[2].by_class[PDTT_CLASS_EXTERNAL].tx_packets += 90000;
		snap.taken_at += 300;
		usage_db_record(h, &snap, USAGE_AT_REPORT);
	}
	usage_db_close(h);
}

static char *render(int (*write)(FILE *, const struct history_view *),
		    const struct history_result *res)
{
	struct history_view v = { .res = res, .user_name = names };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	CHECK(write(mem, &v) == 0);
	fclose(mem);
	return buf;
}

static void check_query(sqlite3 *db, const struct history_request *req,
			int (*write)(FILE *, const struct history_view *), const char *golden)
{
	struct history_result res;
	char err[256], *out;

	CHECK(history_query(db, req, &res, err, sizeof(err)) == 0);
	out = render(write, &res);
	check_golden(out, golden);
	free(out);
	history_result_free(&res);
}

static void test_outputs(void)
{
	char dir[] = "/tmp/pdtt-test-hq-XXXXXX", path[128], cmd[160], err[256];
	struct history_request req = { .tier = USAGE_DAILY };
	sqlite3 *db;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/history.db", dir);
	fill(path);
	CHECK(usage_db_open_readonly(path, &db, err, sizeof(err)) == 0);
	if (db) {
		req.since = date("2025-12-01", false);
		req.until = date("2025-12-03", true);
		check_query(db, &req, history_table_write, "history_daily.txt");
		check_query(db, &req, history_csv_write, "history_daily.csv");
		check_query(db, &req, history_json_write, "history_daily.json");
		req.tier = USAGE_MONTHLY;
		req.since = date("2025-12", false);
		req.until = date("2025-12", true);
		check_query(db, &req, history_csv_write, "history_billing.csv");
		req.top = 2;
		check_query(db, &req, history_table_write, "history_top.txt");
		req.top = 0;
		req.tier = USAGE_DAILY;
		req.one_user = true;
		req.uid = 1000;
		req.since = date("2025-12-01", false);
		req.until = date("2025-12-31", true);
		check_query(db, &req, history_table_write, "history_user.txt");
		req.uid = 4242;
		check_query(db, &req, history_table_write, "history_none.txt");
		sqlite3_close(db);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* The most rows in one bucket: as many users need a name at least. */
static void test_users_max(void)
{
	struct history_row rows[6] = {
		{ .start = 100, .uid = 1 }, { .start = 100, .uid = 2 }, { .start = 200, .uid = 1 },
		{ .start = 200, .uid = 2 }, { .start = 200, .uid = 3 }, { .start = 300, .uid = 1 },
	};
	struct history_result res = { .rows = rows, .n_rows = 6 };

	CHECK(history_users_max(&res) == 3);
	res.n_rows = 2;
	CHECK(history_users_max(&res) == 2);
	res.n_rows = 0;
	CHECK(history_users_max(&res) == 0);
}

int main(void)
{
	test_dates();
	test_users_max();
	test_outputs();
	return check_summary("test_history_query");
}
