/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running kernel's preemption model, decided from what the kernel
 * shows of it (pure: the caller reads the files). Socket mode's plain TX
 * adds in the task lane are exact only where kernel code is not preempted
 * (bpf/pdtt_count.bpf.h).
 */
#ifndef PDTT_PREEMPT_MODEL_H
#define PDTT_PREEMPT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum preempt_model {
	PREEMPT_MODEL_UNKNOWN,
	PREEMPT_MODEL_NONE,
	PREEMPT_MODEL_VOLUNTARY,
	PREEMPT_MODEL_FULL,
	PREEMPT_MODEL_LAZY,
	PREEMPT_MODEL_RT,
};

/* What the kernel shows, each NULL where it could not be read. */
struct preempt_sources {
	const char *uname_version; /* uname -v */
	const char *debugfs; /* /sys/kernel/debug/sched/preempt, e.g. "none (voluntary) full" */
	const char *cmdline; /* /proc/cmdline */
	const char *config;  /* the kernel's build configuration (.config text) */
};

/*
 * The model, from the first source that tells, in this order: PREEMPT_RT in
 * uname -v; the mode in parentheses in debugfs; preempt= on the command
 * line (a PREEMPT_DYNAMIC kernel's, or one whose configuration is unknown);
 * the configuration's CONFIG_PREEMPT_*. why gets the source and what it said.
 */
enum preempt_model preempt_model_decide(const struct preempt_sources *s, char *why, size_t whylen);

/* Whether kernel code cannot be preempted by another task (none, voluntary). */
bool preempt_model_kernel_unpreemptible(enum preempt_model m);

/* "none", "voluntary", "full", "lazy", "PREEMPT_RT" or "unknown". */
const char *preempt_model_name(enum preempt_model m);

#endif /* PDTT_PREEMPT_MODEL_H */
