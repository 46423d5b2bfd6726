// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-job accounting without BPF: the presets' patterns, and the jobs file's round trip. */
#include <regex.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "config_jobs.h"
#include "job_table.h"

/* The job name setting finds in path, or "" for none. */
static const char *job_in(const char *setting, const char *path)
{
	static char name[JOB_NAME_MAX];
	char why[96];
	regmatch_t m[2];
	regex_t re;

	name[0] = '\0';
	if (config_jobs_compile(setting, &re, why, sizeof(why))) {
		snprintf(name, sizeof(name), "error: %s", why);
		return name;
	}
	if (!regexec(&re, path, 2, m, 0) && m[1].rm_so >= 0)
		snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
			 path + m[1].rm_so);
	regfree(&re);
	return name;
}

static void test_presets(void)
{
	/* Slurm's cgroups as a container's host sees them (verbatim). */
	static const char stepd[] = "/pdtt/payload/system.slice/node1_slurmstepd.scope";
	char path[256];

	snprintf(path, sizeof(path), "%s/job_1/step_batch/user/task_special", stepd);
	CHECK_STR_EQ(job_in("slurm", path), "1");
	snprintf(path, sizeof(path), "%s/job_3/step_0/user", stepd);
	CHECK_STR_EQ(job_in("slurm", path), "3");
	snprintf(path, sizeof(path), "%s/job_12345/step_extern/user/task_0", stepd);
	CHECK_STR_EQ(job_in("slurm", path), "12345");
	/* slurmstepd itself, the node's helper and the job's own level: not the job's tasks. */
	snprintf(path, sizeof(path), "%s/job_1/step_batch/slurm", stepd);
	CHECK_STR_EQ(job_in("slurm", path), "");
	snprintf(path, sizeof(path), "%s/system", stepd);
	CHECK_STR_EQ(job_in("slurm", path), "");
	snprintf(path, sizeof(path), "%s/job_1", stepd);
	CHECK_STR_EQ(job_in("slurm", path), "");
	CHECK_STR_EQ(job_in("slurm", "/x/job_1/step_0/username"), "");
	CHECK_STR_EQ(job_in("systemd", "/system.slice/nginx.service"), "nginx.service");
	CHECK_STR_EQ(job_in("systemd", "/system.slice/docker.service/inner"), "docker.service");
	CHECK_STR_EQ(job_in("systemd", "/system.slice/nginx.service.d"), "");
	CHECK_STR_EQ(job_in("session", "/user.slice/user-1000.slice/session-42.scope"),
		     "session-42");
	CHECK_STR_EQ(job_in("/(x[0-9]+)", "/a/x17/b"), "x17");
	CHECK_STR_EQ(job_in("/x[0-9]+", "/a/x17"),
		     "error: it has no capture group to name the job");
}

static void test_round_trip(void)
{
	struct job_table t = { .instance_id = 0x1234567890abcdefULL, .max_jobs = 7 }, back;
	char dir[] = "/tmp/pdtt-test-jobs.XXXXXX", path[64], err[256];
	struct job *j;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state.jobs", dir);
	CHECK(job_table_load(path, &back, err, sizeof(err)) == 1);
	j = job_table_add(&t, "42");
	j->slot = 3;
	j->uid = 1000;
	j->start = 1700000000;
	j->counts[0].tx_bytes = 128;
	j->counts[1].rx_packets = 5;
	j = job_table_add(&t, "name with spaces");
	j->slot = PDTT_JOB_OVERFLOW;
	j->phase = JOB_DONE;
	j->start = 1700000001;
	j->end = 1700000100;
	CHECK(job_table_save(path, &t) == 0);
	CHECK(job_table_load(path, &back, err, sizeof(err)) == 0);
	CHECK(back.n == 2 && back.instance_id == t.instance_id && back.max_jobs == 7);
	CHECK(back.n == 2 && job_table_width(&back) == PDTT_CLASS_DEFAULT_COUNT &&
	      !memcmp(back.jobs[0].counts, t.jobs[0].counts, 2 * sizeof(*t.jobs[0].counts)));
	CHECK(back.n == 2 && back.jobs[0].uid == 1000 && back.jobs[0].slot == 3 &&
	      back.jobs[0].phase == JOB_RUNNING && back.jobs[0].end == 0);
	CHECK(back.n == 2 && !strcmp(back.jobs[1].name, "name with spaces") &&
	      back.jobs[1].uid == JOB_UID_UNKNOWN && back.jobs[1].phase == JOB_DONE &&
	      back.jobs[1].end == 1700000100);
	CHECK(back.n == 2 && job_table_running(&back, "42") == &back.jobs[0] &&
	      !job_table_running(&back, "name with spaces"));
	job_table_drop_done(&back);
	CHECK(back.n == 1 && job_table_slot_used(&back, 3) && !job_table_slot_used(&back, 0));
	job_table_free(&back);
	/* Not a jobs file: refused, never read as no jobs. */
	{
		FILE *f = fopen(path, "w");

		fputs("pdtt-jobs 1\ninstance 1\nmax_jobs 7\nsaved 0\njob 1 X 0 0 0 1 2 x\n", f);
		fclose(f);
	}
	CHECK(job_table_load(path, &back, err, sizeof(err)) == -1);
	CHECK(strstr(err, ":5: not a line of a pdtt jobs file") != NULL);
	job_table_free(&t);
	unlink(path);
	rmdir(dir);
}

