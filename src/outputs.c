// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fileio.h"
#include "history.h"
#include "log.h"
#include "logfile.h"
#include "outputs.h"

/*
 * The registration: one line per output, in the order they are written (the
 * text log first, as before the others existed).
 */
#define OUTPUT_KINDS(X) \
	X(output_text)  \
	X(output_json)  \
	X(output_prom)  \
	X(output_history)

#define DECLARE_KIND(kind) extern const struct output_kind kind;
OUTPUT_KINDS(DECLARE_KIND)
#define LIST_KIND(kind) &kind,
static const struct output_kind *const kinds[] = { OUTPUT_KINDS(LIST_KIND) };
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

struct outputs {
	void *self[N_KINDS];
	struct history *history;
	struct usercache *names;
	bool split;
	double mono; /* when the report being written was read */
	char host[HOST_NAME_MAX + 1];
};

static const char *cache_name(void *names, uint32_t uid)
{
	return usercache_lookup(names, uid);
}

int output_log_write(struct logfile *log, FILE *echo,
		     void (*fmt)(FILE *, const struct pdtt_report *), const struct pdtt_report *r)
{
	/* Streamed: a report of 100,000 UIDs is 14 MB, never held whole in memory. */
	FILE *out = logfile_begin(log, echo);

	if (!out) {
		log_err("cannot format the report: %s", strerror(errno));
		return 1;
	}
	fmt(out, r);
	return logfile_end(log, out);
}

void output_log_reopen(struct logfile *log)
{
	int err = log ? logfile_reopen(log) : 0;

	if (err)
		log_err("cannot reopen %s: %s", logfile_path(log),
			file_error(logfile_path(log), -err));
}

int output_log_switch(struct logfile **log, const char *key, const char *path)
{
	const char *old = *log ? logfile_path(*log) : "";
	struct logfile *opened = NULL;

	if (!strcmp(path, old))
		return 0;
	if (path[0] && !(opened = logfile_open(path))) {
		log_err("reload: cannot open %s %s: %s; keeping %s", key, path,
			file_error(path, errno), old[0] ? old : "none");
		return -1;
	}
	logfile_close(*log);
	*log = opened;
	return 0;
}

struct outputs *outputs_open(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen)
{
	struct outputs *o = calloc(1, sizeof(*o));
	size_t i;

	if (!o || !(o->history = history_new())) {
		snprintf(err, errlen, "cannot set up the outputs: %s", strerror(ENOMEM));
		free(o);
		return NULL;
	}
	o->split = cfg->n_local_networks > 0;
	for (i = 0; i < N_KINDS; i++) {
		o->self[i] = kinds[i]->open(cfg, echo, err, errlen);
		if (!o->self[i]) {
			outputs_close(o);
			return NULL;
		}
	}
	return o;
}

void outputs_close(struct outputs *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < N_KINDS; i++)
		if (o->self[i])
			kinds[i]->close(o->self[i]);
	history_free(o->history);
	free(o);
}

void outputs_prepare(struct outputs *o, const struct pdtt_snapshot *snap,
		     const struct pdtt_snapshot *kernel, struct pdtt_report *r)
{
	memset(r, 0, sizeof(*r));
	o->mono = history_clock();
	history_begin(o->history, snap, o->mono, r);
	if (gethostname(o->host, sizeof(o->host)) < 0)
		snprintf(o->host, sizeof(o->host), "%s", "localhost");
	o->host[sizeof(o->host) - 1] = '\0';
	r->host = o->host;
	r->kernel = kernel;
	r->split = o->split;
	r->user_name = cache_name;
	r->names = o->names;
}

void outputs_start(struct outputs *o, const struct pdtt_snapshot *snap,
		   const struct pdtt_snapshot *kernel, struct usercache *names)
{
	struct pdtt_report r;
	size_t i;

	o->names = names;
	outputs_prepare(o, snap, kernel, &r);
	for (i = 0; i < N_KINDS; i++)
		if (kinds[i]->start)
			kinds[i]->start(o->self[i], &r);
	history_keep(o->history, snap, o->mono);
}

void outputs_write(struct outputs *o, const struct pdtt_report *r)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		kinds[i]->write(o->self[i], r);
	if (history_keep(o->history, r->now, o->mono) < 0)
		log_err("cannot keep the reading for the next interval: %s", strerror(ENOMEM));
}

void outputs_reopen(struct outputs *o)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (kinds[i]->reopen)
			kinds[i]->reopen(o->self[i]);
}

void outputs_before_fork(struct outputs *o)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (kinds[i]->before_fork)
			kinds[i]->before_fork(o->self[i]);
}

int outputs_reload(struct outputs *o, const struct pdtt_config *next)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (kinds[i]->reload && kinds[i]->reload(o->self[i], next) < 0)
			return -1;
	o->split = next->n_local_networks > 0;
	return 0;
}
