// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON lines log (json_log), off when the key is empty. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fileio.h"
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
			 file_error(cfg->json_log, errno));
		free(j);
		return NULL;
	}
	return j;
}

/* Streamed, all or nothing, as the text log. */
static void json_write(void *self, const struct pdtt_report *r)
{
	struct json_output *j = self;
	int err;

	if (!j->log)
		return;
	err = output_log_write(j->log, NULL, report_json_write, r);
	if (err < 0)
		log_err("cannot write the report to %s: %s", logfile_path(j->log),
			file_error(logfile_path(j->log), -err));
}

static void json_reopen(void *self)
{
	struct json_output *j = self;

	output_log_reopen(j->log);
}

/* A json_log that cannot be opened keeps the old one; the rest reloads. */
static int json_reload(void *self, const struct pdtt_config *next)
{
	struct json_output *j = self;

	output_log_switch(&j->log, "json_log", next->json_log);
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
