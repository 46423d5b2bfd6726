// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * historycost: what the usage history costs, with the daemon's own code
 * (usage_db.c from libpdtt.a). No root, no BPF: the readings are made up.
 *
 * historycost write DB USERS
 *   Writes periods of USERS active UIDs (each with local and external
 *   traffic: 2 rows per UID) 5 minutes apart, across the end of a month,
 *   with retentions of 1 (hour, day, day, month) so that rows expire as they
 *   do in a full database. First with pdttd's writer thread (into
 *   DB-thread), 4 s apart: what each period costs the report, "round ms
 *   thread_cpu_ms handover" (the first, "start", is written in the caller),
 *   what closing (waiting for the thread to write what it was handed) took,
 *   "close ms", and "thread_peak_rss_kb N". Then each written in the
 *   caller: "round ms cpu_ms what", then "peak_rss_kb N".
 *
 * historycost fill DB USERS
 *   Builds the database of USERS UIDs active in every 5 minutes, with local
 *   and external traffic, at the default retention (48 h, 4 days, 62 days,
 *   25 months), in time order as pdttd would, writing only as often as each
 *   tier needs to fill. Prints "writes N seconds S last_write_ms M".
 *
 * historycost query DB daily|monthly SINCE UNTIL [UID]
 *   pdtt history --daily (or --monthly) --csv from SINCE to UNTIL
 *   (YYYY-MM-DD), of every UID or one, to /dev/null, with the command's own
 *   code but no user names (each name is a passwd lookup, paid once per UID,
 *   as by pdtt show). Prints "query_ms Q render_ms R cpu_ms C rows N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "history_query.h"
#include "history_render.h"
#include "usage_db.h"

static double clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time: on a shared machine, wall time also counts waiting for a CPU. */
static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

/* Every UID counts more: some of it local, most of it external. */
static void advance(struct pdtt_snapshot *s, time_t t)
{
	for (size_t i = 0; i < s->n_users; i++) {
		struct pdtt_counters *c = s->users[i].by_class;

		c[PDTT_CLASS_LOCAL].tx_bytes += 1000 + i % 977;
		c[PDTT_CLASS_LOCAL].tx_packets += 3;
		c[PDTT_CLASS_EXTERNAL].rx_bytes += 150000 + i % 9973;
		c[PDTT_CLASS_EXTERNAL].rx_packets += 110;
	}
	s->taken_at = t;
}

static struct pdtt_snapshot users_of(size_t n)
{
	static const struct pdtt_value zero;
	struct pdtt_snapshot s = { 0 };

	if (snapshot_reserve(&s, n)) {
		perror("historycost");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		snapshot_append(&s, 100000 + (uint32_t)i, &zero);
	return s;
}

static struct usage_db *open_db(const char *path, int r5, int rh, int rd, int rm, bool background)
{
	struct usage_settings set = { .path = path,
				      .period = 300,
				      .background = background,
				      .retention = { r5, rh, rd, rm } };
	char err[512];
	struct usage_db *h = usage_db_open(&set, err, sizeof(err));

