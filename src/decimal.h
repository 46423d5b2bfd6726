/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Numbers in decimal without printf: the text report and the state file
 * write eight to sixteen numbers per UID, and with 100,000 UIDs printf's
 * format parsing was the largest user-space cost of a report.
 */
#ifndef PDTT_DECIMAL_H
#define PDTT_DECIMAL_H

#include <stdint.h>
#include <string.h>

/* The longest uint64_t: 18446744073709551615. */
#define DECIMAL_U64_MAX_LEN 20

/* How many decimal digits v has. */
static inline unsigned int decimal_length(uint64_t v)
{
	unsigned int n = 1;

	for (; v >= 10; v /= 10)
		n++;
	return n;
}

/*
 * v in decimal at p (no NUL, at most 20 characters); returns the end. The
 * length first, so the digits go straight to their place: copying them from
 * a scratch buffer was a third of the cost.
 */
static inline char *put_u64(char *p, uint64_t v)
{
	char *end = p + decimal_length(v), *d = end;

	do {
		*--d = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* The string s at p (no NUL); returns the end. */
static inline char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

#endif /* PDTT_DECIMAL_H */
