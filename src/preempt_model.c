// SPDX-License-Identifier: GPL-2.0-or-later
/* Deciding the preemption model from what the kernel shows: see preempt_model.h. */
#include <stdio.h>
#include <string.h>
#include "preempt_model.h"

/* Each model's name (debugfs, preempt=) and its build option (CONFIG_...=y). */
static const struct {
	const char *name;
	const char *option;
	enum preempt_model model;
} names[] = {
	{ "none", "PREEMPT_NONE", PREEMPT_MODEL_NONE },
	{ "voluntary", "PREEMPT_VOLUNTARY", PREEMPT_MODEL_VOLUNTARY },
	{ "full", "PREEMPT", PREEMPT_MODEL_FULL },
	{ "lazy", "PREEMPT_LAZY", PREEMPT_MODEL_LAZY },
};

#define N_NAMES (sizeof(names) / sizeof(names[0]))

const char *preempt_model_name(enum preempt_model m)
{
	if (m == PREEMPT_MODEL_RT)
		return "PREEMPT_RT";
	for (size_t i = 0; i < N_NAMES; i++)
		if (names[i].model == m)
			return names[i].name;
	return "unknown";
}

bool preempt_model_kernel_unpreemptible(enum preempt_model m)
{
	return m == PREEMPT_MODEL_NONE || m == PREEMPT_MODEL_VOLUNTARY;
}

/* The model named by the len characters at s, or UNKNOWN. */
static enum preempt_model model_named(const char *s, size_t len)
{
	for (size_t i = 0; i < N_NAMES; i++)
		if (strlen(names[i].name) == len && strncmp(s, names[i].name, len) == 0)
			return names[i].model;
	return PREEMPT_MODEL_UNKNOWN;
}

/* Whether word occurs in s as a whole word (between spaces or the ends). */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(s, word); p; p = strstr(p + 1, word))
		if ((p == s || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* debugfs lists the modes with the current one in parentheses. */
static enum preempt_model from_debugfs(const char *s)
{
	const char *open = strchr(s, '('), *close = open ? strchr(open, ')') : NULL;

	return close ? model_named(open + 1, (size_t)(close - open - 1)) : PREEMPT_MODEL_UNKNOWN;
}

/* The value of the last preempt= on the command line (the kernel takes the last). */
static enum preempt_model from_cmdline(const char *s)
{
	enum preempt_model m = PREEMPT_MODEL_UNKNOWN;

	for (const char *p = strstr(s, "preempt="); p; p = strstr(p + 1, "preempt=")) {
		if (p != s && p[-1] != ' ')
			continue;
		p += strlen("preempt=");
		m = model_named(p, strcspn(p, " \n"));
	}
	return m;
}

/* Whether the configuration has CONFIG_name=y on a line of its own. */
static bool config_set(const char *config, const char *name)
{
	char line[64];
	size_t n = (size_t)snprintf(line, sizeof(line), "CONFIG_%s=y", name);

	for (const char *p = strstr(config, line); p; p = strstr(p + 1, line))
		if ((p == config || p[-1] == '\n') && (p[n] == '\0' || p[n] == '\n'))
			return true;
	return false;
}

/*
 * The model the kernel was built with (a dynamic kernel's default). An RT
 * kernel has CONFIG_PREEMPT_RT=y and may have CONFIG_PREEMPT=y too: RT first.
 */
static enum preempt_model from_config(const char *config)
{
	if (config_set(config, "PREEMPT_RT"))
		return PREEMPT_MODEL_RT;
	for (size_t i = 0; i < N_NAMES; i++)
		if (config_set(config, names[i].option))
			return names[i].model;
	return PREEMPT_MODEL_UNKNOWN;
}

enum preempt_model preempt_model_decide(const struct preempt_sources *s, char *why, size_t whylen)
{
	enum preempt_model m;
	bool dynamic = !s->config || config_set(s->config, "PREEMPT_DYNAMIC");

	if (s->uname_version && has_word(s->uname_version, "PREEMPT_RT")) {
		snprintf(why, whylen, "uname -v says PREEMPT_RT");
		return PREEMPT_MODEL_RT;
	}
	if (s->debugfs && (m = from_debugfs(s->debugfs)) != PREEMPT_MODEL_UNKNOWN) {
		snprintf(why, whylen, "/sys/kernel/debug/sched/preempt says %s",
			 preempt_model_name(m));
		return m;
	}
	if (dynamic && s->cmdline && (m = from_cmdline(s->cmdline)) != PREEMPT_MODEL_UNKNOWN) {
		snprintf(why, whylen, "preempt=%s on the kernel command line",
			 preempt_model_name(m));
		return m;
	}
	if (s->config && (m = from_config(s->config)) != PREEMPT_MODEL_UNKNOWN) {
		snprintf(why, whylen, "the kernel was built with %s%s", preempt_model_name(m),
			 config_set(s->config, "PREEMPT_DYNAMIC") ? " by default" : "");
		return m;
	}
	snprintf(why, whylen,
		 "neither uname -v, /sys/kernel/debug/sched/preempt, /proc/cmdline nor the "
		 "kernel's configuration (/boot/config-RELEASE, /proc/config.gz) tells");
	return PREEMPT_MODEL_UNKNOWN;
}
