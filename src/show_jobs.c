// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pdtt show --jobs. The jobs file says which job each slot holds and its
 * totals at pdttd's last report; a running job's totals are then read from
 * the pinned counters themselves, so that they are as fresh as show's users.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "escape.h"
#include "exitcodes.h"
#include "job_table.h"
#include "output_jobs.h"
#include "pins.h"
#include "report_json.h"
#include "show_jobs.h"
#include "snapshot.h"
#include "state.h"
#include "usercache.h"

/* Whether the maps pinned in pin_path are the ones the jobs file's slots are in. */
static bool same_maps(const struct job_table *t, const char *pin_path)
{
	char path[PDTT_PATH_MAX + 64];
	struct pdtt_meta meta;
	__u32 zero = 0;
	int fd;
	bool same;

	snprintf(path, sizeof(path), "%s/%s", pin_path, PDTT_PIN_META);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	/* This layout's too: its values' lanes are what read_live adds up. */
	same = bpf_map_lookup_elem(fd, &zero, &meta) == 0 && meta.instance_id == t->instance_id &&
	       meta.layout_version == PDTT_LAYOUT_VERSION;
	close(fd);
	return same;
}

/*
 * The running jobs' totals now, where the pinned counters are the file's;
 * classes gets the classes of their values. False when no job counters are
 * pinned (pdttd never counted jobs, or a reboot).
 */
static bool read_live(struct job_table *t, const char *pin_path, struct pdtt_classes *classes)
{
	char path[PDTT_PATH_MAX + 64];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int ncpus = libbpf_num_possible_cpus(), fd;
	char *percpu = NULL;

	snprintf(path, sizeof(path), "%s/%s", pin_path, PDTT_PIN_JOB_COUNTERS);
	if ((fd = bpf_obj_get(path)) < 0)
		return false;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.value_size)
		pins_read_classes(pin_path, info.value_size, PDTT_LANES, classes);
	if (ncpus > 0 && info.value_size && same_maps(t, pin_path) &&
	    job_table_widen(t, classes_count(classes)) == 0)
		percpu = calloc((size_t)ncpus, info.value_size);
	if (percpu && info.max_entries == t->max_jobs + 1) {
		for (size_t i = 0; i < t->n; i++) {
			struct job *job = &t->jobs[i];
			__u32 slot = job->slot;
			struct pdtt_value sum = { 0 };

			if (job->phase != JOB_RUNNING || slot == PDTT_JOB_OVERFLOW ||
			    slot > t->max_jobs || bpf_map_lookup_elem(fd, &slot, percpu))
				continue;
			value_add_percpu(&sum, percpu, ncpus, classes_count(classes), PDTT_LANES);
			job_set_total(t, job, &sum);
		}
	}
	free(percpu);
	close(fd);
	return true;
}

/* Without pinned counters: the names of the classes the state file kept. */
static void state_classes(const char *state_file, struct pdtt_classes *classes)
{
	char err[PDTT_PATH_MAX + 128];
	struct pdtt_state st;

	if (state_load(state_file, &st, err, sizeof(err)) == PDTT_STATE_LOADED)
		*classes = *classes_wider(&st.baseline.classes, &st.last.classes);
	state_free(&st);
}

static int newest_first(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->start != y->start)
		return x->start > y->start ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const char *name_of(const struct job *job, struct usercache *names,
			   const char *(*user_name)(void *, uint32_t))
{
	if (job->uid == JOB_UID_UNKNOWN || !names)
		return NULL;
	return user_name(names, (uint32_t)job->uid);
}

