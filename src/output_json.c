// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON lines log (json_log), off when the key is empty. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "logfile.h"
#include "outputs.h"
#include "report_json.h"

struct json_output {
	struct logfile *log; /* NULL: no json_log */
};

static void *json_open(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen)
{
	struct json_output *j = calloc(1, sizeof(*j));

	(void)echo;
	if (!j) {
		snprintf(err, errlen, "cannot set up the outputs: %s", strerror(ENOMEM));
		return NULL;
	}
	if (cfg->json_log[0] && !(j->log = logfile_open(cfg->json_log))) {
		snprintf(err, errlen, "cannot open json_log %s: %s", cfg->json_log,
			 strerror(errno));
		free(j);
		return NULL;
	}
	return j;
}

/* Streamed, all or nothing, as the text log. */
static void json_write(void *self, const struct pdtt_report *r)
{
	struct json_output *j = self;
	FILE *out;
	int err;

	if (!j->log)
		return;
	out = logfile_begin(j->log, NULL);
	if (!out) {
		log_err("cannot format the report: %s", strerror(errno));
		return;
	}
	report_json_write(out, r);
	err = logfile_end(j->log, out);
	if (err)
		log_err("cannot write the report to %s: %s", logfile_path(j->log), strerror(-err));
}

static void json_reopen(void *self)
{
	struct json_output *j = self;
	int err = j->log ? logfile_reopen(j->log) : 0;

	if (err)
		log_err("cannot reopen %s: %s", logfile_path(j->log), strerror(-err));
}

/* A json_log that cannot be opened keeps the old one; the rest reloads. */
static int json_reload(void *self, const struct pdtt_config *next)
{
	struct json_output *j = self;
	const char *path = next->json_log;
	struct logfile *log = NULL;

	if (!strcmp(path, j->log ? logfile_path(j->log) : ""))
		return 0;
	if (path[0] && !(log = logfile_open(path))) {
		log_err("reload: cannot open json_log %s: %s; keeping %s", path, strerror(errno),
			j->log ? logfile_path(j->log) : "none");
		return 0;
	}
	logfile_close(j->log);
	j->log = log;
	return 0;
}

static void json_close(void *self)
{
	struct json_output *j = self;

	logfile_close(j->log);
	free(j);
}

const struct output_kind output_json = {
	.open = json_open,
	.write = json_write,
	.reopen = json_reopen,
	.reload = json_reload,
	.close = json_close,
};
