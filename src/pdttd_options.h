/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pdttd's command line. */
#ifndef PDTTD_OPTIONS_H
#define PDTTD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum pdtt_action {
	PDTT_ACTION_RUN,
	PDTT_ACTION_CHECK_CONFIG,
	PDTT_ACTION_UNLOAD,
	PDTT_ACTION_VERSION,
	PDTT_ACTION_HELP,
};

struct pdttd_options {
	const char *config_path;
	const char *pin_path; /* --pin-path (--unload only), or NULL */
	bool foreground;
	enum pdtt_action action;
};

/*
 * Parse argv. Returns 0 on success; on a usage error prints one line naming
 * the bad argument to err and returns PDTT_EXIT_USAGE.
 */
int pdttd_options_parse(int argc, char **argv, const char *default_config,
			struct pdttd_options *opts, FILE *err);

void pdttd_options_usage(FILE *out, const char *default_config);

#endif /* PDTTD_OPTIONS_H */
