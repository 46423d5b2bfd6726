// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-job accounting, the daemon's side (see bpf/pdtt_jobs.bpf.h for the
 * kernel's). At each report:
 * 1. jobs reported as ended at the last report (phase DONE, and in the jobs
 *    file since) give their slots back;
 * 2. the cgroup tree is scanned: each cgroup whose path below the root
 *    matches the pattern belongs to the job its capture group names; a new
 *    job gets a free slot (zeroed first), or the overflow slot when none is
 *    free; a running job none of whose cgroups is left has ended;
 * 3. pdtt_job_cgroups is made to hold exactly the cgroups found, and the
 *    epoch is bumped if it changed, so that sockets look their job up again;
 * 4. each job's counters are read, the jobs reported, and the jobs file
 *    saved: a job's slot is reused only once its totals are in that file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "classes.h"
#include "config_jobs.h"
#include "job_table.h"
#include "jobs.h"
#include "log.h"
#include "mounts.h"
#include "output_jobs.h"
#include "snapshot.h"
#include "state.h"

#define WALK_DEPTH_MAX 32
#define JOB_NO_SLOT UINT32_MAX /* a job of earlier maps: its totals are final */

/* One cgroup found in a scan: its id and the index of its job in the table. */
struct found {
	__u64 id;
	__u32 slot;
	size_t job;
};

struct jobs {
	regex_t re;
	char root[PDTT_PATH_MAX];     /* the cgroup v2 root */
	char file[PDTT_PATH_MAX + 8]; /* the jobs file */
	int counters_fd, cgroups_fd, users_fd;
	__u32 *epoch;
	unsigned int max_jobs;
	int ncpus;
	struct pdtt_classes classes; /* of the job counters' values */
	size_t value_size;           /* of one CPU's value in the kernel */
	char *percpu;                /* one value per possible CPU */
	struct job_table table;
	struct found *found;
	size_t n_found, cap_found;
	struct job_outputs *out;
	int timer_fd; /* the scans between reports */
	bool said_full, said_cgroups, said_save;
};

/* ---- the scan ---------------------------------------------------------- */

/* The job name the pattern finds in rel (a cgroup's path below the root), or false. */
static bool job_name(struct jobs *j, const char *rel, char *name)
{
	regmatch_t m[2];
	size_t len;

	if (regexec(&j->re, rel, 2, m, 0) || m[1].rm_so < 0)
		return false;
	len = (size_t)(m[1].rm_eo - m[1].rm_so);
	if (len == 0 || len >= JOB_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)rel[m[1].rm_so + i] < 0x20 || rel[m[1].rm_so + i] == 0x7f)
			return false;
	memcpy(name, rel + m[1].rm_so, len);
	name[len] = '\0';
	return true;
}

/*
 * The user of the processes in the cgroup open at dirfd: the first that is
 * not root, else root; JOB_UID_UNKNOWN when it has none.
 */
static long long cgroup_user(int dirfd)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	long long uid = JOB_UID_UNKNOWN;
	char buf[4096], proc[64], *p, *end;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return uid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return uid;
	buf[n] = '\0';
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (stat(proc, &st) == 0) {
			uid = st.st_uid;
			if (uid != 0)
				break;
		}
		while (*end == '\n')
			end++;
	}
	return uid;
}

static int add_found(struct jobs *j, __u64 id, size_t job)
{
	if (j->n_found == j->cap_found) {
		size_t cap = j->cap_found ? 2 * j->cap_found : 256;
		struct found *more = realloc(j->found, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		j->found = more;
		j->cap_found = cap;
	}
	j->found[j->n_found++] = (struct found){ .id = id, .job = job };
	return 0;
}

/* The cgroup at path (open at fd, id its inode): a job's, if the pattern says so. */
static void consider(struct jobs *j, const char *path, int fd, __u64 id)
{
	char name[JOB_NAME_MAX];
	struct job *job;
	long long uid;

	if (!job_name(j, path + strlen(j->root), name))
		return;
	job = job_table_running(&j->table, name);
	if (!job && !(job = job_table_add(&j->table, name)))
		return;
	job->seen = true;
	if (job->uid == JOB_UID_UNKNOWN || job->uid == 0) {
		uid = cgroup_user(fd);
		if (uid != JOB_UID_UNKNOWN && (job->uid == JOB_UID_UNKNOWN || uid != 0))
			job->uid = uid;
	}
	add_found(j, id, (size_t)(job - j->table.jobs));
}

/* Every cgroup below the one open at fd (closed here), path its path. */
static void walk(struct jobs *j, int fd, char *path, size_t len, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	struct stat st;
	int sub;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (len + 1 + strlen(e->d_name) >= PDTT_PATH_MAX)
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile */
		snprintf(path + len, PDTT_PATH_MAX - len, "/%s", e->d_name);
		if (fstat(sub, &st) == 0)
			consider(j, path, sub, (__u64)st.st_ino);
		if (depth < WALK_DEPTH_MAX)
			walk(j, sub, path, strlen(path), depth + 1);
		else
			close(sub);
		path[len] = '\0';
	}
	closedir(d);
}