static void when(char *out, size_t outlen, time_t t)
{
	struct tm tm;

	if (!t) {
		snprintf(out, outlen, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm);
}

/* With --by-network: a column per class, its bytes both ways. */
static void write_classes(FILE *out, const struct pdtt_classes *classes, const struct job_table *t,
			  const struct job *job)
{
	for (unsigned int cls = 0; cls < classes_count(classes); cls++) {
		if (!job)
			fprintf(out, " %14s",
				cls == PDTT_CLASS_LOCAL      ? "LOCAL"
				: cls == PDTT_CLASS_EXTERNAL ? "EXTERNAL"
							     : classes_name(classes, cls));
		else
			fprintf(out, " %14llu",
				(unsigned long long)counters_total_bytes(job_total(t, job, cls)));
	}
}

static void write_table(FILE *out, const struct pdtt_classes *by_network, const struct job_table *t,
			long long uid, struct usercache *names,
			const char *(*user_name)(void *, uint32_t))
{
	char start[32], end[32];

	fprintf(out, "%-16s %-12s %-8s %-19s %-19s %14s %10s %14s %10s", "JOB", "USER", "STATE",
		"START (UTC)", "END (UTC)", "TX BYTES", "TX PKTS", "RX BYTES", "RX PKTS");
	if (by_network)
		write_classes(out, by_network, t, NULL);
	fputc('\n', out);
	for (size_t i = 0; i < t->n; i++) {
		const struct job *job = &t->jobs[i];
		struct pdtt_counters c = job_sum(t, job);
		const char *user = name_of(job, names, user_name);
		char uidtext[24];

		if (uid >= 0 && job->uid != uid)
			continue;
		when(start, sizeof(start), job->start);
		when(end, sizeof(end), job->end);
		snprintf(uidtext, sizeof(uidtext), "%lld", job->uid);
		escape_text_name(out, job->name);
		fprintf(out, "%*s %-12s %-8s %-19s %-19s %14llu %10llu %14llu %10llu",
			(int)(strlen(job->name) < 16 ? 16 - strlen(job->name) : 0), "",
			user                          ? user
			: job->uid == JOB_UID_UNKNOWN ? "?"
						      : uidtext,
			job->phase == JOB_RUNNING ? "running" : "ended", start, end,
			(unsigned long long)c.tx_bytes, (unsigned long long)c.tx_packets,
			(unsigned long long)c.rx_bytes, (unsigned long long)c.rx_packets);
		if (by_network)
			write_classes(out, by_network, t, job);
		fputc('\n', out);
	}
}

static void write_json(FILE *out, const struct pdtt_classes *classes, const struct job_table *t,
		       long long uid, struct usercache *names,
		       const char *(*user_name)(void *, uint32_t))
{
	char host[256] = "localhost";
	bool first = true;

	gethostname(host, sizeof(host) - 1);
	fputs("{\"jobs\":[", out);
	for (size_t i = 0; i < t->n; i++) {
		const struct job *job = &t->jobs[i];

		if (uid >= 0 && job->uid != uid)
			continue;
		fputs(first ? "\n" : ",\n", out);
		first = false;
		job_json_line(out, classes, t, job, name_of(job, names, user_name), host);
	}
	fputs("\n]}\n", out);
}

int show_jobs(FILE *out, const struct pdtt_config *cfg, long long uid, bool json, bool by_network,
	      const char *(*user_name)(void *names, uint32_t uid))
{
	char path[PDTT_PATH_MAX + 8], err[PDTT_PATH_MAX + 128];
	struct pdtt_classes classes = { 0 };
	struct job_table t;
	struct usercache *names;
	int rc;

	job_table_path(path, sizeof(path), cfg->state_file);
	rc = job_table_load(path, &t, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pdtt: %s\n", err);
		return errno == EACCES ? PDTT_EXIT_NOPERM : PDTT_EXIT_FAILURE;
	}
	if (rc == 1 && !cfg->jobs[0]) {
		fprintf(stderr, "pdtt: jobs are not counted: set jobs in %s (see pdtt.conf(5))\n",
			"pdtt.conf");
		return PDTT_EXIT_NOINPUT;
	}
	if (!read_live(&t, cfg->pin_path, &classes))
		state_classes(cfg->state_file, &classes);
	if (t.n)
		qsort(t.jobs, t.n, sizeof(*t.jobs), newest_first);
	names = usercache_new();
	if (json)
		write_json(out, &classes, &t, uid, names, user_name);
	else
		write_table(out, by_network ? &classes : NULL, &t, uid, names, user_name);
	usercache_free(names);
	job_table_free(&t);
	return PDTT_EXIT_OK;
}
