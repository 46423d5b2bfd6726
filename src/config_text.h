/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside config.c and config_text.c only: the configuration file's text as
 * the user wrote it, and messages that point into it (file and line).
 * libconfig alone cannot give either; see config_text.c.
 */
#ifndef PDTT_CONFIG_TEXT_H
#define PDTT_CONFIG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <libconfig.h>

/* Values longer than this are shortened in messages, so that the line stays readable. */
#define SHOWN_MAX 72

/* One reading of the configuration file. */
struct config_reader {
	const char *path; /* the file given to config_load, for messages */
	char *text;       /* its contents, to see integer literals as written */
	char *err;
	size_t errlen;
};

/* Bounded string builder: rendering a value never overruns, it is only cut short. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
};

void sbuf_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "file:line: message" into rd->err (no line when line <= 0); returns -1. */
int config_fail_at(struct config_reader *rd, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same, at setting s (in the @include file it came from, if any). */
int config_fail(struct config_reader *rd, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The value of s for a message: as written where the text is known, and not too long. */
const char *config_shown(const struct config_reader *rd, const config_setting_t *s, char *out,
			 size_t outlen);

/*
 * The true value of integer s, read from the text where it can be: libconfig
 * 1.5 keeps only the low 32 bits of one that does not fit an int. False when
 * it is beyond any range we could accept.
 */
bool config_integer_value(const struct config_reader *rd, const config_setting_t *s,
			  long long *val);

/*
 * The whole file, NUL-terminated, its length in *len; NULL with *errnum set.
 * Read here because libconfig 1.5's scanner exits the process on a read error.
 */
char *config_read_text(const char *path, size_t *len, int *errnum);

/*
 * What libconfig would get wrong without a word, before it reads rd->text:
 * a NUL byte (it would ignore the rest), an @include of what is not a
 * regular file (it would end the process). -1 with the message in rd->err.
 */
int config_check_text(struct config_reader *rd, size_t len);

#endif /* PDTT_CONFIG_TEXT_H */
