/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The jobs key (config_jobs.c): presets and the regular expression that finds a job. */
#ifndef PDTT_CONFIG_JOBS_H
#define PDTT_CONFIG_JOBS_H

#include <regex.h>
#include <stddef.h>
#include "pdtt_config.h"

/* The regular expression a jobs setting stands for: a preset's, or the setting itself. */
const char *config_jobs_pattern(const char *setting);

/* Compile a (non-empty) jobs setting into re; -1 with the reason in why. */
int config_jobs_compile(const char *setting, regex_t *re, char *why, size_t whylen);

#ifdef PDTT_CONFIG_TEXT_H
int config_parse_jobs(struct config_reader *rd, const config_setting_t *s, struct pdtt_config *cfg);
#endif

#endif /* PDTT_CONFIG_JOBS_H */
