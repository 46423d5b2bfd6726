/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pdtt show --jobs: each job's totals, from pdttd's jobs file and its pinned job counters. */
#ifndef PDTT_SHOW_JOBS_H
#define PDTT_SHOW_JOBS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "pdtt_config.h"

/*
 * The jobs of cfg's pdttd, newest first; only uid's when uid >= 0. A table
 * (with by_network, a column of bytes per class), or with json one JSON
 * document (which has every class). user_name(names, uid) names a UID. A
 * PDTT_EXIT_* status, said on stderr when not 0.
 */
int show_jobs(FILE *out, const struct pdtt_config *cfg, long long uid, bool json, bool by_network,
	      const char *(*user_name)(void *names, uint32_t uid));

#endif /* PDTT_SHOW_JOBS_H */
