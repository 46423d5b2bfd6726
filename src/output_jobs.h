/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where jobs are reported (output_jobs.c): a "job" line per job and report
 * in the JSON log, one completion line per finished job in jobs_log, the
 * running jobs in a Prometheus textfile of their own, and each finished
 * job's totals in the usage history's jobs table.
 */
#ifndef PDTT_OUTPUT_JOBS_H
#define PDTT_OUTPUT_JOBS_H

#include <stdio.h>
#include <time.h>
#include "classes.h"
#include "job_table.h"
#include "pdtt_config.h"
#include "usercache.h"

struct job_outputs;

/* NULL with a message in err when a configured file cannot be opened. classes: of the jobs' values. */
struct job_outputs *job_outputs_open(const struct pdtt_config *cfg,
				     const struct pdtt_classes *classes, char *err, size_t errlen);

/* One report of every job in t; the jobs in phase ENDED are reported as finished. */
void job_outputs_write(struct job_outputs *o, const struct job_table *t, struct usercache *names,
		       time_t now);

/* The jobs' values have classes now (more networks). */
void job_outputs_set_classes(struct job_outputs *o, const struct pdtt_classes *classes);

void job_outputs_close(struct job_outputs *o);

/* The textfile of the running jobs beside prometheus_textfile: NAME.prom -> NAME_jobs.prom. */
void job_outputs_prom_path(char *out, size_t outlen, const char *textfile);

/* A job as the completion line has it (without the newline): also `pdtt show --jobs --json`. */
void job_json_line(FILE *out, const struct pdtt_classes *classes, const struct job_table *t,
		   const struct job *job, const char *user, const char *host);

#endif /* PDTT_OUTPUT_JOBS_H */