	if (!h) {
		fprintf(stderr, "historycost: %s\n", err);
		exit(1);
	}
	return h;
}

/* 2026-01-01 00:00 UTC, the end of a month: the 18th period is the first of January. */
#define MONTH_END 1767225600
#define FIRST_PERIOD (MONTH_END - 15 * 300 - 60)

/* The same periods, handed to the writer thread: what the report pays. */
static void handover_rounds(const char *path, size_t n)
{
	char bg[4200];
	struct pdtt_snapshot s = users_of(n);
	struct usage_db *h;
	struct rusage ru;
	double t0;

	snprintf(bg, sizeof(bg), "%s-thread", path);
	h = open_db(bg, 1, 1, 1, 1, true);
	advance(&s, FIRST_PERIOD);
	for (int r = 0; r < 20; r++) {
		double c0;

		advance(&s, FIRST_PERIOD + (time_t)r * 300);
		t0 = now_ms();
		c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
		usage_db_record(h, &s, r == 0 ? USAGE_AT_START : USAGE_AT_REPORT);
		/* The write at start is the caller's own (before pdttd forks). */
		printf("%d %.1f %.1f %s\n", r, now_ms() - t0,
		       clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0, r == 0 ? "start" : "handover");
		fflush(stdout);
		/* pdttd's reports come minutes apart: the write is over by the next. */
		sleep(4);
	}
	t0 = now_ms();
	usage_db_close(h);
	printf("close %.1f\n", now_ms() - t0);
	snapshot_release(&s);
	getrusage(RUSAGE_SELF, &ru);
	printf("thread_peak_rss_kb %ld\n", ru.ru_maxrss);
}

static int write_rounds(const char *path, size_t n)
{
	const time_t first = FIRST_PERIOD;
	struct pdtt_snapshot s = users_of(n);
	struct usage_db *h = open_db(path, 1, 1, 1, 1, false);
	struct rusage ru;

	advance(&s, first);
	for (int r = 0; r < 20; r++) {
		double t0, c0;

		advance(&s, first + (time_t)r * 300);
		t0 = now_ms();
		c0 = cpu_ms();
		usage_db_record(h, &s, r == 0 ? USAGE_AT_START : USAGE_AT_REPORT);
		printf("%d %.1f %.1f %s\n", r, now_ms() - t0, cpu_ms() - c0,
		       r == 0    ? "first"
		       : r == 17 ? "month_end"
		       : r >= 13 ? "steady"
				 : "filling");
		fflush(stdout);
	}
	usage_db_close(h);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_kb %ld\n", ru.ru_maxrss);
	snapshot_release(&s);
	return 0;
}

/* Periods, oldest first, enough to fill each tier to its default retention. */
static int fill(const char *path, size_t n)
{
	const time_t end = 1767225600 + 14 * 86400; /* mid-January 2026 */
	struct pdtt_snapshot s = users_of(n);
	struct usage_db *h = open_db(path, 48, 4, 62, 25, false);
	double t0 = now_ms(), last = 0;
	time_t t = end - 25 * 31 * 86400, step;
	long writes = 0;

	while (t < end) {
		double w0;

		/*
		 * Monthly, then daily, hourly and 5-minute periods as the tiers keep
		 * them, each step ending at the next region at the latest.
		 */
		if (t < end - 63 * 86400)
			step = end - 63 * 86400 - t < 28 * 86400 ? end - 63 * 86400 - t
								 : 28 * 86400;
		else if (t < end - 5 * 86400)
			step = 86400;
		else if (t < end - 49 * 3600)
			step = 3600;
		else
			step = 300;
		advance(&s, t);
		w0 = now_ms();
		usage_db_record(h, &s, writes == 0 ? USAGE_AT_START : USAGE_AT_REPORT);
		last = now_ms() - w0;
		writes++;
		t += step;
	}
	usage_db_close(h);
	printf("writes %ld seconds %.1f last_write_ms %.1f\n", writes, (now_ms() - t0) / 1e3, last);
	return 0;
}

static int query(const char *path, const char *tier, const char *since, const char *until,
		 const char *uid)
{
	struct history_request req = {
		.tier = strcmp(tier, "monthly") ? USAGE_DAILY : USAGE_MONTHLY,
		.one_user = uid != NULL,
		.uid = uid ? (uint32_t)strtoul(uid, NULL, 10) : 0,
	};
	struct history_result res;
	struct history_view view = { .res = &res };
	char err[512];
	sqlite3 *db;
	FILE *null = fopen("/dev/null", "w");
	double t0, t1, t2, c0, c1;

	if (!null || history_parse_date(since, 0, false, &req.since, err, sizeof(err)) ||
	    history_parse_date(until, 0, true, &req.until, err, sizeof(err)) ||
	    usage_db_open_readonly(path, &db, err, sizeof(err))) {
		fprintf(stderr, "historycost: %s\n", err);
		return 1;
	}
	t0 = now_ms();
	c0 = cpu_ms();
	if (history_query(db, &req, &res, err, sizeof(err))) {
		fprintf(stderr, "historycost: %s\n", err);
		return 1;
	}
	t1 = now_ms();
	c1 = cpu_ms();
	history_csv_write(null, &view);
	fflush(null);
	t2 = now_ms();
	printf("query_ms %.1f render_ms %.1f cpu_ms %.1f query_cpu_ms %.1f render_cpu_ms %.1f "
	       "rows %zu\n",
	       t1 - t0, t2 - t1, cpu_ms() - c0, c1 - c0, cpu_ms() - c1, res.n_rows);
	history_result_free(&res);
	sqlite3_close(db);
	fclose(null);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "query"))
		return query(argv[2], argv[3], argv[4], argv[5], argc == 7 ? argv[6] : NULL);
	if (argc != 4 || (strcmp(argv[1], "write") && strcmp(argv[1], "fill"))) {
		fprintf(stderr, "usage: historycost write|fill DB USERS | "
				"query DB daily|monthly SINCE UNTIL [UID]\n");
		return 64;
	}
	if (!strcmp(argv[1], "write")) {
		/* The thread's first: the peak RSS of each is then its own, or less. */
		handover_rounds(argv[2], strtoul(argv[3], NULL, 10));
		return write_rounds(argv[2], strtoul(argv[3], NULL, 10));
	}
	return fill(argv[2], strtoul(argv[3], NULL, 10));
}
