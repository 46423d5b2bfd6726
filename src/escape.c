// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdint.h>
#include "escape.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

/* RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF. */
size_t utf8_valid_length(const unsigned char *s)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Copy str to out: each ASCII byte through esc (which returns the escape to
 * write, or NULL for the byte itself), each valid UTF-8 sequence as it is, and
 * each invalid byte as U+FFFD, or through esc too when !replace_invalid.
 */
static void write_escaped(FILE *out, const char *str, const char *(*esc)(unsigned char, char *),
			  bool replace_invalid)
{
	const unsigned char *p = (const unsigned char *)str;
	const char *e;
	char buf[8];
	size_t n;

	while (*p) {
		n = utf8_valid_length(p);
		if (n == 0 && replace_invalid) {
			fputs(REPLACEMENT, out);
			p++;
		} else if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
		} else {
			e = esc(*p, buf);
			if (e)
				fputs(e, out);
			else
				fputc(*p, out);
			p++;
		}
	}
}

/* The escapes JSON and libconfig share, C's; NULL for any other byte. */
static const char *c_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	return NULL;
}

static const char *json_escape(unsigned char c, char *buf)
{
	const char *e = c == '\b' ? "\\b" : c_escape(c);

	if (e)
		return e;
	if (c < 0x20 || c == 0x7f) {
		snprintf(buf, 8, "\\u%04x", c);
		return buf;
	}
	return NULL;
}

void escape_json_string(FILE *out, const char *str)
{
	if (!str) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	write_escaped(out, str, json_escape, true);
	fputc('"', out);
}

/* The exposition format escapes exactly these three in label values. */
static const char *prom_escape(unsigned char c, char *buf)
{
	(void)buf;
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	}
	return NULL;
}

void escape_prom_label(FILE *out, const char *str)
{
	if (str)
		write_escaped(out, str, prom_escape, true);
}

/*
 * The text report is read line by line: a control byte in a name must not
 * start a line of its own (a forged "UID:" block), so it is written as \xNN,
 * and the backslash itself as \\ so that the escape is unambiguous.
 */
static const char *text_escape(unsigned char c, char *buf)
{
	if (c == '\\')
		return "\\\\";
	if (c < 0x20 || c == 0x7f) {
		snprintf(buf, 8, "\\x%02x", c);
		return buf;
	}
	return NULL;
}

void escape_text_name(FILE *out, const char *str)
{
	write_escaped(out, str, text_escape, true);
}

/*
 * A configuration value must read back as the same bytes, valid UTF-8 or not:
 * only what libconfig's scanner would read otherwise is escaped.
 */
const char *escape_libconfig_char(unsigned char c, char *buf)
{
	const char *e = c_escape(c);

	/* Other control bytes as \xNN, as in the text report. */
	return e ? e : text_escape(c, buf);
}

void escape_libconfig_string(FILE *out, const char *str)
{
	fputc('"', out);
	write_escaped(out, str, escape_libconfig_char, false);
	fputc('"', out);
}
