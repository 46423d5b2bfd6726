/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The jobs pdttd knows of (src/jobs.c), and the file that keeps them across
 * restarts and that `pdtt show --jobs` reads: which job each slot of
 * pdtt_job_counters holds, its user, when it started and ended, and its
 * totals per class as last read.
 */
#ifndef PDTT_JOB_TABLE_H
#define PDTT_JOB_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "pdtt_shared.h"

#define JOB_NAME_MAX 128
#define JOB_UID_UNKNOWN (-1LL)

enum job_phase {
	JOB_RUNNING = 'R', /* its cgroups exist */
	JOB_ENDED = 'E',   /* its cgroups are gone: final totals to report */
	JOB_DONE = 'D',    /* reported: its slot is freed once this file is saved */
};

/*
 * A job's counts are as wide as the classes in use (the table's width), not
 * PDTT_CLASS_MAX: 64 bytes of totals without networks, where two whole
 * struct pdtt_value would be 1152. Read and write them through job_total
 * and the job_ helpers.
 */
struct job {
	char name[JOB_NAME_MAX];      /* the pattern's capture: "1234" for Slurm's job_1234 */
	uint32_t slot;                /* in pdtt_job_counters; PDTT_JOB_OVERFLOW: none free */
	char phase;                   /* enum job_phase */
	bool seen;                    /* in the current scan */
	long long uid;                /* the job's user, JOB_UID_UNKNOWN until a process is seen */
	time_t start, end;            /* end 0 while running */
	struct pdtt_counters *counts; /* 2 x the table's width: the totals as last
				       * read, then those at the last interval record */
};

struct job_table {
	uint64_t instance_id;  /* of the maps the slots are in (pdtt_meta) */
	unsigned int max_jobs; /* the size they were made for */
	unsigned int width;    /* classes each job holds (0: the default 2) */
	time_t saved_at;
	struct job *jobs;
	size_t n, cap;
};

/* Classes each job of t holds. */
static inline unsigned int job_table_width(const struct job_table *t)
{
	return t->width ? t->width : PDTT_CLASS_DEFAULT_COUNT;
}

/* Class cls of job's totals as last read: zero beyond the classes t holds. */
static inline const struct pdtt_counters *job_total(const struct job_table *t,
						    const struct job *job, unsigned int cls)
{
	static const struct pdtt_counters zero;

	return cls < job_table_width(t) ? &job->counts[cls] : &zero;
}

/* Every class of job's totals together. */
struct pdtt_counters job_sum(const struct job_table *t, const struct job *job);

/* job's totals as a whole value (on the stack: a struct pdtt_value is large). */
void job_value(const struct job_table *t, const struct job *job, struct pdtt_value *v);

/* What job counted since its last interval record, as a whole value. */
void job_interval(const struct job_table *t, const struct job *job, struct pdtt_value *v);

/* job's totals are v (classes of v beyond those t holds are not kept). */
void job_set_total(const struct job_table *t, struct job *job, const struct pdtt_value *v);

/* job's interval starts now: its totals as last read are reported. */
void job_mark_reported(const struct job_table *t, struct job *job);

/* Make every job of t hold width classes (the new ones zero); 0 or -ENOMEM. */
int job_table_widen(struct job_table *t, unsigned int width);

/* Bytes of memory a job of t takes: its entry and its counts. */
size_t job_table_bytes_per_job(const struct job_table *t);

/* A new job at the end of t (zeroed but for name and phase RUNNING); NULL without memory. */
struct job *job_table_add(struct job_table *t, const char *name);

/* The running job called name, or NULL. */
struct job *job_table_running(struct job_table *t, const char *name);

/* Remove the jobs in phase DONE; their slots are free again. */
void job_table_drop_done(struct job_table *t);

/* Whether slot is held by a job of t. */
bool job_table_slot_used(const struct job_table *t, uint32_t slot);

void job_table_free(struct job_table *t);

/* Write t to path atomically (0640): 0 or -errno. */
int job_table_save(const char *path, const struct job_table *t);

/*
 * Read path into t (empty first, as wide as the classes its jobs counted
 * in): 0, 1 when it does not exist (t empty),
 * -1 with a message in err when it cannot be read or is not such a file.
 */
int job_table_load(const char *path, struct job_table *t, char *err, size_t errlen);

/* The jobs file that goes with state_file: state_file + ".jobs". */
void job_table_path(char *out, size_t outlen, const char *state_file);

#endif /* PDTT_JOB_TABLE_H */
