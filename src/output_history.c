// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The usage history (history_file, usage_db.h), off when the key is empty:
 * written at start (what was counted while pdttd was down), at the report
 * that begins each history_period, and at the final report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "outputs.h"
#include "usage_db.h"

struct history_output {
	struct usage_db *db; /* NULL: no history_file */
	char path[PDTT_PATH_MAX];
};

/* The history_* keys, as usage_db takes them. */
static struct usage_settings settings_of(const struct pdtt_config *cfg)
{
	return (struct usage_settings){
		.path = cfg->history_file,
		.period = cfg->history_period,
		/* Writing 100,000 UIDs takes about a second: never in the report loop. */
		.background = true,
		.retention = { cfg->history_5min_hours, cfg->history_hourly_days,
			       cfg->history_daily_days, cfg->history_monthly_months },
	};
}

static void *history_open(const struct pdtt_config *cfg, FILE *echo, char *err, size_t errlen)
{
	const struct usage_settings s = settings_of(cfg);
	struct history_output *h = calloc(1, sizeof(*h));

	(void)echo;
	if (!h) {
		snprintf(err, errlen, "cannot set up the outputs: %s", strerror(ENOMEM));
		return NULL;
	}
	snprintf(h->path, sizeof(h->path), "%s", cfg->history_file);
	if (cfg->history_file[0] && !(h->db = usage_db_open(&s, err, errlen))) {
		free(h);
		return NULL;
	}
	return h;
}

static void history_start(void *self, const struct pdtt_report *r)
{
	struct history_output *h = self;

	usage_db_record(h->db, r->now, USAGE_AT_START);
}

static void history_write(void *self, const struct pdtt_report *r)
{
	struct history_output *h = self;

	usage_db_record(h->db, r->now, r->final ? USAGE_AT_STOP : USAGE_AT_REPORT);
}

/* The retention and the period change at once; another file needs a restart. */
static int history_reload(void *self, const struct pdtt_config *next)
{
	struct history_output *h = self;
	const struct usage_settings s = settings_of(next);

	if (strcmp(next->history_file, h->path))
		log_warn("reload: history_file takes effect at the next restart; still writing %s",
			 h->path[0] ? h->path : "no history");
	if (h->db)
		usage_db_configure(h->db, &s);
	return 0;
}

static void history_before_fork(void *self)
{
	struct history_output *h = self;

	usage_db_before_fork(h->db);
}

static void history_close(void *self)
{
	struct history_output *h = self;

	usage_db_close(h->db);
	free(h);
}

const struct output_kind output_history = {
	.open = history_open,
	.start = history_start,
	.write = history_write,
	.reload = history_reload,
	.before_fork = history_before_fork,
	.close = history_close,
};
