// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The job table and its file. One line per job:
 *   job SLOT PHASE UID START END N V1 ... VN NAME
 * with the totals as N 64-bit numbers, four per class (tx bytes, tx
 * packets, rx bytes, rx packets) for as many classes as the table holds
 * (so the line does not care how many classes there are), and the name
 * last, as found (no control characters: jobs.c never makes such a name).
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
#include "snapshot.h"

#define HEADER "pdtt-jobs 1"
#define CLASS_WORDS (sizeof(struct pdtt_counters) / sizeof(__u64))
#define VALUE_WORDS (PDTT_CLASS_MAX * CLASS_WORDS) /* the most a line has */

void job_value(const struct job_table *t, const struct job *job, struct pdtt_value *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->by_class, job->counts, job_table_width(t) * sizeof(*job->counts));
}

struct pdtt_counters job_sum(const struct job_table *t, const struct job *job)
{
	struct pdtt_counters sum = { 0 };

	for (unsigned int cls = 0; cls < job_table_width(t); cls++)
		counters_add(&sum, &job->counts[cls]);
	return sum;
}

static __u64 minus(__u64 a, __u64 b)
{
	return a >= b ? a - b : 0;
}

void job_interval(const struct job_table *t, const struct job *job, struct pdtt_value *v)
{
	unsigned int width = job_table_width(t);

	memset(v, 0, sizeof(*v));
	for (unsigned int cls = 0; cls < width; cls++) {
		const struct pdtt_counters *now = &job->counts[cls],
					   *then = &job->counts[width + cls];

		v->by_class[cls] = (struct pdtt_counters){
			.tx_bytes = minus(now->tx_bytes, then->tx_bytes),
			.tx_packets = minus(now->tx_packets, then->tx_packets),
			.rx_bytes = minus(now->rx_bytes, then->rx_bytes),
			.rx_packets = minus(now->rx_packets, then->rx_packets),
		};
	}
}

void job_set_total(const struct job_table *t, struct job *job, const struct pdtt_value *v)
{
	memcpy(job->counts, v->by_class, job_table_width(t) * sizeof(*job->counts));
}

void job_mark_reported(const struct job_table *t, struct job *job)
{
	unsigned int width = job_table_width(t);

	memcpy(job->counts + width, job->counts, width * sizeof(*job->counts));
}

int job_table_widen(struct job_table *t, unsigned int width)
{
	unsigned int old = job_table_width(t);

	if (width <= old)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		struct pdtt_counters *c = calloc(2 * width, sizeof(*c));

		if (!c)
			return -ENOMEM; /* the jobs widened so far hold more: harmless */
		memcpy(c, t->jobs[i].counts, old * sizeof(*c));
		memcpy(c + width, t->jobs[i].counts + old, old * sizeof(*c));
		free(t->jobs[i].counts);
		t->jobs[i].counts = c;
	}
	t->width = width;
	return 0;
}

size_t job_table_bytes_per_job(const struct job_table *t)
{
	return sizeof(struct job) + 2 * job_table_width(t) * sizeof(struct pdtt_counters);
}

struct job *job_table_add(struct job_table *t, const char *name)
{
	struct pdtt_counters *counts = calloc(2 * job_table_width(t), sizeof(*counts));
	struct job *j;

	if (!counts)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct job *more = realloc(t->jobs, cap * sizeof(*more));

		if (!more) {
			free(counts);
			return NULL;
		}
		t->jobs = more;
		t->cap = cap;
	}
	j = &t->jobs[t->n++];
	memset(j, 0, sizeof(*j));
	j->counts = counts;
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

	for (size_t i = 0; i < t->n; i++) {
		if (t->jobs[i].phase != JOB_DONE)
			t->jobs[kept++] = t->jobs[i];
		else
			free(t->jobs[i].counts);
	}
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
	for (size_t i = 0; i < t->n; i++)
		free(t->jobs[i].counts);
	free(t->jobs);
	memset(t, 0, sizeof(*t));
}

void job_table_path(char *out, size_t outlen, const char *state_file)
{
	snprintf(out, outlen, "%s.jobs", state_file);
}

static void write_job(FILE *f, const struct job_table *t, const struct job *j)
{
	const __u64 *w = (const __u64 *)j->counts;
	size_t words = job_table_width(t) * CLASS_WORDS;

	fprintf(f, "job %" PRIu32 " %c %lld %lld %lld %zu", j->slot, j->phase, j->uid,
		(long long)j->start, (long long)j->end, words);
	for (size_t i = 0; i < words; i++)
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
		write_job(f, t, &t->jobs[i]);
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
	union {
		unsigned long long words[VALUE_WORDS];
		struct pdtt_value value;
	} v = { 0 };
	unsigned int needed = PDTT_CLASS_DEFAULT_COUNT;
	long long uid, start, end;
	uint32_t slot;
	size_t words;
	char phase;
	int used;
	struct job *j;

	if (sscanf(line, "job %" SCNu32 " %c %lld %lld %lld %zu%n", &slot, &phase, &uid, &start,
		   &end, &words, &used) != 6 ||
	    words % CLASS_WORDS || words < PDTT_CLASS_DEFAULT_COUNT * CLASS_WORDS ||
	    words > VALUE_WORDS ||
	    (phase != JOB_RUNNING && phase != JOB_ENDED && phase != JOB_DONE))
		return false;
	line += used;
	for (size_t i = 0; i < words; i++) {
		if (sscanf(line, " %llu%n", &v.words[i], &used) != 1)
			return false;
		line += used;
		if (v.words[i])
			needed = needed > i / CLASS_WORDS + 1 ? needed : i / CLASS_WORDS + 1;
	}
	if (*line++ != ' ' || !*line || strlen(line) >= JOB_NAME_MAX)
		return false;
	/* As wide as the classes that counted: older files have PDTT_CLASS_MAX. */
	if (job_table_widen(t, needed) < 0)
		return false;
	j = job_table_add(t, line);
	if (!j)
		return false;
	j->slot = slot;
	j->phase = phase;
	j->uid = uid;
	j->start = (time_t)start;
	j->end = (time_t)end;
	job_set_total(t, j, &v.value);
	job_mark_reported(t, j);
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
