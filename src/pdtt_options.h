/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pdtt command's command line: pdtt [-c FILE] show|status|history [OPTION]... */
#ifndef PDTT_PDTT_OPTIONS_H
#define PDTT_PDTT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "usage_db.h"

enum pdtt_command {
	PDTT_CMD_SHOW,
	PDTT_CMD_STATUS,
	PDTT_CMD_HISTORY,
	PDTT_CMD_VERSION,
	PDTT_CMD_HELP,
};

struct pdtt_cli {
	const char *config_path;
	enum pdtt_command command;
	const char *user;          /* show, history --user NAME|UID; NULL: every user */
	bool json;                 /* show, history --json */
	bool by_network;           /* show --by-network: a column per network */
	bool bytes;                /* show --bytes: exact byte counts, no units */
	bool jobs;                 /* show --jobs: the jobs instead of the users */
	bool csv;                  /* history --csv */
	size_t top;                /* history --top N; 0: not asked */
	enum usage_tier tier;      /* history: --5min, --hourly, --daily (default), --monthly */
	const char *since, *until; /* history --since, --until; NULL: the tier's default */
};

/*
 * Parse argv. Options may come before or after the command. Returns 0; on a
 * usage error prints one line naming the bad argument to err and returns
 * PDTT_EXIT_USAGE.
 */
int pdtt_options_parse(int argc, char **argv, const char *default_config, struct pdtt_cli *cli,
		       FILE *err);

void pdtt_options_usage(FILE *out, const char *default_config);

#endif /* PDTT_PDTT_OPTIONS_H */
