// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The job outputs (see output_jobs.h). Prometheus gets the running jobs
 * only: a job's series stop with it, so that their number follows the jobs
 * running, not every job ever run (the cardinality is max_jobs at most).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "escape.h"
#include "fileio.h"
#include "log.h"
#include "logfile.h"
#include "output_jobs.h"
#include "report.h"
#include "report_json.h"
#include "snapshot.h"

struct job_outputs {
	struct logfile *json; /* json_log: a line per job and report */
	struct logfile *ends; /* jobs_log: a line per finished job */
	char prom[PDTT_PATH_MAX + 16];
	long prom_gid;
	char history[PDTT_PATH_MAX];
	char host[256];
	struct pdtt_classes classes;
	bool said_history;
};

void job_outputs_prom_path(char *out, size_t outlen, const char *textfile)
{
	size_t len = strlen(textfile);

	snprintf(out, outlen, "%.*s_jobs.prom", (int)(len > 5 ? len - 5 : len), textfile);
}

static struct logfile *open_log(const char *key, const char *path, char *err, size_t errlen,
				bool *failed)
{
	struct logfile *lf;

	if (!path[0])
		return NULL;
	lf = logfile_open(path);
	if (!lf) {
		snprintf(err, errlen, "cannot open %s %s: %s", key, path, file_error(path, errno));
		*failed = true;
	}
	return lf;
}

struct job_outputs *job_outputs_open(const struct pdtt_config *cfg,
				     const struct pdtt_classes *classes, char *err, size_t errlen)
{
	struct job_outputs *o = calloc(1, sizeof(*o));
	bool failed = false;

	if (!o) {
		snprintf(err, errlen, "cannot count jobs: %s", strerror(ENOMEM));
		return NULL;
	}
	o->json = open_log("json_log", cfg->json_log, err, errlen, &failed);
	if (!failed)
		o->ends = open_log("jobs_log", cfg->jobs_log, err, errlen, &failed);
	if (failed) {
		job_outputs_close(o);
		return NULL;
	}
	if (cfg->prometheus_textfile[0])
		job_outputs_prom_path(o->prom, sizeof(o->prom), cfg->prometheus_textfile);
	o->prom_gid = cfg->prometheus_textfile_gid;
	o->classes = *classes;
	snprintf(o->history, sizeof(o->history), "%s", cfg->history_file);
	if (gethostname(o->host, sizeof(o->host) - 1) < 0)
		snprintf(o->host, sizeof(o->host), "unknown");
	return o;
}

void job_outputs_set_classes(struct job_outputs *o, const struct pdtt_classes *classes)
{
	if (o)
		o->classes = *classes;
}

void job_outputs_close(struct job_outputs *o)
{
	if (!o)
		return;
	if (o->json)
		logfile_close(o->json);
	if (o->ends)
		logfile_close(o->ends);
	free(o);
}

static void rfc3339(char *out, size_t outlen, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *user_of(struct usercache *names, const struct job *job)
{
	if (job->uid == JOB_UID_UNKNOWN || !names)
		return NULL;
	return usercache_lookup(names, (uint32_t)job->uid);
}

/* "job":..,"uid":..,"user":..,"start":..,"end":.. */
static void write_identity(FILE *out, const struct job *job, const char *user)
{
	char when[32];

	fputs("\"job\":", out);
	escape_json_string(out, job->name);
	if (job->uid == JOB_UID_UNKNOWN)
		fputs(",\"uid\":null,\"user\":null", out);
	else {
		fprintf(out, ",\"uid\":%lld,\"user\":", job->uid);
		if (user)
			escape_json_string(out, user);
		else
			fputs("null", out);
	}
	rfc3339(when, sizeof(when), job->start);
	fprintf(out, ",\"start\":\"%s\",\"end\":", when);
	if (job->end) {
		rfc3339(when, sizeof(when), job->end);
		fprintf(out, "\"%s\"", when);
	} else {
		fputs("null", out);
	}
	fprintf(out, ",\"overflow\":%s", job->slot == PDTT_JOB_OVERFLOW ? "true" : "false");
}

void job_json_line(FILE *out, const struct pdtt_classes *classes, const struct job_table *t,
		   const struct job *job, const char *user, const char *host)
{
	struct pdtt_value total;

	job_value(t, job, &total);
	fputs("{\"host\":", out);
	escape_json_string(out, host);
	fputs(",\"type\":\"job_end\",", out);
	write_identity(out, job, user);
	fprintf(out, ",\"duration_seconds\":%lld,\"totals\":",
		(long long)((job->end ? job->end : time(NULL)) - job->start));
	report_json_counts(out, classes, &total);
	fputc('}', out);
}

/* The JSON log: one "job" line per job, as each user has its line. */
static void write_json(struct job_outputs *o, const struct job_table *t, struct usercache *names,
		       time_t now)
{
	struct pdtt_value v;
	char when[32];
	FILE *f;

	if (!o->json || !t->n || !(f = logfile_begin(o->json, NULL)))
		return;
	rfc3339(when, sizeof(when), now);
	for (size_t i = 0; i < t->n; i++) {
		const struct job *job = &t->jobs[i];

		fprintf(f, "{\"time\":\"%s\",\"host\":", when);
		escape_json_string(f, o->host);
		fprintf(f, ",\"type\":\"job\",\"state\":\"%s\",",
			job->phase == JOB_RUNNING ? "running" : "ended");
		write_identity(f, job, user_of(names, job));
		fputs(",\"cumulative\":", f);
		job_value(t, job, &v);
		report_json_counts(f, &o->classes, &v);
		job_interval(t, job, &v);
		fputs(",\"interval\":", f);
		report_json_counts(f, &o->classes, &v);
		fputs("}\n", f);
	}
	if (logfile_end(o->json, f) < 0)
		log_err("cannot write the jobs to json_log %s", logfile_path(o->json));
}

/* jobs_log: the finished jobs, one line each, for billing. */
static void write_ends(struct job_outputs *o, const struct job_table *t, struct usercache *names)
{
	bool any = false;
	FILE *f;

	for (size_t i = 0; i < t->n; i++)
		any |= t->jobs[i].phase == JOB_ENDED;
	if (!o->ends || !any || !(f = logfile_begin(o->ends, NULL)))
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->jobs[i].phase != JOB_ENDED)
			continue;
		job_json_line(f, &o->classes, t, &t->jobs[i], user_of(names, &t->jobs[i]), o->host);
		fputc('\n', f);
	}
	if (logfile_end(o->ends, f) < 0)
		log_err("cannot write to jobs_log %s", logfile_path(o->ends));
}

