// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The job table and its file. One line per job:
 *   job SLOT PHASE UID START END N V1 ... VN NAME
 * with the pdtt_value as N 64-bit numbers (so the line does not care how
 * many classes a value has) and the name last, as found (no control
 * characters: jobs.c never makes such a name).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fileio.h"
#include "job_table.h"

#define HEADER "pdtt-jobs 1"
#define VALUE_WORDS (sizeof(struct pdtt_value) / sizeof(__u64))

struct job *job_table_add(struct job_table *t, const char *name)
{
	struct job *j;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct job *more = realloc(t->jobs, cap * sizeof(*more));

		if (!more)
			return NULL;
		t->jobs = more;
		t->cap = cap;
	}
	j = &t->jobs[t->n++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->phase = JOB_RUNNING;
	j->uid = JOB_UID_UNKNOWN;
	return j;
}

struct job *job_table_running(struct job_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->jobs[i].phase == JOB_RUNNING && !strcmp(t->jobs[i].name, name))
			return &t->jobs[i];
	return NULL;
}

void job_table_drop_done(struct job_table *t)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->jobs[i].phase != JOB_DONE)
			t->jobs[kept++] = t->jobs[i];
	t->n = kept;
}

bool job_table_slot_used(const struct job_table *t, uint32_t slot)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->jobs[i].slot == slot)
			return true;
	return false;
}

void job_table_free(struct job_table *t)
{
	free(t->jobs);
	memset(t, 0, sizeof(*t));
}

void job_table_path(char *out, size_t outlen, const char *state_file)
{
	snprintf(out, outlen, "%s.jobs", state_file);
}

static void write_job(FILE *f, const struct job *j)
{
	const __u64 *w = (const __u64 *)&j->total;

	fprintf(f, "job %" PRIu32 " %c %lld %lld %lld %zu", j->slot, j->phase, j->uid,
		(long long)j->start, (long long)j->end, VALUE_WORDS);
	for (size_t i = 0; i < VALUE_WORDS; i++)
		fprintf(f, " %llu", (unsigned long long)w[i]);
	fprintf(f, " %s\n", j->name);
}

int job_table_save(const char *path, const struct job_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int e;

	if (!f)
		return -errno;
	fprintf(f, HEADER "\ninstance %" PRIu64 "\nmax_jobs %u\nsaved %lld\n", t->instance_id,
		t->max_jobs, (long long)time(NULL));
	for (size_t i = 0; i < t->n; i++)
		write_job(f, &t->jobs[i]);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	e = replace_file(path, buf, len, 0640, (gid_t)-1, true);
	free(buf);
	return e;
}

/* One "job" line into a new job of t; false when it is not one. */
static bool read_job(struct job_table *t, const char *line)
{
	unsigned long long v[VALUE_WORDS];
	long long uid, start, end;
	uint32_t slot;
	size_t words;
	char phase;
	int used;
	struct job *j;

	if (sscanf(line, "job %" SCNu32 " %c %lld %lld %lld %zu%n", &slot, &phase, &uid, &start,
		   &end, &words, &used) != 6 ||
	    words != VALUE_WORDS ||
	    (phase != JOB_RUNNING && phase != JOB_ENDED && phase != JOB_DONE))
		return false;
	line += used;
	for (size_t i = 0; i < VALUE_WORDS; i++) {
		if (sscanf(line, " %llu%n", &v[i], &used) != 1)
			return false;
		line += used;
	}
	if (*line++ != ' ' || !*line || strlen(line) >= JOB_NAME_MAX)
		return false;
	j = job_table_add(t, line);
	if (!j)
		return false;
	j->slot = slot;
	j->phase = phase;
	j->uid = uid;
	j->start = (time_t)start;
	j->end = (time_t)end;
	memcpy(&j->total, v, sizeof(j->total));
	j->reported = j->total;
	return true;
}

int job_table_load(const char *path, struct job_table *t, char *err, size_t errlen)
{
	FILE *f;
	char line[64 + 21 * VALUE_WORDS + JOB_NAME_MAX];
	unsigned long long instance = 0, saved = 0;
	unsigned int lineno = 0, max_jobs = 0;
	int fd = open_regular(path, O_RDONLY, 0);

	memset(t, 0, sizeof(*t));
	if (fd == -ENOENT)
		return 1;
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 file_error(path, fd < 0 ? -fd : errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if ((lineno == 1 && !strcmp(line, HEADER)) ||
		    (lineno == 2 && sscanf(line, "instance %llu", &instance) == 1) ||
		    (lineno == 3 && sscanf(line, "max_jobs %u", &max_jobs) == 1) ||
		    (lineno == 4 && sscanf(line, "saved %llu", &saved) == 1) ||
		    (lineno > 4 && read_job(t, line)))
			continue;
		snprintf(err, errlen, "%s:%u: not a line of a pdtt jobs file", path, lineno);
		fclose(f);
		job_table_free(t);
		return -1;
	}
	fclose(f);
	t->instance_id = instance;
	t->max_jobs = max_jobs;
	t->saved_at = (time_t)saved;
	return 0;
}