/* A line of an older jobs file: PDTT_CLASS_MAX classes, class cls with tx_bytes. */
static void write_old_file(const char *path, unsigned int cls)
{
	FILE *f = fopen(path, "w");

	fputs("pdtt-jobs 1\ninstance 1\nmax_jobs 7\nsaved 0\njob 1 R 1000 1 0 72", f);
	for (unsigned int i = 0; i < 72; i++)
		fprintf(f, " %d", i == 4 * cls ? 100 : 0);
	fputs(" 7\n", f);
	fclose(f);
}

/*
 * A job's counts are as wide as the classes in use, not PDTT_CLASS_MAX:
 * fails if a job record grows back to whole struct pdtt_value (576 bytes each).
 */
static void test_job_size(void)
{
	const size_t counters = sizeof(struct pdtt_counters);
	struct job_table t = { 0 }, back;
	char dir[] = "/tmp/pdtt-test-jobs.XXXXXX", path[64], err[256];
	struct pdtt_value v = { 0 };
	struct job *j;

	CHECK(sizeof(struct job) <= JOB_NAME_MAX + 48);
	CHECK(job_table_bytes_per_job(&t) == sizeof(struct job) + 2 * 2 * counters);
	j = job_table_add(&t, "1");
	v.by_class[1].tx_bytes = 10;
	v.by_class[3].rx_bytes = 30; /* beyond the table's classes: not kept */
	job_set_total(&t, j, &v);
	CHECK(job_sum(&t, j).tx_bytes == 10 && job_sum(&t, j).rx_bytes == 0);
	job_mark_reported(&t, j);
	/* Two networks more: the counts stay, the new classes start from zero. */
	CHECK(job_table_widen(&t, 4) == 0);
	CHECK(job_table_bytes_per_job(&t) == sizeof(struct job) + 2 * 4 * counters);
	CHECK(job_total(&t, j, 1)->tx_bytes == 10 && job_total(&t, j, 3)->rx_bytes == 0);
	job_set_total(&t, j, &v);
	job_interval(&t, j, &v);
	CHECK(v.by_class[1].tx_bytes == 0 && v.by_class[3].rx_bytes == 30);
	CHECK(job_total(&t, j, 5)->rx_bytes == 0);

	/* The file has as many classes as the table; an older file's are narrowed. */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state.jobs", dir);
	CHECK(job_table_save(path, &t) == 0);
	CHECK(job_table_load(path, &back, err, sizeof(err)) == 0);
	CHECK(back.n == 1 && job_table_width(&back) == 4 &&
	      job_total(&back, &back.jobs[0], 3)->rx_bytes == 30);
	job_table_free(&back);
	write_old_file(path, 1);
	CHECK(job_table_load(path, &back, err, sizeof(err)) == 0);
	CHECK(back.n == 1 && job_table_width(&back) == 2 &&
	      job_total(&back, &back.jobs[0], 1)->tx_bytes == 100);
	job_table_free(&back);
	write_old_file(path, 5);
	CHECK(job_table_load(path, &back, err, sizeof(err)) == 0);
	CHECK(back.n == 1 && job_table_width(&back) == 6 &&
	      job_total(&back, &back.jobs[0], 5)->tx_bytes == 100);
	job_table_free(&back);
	job_table_free(&t);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_presets();
	test_round_trip();
	test_job_size();
	return check_summary("test_jobs");
}
