/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal assertions for pdtt's unit tests: each failed check prints where and why. */
#ifndef PDTT_CHECK_H
#define PDTT_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		check_count++;                                                                   \
		if (!(cond)) {                                                                   \
			check_failures++;                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

#define CHECK_STR_EQ(got, want)                                                           \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		check_count++;                                                            \
		if (strcmp(g_, w_) != 0) {                                                \
			check_failures++;                                                 \
			fprintf(stderr, "%s:%d: got  \"%s\"\n%*swant \"%s\"\n", __FILE__, \
				__LINE__, g_, (int)strlen(__FILE__) + 6, "", w_);         \
		}                                                                         \
	} while (0)

/* Call at the end of main: the exit status automake's test driver reads. */
static inline int check_summary(const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif /* PDTT_CHECK_H */
