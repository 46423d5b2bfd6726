// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The job maps of every mode's object (bpf/pdtt_jobs.bpf.h): sized from
 * max_jobs when jobs are on, and to one entry when off, so that a node that
 * does not count jobs spends no kernel memory on them.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "loader_mode.h"
#include "classes.h"
#include "log.h"

/* Cgroups a job may have in pdtt_job_cgroups, on average (steps, tasks). */
#define CGROUPS_PER_JOB 16

/*
 * The pinned job map at name, if it was made for other sizes (jobs turned
 * on or off, or another max_jobs), is unpinned so that a new one is made.
 * A reload that adds a network carries the running jobs' totals over to it
 * (jobs_attach); at a start the jobs then running count again from zero.
 */
static void drop_resized_pin(const char *pin_path, const char *name, __u32 want, __u32 value_size)
{
	char path[PDTT_PATH_MAX + 64];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	loader_pin_file(path, sizeof(path), pin_path, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    (info.max_entries != want || (value_size && info.value_size != value_size))) {
		log_warn("%s was made for another max_jobs, other networks or with jobs off: a new "
			 "one is made (a reload carries the running jobs' totals over to it; at a "
			 "start they count from zero)",
			 path);
		if (unlink(path) < 0)
			log_err("cannot unpin %s: %s", path, strerror(errno));
	}
	close(fd);
}

void loader_jobs_prepare(const struct pdtt_config *cfg, const struct pdtt_loader *ld,
			 struct bpf_object *obj, volatile bool *enable, volatile bool *by_helper,
			 bool socket_mode)
{
	bool on = cfg->jobs[0] != '\0';
	__u32 counters = on ? cfg->max_jobs + 1 : 1;
	__u32 cgroups = on ? cfg->max_jobs * CGROUPS_PER_JOB : 1;
	/* A job's value has the classes a user's has. */
	__u32 value_size = PDTT_VALUE_SIZE(classes_count(&ld->classes));
	struct bpf_map *job_counters = bpf_object__find_map_by_name(obj, PDTT_PIN_JOB_COUNTERS);

	drop_resized_pin(cfg->pin_path, PDTT_PIN_JOB_COUNTERS, counters, value_size);
	drop_resized_pin(cfg->pin_path, PDTT_PIN_JOB_CGROUPS, cgroups, 0);
	drop_resized_pin(cfg->pin_path, PDTT_PIN_JOB_USERS, counters, 0);
	bpf_map__set_max_entries(job_counters, counters);
	bpf_map__set_value_size(job_counters, value_size);
	bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, PDTT_PIN_JOB_CGROUPS), cgroups);
	bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, PDTT_PIN_JOB_USERS), counters);
	*enable = on;
	*by_helper = socket_mode;
}

void loader_jobs_keep(struct pdtt_loader *ld, struct bpf_object *obj, __u32 *epoch)
{
	ld->job_counters_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, PDTT_PIN_JOB_COUNTERS));
	ld->job_cgroups_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, PDTT_PIN_JOB_CGROUPS));
	ld->job_users_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, PDTT_PIN_JOB_USERS));
	ld->jobs_epoch = epoch;
}