static void prom_series(FILE *f, const char *metric, const struct job *job, const char *user,
			const char *cls, __u64 v)
{
	fprintf(f, "pdtt_job_%s{job=\"", metric);
	escape_prom_label(f, job->name);
	fputs("\",user=\"", f);
	escape_prom_label(f, user ? user : "");
	fprintf(f, "\",class=\"%s\"} %llu\n", cls, (unsigned long long)v);
}

static void write_prom(struct job_outputs *o, const struct job_table *t, struct usercache *names)
{
	static const char *const metrics[] = { "transmit_bytes_total", "transmit_packets_total",
					       "receive_bytes_total", "receive_packets_total" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int e;

	if (!o->prom[0] || !(f = open_memstream(&buf, &len)))
		return;
	for (size_t m = 0; m < 4; m++) {
		fprintf(f, "# HELP pdtt_job_%s Per running job, as pdtt counts users.\n",
			metrics[m]);
		fprintf(f, "# TYPE pdtt_job_%s counter\n", metrics[m]);
		for (size_t i = 0; i < t->n; i++) {
			const struct job *job = &t->jobs[i];

			if (job->phase != JOB_RUNNING || job->slot == PDTT_JOB_OVERFLOW)
				continue;
			for (unsigned int cls = 0; cls < classes_count(&o->classes); cls++) {
				const __u64 *c = (const __u64 *)job_total(t, job, cls);

				prom_series(f, metrics[m], job, user_of(names, job),
					    classes_name(&o->classes, cls), c[m]);
			}
		}
	}
	if (fclose(f) == 0) {
		e = replace_file(o->prom, buf, len, 0640, (gid_t)o->prom_gid, false);
		if (e)
			log_err("cannot write %s: %s", o->prom, strerror(-e));
	}
	free(buf);
}

/* The history's jobs table: one row per finished job, written again harmlessly. */
static void write_history(struct job_outputs *o, const struct job_table *t)
{
	static const char schema[] =
		"CREATE TABLE IF NOT EXISTS jobs (job TEXT NOT NULL, uid INTEGER, start INTEGER "
		"NOT NULL, end INTEGER NOT NULL, tx_bytes INTEGER NOT NULL, tx_packets INTEGER "
		"NOT NULL, rx_bytes INTEGER NOT NULL, rx_packets INTEGER NOT NULL, PRIMARY KEY "
		"(job, start))";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool any = false;
	int rc;

	for (size_t i = 0; i < t->n; i++)
		any |= t->jobs[i].phase == JOB_ENDED;
	if (!o->history[0] || !any)
		return;
	rc = sqlite3_open_v2(o->history, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, schema, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO jobs VALUES (?,?,?,?,?,?,?,?)",
					-1, &st, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < t->n; i++) {
		const struct job *job = &t->jobs[i];
		struct pdtt_counters c = job_sum(t, job);

		if (job->phase != JOB_ENDED)
			continue;
		sqlite3_bind_text(st, 1, job->name, -1, SQLITE_STATIC);
		if (job->uid == JOB_UID_UNKNOWN)
			sqlite3_bind_null(st, 2);
		else
			sqlite3_bind_int64(st, 2, job->uid);
		sqlite3_bind_int64(st, 3, job->start);
		sqlite3_bind_int64(st, 4, job->end);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)c.tx_bytes);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)c.tx_packets);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)c.rx_bytes);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)c.rx_packets);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	if (rc != SQLITE_OK && !o->said_history)
		log_err("cannot write the finished jobs to the history %s: %s", o->history,
			db ? sqlite3_errmsg(db) : "out of memory");
	o->said_history = rc != SQLITE_OK;
	sqlite3_finalize(st);
	sqlite3_close(db);
}

void job_outputs_write(struct job_outputs *o, const struct job_table *t, struct usercache *names,
		       time_t now)
{
	if (!o)
		return;
	write_json(o, t, names, now);
	write_ends(o, t, names);
	write_prom(o, t, names);
	write_history(o, t);
}
