/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bench tools' clocks: wall time, and the process's own CPU time. */
#ifndef BENCHCLOCK_H
#define BENCHCLOCK_H

#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User + system seconds of this process. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

#endif /* BENCHCLOCK_H */
