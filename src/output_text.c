// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text log (log_file): the one output that is always on, and the one a
 * daemon in the foreground also shows on stdout.
 */
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fileio.h"
#include "log.h"
#include "logfile.h"
#include "outputs.h"
#include "report_text.h"

struct text_output {
	struct logfile *log;
	FILE *echo;   /* NULL: in the background */
	bool failing; /* the last report could not be written */
};

/* The log file's directory must exist: a typo there would lose every report. */
static void *text_open(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen)
{
	struct text_output *t = calloc(1, sizeof(*t));
	char *copy;

	if (!t) {
		snprintf(err, errlen, "cannot set up the outputs: %s", strerror(ENOMEM));
		return NULL;
	}
	t->echo = echo;
	t->log = logfile_open(cfg->log_file);
	if (t->log)
		return t;
	copy = strdup(cfg->log_file);
	if (errno == ENOENT && copy)
		snprintf(err, errlen,
			 "cannot open log_file %s: its directory %s does not exist; "
			 "create it or change log_file",
			 cfg->log_file, dirname(copy));
	else
		snprintf(err, errlen, "cannot open log_file %s: %s", cfg->log_file,
			 file_error(cfg->log_file, errno));
	free(copy);
	free(t);
	return NULL;
}

static void text_write(void *self, const struct pdtt_report *r)
{
	struct text_output *t = self;
	int err = output_log_write(t->log, t->echo, report_text_write, r);

	if (err > 0)
		return;
	if (err && !t->failing)
		log_err("cannot write the report to %s: %s; nothing is lost (the kernel keeps "
			"counting) and the next report is written in full once it can be",
			logfile_path(t->log), file_error(logfile_path(t->log), -err));
	else if (!err && t->failing)
		log_info("writing reports to %s again", logfile_path(t->log));
	t->failing = err != 0;
	if (t->echo)
		fflush(t->echo);
}

static void text_reopen(void *self)
{
	struct text_output *t = self;

	output_log_reopen(t->log);
}

/* Without a log there is nowhere to report to: a bad path keeps the old one. */
static int text_reload(void *self, const struct pdtt_config *next)
{
	struct text_output *t = self;

	return output_log_switch(&t->log, "log_file", next->log_file);
}

static void text_close(void *self)
{
	struct text_output *t = self;

	logfile_close(t->log);
	free(t);
}

const struct output_kind output_text = {
	.open = text_open,
	.write = text_write,
	.reopen = text_reopen,
	.reload = text_reload,
	.close = text_close,
};