/* ---- slots ------------------------------------------------------------- */

static void zero_slot(struct jobs *j, __u32 slot)
{
	__u32 none = 0;

	memset(j->percpu, 0, (size_t)j->ncpus * j->value_size);
	if (bpf_map_update_elem(j->counters_fd, &slot, j->percpu, BPF_ANY) ||
	    bpf_map_update_elem(j->users_fd, &slot, &none, BPF_ANY))
		log_err("cannot clear job slot %u: %s", slot, strerror(errno));
}

/* Slots for the jobs found new in this scan; the overflow slot when none is free. */
static void give_slots(struct jobs *j, time_t now)
{
	bool *used = calloc(j->max_jobs + 1, sizeof(*used));
	__u32 next = 1;

	if (!used)
		return;
	for (size_t i = 0; i < j->table.n; i++)
		if (j->table.jobs[i].slot <= j->max_jobs && j->table.jobs[i].start)
			used[j->table.jobs[i].slot] = true;
	for (size_t i = 0; i < j->table.n; i++) {
		struct job *job = &j->table.jobs[i];

		if (job->start)
			continue; /* not new */
		job->start = now;
		while (next <= j->max_jobs && used[next])
			next++;
		if (next > j->max_jobs) {
			job->slot = PDTT_JOB_OVERFLOW;
			if (!j->said_full)
				log_warn("all %u job slots are taken (max_jobs): job %s and the "
					 "jobs after it are counted together in the job overflow "
					 "slot until slots are free again",
					 j->max_jobs, job->name);
			j->said_full = true;
			continue;
		}
		zero_slot(j, next);
		used[next] = true;
		job->slot = next;
	}
	free(used);
}

/* ---- the kernel's map of cgroups --------------------------------------- */

