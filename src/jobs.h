/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-job accounting in pdttd (the jobs setting): finds the jobs in the
 * cgroup tree, tells the programs which cgroups are whose (pdtt_job_cgroups),
 * hands out and reclaims the job counter slots, and reports each job
 * (output_jobs.c) at every report and once more when it ends.
 */
#ifndef PDTT_JOBS_H
#define PDTT_JOBS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "loader.h"
#include "pdtt_config.h"
#include "usercache.h"

struct jobs;

/*
 * With jobs on in cfg: the jobs file is read (jobs kept across a restart)
 * and the cgroup tree scanned at once. NULL when jobs are off, or (said in
 * err) when they cannot be counted.
 */
struct jobs *jobs_open(const struct pdtt_config *cfg, const struct pdtt_loader *ld, char *err,
		       size_t errlen);

/*
 * At each report, after the state file: scan, report every job (interval
 * records, completion records of the jobs that ended) and save the jobs file.
 */
void jobs_update(struct jobs *jobs, struct usercache *names, time_t now);

/*
 * Between reports the cgroup tree is scanned every JOBS_SCAN_SECONDS too
 * (jobs_rescan, when the descriptor jobs_timer_fd gives is readable), so
 * that a job's traffic counts for it within that time of its start, and
 * jobs shorter than a report interval are seen. -1 when jobs are off.
 */
#define JOBS_SCAN_SECONDS 1
int jobs_timer_fd(const struct jobs *jobs);
void jobs_rescan(struct jobs *jobs);

/*
 * When the counters are made anew with more classes (a reload that adds a
 * network): jobs_detach before the old maps are closed reads every job's
 * totals; jobs_attach on the new maps (ld) gives each job its slot again,
 * starting from those totals, so that a job goes on rather than ending.
 * jobs_attach: 0, or -ENOMEM (said) when jobs cannot be counted any more.
 */
void jobs_detach(struct jobs *jobs);
int jobs_attach(struct jobs *jobs, const struct pdtt_loader *ld);

void jobs_close(struct jobs *jobs);

#endif /* PDTT_JOBS_H */
