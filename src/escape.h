/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strings in machine-read outputs. User names come from NSS (LDAP, SSSD...) and
 * may hold any byte: each output escapes them by its own rules, and bytes that
 * are not valid UTF-8 become U+FFFD, since both JSON and the Prometheus text
 * format must be UTF-8 and one bad byte would make a parser reject the whole
 * line or file.
 */
#ifndef PDTT_ESCAPE_H
#define PDTT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
size_t utf8_valid_length(const unsigned char *s);

/* str as a JSON string, quotes included (RFC 8259); NULL is written as null. */
void escape_json_string(FILE *out, const char *str);

/* str as a Prometheus label value, without the quotes: \, " and newline escaped. */
void escape_prom_label(FILE *out, const char *str);

/*
 * str in the text report: control bytes as \xNN and \ as \\, so a name can
 * never break a line; invalid UTF-8 as U+FFFD, like the other outputs.
 */
void escape_text_name(FILE *out, const char *str);

/*
 * The escape libconfig reads back as c, or NULL when c stands for itself
 * (every byte above 0x7f does: not an output, but the configuration printed
 * back, which must read back as the same bytes); buf holds 8 bytes.
 */
const char *escape_libconfig_char(unsigned char c, char *buf);

/* str as a libconfig string, quotes included, that reads back as str. */
void escape_libconfig_string(FILE *out, const char *str);

#endif /* PDTT_ESCAPE_H */