static int by_id(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Make pdtt_job_cgroups hold exactly what the scan found: whether it changed. */
static bool sync_cgroups(struct jobs *j)
{
	__u64 key, next, *stale = NULL;
	size_t n_stale = 0, cap = 0;
	bool changed = false;
	void *prev = NULL;
	__u32 slot;

	/* qsort and bsearch take no NULL array, even of 0 elements (no job yet). */
	if (j->n_found)
		qsort(j->found, j->n_found, sizeof(*j->found), by_id);
	while (bpf_map_get_next_key(j->cgroups_fd, prev, &next) == 0) {
		struct found want = { .id = next }, *f;

		f = j->n_found ? bsearch(&want, j->found, j->n_found, sizeof(*f), by_id) : NULL;
		if (!f || bpf_map_lookup_elem(j->cgroups_fd, &next, &slot) || slot != f->slot) {
			if (n_stale == cap) {
				__u64 *more = realloc(stale,
						      (cap = cap ? 2 * cap : 64) * sizeof(*more));

				if (!more)
					break;
				stale = more;
			}
			stale[n_stale++] = next;
		}
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < n_stale; i++)
		changed |= bpf_map_delete_elem(j->cgroups_fd, &stale[i]) == 0;
	free(stale);
	for (size_t i = 0; i < j->n_found; i++) {
		struct found *f = &j->found[i];

		if (bpf_map_lookup_elem(j->cgroups_fd, &f->id, &slot) == 0 && slot == f->slot)
			continue;
		if (bpf_map_update_elem(j->cgroups_fd, &f->id, &f->slot, BPF_ANY) == 0) {
			changed = true;
		} else if (!j->said_cgroups) {
			log_err("cannot tell the programs about cgroup %llu of job %s: %s (its "
				"traffic is not counted for the job)",
				(unsigned long long)f->id, j->table.jobs[f->job].name,
				strerror(errno));
			j->said_cgroups = true;
		}
	}
	return changed;
}

static void bump_epoch(struct jobs *j)
{
	__u32 e;

	if (!j->epoch)
		return; /* between jobs_detach and jobs_attach */
	e = *j->epoch + 1;

	*(volatile __u32 *)j->epoch = e ? e : 1;
}

/* ---- reading ----------------------------------------------------------- */

static void read_job(struct jobs *j, struct job *job)
{
	__u32 slot = job->slot, user;
	struct pdtt_value sum = { 0 };

	if (slot == JOB_NO_SLOT || slot == PDTT_JOB_OVERFLOW || slot > j->max_jobs)
		return;
	if (bpf_map_lookup_elem(j->counters_fd, &slot, j->percpu))
		return;
	value_add_percpu(&sum, j->percpu, j->ncpus, classes_count(&j->classes), PDTT_LANES);
	job_set_total(&j->table, job, &sum);
	/* The user of its first socket, unless its processes named one that is not root. */
	if ((job->uid == JOB_UID_UNKNOWN || job->uid == 0) &&
	    bpf_map_lookup_elem(j->users_fd, &slot, &user) == 0 && user &&
	    (job->uid == JOB_UID_UNKNOWN || user != 1))
		job->uid = (long long)user - 1;
}

/* ---- the update -------------------------------------------------------- */

static void scan(struct jobs *j, time_t now)
{
	char path[PDTT_PATH_MAX];
	int fd = open(j->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; i < j->table.n; i++)
		j->table.jobs[i].seen = false;
	j->n_found = 0;
	if (fd < 0) {
		log_err("cannot scan the cgroups in %s for jobs: %s", j->root, strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s", j->root);
	walk(j, fd, path, strlen(path), 0);
	give_slots(j, now);
	for (size_t i = 0; i < j->n_found; i++)
		j->found[i].slot = j->table.jobs[j->found[i].job].slot;
	for (size_t i = 0; i < j->table.n; i++) {
		struct job *job = &j->table.jobs[i];

		if (job->phase == JOB_RUNNING && !job->seen) {
			job->phase = JOB_ENDED;
			job->end = now;
		}
	}
}

/* Scan and tell the programs: new jobs count from now, ended ones stop counting. */
static void refresh(struct jobs *j, time_t now)
{
	scan(j, now);
	if (sync_cgroups(j))
		bump_epoch(j);
}

int jobs_timer_fd(const struct jobs *j)
{
	return j ? j->timer_fd : -1;
}

void jobs_rescan(struct jobs *j)
{
	uint64_t expirations;

	if (!j || read(j->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	refresh(j, time(NULL));
}

void jobs_update(struct jobs *j, struct usercache *names, time_t now)
{
	int e;

	if (!j)
		return;
	job_table_drop_done(&j->table);
	refresh(j, now);
	for (size_t i = 0; i < j->table.n; i++)
		read_job(j, &j->table.jobs[i]);
	job_outputs_write(j->out, &j->table, names, now);
	for (size_t i = 0; i < j->table.n; i++) {
		struct job *job = &j->table.jobs[i];

		job_mark_reported(&j->table, job);
		if (job->phase == JOB_ENDED)
			job->phase = JOB_DONE;
	}
	e = job_table_save(j->file, &j->table);
	if (e && !j->said_save)
		log_err("cannot write the jobs file %s: %s (finished jobs keep their slots until "
			"it is written)",
			j->file, strerror(-e));
	j->said_save = e != 0;
	if (e) /* their slots stay taken until their totals are saved */
		for (size_t i = 0; i < j->table.n; i++)
			if (j->table.jobs[i].phase == JOB_DONE)
				j->table.jobs[i].phase = JOB_ENDED;
}

/* ---- start ------------------------------------------------------------- */

/*
 * The jobs file of the last run. Jobs in slots of other maps (a reboot, or
 * maps made anew) end with the totals the file has: they are reported at
 * the first update and never read again.
 */
static void resume(struct jobs *j, uint64_t instance_id)
{
	char err[PDTT_PATH_MAX + 128], aside[PDTT_PATH_MAX + 64];
	int rc = job_table_load(j->file, &j->table, err, sizeof(err));
	bool same;

	if (rc < 0) {
		/* Kept for inspection, never overwritten: it may hold jobs not yet reported. */
		if (state_keep_aside(j->file, aside, sizeof(aside)) == 0)
			log_err("%s: kept as %s; the jobs it holds are not reported again", err,
				aside);
		else
			log_err("%s: the jobs it holds are not reported again", err);
		return;
	}
	same = j->table.instance_id == instance_id && j->table.max_jobs == j->max_jobs;
	for (size_t i = 0; i < j->table.n && !same; i++) {
		struct job *job = &j->table.jobs[i];

		job->slot = JOB_NO_SLOT;
		if (job->phase == JOB_RUNNING) {
			job->phase = JOB_ENDED;
			job->end = j->table.saved_at;
		}
	}
	j->table.instance_id = instance_id;
	j->table.max_jobs = j->max_jobs;
	if (job_table_widen(&j->table, classes_count(&j->classes)) < 0)
		log_err("cannot count jobs per network: %s", strerror(ENOMEM));
}

/*
 * Whether tc mode's programs can find a socket's cgroup on this kernel:
 * they read struct sock's sk_cgrp_data.cgroup, a field since Linux 5.15 and
 * in stable kernels that took the change (Debian 11's 5.10 did;
 * bpf/pdtt_jobs.bpf.h). Without it, no traffic is counted for a job in tc mode.
 */
static bool tc_finds_jobs(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const struct btf_member *m;
	const struct btf_type *t;
	bool found = vmlinux == NULL; /* no BTF: the load says what is wrong */
	int id;

	id = vmlinux ? btf__find_by_name_kind(vmlinux, "sock_cgroup_data", BTF_KIND_STRUCT) : -1;
	t = id >= 0 ? btf__type_by_id(vmlinux, (__u32)id) : NULL;
	for (unsigned int i = 0; t && i < btf_vlen(t); i++) {
		m = btf_members(t) + i;
		found |= !strcmp(btf__name_by_offset(vmlinux, m->name_off), "cgroup");
	}
	btf__free(vmlinux);
	return found;
}

/* The job maps of ld, and the classes of their values. */
static void use_maps(struct jobs *j, const struct pdtt_loader *ld)
{
	j->counters_fd = ld->job_counters_fd;
	j->cgroups_fd = ld->job_cgroups_fd;
	j->users_fd = ld->job_users_fd;
	j->epoch = ld->jobs_epoch;
	j->classes = ld->classes;
	j->value_size = PDTT_VALUE_SIZE(classes_count(&j->classes));
	free(j->percpu);
	j->percpu = j->ncpus > 0 ? calloc((size_t)j->ncpus, j->value_size) : NULL;
}

/* Never 0, and new: sockets that cached a job under the last programs look again. */
static void new_epoch(struct jobs *j)
{
	__u32 epoch = 0;

	while (!epoch)
		if (getrandom(&epoch, sizeof(epoch), 0) != sizeof(epoch))
			epoch = (__u32)time(NULL);
	*(volatile __u32 *)j->epoch = epoch;
}

static int cgroup_root(const struct pdtt_config *cfg, char *out, size_t outlen)
{
	if (cfg->cgroup_path[0]) {
		snprintf(out, outlen, "%s", cfg->cgroup_path);
		return 0;
	}
	return find_cgroup2_root("/proc/mounts", out, outlen);
}

struct jobs *jobs_open(const struct pdtt_config *cfg, const struct pdtt_loader *ld, char *err,
		       size_t errlen)
{
	struct jobs *j;
	char why[256];

	if (!cfg->jobs[0])
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "cannot count jobs: %s", strerror(ENOMEM));
		return NULL;
	}
	j->timer_fd = -1;
	if (config_jobs_compile(cfg->jobs, &j->re, why, sizeof(why))) {
		snprintf(err, errlen, "jobs = \"%s\": %s", cfg->jobs, why);
		free(j);
		return NULL;
	}
	j->max_jobs = cfg->max_jobs;
	j->ncpus = libbpf_num_possible_cpus();
	use_maps(j, ld);
	j->out = job_outputs_open(cfg, &j->classes, err, errlen);
	job_table_path(j->file, sizeof(j->file), cfg->state_file);
	if (!j->percpu || !j->out || cgroup_root(cfg, j->root, sizeof(j->root)) < 0) {
		if (j->out && !j->percpu)
			snprintf(err, errlen, "cannot count jobs: %s", strerror(ENOMEM));
		else if (j->out)
			snprintf(err, errlen,
				 "cannot count jobs: no cgroup v2 hierarchy in "
				 "/proc/mounts");
		jobs_close(j);
		return NULL;
	}
	new_epoch(j);
	resume(j, ld->meta.instance_id);
	/* The jobs running now count from now, not from the first report. */
	refresh(j, time(NULL));
	j->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (j->timer_fd < 0 ||
	    timerfd_settime(j->timer_fd, 0,
			    &(struct itimerspec){ .it_interval = { .tv_sec = JOBS_SCAN_SECONDS },
						  .it_value = { .tv_sec = JOBS_SCAN_SECONDS } },
			    NULL) < 0)
		log_warn("cannot scan for jobs between reports (%s): jobs are found at reports only",
			 strerror(errno));
	if (cfg->mode == PDTT_CONFIG_MODE_TC && !tc_finds_jobs())
		log_warn("in tc mode this kernel's sockets do not name their cgroup (no "
			 "sk_cgrp_data.cgroup, which Linux 5.15 brought): no traffic is counted "
			 "for jobs (socket mode counts them)");
	log_info("counting jobs: cgroups below %s matching \"%s\" (max_jobs = %u)", j->root,
		 config_jobs_pattern(cfg->jobs), cfg->max_jobs);
	return j;
}

void jobs_detach(struct jobs *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->table.n; i++)
		read_job(j, &j->table.jobs[i]);
	j->counters_fd = j->cgroups_fd = j->users_fd = -1;
	j->epoch = NULL;
}

/*
 * The slot of job in the new counters goes on from job's totals: they are
 * added to CPU 0's counts, which the programs, already attached, may have
 * begun.
 */
static void restore_slot(struct jobs *j, const struct job *job)
{
	__u32 slot = job->slot, user = job->uid == JOB_UID_UNKNOWN ? 0 : (__u32)job->uid + 1;
	struct pdtt_counters *cpu0 = (struct pdtt_counters *)j->percpu;

	if (bpf_map_lookup_elem(j->counters_fd, &slot, j->percpu))
		memset(j->percpu, 0, (size_t)j->ncpus * j->value_size);
	for (unsigned int cls = 0; cls < classes_count(&j->classes); cls++)
		counters_add(&cpu0[cls], job_total(&j->table, job, cls));
	if (bpf_map_update_elem(j->counters_fd, &slot, j->percpu, BPF_ANY) ||
	    bpf_map_update_elem(j->users_fd, &slot, &user, BPF_ANY))
		log_err("cannot carry job %s's totals over to the new counters: %s", job->name,
			strerror(errno));
}

int jobs_attach(struct jobs *j, const struct pdtt_loader *ld)
{
	if (!j)
		return 0;
	use_maps(j, ld);
	if (!j->percpu || job_table_widen(&j->table, classes_count(&j->classes)) < 0) {
		log_err("cannot count jobs on the new counters: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	job_outputs_set_classes(j->out, &j->classes);
	for (size_t i = 0; i < j->table.n; i++) {
		const struct job *job = &j->table.jobs[i];

		if (job->slot >= 1 && job->slot <= j->max_jobs && job->phase != JOB_DONE)
			restore_slot(j, job);
	}
	j->table.instance_id = ld->meta.instance_id;
	new_epoch(j);
	refresh(j, time(NULL));
	return 0;
}

void jobs_close(struct jobs *j)
{
	if (!j)
		return;
	regfree(&j->re);
	if (j->timer_fd >= 0)
		close(j->timer_fd);
	job_outputs_close(j->out);
	job_table_free(&j->table);
	free(j->found);
	free(j->percpu);
	free(j);
}
