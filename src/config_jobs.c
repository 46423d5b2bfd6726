// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-job keys of the configuration: jobs (a preset name or a POSIX
 * extended regular expression with one capture group, compiled by libc's
 * regcomp), max_jobs and jobs_log. Checked here as strictly as the other
 * keys: a pattern that does not compile, or that does not say which part
 * of the path is the job, stops the daemon instead of counting nothing.
 */
#include <regex.h>
#include <string.h>
#include "config_jobs.h"
#include "config_text.h"

/*
 * The presets. Each is matched against a cgroup's path below the cgroup v2
 * root; the capture group is the job's name.
 * - slurm: the job's tasks (job_N/step_M/user/...), but not slurmstepd
 *   itself (job_N/step_M/slurm), whose RPCs with slurmd are Slurm's own.
 * - systemd: a service unit (and the cgroups a delegated unit makes below it).
 * - session: a logind session scope (user-1000.slice/session-3.scope).
 */
static const struct {
	const char *name;
	const char *pattern;
} presets[] = {
	{ "slurm", "/job_([0-9]+)/step_[^/]+/user(/|$)" },
	{ "systemd", "/([^/]+\\.service)(/|$)" },
	{ "session", "/(session-[^/]+)\\.scope(/|$)" },
};

#define N_PRESETS (sizeof(presets) / sizeof(presets[0]))

#define JOBS_EXPECTED                                                                           \
	"expected \"\" (off), \"slurm\", \"systemd\", \"session\" or a POSIX extended regular " \
	"expression whose first capture group is the job, such as \"/job_([0-9]+)/\""

const char *config_jobs_pattern(const char *setting)
{
	for (size_t i = 0; i < N_PRESETS; i++)
		if (!strcmp(setting, presets[i].name))
			return presets[i].pattern;
	return setting;
}

int config_jobs_compile(const char *setting, regex_t *re, char *why, size_t whylen)
{
	int e = regcomp(re, config_jobs_pattern(setting), REG_EXTENDED);

	if (e) {
		regerror(e, re, why, whylen);
		return -1;
	}
	if (re->re_nsub < 1) {
		regfree(re);
		snprintf(why, whylen, "it has no capture group to name the job");
		return -1;
	}
	return 0;
}

int config_parse_jobs(struct config_reader *rd, const config_setting_t *s, struct pdtt_config *cfg)
{
	const char *str = config_setting_get_string(s);
	char value[SHOWN_MAX + 1], why[256];
	regex_t re;

	if (!str)
		return config_fail(rd, s, "jobs = %s has the wrong type: " JOBS_EXPECTED,
				   config_shown(rd, s, value, sizeof(value)));
	if (strlen(str) >= sizeof(cfg->jobs))
		return config_fail(rd, s, "jobs = %s is too long: expected at most %zu bytes",
				   config_shown(rd, s, value, sizeof(value)),
				   sizeof(cfg->jobs) - 1);
	if (str[0] && config_jobs_compile(str, &re, why, sizeof(why)))
		return config_fail(rd, s, "jobs = %s is not accepted (%s): " JOBS_EXPECTED,
				   config_shown(rd, s, value, sizeof(value)), why);
	if (str[0])
		regfree(&re);
	snprintf(cfg->jobs, sizeof(cfg->jobs), "%s", str);
	return 0;
}
