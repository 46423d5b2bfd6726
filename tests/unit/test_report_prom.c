// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus textfile against golden files (goldens_parse.sh runs
 * promtool on them), and its atomic replacement.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "fileio.h"
#include "fixture.h"
#include "golden.h"
#include "report_prom.h"

/* With networks: a network label on every series, class on local and external only. */
static void test_networks(void)
{
	struct pdtt_report r = fixture_networks_report();

	CHECK_OUTPUT_GOLDEN(report_prom_write, &r, "report_networks.prom");
}

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

/* The map gauges count the kernel's UIDs, not those known only from the state file. */
static void test_gauges_count_the_map(void)
{
	struct pdtt_report r = fixture_report();
	struct pdtt_snapshot kernel = { .users = r.now->users, .n_users = 1, .capacity = 7 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	r.kernel = &kernel;
	CHECK(r.now->n_users > 1);
	report_prom_write(out, &r);
	fclose(out);
	CHECK(strstr(text, "\npdtt_users 1\n") != NULL);
	CHECK(strstr(text, "\npdtt_max_users 7\n") != NULL);
	free(text);
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

/* Something else where the file goes is refused and left as it is. */
static void test_not_regular(const char *dir)
{
	char path[300], target[320];
	char *text;

	snprintf(path, sizeof(path), "%s/planted.prom", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	CHECK(report_prom_save(target, "target 1\n", 9, (gid_t)-1) == 0);
	CHECK(symlink(target, path) == 0);
	CHECK(report_prom_save(path, "x 1\n", 4, (gid_t)-1) == -EINVAL);
	CHECK(strstr(file_error(path, EINVAL), "a symbolic link") != NULL);
	text = slurp(target);
	CHECK(text && !strcmp(text, "target 1\n"));
	free(text);
	CHECK(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	CHECK(report_prom_save(path, "x 1\n", 4, (gid_t)-1) == -EINVAL);
	CHECK(strstr(file_error(path, EINVAL), "a FIFO") != NULL);
	CHECK(open_regular(path, O_WRONLY | O_APPEND | O_CREAT, 0640) < 0);
	CHECK(unlink(path) == 0 && mkdir(path, 0700) == 0);
	CHECK(report_prom_save(path, "x 1\n", 4, (gid_t)-1) == -EINVAL);
	CHECK(strstr(file_error(path, EINVAL), "a directory") != NULL);
	CHECK(rmdir(path) == 0);
	CHECK(entries(dir) == 2); /* the test's file, and the target */
	CHECK(unlink(target) == 0);
}

/* The file is replaced whole, readable by node_exporter's group, with no temp file left. */
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
	CHECK(report_prom_save(path, "first 1\n", 8, (gid_t)-1) == 0);
	CHECK(report_prom_save(path, "second 2\n", 9, getgid()) == 0);
	text = slurp(path);
	CHECK(text && !strcmp(text, "second 2\n"));
	free(text);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640 && st.st_gid == getgid());
	CHECK(entries(dir) == 1);

	/* A directory that does not exist: an error, and nothing is created. */
	snprintf(missing, sizeof(missing), "%s/nodir/pdtt.prom", dir);
	CHECK(report_prom_save(missing, "x 1\n", 4, (gid_t)-1) == -ENOENT);
	CHECK(entries(dir) == 1);
	test_not_regular(dir);

	unlink(path);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	test_full();
	test_networks();
	test_empty();
	test_gauges_count_the_map();
	test_save();
	return check_summary("test_report_prom");
}
