/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden files: an output compared byte for byte with tests/golden/NAME.
 * PDTT_UPDATE_GOLDEN=1 rewrites the golden file instead (review the diff!).
 */
#ifndef PDTT_GOLDEN_H
#define PDTT_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include "check.h"

/* Read a golden file whole; NULL if missing. */
static inline char *read_golden(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	if (buf && fread(buf, 1, len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static inline void check_golden(const char *got, const char *name)
{
	const char *update = getenv("PDTT_UPDATE_GOLDEN");
	char *want, path[512];
	FILE *f;

	if (update && !strcmp(update, "1")) {
		snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (f) {
			fputs(got, f);
			fclose(f);
		}
		return;
	}
	want = read_golden(name);
	CHECK(want != NULL);
	if (want)
		CHECK_STR_EQ(got, want);
	free(want);
}

/* Run write(out, r) into memory and compare with the golden file. */
#define CHECK_OUTPUT_GOLDEN(write, r, name)                \
	do {                                               \
		char *got_ = NULL;                         \
		size_t len_ = 0;                           \
		FILE *out_ = open_memstream(&got_, &len_); \
		CHECK(out_ != NULL);                       \
		if (out_) {                                \
			write(out_, r);                    \
			fclose(out_);                      \
			check_golden(got_, name);          \
		}                                          \
		free(got_);                                \
	} while (0)

#endif /* PDTT_GOLDEN_H */
