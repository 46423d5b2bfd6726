// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus textfile against golden files (goldens_parse.sh runs
 * promtool on them), and its atomic replacement.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "fixture.h"
#include "golden.h"
#include "report_prom.h"

static void test_full(void)
{
	struct pdtt_report r = fixture_report();

	CHECK_OUTPUT_GOLDEN(report_prom_write, &r, "report.prom");
	/* Counters only: neither the previous reading nor the split flag changes a thing. */
	r.prev = NULL;
	r.split = true;
	CHECK_OUTPUT_GOLDEN(report_prom_write, &r, "report.prom");
}

/* No user yet: the buckets and gauges are there all the same. */
static void test_empty(void)
{
	struct pdtt_snapshot snap = { .taken_at = FIXTURE_TIME, .capacity = 1 };
	struct pdtt_report r = { .now = &snap };

	CHECK_OUTPUT_GOLDEN(report_prom_write, &r, "report_empty.prom");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* The file is replaced whole, readable by node_exporter's user, with no temp file left. */
static void test_save(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256], path[300], missing[320];
	struct stat st;
	char *text;

	snprintf(dir, sizeof(dir), "%s/pdtt-test-prom.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/pdtt.prom", dir);
	umask(077);
	CHECK(report_prom_save(path, "first 1\n", 8) == 0);
	CHECK(report_prom_save(path, "second 2\n", 9) == 0);
	text = slurp(path);
	CHECK(text && !strcmp(text, "second 2\n"));
	free(text);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(entries(dir) == 1);

	/* A directory that does not exist: an error, and nothing is created. */
	snprintf(missing, sizeof(missing), "%s/nodir/pdtt.prom", dir);
	CHECK(report_prom_save(missing, "x 1\n", 4) == -ENOENT);
	CHECK(entries(dir) == 1);

	unlink(path);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	test_full();
	test_empty();
	test_save();
	return check_summary("test_report_prom");
}
